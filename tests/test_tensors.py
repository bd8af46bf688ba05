"""explorer.tensors: every computation the Tensors page draws, checked against TensorFlow and NumPy run on
the same input (never against numbers our own code printed)."""

import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from explorer import ProgramError
from explorer import tensor_plots as plots
from explorer import tensors as tn
from explorer.tensor_settings import SETTINGS, matching_preset, preset_values

MATRIX = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]], np.float32)


# ---- rank, shape, dtype ----------------------------------------------------------------------------

def drawn(fig) -> list:
    """The panels a tensor figure draws: its heatmap and image traces, without the orange overlays."""
    return [t for t in fig.data if t.type in ("heatmap", "image") and not (t.meta or {}).get("selected")]


def check_drawn_as_tf_shape(value: np.ndarray, read_as: str = "auto") -> list:
    """Assert that the figure draws what tf.shape says: one panel per index of the leading axes (at most
    MAX_PANELS), each a grid of shape[-2] rows × shape[-1] columns (every k-th where it says so), holding the
    tensor's own numbers at those places (in colour for 3-channel pictures). Returns the panels."""
    tensor = tf.constant(value)
    shape, rank = tuple(int(d) for d in tf.shape(tensor).numpy()), int(tf.rank(tensor))
    info = tn.describe(value, read_as)
    panels = drawn(plots.tensor_figure(value, info))
    colour = info.kind in ("images", "video")
    lead = max(rank - 2 - colour, 0)
    assert len(panels) == min(int(np.prod(shape[:lead])), plots.MAX_PANELS)
    grids = np.asarray(value, np.float64).reshape((1,) * max(0, 2 - rank) + shape)
    for panel in panels:
        index, (kr, kc) = tuple(panel.meta["index"]), panel.meta["step"]
        assert len(index) == lead and all(0 <= i < n for i, n in zip(index, shape))
        grid = grids[index]
        if info.kind == "timeseries":             # drawn with timesteps across: the only transposed reading
            grid = np.swapaxes(grid, 0, 1)
        z = np.array(panel.z, dtype=np.float64)
        rows, cols = grid.shape[:2]
        assert z.shape[0] == -(-rows // kr) and z.shape[1] == -(-cols // kc)      # every k-th row and column, all of them
        expected = grid[::kr, ::kc]
        if panel.type == "image":
            assert z.shape[2] == shape[-1] == 3
            scale = 255.0 if expected.max() <= 1 and expected.min() >= 0 else 1.0
            np.testing.assert_allclose(z, expected * scale, atol=1e-3)
        else:
            np.testing.assert_allclose(z, expected[..., 0] if colour else expected)
    return panels


@pytest.mark.parametrize("expression", ["number", "numbers", "matrix", "cube", "images", "tf.reshape(cube, (6, 4))",
                                        "tf.transpose(cube, perm=[1, 0, 2])", "cube[:, :, :2]"])
def test_mit_tensors_are_drawn_as_tf_shape_says(expression):
    value = tn.evaluate(tn.MIT_RANKS, {"e": expression})["e"]
    info = tn.describe(value)
    assert (info.tf_rank, info.tf_shape) == (int(tf.rank(value)), tuple(tf.shape(value).numpy()))
    check_drawn_as_tf_shape(value)


def test_mits_cube_is_two_grids_of_three_rows_by_four_columns_with_its_numbers():
    cube = tf.reshape(tf.range(24.0), (2, 3, 4))                       # MIT's cube, made by TensorFlow
    fig = plots.tensor_figure(cube.numpy(), tn.describe(cube.numpy()))
    panels = drawn(fig)
    assert len(panels) == int(tf.shape(cube)[0]) == 2
    for k, panel in enumerate(panels):
        assert panel.meta["index"] == [k]
        np.testing.assert_array_equal(np.array(panel.z), cube[k].numpy())          # 3 rows, 4 columns: not 4 × 3
        assert [list(row) for row in panel.text] == [[str(int(v)) for v in row] for row in cube[k].numpy()]
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:2] == ["[0, :, :]", "[1, :, :]"]
    assert fig.layout.yaxis.title.text == "axis 1" and fig.layout.xaxis.title.text == "axis 2"
    assert tn.describe(cube.numpy()).kind == "rank 3"                  # not a timeseries


@pytest.mark.parametrize("shape, read_as", [((7, 5, 5), "auto"), ((3, 2, 2, 4), "auto"), ((200, 28, 28), "auto"),
                                            ((250, 390, 3), "timeseries"), ((250, 390, 3), "auto"), ((3, 50, 2), "auto"),
                                            ((4, 24, 32, 32, 3), "auto"), ((2, 16, 16, 1), "auto"), ((100, 3), "vector data")])
def test_every_kind_is_drawn_as_tf_shape_says(shape, read_as):
    check_drawn_as_tf_shape(np.random.default_rng(7).uniform(size=shape), read_as)


def test_a_batch_of_colour_images_is_a_strip_of_colour_images_along_the_named_samples_axis():
    images = tf.random.stateless_uniform((10, 32, 32, 3), seed=(1, 2))
    info = tn.describe(images.numpy())
    fig = plots.tensor_figure(images.numpy(), info)
    panels = check_drawn_as_tf_shape(images.numpy())
    assert [p.type for p in panels] == ["image"] * plots.MAX_PANELS
    np.testing.assert_allclose(np.array(panels[3].z), images[3].numpy() * 255, atol=1e-3)   # sample 3 in RGB
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:4] == ["sample 0", "sample 1", "sample 2", "sample 3"]
    assert "axis 0 (samples)" in fig.layout.title.text and "10 in all" in fig.layout.title.text
    assert "in colour" in plots.panel_caption(info)


def test_a_slice_of_colour_images_is_shaded_where_it_selects():
    sel = tn.select("images = tf.random.uniform((20, 16, 16, 3))\n", "images[10:12, 8:, :, 0]")
    fig = plots.tensor_figure(sel.source, tn.describe(sel.source), sel.mask)
    shaded = [t for t in fig.data if (t.meta or {}).get("selected")]
    assert [t.meta["index"] for t in shaded] == [[10], [11]]
    np.testing.assert_array_equal(~np.isnan(np.array(shaded[0].z, float)), numpy_mask((16, 16), np.s_[8:]))


def test_dtypes_are_tensorflows():
    values = tn.evaluate(tn.MIT_RANKS, {"a": "number", "b": "matrix"})
    assert tn.describe(values["a"]).dtype == tf.float64.name
    assert tn.describe(values["b"]).dtype == tf.float32.name


def test_chollet_data_tensor_kinds_name_their_axes():
    assert tn.describe(np.zeros((100, 3)), "vector data").axes == ("samples", "features")
    assert tn.describe(np.zeros((250, 390, 3)), "timeseries").axes == ("samples", "timesteps", "features")
    assert tn.describe(np.zeros((250, 390, 3))).kind == "rank 3"           # not guessed: only named by the user
    assert tn.describe(np.zeros((2, 3, 4, 5))).kind == "rank 4"            # 5 is no number of channels
    assert tn.describe(np.zeros((128, 256, 256, 1))).axes == ("samples", "height", "width", "channels")
    assert tn.describe(np.zeros((4, 2, 32, 32, 3))).axes == \
        ("samples", "frames", "height", "width", "channels")
    assert tn.describe(np.zeros((4, 2, 3, 3, 3))).kind == "rank 5"        # 3×3 frames: no picture to guess
    assert tn.describe(np.zeros((4, 2, 3, 3, 3)), "video").kind == "video"  # unless the user says so
    assert tn.describe(np.zeros((5, 8, 8))).kind == "grayscale images"
    assert tn.describe(np.zeros((3, 4)), "video").kind == "matrix"        # a reading that does not fit the rank


def test_digits_come_from_scikit_learns_bundled_copy():
    from sklearn.datasets import load_digits
    value = tn.evaluate(tn.DIGITS, {"e": "images"})["e"]
    np.testing.assert_array_equal(value, load_digits().images)


# ---- slices --------------------------------------------------------------------------------------

def numpy_mask(shape, index) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[index] = True
    return mask


@pytest.mark.parametrize("expression, index", [
    ("matrix[1]", np.s_[1]), ("matrix[:, 2]", np.s_[:, 2]), ("matrix[1, 2]", np.s_[1, 2]),
    ("matrix[-1, ::2]", np.s_[-1, ::2]), ("matrix[1:, :-1]", np.s_[1:, :-1]), ("cube[1, :, 3]", np.s_[1, :, 3]),
    ("matrix[::-1, 1]", np.s_[::-1, 1]),
])
def test_slice_masks_are_numpys(expression, index):
    sel = tn.select(tn.MIT_RANKS, expression)
    np.testing.assert_array_equal(sel.mask, numpy_mask(sel.source.shape, index))
    np.testing.assert_array_equal(sel.result, sel.source[index])
    assert sel.result.shape == tuple(tf.constant(sel.source)[index].shape)


def test_chollet_mnist_crop_selects_90_samples_of_14_by_14():
    sel = tn.select("images = tf.random.uniform((200, 28, 28))\n", "images[10:100, 14:, 14:]")
    assert sel.result.shape == (90, 14, 14)
    np.testing.assert_array_equal(sel.mask, numpy_mask((200, 28, 28), np.s_[10:100, 14:, 14:]))
    assert plots.selected_range(sel.mask) == "10 … 99 (90 of 200)"


def test_digits_slice_keeps_the_values():
    from sklearn.datasets import load_digits
    sel = tn.select(tn.DIGITS, "images[10:100, 4:, 4:]")
    np.testing.assert_array_equal(sel.result, load_digits().images[10:100, 4:, 4:])


def test_a_bad_slice_says_where():
    with pytest.raises(ProgramError) as e:
        tn.select(tn.MIT_RANKS, "matrix[1, ")
    assert (e.value.line, e.value.col) == (1, 7) and "never closed" in e.value.message
    with pytest.raises(ProgramError) as e:
        tn.select(tn.MIT_RANKS, "matrix[7]")
    assert e.value.line == 1 and "in the slice" in e.value.message
    with pytest.raises(ProgramError) as e:
        tn.evaluate(tn.MIT_RANKS, {"expression": "matrix + nothing"})
    assert (e.value.line, e.value.col) == (1, 10) and "nothing" in e.value.message
    with pytest.raises(ProgramError) as e:
        tn.evaluate("x = tf.ones((2,))\ny = x +\n", {"expression": "x"})
    assert e.value.line == 2                                          # the program's own line
    with pytest.raises(ProgramError):
        tn.sliced_name("matrix + 1")


def test_expressions_run_in_the_program_language_not_python():
    with pytest.raises(ProgramError) as e:
        tn.evaluate("", {"expression": "__import__('os').getcwd()"})
    assert e.value.line == 1
    with pytest.raises(ProgramError):
        tn.evaluate("", {"expression": "open('/etc/passwd')"})
    with pytest.raises(ProgramError):
        tn.evaluate("", {"expression": "1\nimport os"})


def test_the_program_offers_each_tensor_it_binds_with_tensorflows_rank():
    bound = tn.bound_tensors(tn.MIT_RANKS)
    assert list(bound) == ["number", "numbers", "matrix", "cube", "images"]         # MIT's rank 0 … rank 4 (and cube)
    for name, info in bound.items():
        value = tn.evaluate(tn.MIT_RANKS, {"e": name})["e"]
        assert info.rank == int(tf.rank(value)) and info.shape == tuple(tf.shape(value).numpy())
    assert [i.rank for i in bound.values()] == [0, 1, 2, 3, 4]
    assert "digits" not in tn.bound_tensors(tn.DIGITS)                               # a Bunch is no tensor
    assert tn.bound_tensors("x = tf.ones((2,))\ny = x +\n") == {}                   # its error is said elsewhere


def test_look_draws_a_slice_in_its_source_a_move_by_its_positions_and_anything_else_itself():
    sliced = tn.look(tn.MIT_RANKS, "matrix[:, 2]")
    assert sliced.name == "matrix" and sliced.selection is not None and sliced.movement is None
    np.testing.assert_array_equal(sliced.value, MATRIX)
    moved = tn.look(tn.MIT_RANKS, "tf.transpose(cube)")
    np.testing.assert_array_equal(moved.value, np.transpose(np.arange(24.0).reshape(2, 3, 4)))
    assert moved.movement is not None and moved.mask is None
    big = tn.look(tn.MIT_RANKS, "tf.reshape(images, (10, -1))")
    assert big.movement is None and big.too_many == 10 * 256 * 256 * 3
    plain = tn.look(tn.MIT_RANKS, "matrix * 2")
    np.testing.assert_array_equal(plain.value, MATRIX * 2)
    assert "value = matrix * 2" in plain.code() and "taken = matrix[:, 2]" not in plain.code()
    with pytest.raises(ProgramError):
        tn.look(tn.MIT_RANKS, "matrix[1, ")


@pytest.mark.parametrize("expression", ["matrix[:, 2]", "tf.transpose(cube)", "matrix * 2", "tf.reshape(images, (10, -1))"])
def test_look_runs_the_program_once_and_offers_its_tensors_from_that_run(expression):
    from explorer.run import run
    sources = []
    look = tn.look(tn.MIT_RANKS, expression, runner=lambda source, dtype, seed: (sources.append(source),
                                                                                 run(source, dtype, seed))[1])
    assert len(sources) == 1
    assert {n: (i.rank, i.shape) for n, i in look.bound.items()} == \
        {n: (i.rank, i.shape) for n, i in tn.bound_tensors(tn.MIT_RANKS).items()}


def test_a_typo_keeps_the_last_value_that_worked():
    memory = {}
    value, error = tn.last_good(memory, "k", tn.evaluate, tn.MIT_RANKS, {"e": "matrix[1]"})
    assert error is None
    value, error = tn.last_good(memory, "k", tn.evaluate, tn.MIT_RANKS, {"e": "matrix[1, "})
    assert error is not None and error.line == 1
    np.testing.assert_array_equal(value["e"], MATRIX[1])


def test_expressions_run_inside_the_servers_admission_gate(monkeypatch):
    from explorer.admission import Gate
    gate = Gate(1)
    monkeypatch.setattr(tn, "HEAVY", gate)
    release, done = threading.Event(), []

    def other_student():
        with gate.slot():
            release.wait(10)

    other = threading.Thread(target=other_student)
    other.start()
    while gate.running == 0:
        time.sleep(0.005)
    mine = threading.Thread(target=lambda: done.append(tn.evaluate("a = tf.ones((2, 2))\n", {"e": "a[0] * 3.25"})))
    mine.start()
    deadline = time.monotonic() + 10
    while gate.waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert gate.waiting == 1 and not done                 # queued behind the other run, not running
    release.set()
    mine.join(60)
    other.join(5)
    np.testing.assert_array_equal(done[0]["e"], [3.25, 3.25])


# ---- reshape and transpose -----------------------------------------------------------------------------

@pytest.mark.parametrize("program, expression, numpy_op, keeps", [
    (tn.RESHAPING, "tf.reshape(x, (6, 1))", lambda a: np.reshape(a, (6, 1)), True),
    (tn.RESHAPING, "tf.reshape(x, (2, 3))", lambda a: np.reshape(a, (2, 3)), True),
    (tn.RESHAPING, "tf.transpose(x)", np.transpose, False),
    (tn.MIT_RANKS, "tf.reshape(cube, (6, 4))", lambda a: np.reshape(a, (6, 4)), True),
    (tn.MIT_RANKS, "tf.reshape(cube, [-1])", lambda a: np.reshape(a, -1), True),
    (tn.MIT_RANKS, "tf.transpose(cube, perm=[2, 0, 1])", lambda a: np.transpose(a, (2, 0, 1)), False),
    (tn.MIT_RANKS, "tf.transpose(matrix[:, 1:])", np.transpose, False),
])
def test_where_entries_go_is_numpys_reshape_and_transpose(program, expression, numpy_op, keeps):
    m = tn.movement(program, expression)
    source = tn.evaluate(program, {"s": m.source_text})["s"]
    # the positions NumPy moves: the same op applied to 0, 1, 2, … in the source's shape (row-major)
    np.testing.assert_array_equal(m.positions, numpy_op(np.arange(source.size).reshape(source.shape)))
    np.testing.assert_array_equal(m.result, numpy_op(source))
    np.testing.assert_array_equal(m.result, source.ravel()[m.positions])     # each entry is the one it came from
    assert m.keeps_order is keeps and m.op == expression.split("(")[0]


def test_chollet_reshape_and_transpose_of_the_same_shape_differ():
    reshaped = tn.movement(tn.RESHAPING, "tf.reshape(x, (2, 3))")
    transposed = tn.movement(tn.RESHAPING, "tf.transpose(x)")
    assert reshaped.result.shape == transposed.result.shape == (2, 3)
    np.testing.assert_array_equal(reshaped.result, [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])     # Chollet 2.3.4's output
    np.testing.assert_array_equal(transposed.result, [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]])


@pytest.mark.parametrize("expression", ["matrix", "matrix[1]", "tf.reduce_sum(matrix)", "np.reshape(matrix, (12,))",
                                        "tf.reshape", "tf.reshape(", "reshape(matrix, (12,))"])
def test_other_expressions_move_nothing(expression):
    assert tn.moved_argument(expression) is None


def test_a_moved_argument_runs_in_the_program_language_not_python():
    with pytest.raises(ProgramError):
        tn.movement(tn.MIT_RANKS, "tf.reshape(__import__('os').getcwd(), (1,))")
    with pytest.raises(ProgramError, match="in the moved"):
        tn.movement(tn.MIT_RANKS, "tf.reshape(matrix, (5, 5))")


def test_movement_figure_numbers_source_and_result_by_source_position():
    m = tn.movement(tn.MIT_RANKS, "tf.transpose(cube, perm=[2, 0, 1])")
    fig = plots.movement_figure(m)
    np.testing.assert_array_equal(fig.data[0].z, np.arange(24).reshape(6, 4))     # cube, leading axes stacked
    np.testing.assert_array_equal(fig.data[1].z, np.transpose(np.arange(24).reshape(2, 3, 4), (2, 0, 1)).reshape(8, 3))
    assert list(fig.data[1].text[0]) == ["0", "4", "8"]
    np.testing.assert_array_equal(fig.data[1].customdata,
                                  np.transpose(np.arange(24.0).reshape(2, 3, 4), (2, 0, 1)).reshape(8, 3))


# ---- broadcasting ---------------------------------------------------------------------------------

SHAPE_PAIRS = [((32, 10), (10,)), ((10,), (32, 10)), ((64, 3, 32, 10), (32, 10)), ((5, 1), (1, 4)), ((3, 1), (1, 4)),
               ((3,), (3,)), ((), (2, 2)), ((4, 1, 2), (3, 1)), ((2, 1, 3), (4, 3))]


@pytest.mark.parametrize("left, right", SHAPE_PAIRS)
@pytest.mark.parametrize("op, tf_op", [("add", tf.add), ("maximum", tf.maximum)])
def test_broadcast_shape_and_stages_are_tensorflows(left, right, op, tf_op):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=left), rng.normal(size=right)
    plan = tn.broadcast(left, right, op)
    assert plan.error is None
    assert plan.result == np.broadcast_shapes(left, right) == tuple(tf.broadcast_static_shape(
        tf.TensorShape(left), tf.TensorShape(right)).as_list())
    stages = tn.broadcast_stages(x, y, op)
    np.testing.assert_allclose(stages["result"], tf_op(tf.constant(x), tf.constant(y)).numpy())
    for name, value in (("x", x), ("y", y)):
        np.testing.assert_array_equal(stages[f"{name} repeated"], np.broadcast_to(value, plan.result))
        np.testing.assert_array_equal(stages[f"{name} repeated"], tf.broadcast_to(tf.constant(value), plan.result).numpy())
        assert stages[f"{name} added"].ndim == len(plan.result)
        np.testing.assert_array_equal(stages[f"{name} added"].ravel(), value.ravel())     # only axes of size 1 added


@pytest.mark.parametrize("left, right", SHAPE_PAIRS)
def test_the_operands_that_broadcast_are_the_ones_drawn_step_by_step(left, right):
    plan = tn.broadcast(left, right)
    columns = tn.broadcast_columns(plan)
    result = np.broadcast_shapes(left, right)
    for name, shape in (("x", left), ("y", right)):
        changes = shape != result                         # NumPy would stretch or extend it
        assert (f"{name} repeated" in columns) == changes
        assert (f"{name} added" in columns) == (len(shape) < len(result))
    assert columns[-1] == "result" and columns.index("x") < columns.index("y")


def figure_panels(fig) -> dict:
    return {(t.meta["stage"], tuple(t.meta["index"])): t for t in fig.data if not t.meta.get("selected")}


@pytest.mark.parametrize("left, right", SHAPE_PAIRS)
def test_broadcast_figure_draws_each_stage_at_its_leading_indices(left, right):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=left), rng.normal(size=right)
    plan = tn.broadcast(left, right)
    fig = plots.broadcast_figure(tn.broadcast_stages(x, y), plan)
    panels = figure_panels(fig)
    full = {"x": x, "y": y, "x repeated": np.broadcast_to(x, plan.result), "y repeated": np.broadcast_to(y, plan.result),
            "result": (tf.constant(x) + tf.constant(y)).numpy()}
    for (stage, index), trace in panels.items():
        if stage.endswith("added"):
            continue
        value = full[stage]
        value = value.reshape((1,) * max(0, 2 - value.ndim) + value.shape)
        np.testing.assert_allclose(np.array(trace.z, float), value[index])
    rows = tn.leading_indices(plan.result)
    for index in rows:                                    # the repeated stages and the result at every row
        for stage in [c for c in tn.broadcast_columns(plan) if c.endswith("repeated")] + ["result"]:
            assert (stage, index) in panels


def test_a_repeat_along_leading_axes_shows_as_equal_panels_with_the_own_entries_orange():
    x, y = np.random.default_rng(4).random((64, 3, 32, 10)), np.random.default_rng(5).random((32, 10))
    plan = tn.broadcast(x.shape, y.shape, "maximum")
    fig = plots.broadcast_figure(tn.broadcast_stages(x, y, "maximum"), plan, "maximum")
    panels = figure_panels(fig)
    rows = [(0, 0), (1, 0), (0, 1)]                       # one step along each leading axis
    assert tn.leading_indices(plan.result) == rows
    for index in rows:
        np.testing.assert_array_equal(np.array(panels["y repeated", index].z), y)           # the same y each time
        np.testing.assert_allclose(np.array(panels["result", index].z), tf.maximum(x, y).numpy()[index])
    orange = {tuple(t.meta["index"]) for t in fig.data if t.meta.get("selected") and t.meta["stage"] == "y repeated"}
    assert orange == {(0, 0)}                             # y's own entries; [1, 0] and [0, 1] are copies
    assert "maximum(x, y)" in [a.text.split("<br>")[0] for a in fig.layout.annotations]


def test_when_x_is_the_smaller_its_steps_are_drawn_and_its_copies_are_grey():
    x, y = np.arange(4.0), np.arange(12.0).reshape(3, 4)
    plan = tn.broadcast(x.shape, y.shape)
    fig = plots.broadcast_figure(tn.broadcast_stages(x, y), plan)
    assert [t.meta["stage"] for t in fig.data if not t.meta.get("selected")] == \
        ["x", "x added", "x repeated", "y", "result"]
    (own,) = [t for t in fig.data if t.meta.get("selected")]
    np.testing.assert_array_equal(~np.isnan(np.array(own.z, float)), np.arange(3)[:, None] == np.zeros((3, 4)))


def test_both_operands_broadcast_a_column_plus_a_row():
    x, y = tn.evaluate(tn.BOTH_WAYS, {"x": "x", "y": "y"}).values()
    plan = tn.broadcast(x.shape, y.shape)
    assert tn.broadcast_columns(plan) == ["x", "x repeated", "y", "y repeated", "result"]
    stages = tn.broadcast_stages(x, y)
    np.testing.assert_array_equal(stages["result"], np.add.outer([0.0, 10.0, 20.0], [1.0, 2.0, 3.0, 4.0]))
    assert plan.repeated_axes("x") == (1,) and plan.repeated_axes("y") == (0,)


def test_chollet_broadcast_steps():
    plan = tn.broadcast((32, 10), (10,))
    assert [s.title for s in plan.steps] == ["1. add axes", "2. repeat", "3. element-wise"]
    assert plan.steps[0].right == (1, 10)
    assert "y repeated 32 times along axis 0" in plan.steps[1].note


@pytest.mark.parametrize("left, right, axis", [((32, 10), (32,), -1), ((2, 3, 4), (5, 4), -2), ((3,), (4,), -1)])
def test_a_mismatch_names_the_axis_tensorflow_refuses(left, right, axis):
    plan = tn.broadcast(left, right)
    assert plan.result is None and plan.failed_axis == axis
    assert f"x has {left[axis]} and y has {right[axis]}" in plan.error
    with pytest.raises(ValueError):
        tf.broadcast_static_shape(tf.TensorShape(left), tf.TensorShape(right))
    with pytest.raises(ValueError):
        np.broadcast_shapes(left, right)


# ---- the dot product -------------------------------------------------------------------------------

@pytest.mark.parametrize("a_shape, b_shape, i, j", [((2, 3), (3, 4), 1, 2), ((2, 3), (3,), 1, 0), ((3,), (3,), 0, 0),
                                                    ((3,), (3, 5), 0, 4), ((6, 4), (4, 2), 9, 9)])
def test_dot_and_its_traced_entry_are_tensorflows(a_shape, b_shape, i, j):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    trace = tn.dot(a, b, i, j)
    expected = tf.tensordot(tf.constant(a), tf.constant(b), axes=1).numpy()
    np.testing.assert_allclose(trace.out, expected)
    if len(a_shape) == len(b_shape) == 2:
        np.testing.assert_allclose(trace.out, tf.matmul(a, b).numpy())
    assert trace.out.shape == a_shape[:-1] + b_shape[1:]
    np.testing.assert_allclose(trace.entry, expected[trace.index])
    assert all(0 <= k < n for k, n in zip(trace.index, trace.out.shape))
    assert f"b={a_shape[-1]}" in trace.rule


def test_dot_shape_mismatch_is_said_like_tensorflow_refuses_it():
    trace = tn.dot(np.ones((2, 3)), np.ones((4, 2)))
    assert trace.out is None and "3" in trace.error and "4" in trace.error
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        tf.matmul(tf.ones((2, 3)), tf.ones((4, 2)))


# ---- geometry -------------------------------------------------------------------------------------

def test_rotation_is_chollets_matrix_and_keeps_lengths():
    theta = np.deg2rad(30.0)
    np.testing.assert_allclose(tn.rotation(30.0), [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    points = np.random.default_rng(2).normal(size=(50, 2))
    moved = tn.transform("rotation", angle=75.0)(points)
    np.testing.assert_allclose(np.linalg.norm(moved, axis=1), np.linalg.norm(points, axis=1))
    np.testing.assert_allclose(tn.transform("rotation", angle=90.0)(np.array([[1.0, 0.0]])), [[0.0, 1.0]], atol=1e-12)


@pytest.mark.parametrize("kind", tn.TRANSFORMS)
def test_affine_maps_are_a_dense_layer(kind):
    points = np.random.default_rng(3).normal(size=(20, 2))
    affine = tn.transform(kind, angle=40.0, sx=2.0, sy=0.5, shear=0.7, tx=1.0, ty=-2.0, matrix="1, 2; 3, 4")
    layer = tf.keras.layers.Dense(2, dtype="float64")
    layer.build((None, 2))
    layer.set_weights([affine.matrix.T, affine.offset])
    np.testing.assert_allclose(affine(points), layer(points).numpy(), atol=1e-12)


def test_a_list_literal_is_a_tensor():
    np.testing.assert_array_equal(tn.evaluate("", {"e": "[1, 2.5]"})["e"], tf.constant([1, 2.5]).numpy())


def test_a_typed_matrix_is_read_number_by_number():
    np.testing.assert_array_equal(tn.parse_matrix("1, 0.5; -0.5, 2"), np.array([[1.0, 0.5], [-0.5, 2.0]]))
    np.testing.assert_array_equal(tn.parse_matrix("[[0 -1] [1 0]]"), tn.rotation(90.0).round())
    with pytest.raises(ProgramError) as e:
        tn.parse_matrix("1, 2; x, 4")
    assert (e.value.line, e.value.col) == (1, 7)
    with pytest.raises(ProgramError):
        tn.parse_matrix("1, 2, 3")
    with pytest.raises(ProgramError):
        tn.parse_matrix("__import__('os'), 1, 1, 1")


def test_two_affine_maps_compose_into_one():
    points = np.random.default_rng(4).normal(size=(30, 2))
    first, second = tn.transform("shear", shear=0.8), tn.Affine(tn.rotation(-20.0), np.array([0.5, 2.0]))
    layers = []
    for affine in (first, second):
        layer = tf.keras.layers.Dense(2, dtype="float64")
        layer.build((None, 2))
        layer.set_weights([affine.matrix.T, affine.offset])
        layers.append(layer)
    stacked = layers[1](layers[0](points)).numpy()                   # two Dense layers without activation
    np.testing.assert_allclose(first.then(second)(points), stacked, atol=1e-12)
    assert tn.composition_gap(first, second, points) < 1e-12
    assert tn.composition_gap(first, tn.SECOND, tn.shape_lines("grid and F")["grid"]) < 1e-12


def dense(affine: tn.Affine):
    layer = tf.keras.layers.Dense(2, dtype="float64")
    layer.build((None, 2))
    layer.set_weights([affine.matrix.T, affine.offset])
    return layer


@pytest.mark.parametrize("matrix, offset, a2, t2", [
    ("0, -1; 1, 0", "1, -1", [[0, -1], [1, 0]], [1, -1]), ("2, 0.5; -1, 1", "0, 3", [[2, 0.5], [-1, 1]], [0, 3]),
    ("[[1 0] [0 -1]]", "(-2 0.5)", [[1, 0], [0, -1]], [-2, 0.5])])
def test_a_typed_second_map_composes_with_the_first_into_one(matrix, offset, a2, t2):
    second = tn.second_map(matrix, offset)
    np.testing.assert_array_equal(second.matrix, a2)
    np.testing.assert_array_equal(second.offset, t2)
    points = tn.shape_lines("grid and F")["F"]
    points = points[~np.isnan(points).any(axis=1)]
    for first in (tn.transform("rotation", angle=30.0), tn.transform("translation", tx=1.0, ty=0.5), tn.train_layer(0).hidden):
        stacked = dense(second)(dense(first)(points)).numpy()        # two Keras Dense layers, no activation
        one = first.then(second)
        np.testing.assert_allclose(one(points), stacked, atol=1e-12)
        np.testing.assert_allclose(one.matrix, second.matrix @ first.matrix)
        assert tn.composition_gap(first, second, points) < 1e-12


def test_the_geometry_view_reads_its_settings_and_says_which_box_is_wrong():
    values = SETTINGS.defaults() | {"transform": "shear", "shear": 1.5, "second": True, "second_matrix": "2, 0; 0, 2",
                                    "second_offset": "0, 1", "relu": True}
    g = tn.geometry(values)
    np.testing.assert_array_equal(g.first.matrix, [[1.0, 1.5], [0.0, 1.0]])
    np.testing.assert_array_equal(g.second.matrix, 2 * np.eye(2))
    np.testing.assert_array_equal(g.second.offset, [0, 1])
    assert g.fold and not g.errors
    bad = tn.geometry(values | {"second_offset": "0, up"})
    ((where, text, error),) = bad.errors
    assert where == "Second map" and text == "0, up" and (error.line, error.col) == (1, 4) and "t₂" in error.message
    assert bad.second is tn.SECOND                                      # the default second map drawn instead
    bad = tn.geometry(values | {"transform": "matrix", "matrix": "1, 2, 3"})
    assert bad.errors[0][0] == "Matrix" and np.array_equal(bad.first.matrix, np.eye(2))
    assert tn.geometry(values | {"second": False}).second is None


def test_the_geometry_figure_draws_the_halfway_figure_after_the_first_map():
    first, second = tn.transform("rotation", angle=90.0), tn.second_map("1, 0; 0, 1", "1, 0")
    figure = tn.shape_lines("grid and F")
    fig = plots.geometry_figure(first, second, False, figure)
    traces = {t.name: t for t in fig.data}
    f = figure["F"]
    np.testing.assert_allclose(np.array(traces["F first"].x, float), first(f)[:, 0])       # (0, 1.5) turned to (-1.5, 0)
    np.testing.assert_allclose(np.array(traces["F after"].x, float), first(f)[:, 0] + 1.0)  # then shifted right by 1
    assert "F first" not in {t.name for t in plots.geometry_figure(first, None, False, figure).data}


@pytest.mark.parametrize("kind", ["rotation", "matrix", "trained layer"])
def test_geometry_code_with_a_typed_second_map_is_the_pages(kind):
    values = SETTINGS.defaults() | {"transform": kind, "second": True, "second_matrix": "0.5, 1; -1, 2",
                                    "second_offset": "3, -2", "relu": True, "seed": 2}
    g = tn.geometry(values)
    ns = run_code(g.code())
    points = ns["points"].numpy()
    np.testing.assert_allclose(ns["twice"].numpy(), g.second(g.first(points)), atol=1e-12)
    np.testing.assert_allclose(ns["folded"].numpy(), tn.relu(g.first.then(g.second)(points)), atol=1e-12)
    assert float(ns["tf"].reduce_max(ns["tf"].abs(ns["twice"] - ns["once"]))) < 1e-12


def test_relu_folds_the_plane_like_tf_nn_relu():
    points = np.random.default_rng(5).normal(size=(40, 2))
    np.testing.assert_array_equal(tn.relu(points), tf.nn.relu(points).numpy())
    assert (tn.relu(points) >= 0).all()


def test_the_trained_layer_learns_and_is_its_dense_layer():
    first, again = tn.train_layer(0), tn.train_layer(0)
    assert first.losses[-1] < 0.5 * first.losses[0]                  # it learned to separate the classes
    np.testing.assert_array_equal(first.hidden.matrix, again.hidden.matrix)   # the same seed, the same layer
    clouds = tn.shape_lines("two classes", 0)
    x = np.vstack([clouds["class 0"], clouds["class 1"]])
    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(0.0, 0.5, (2, 2)), rng.normal(0.0, 0.5, (2, 1))
    logits = tf.nn.relu(x @ w1) @ w2                                   # the untrained network, by TensorFlow
    y = np.concatenate([np.zeros(150), np.ones(150)])[:, None]
    start = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    np.testing.assert_allclose(first.losses[0], float(start))


def test_two_classes_are_chollets():
    clouds = tn.shape_lines("two classes", seed=0)
    np.testing.assert_allclose(clouds["class 0"].mean(axis=0), [0.0, 3.0], atol=0.3)
    np.testing.assert_allclose(clouds["class 1"].mean(axis=0), [3.0, 0.0], atol=0.3)


# ---- the Network playground's first layer --------------------------------------------------------------

def playground_trainer(hidden=(2,), activation="tanh", features=("x1", "x2"), steps=40):
    from explorer import playground as pg
    trainer = pg.Trainer(pg.NetworkSpec(features=features, hidden=hidden, activation=activation),
                         *pg.split(pg.make_dataset("xor", 200, 0.0, 0)))
    trainer.steps(steps)
    return trainer


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_the_playground_layer_is_its_keras_layer(activation):
    trainer = playground_trainer(activation=activation)
    layer = tn.playground_layer(trainer)
    keras_layer = trainer.model.layers[0]
    assert layer.why_not is None and layer.units == 2 and layer.activation == activation
    np.testing.assert_array_equal(layer.kernel, keras_layer.kernel.numpy())
    points = tn.shape_lines("two classes", 1)["class 0"]
    # the page's affine map then activation against the Keras layer itself on the same points
    np.testing.assert_allclose(layer(points), keras_layer(points.astype(np.float32)).numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tn.transform("playground layer", layer=layer)(points),
                               points @ keras_layer.kernel.numpy() + keras_layer.bias.numpy(), rtol=1e-5, atol=1e-5)


def test_the_playground_layer_is_read_again_not_copied():
    trainer = playground_trainer()
    before = tn.playground_layer(trainer).kernel
    trainer.steps(40)
    after = tn.playground_layer(trainer)
    assert not np.array_equal(before, after.kernel) and after.step == 80
    np.testing.assert_array_equal(after.kernel, trainer.model.layers[0].kernel.numpy())


def test_a_playground_layer_that_is_not_a_map_of_the_plane_says_why_and_the_own_layer_is_drawn():
    wide = tn.playground_layer(playground_trainer(hidden=(4, 2), steps=1))
    assert wide.units == 4 and "maps the plane to 4 dimensions" in wide.why_not
    squares = tn.playground_layer(playground_trainer(features=("x1", "x2", "x1sq"), steps=1))
    assert "not the plane" in squares.why_not
    np.testing.assert_array_equal(tn.transform("playground layer", seed=2, layer=wide).matrix,
                                  tn.train_layer(2).hidden.matrix)
    assert tn.playground_layer(None) is None


def test_playground_layer_code_is_the_keras_layer():
    trainer = playground_trainer()
    layer = tn.playground_layer(trainer)
    ns = run_code(tn.geometry_code("playground layer", 0, 1, 1, 0, 0, 0, None, False, layer=layer))
    keras_out = trainer.model.layers[0](ns["points"].numpy().astype(np.float32)).numpy()
    np.testing.assert_allclose(ns["activated"].numpy(), keras_out, rtol=1e-5, atol=1e-6)


# ---- the TensorFlow code shown under each picture, run with TensorFlow ----------------------------------

def run_code(code: str) -> dict:
    namespace: dict = {}
    exec(compile(code, "<shown code>", "exec"), namespace)      # our generated code, as a student would run it
    return namespace


@pytest.mark.parametrize("expression", ["matrix[:, 2]", "matrix[1]", "cube[1, :, 3]"])
def test_slice_code_selects_what_the_page_highlights(expression):
    ns = run_code(tn.slice_code(tn.MIT_RANKS, expression))
    np.testing.assert_array_equal(ns["mask"].numpy(), tn.select(tn.MIT_RANKS, expression).mask)


def test_shape_code_prints_rank_and_shape(capsys):
    run_code(tn.shape_code(tn.MIT_RANKS, "images"))
    assert "rank 4 shape (10, 256, 256, 3) dtype float32" in capsys.readouterr().out


@pytest.mark.parametrize("expression", ["tf.transpose(matrix)", "tf.reshape(cube, (4, 6))"])
def test_movement_code_finds_the_same_positions(expression):
    ns = run_code(tn.movement_code(tn.MIT_RANKS, expression))
    m = tn.movement(tn.MIT_RANKS, expression)
    np.testing.assert_array_equal(ns["came_from"].numpy(), m.positions)
    np.testing.assert_array_equal(ns["moved"].numpy(), m.result)


@pytest.mark.parametrize("program, op", [(tn.BROADCAST, "add"), (tn.CHOLLET_BROADCAST, "maximum"), (tn.BOTH_WAYS, "add")])
def test_broadcast_code_builds_the_stages(program, op, capsys):
    ns = run_code(tn.broadcast_code(program, "x", "y", op=op))
    stages = tn.broadcast_stages(ns["x"].numpy(), ns["y"].numpy(), op)
    np.testing.assert_allclose(ns["result"].numpy(), stages["result"], rtol=1e-6)
    np.testing.assert_array_equal(ns["y_added"].numpy(), stages["y added"])
    assert capsys.readouterr().out.strip().endswith("True")          # TensorFlow's own broadcasting agrees


def test_dot_code_traces_the_same_entry():
    ns = run_code(tn.dot_code(tn.DOTS, "x", "y", 1, 2))
    trace = tn.dot(ns["x"].numpy(), ns["y"].numpy(), 1, 2)
    np.testing.assert_allclose(float(ns["entry"]), trace.entry)
    np.testing.assert_allclose(ns["out"].numpy(), trace.out)


@pytest.mark.parametrize("kind", tn.TRANSFORMS)
def test_geometry_code_moves_points_as_the_page_does(kind):
    args = dict(angle=30.0, sx=1.5, sy=0.5, shear=0.8, tx=1.0, ty=0.5)
    ns = run_code(tn.geometry_code(kind, *args.values(), tn.SECOND, True, "0.5, -1; 2, 1", 3))
    points = ns["points"].numpy()
    expected = tn.relu(tn.transform(kind, **args, matrix="0.5, -1; 2, 1", seed=3).then(tn.SECOND)(points))
    np.testing.assert_allclose(ns["folded"].numpy(), expected, atol=1e-12)


# ---- presets and settings --------------------------------------------------------------------------

def test_every_preset_is_found_again_from_its_settings():
    for p in tn.PRESETS:
        values = SETTINGS.defaults() | preset_values(p)
        assert matching_preset(values) == p.title
        assert all(SETTINGS[k] for k in preset_values(p))           # every key is a setting of the table


def test_settings_table_round_trips_a_link():
    values = SETTINGS.defaults() | {"expression": "images[10:100, 14:, 14:]", "angle": 45.0, "view": "Geometry"}
    decoded, hidden, present, errors = SETTINGS.decode(SETTINGS.encode(values))
    assert not errors and decoded == {"expression": "images[10:100, 14:, 14:]", "angle": 45.0, "view": "Geometry"}


def test_figures_draw_every_rank_in_type_a_projector_reads():
    for value in (np.float32(2.0), np.arange(5.0), MATRIX, np.zeros((7, 5, 5)), np.zeros((3, 8, 8, 3)),
                  np.zeros((2, 4, 6, 6, 3))):
        fig = plots.tensor_figure(np.asarray(value), tn.describe(value))
        check_drawn_as_tf_shape(np.asarray(value))
        assert fig.layout.font.size >= 16
