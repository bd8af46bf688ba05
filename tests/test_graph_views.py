"""Rendering (DOT), TensorFlow's own graph, the generated TensorFlow code and share links."""

import contextlib
import sys
import types

import numpy as np
import pytest

import explorer
from explorer.presets import PRESETS, by_title
from explorer.palette import GRADIENT_SCALE as DIVERGING
from explorer.render import fmt
from explorer.share import decode_program, encode_program

CHAIN = by_title("Chain rule on a computation graph (Chollet 2.4.4)").source


def test_forward_dot_shows_values_kinds_and_target():
    dot = explorer.run(CHAIN).graph.to_dot(view="forward")
    assert dot.startswith("digraph")
    for text in ("x1 = w*x", "loss_val = tf.abs(y_true - x2)", "tf.Variable", "constant", "float32 · scalar"):
        assert text in dot
    assert "x2 = x1 + b\\n7\\n" in dot                     # x2's value under its formula
    target_line = next(l for l in dot.splitlines() if 'id="node-loss_val"' in l)
    assert 'peripheries="2"' in target_line


def test_backward_dot_has_chain_rule_products_on_edges_and_legend():
    dot = explorer.run(CHAIN).graph.to_dot(view="backward")
    assert "∂loss_val/∂w = 2" in dot
    assert "∂x1/∂w = x = 2\\n1 × 2 = 2" in dot             # local derivative, then upstream × local
    assert "constant not watched" in dot
    assert 'dir="back"' in dot
    assert "RdBu" in dot and DIVERGING[9] in dot


def test_fan_out_sum_is_written_on_the_node():
    dot = explorer.run(by_title("MIT 6.S191: e = (a + b)(b - 1)").source).graph.to_dot(view="backward")
    assert "∂e/∂b = 1.5 + 4 = 5.5" in dot or "∂e/∂b = 4 + 1.5 = 5.5" in dot


def test_tensors_show_entries_when_small_and_a_summary_when_large():
    assert fmt(np.array([[1.0, 2.0], [3.0, 4.0]])) == "[[1, 2], [3, 4]]"
    big = fmt(np.arange(100.0).reshape(10, 10))
    assert big.startswith("(10, 10)") and "min 0" in big and "max 99" in big


def test_table_lists_values_gradients_and_checks():
    rows = {r["name"]: r for r in explorer.run(CHAIN).graph.table()}
    assert rows["w"]["gradient"] == "2" and rows["w"]["chain rule"].startswith("✓")
    assert rows["x"]["gradient"].startswith("None: constant not watched")


def test_tensorflow_graph_links_gradient_ops_to_forward_nodes():
    tg = explorer.run(CHAIN).tf_graph()
    assert tg.error is None
    grad_ops = tg.gradient_ops
    assert grad_ops and all(op.name.startswith("gradient_tape/") for op in grad_ops)
    assert {op.node_id for op in grad_ops} >= {"loss_val", "x1"}
    assert any(op.type == "Mul" and not op.gradient for op in tg.linked("x1"))
    assert any(op.type == "Abs" for op in tg.linked("loss_val"))
    dot = tg.to_dot()
    assert "∂ x1" in dot and "cluster_" in dot


def test_tensorflow_graph_of_nested_tapes():
    tg = explorer.run(by_title("Second derivative with nested tapes (Chollet 3.11)").source).tf_graph()
    assert tg.error is None and len(tg.gradient_ops) > 0


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.title)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_generated_tensorflow_code_runs_in_plain_tensorflow_with_the_same_numbers(preset, dtype):
    if dtype == "float64" and not preset.float64:
        pytest.skip("the preset fixes float32 itself")
    run = explorer.run(preset.source, dtype=dtype)
    namespace = {}
    with fake_matplotlib():
        exec(run.tf_code, namespace)   # the test's own trusted presets, in plain TensorFlow
    for name, value in run.values.items():
        if isinstance(value, np.ndarray):
            got = namespace[name]
            got = got.numpy() if hasattr(got, "numpy") else np.asarray(got)
            assert got.dtype == value.dtype, name
            # a Keras fit runs its steps as compiled graphs: after ~150 float32 steps the last bits differ
            np.testing.assert_allclose(got, value, rtol=1e-6 if preset.float64 else 2e-5,
                                       atol=0 if preset.float64 else 1e-6, err_msg=name)


@contextlib.contextmanager
def fake_matplotlib():
    """matplotlib.pyplot for plain-TensorFlow runs of the presets (the app itself needs no matplotlib)."""
    from tests.test_corpus import _Anything
    saved = {k: sys.modules.get(k) for k in ("matplotlib", "matplotlib.pyplot")}
    plt = _Anything()
    mpl = types.ModuleType("matplotlib")
    mpl.pyplot = plt
    sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = mpl, plt
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def test_share_link_round_trip_and_damaged_links():
    for p in PRESETS:
        assert decode_program(encode_program(p.source)) == p.source
    with pytest.raises(ValueError):
        decode_program("not-a-program!!")
    with pytest.raises(ValueError):
        decode_program(encode_program("x = 1")[:-3])
