"""Every program of tests/corpus runs unchanged through explorer.run and matches TensorFlow.

The reference is the program run by Python itself with real TensorFlow and NumPy: the code the page shows
as "the TensorFlow code" (explorer.codegen adds the imports the language makes for you and the seeds the
page used), executed here, in the test, with a stand-in for matplotlib. Every name both runs bind is
compared (tensors, variables, gradients, arrays, numbers, lists, strings), and so is every printed line.
Both float32 (the programs as written) and float64 (the page's switch) are checked.
"""

from __future__ import annotations

import ast
import contextlib
import io
import random
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import explorer
from explorer.codegen import tensorflow_code
from explorer.language import strip_notebook_syntax

CORPUS = Path(__file__).parent / "corpus"
PROGRAMS = sorted(CORPUS.glob("*.py"))
SEED = 0


class _Anything:
    """matplotlib.pyplot for the reference run: every call accepted, nothing drawn."""

    def __init__(self, name: str = ""):
        self.name = name

    def __getattr__(self, name):
        return _Anything(name)

    def __call__(self, *args, **kwargs):
        if self.name == "subplots":                     # fig, ax = plt.subplots()
            return _Anything(), _Anything()
        if self.name in ("figure", "gca", "gcf", "add_subplot"):
            return _Anything()
        return None

    def __getitem__(self, key):
        return None

    def __setitem__(self, key, value):
        pass


@pytest.fixture(autouse=True, scope="module")
def fake_matplotlib():
    plt = _Anything()
    saved = {k: sys.modules.get(k) for k in ("matplotlib", "matplotlib.pyplot")}
    mpl = types.ModuleType("matplotlib")
    mpl.pyplot = plt
    sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = mpl, plt
    yield
    for k, v in saved.items():
        if v is None:
            sys.modules.pop(k, None)
        else:
            sys.modules[k] = v


def options(source: str) -> dict:
    first = source.splitlines()[0] if source else ""
    out = {}
    if first.startswith("# corpus:"):
        for item in first[len("# corpus:"):].split():
            k, _, v = item.partition("=")
            out[k] = v
    return out


def reference(source: str, dtype: str) -> tuple[dict, list[str], str | None]:
    """The program run by Python with real TensorFlow: its names, its printed lines, its last value."""
    code = tensorflow_code(source, dtype, SEED)
    tree = ast.parse(code)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = ast.Module(tree.body[:-1] if last is not None else tree.body, type_ignores=[])
    namespace: dict = {"__name__": "__corpus__"}
    out = io.StringIO()
    import keras
    keras.backend.clear_session()     # a fresh notebook kernel: Keras's layer names start again at "dense"
    random.seed(SEED)
    with contextlib.redirect_stdout(out):
        exec(compile(body, "<reference>", "exec"), namespace)      # our own test programs, not user text
        display = None
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<reference>", "eval"), namespace)
            display = None if value is None else repr(value)
    return namespace, out.getvalue().splitlines(), display


def same(ours, theirs, dtype: str, path: str, loose: bool = False) -> None:
    if isinstance(theirs, (tf.Tensor, tf.Variable)):
        theirs = theirs.numpy()
    if theirs is None or ours is None:
        assert ours is None and theirs is None, f"{path}: {ours!r} vs {theirs!r}"
        return
    if isinstance(theirs, (list, tuple)) and not isinstance(ours, np.ndarray):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{path}: {ours!r} vs {theirs!r}"
        for k, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, dtype, f"{path}[{k}]", loose)
        return
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), path
        for k in theirs:
            same(ours[k], theirs[k], dtype, f"{path}[{k!r}]", loose)
        return
    if isinstance(theirs, (str, bytes, bool)):
        assert ours == theirs, f"{path}: {ours!r} vs {theirs!r}"
        return
    a, b = np.asarray(ours), np.asarray(theirs)
    assert a.shape == b.shape, f"{path}: shape {a.shape} vs {b.shape}"
    if b.dtype.kind in "fc" or a.dtype.kind in "fc":
        tight = a.dtype == np.float64 and b.dtype == np.float64 and not loose
        if loose == "graph":       # Keras's fit runs compiled: an ulp per step apart, magnified by training
            np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=1e-4, atol=2e-5,
                                       err_msg=path)
            return
        np.testing.assert_allclose(a.astype(np.complex128 if b.dtype.kind == "c" else np.float64),
                                   b.astype(np.complex128 if b.dtype.kind == "c" else np.float64),
                                   rtol=1e-9 if tight else 2e-6, atol=1e-12 if tight else 1e-6, err_msg=path)
    else:
        np.testing.assert_array_equal(a, b, err_msg=path)
    if dtype == "float32":
        assert a.dtype == b.dtype, f"{path}: dtype {a.dtype} vs {b.dtype}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_matches_tensorflow(path: Path, dtype: str):
    source = path.read_text()
    opts = options(source)
    if dtype == "float64" and opts.get("float64") == "no":
        pytest.skip("the program fixes its own dtypes")
    try:
        namespace, printed, display = reference(source, dtype)
    except Exception as e:      # TensorFlow refuses it (float32 data beside the switch's float64): so must we
        with pytest.raises(explorer.ProgramError) as refused:
            explorer.run(source, dtype=dtype, seed=SEED)
        assert type(e).__name__ in str(refused.value), (e, refused.value)
        return
    run = explorer.run(source, dtype=dtype, seed=SEED)
    compared = 0
    for name, ours in run.values.items():
        if name not in namespace or isinstance(namespace[name], (types.ModuleType, type)) or callable(namespace[name]):
            continue
        loose = "graph" if opts.get("fit") == "graph" else opts.get("floats") == "float32"
        same(ours, namespace[name], dtype, f"{path.stem}:{name}", loose)
        compared += 1
    data = [k for k, v in namespace.items() if isinstance(v, (tf.Tensor, tf.Variable, np.ndarray, float, int))
            and not k.startswith("_")]
    assert set(data) <= set(run.values), f"names TensorFlow bound that the run lacks: {set(data) - set(run.values)}"
    assert compared >= 1 or printed, "nothing to compare"
    if dtype == "float32" and opts.get("output") != "any":
        assert run.output == printed
        assert run.display == display


def test_the_corpus_covers_the_material():
    """Every construct the catalogue of the material lists appears in some program of the corpus."""
    text = "\n".join(p.read_text() for p in PROGRAMS)
    trees = [ast.parse(strip_notebook_syntax(p.read_text())[0]) for p in PROGRAMS]
    kinds = {type(n).__name__ for t in trees for n in ast.walk(t)}
    for construct in ["FunctionDef", "Lambda", "ClassDef", "For", "While", "If", "IfExp", "Break", "Continue",
                      "ListComp", "DictComp", "SetComp", "GeneratorExp", "Try", "Raise", "Assert", "With",
                      "JoinedStr", "Starred", "Global", "Nonlocal", "NamedExpr", "AugAssign", "Delete", "Import",
                      "ImportFrom", "Return", "Subscript", "Slice"]:
        assert construct in kinds, construct
    for name in ["tf.concat", "tf.stack", "tf.gather", "tf.where", "tf.one_hot", "tf.clip_by_value",
                 "tf.reduce_logsumexp", "tf.math.argmax", "tf.shape", "tf.size", "tf.rank", "tf.einsum", "tf.squeeze",
                 "tf.expand_dims", "tf.tile", "tf.range", "tf.linspace", "tf.eye", "tf.ones_like", "tf.zeros_like",
                 "tf.norm", "@tf.function", "tape.jacobian", "tape.batch_jacobian", "stop_recording", "persistent=True",
                 "watch_accessed_variables=False", "np.random.multivariate_normal", "np.vstack", ".astype(",
                 "plt.plot", "plt.scatter", "plt.imshow", ".format(", "% (", "super().__init__", "@property",
                 "assign_sub", "v[0, 0].assign", "tf.device", "enumerate(", "zip(", "isinstance(", "math.ceil",
                 "time.time()", "__add__", "__call__", "__iter__", "tape.watched_variables", "unconnected_gradients"]:
        assert name in text, name
