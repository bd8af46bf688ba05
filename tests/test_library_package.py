"""The library as a package: installed and imported from outside the repository, in a real Jupyter
kernel (graphs inline as SVG), on the command line, and the link into the app.

The program: y = x² + sin x at x = 3, so dy/dx = 2x + cos x; every expected number below comes from
TensorFlow in this file, never from the explorer's own output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
import tensorflow as tf

import explorer
from explorer import images
from explorer.page_settings import GRAPH, WALKTHROUGH

PROGRAM = """x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x * x + tf.sin(x)
g = tape.gradient(y, x)
"""
BAD = "x = tf.Variable(3.0)\ny = x @@ 2\n"


def tf_gradient() -> float:
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x + tf.sin(x)
    return float(tape.gradient(y, x).numpy())


def two_places(v: float) -> str:
    return f"{v:.2f}"


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """Two command lines, started together (each imports TensorFlow) from outside the repository."""
    where = tmp_path_factory.mktemp("cli")
    (where / "p.py").write_text(PROGRAM)
    (where / "bad.py").write_text(BAD)
    commands = {
        "svg": ["p.py", "--view", "backward", "-o", "graph.svg"],
        "bad": ["bad.py", "--view", "forward", "-o", "bad.svg"],
    }
    started = {k: subprocess.Popen([sys.executable, "-m", "explorer", *a], cwd=where, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE) for k, a in commands.items()}
    done = {}
    for k, p in started.items():
        out, err = p.communicate(timeout=180)
        done[k] = (p.returncode, out, err)
    return where, done


def test_cli_writes_the_backward_graph_as_svg(cli):
    where, done = cli
    code, _, err = done["svg"]
    assert code == 0, err
    svg = (where / "graph.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    text = svg.replace("&#45;", "-")
    assert f"= {two_places(tf_gradient())}" in text          # ∂y/∂x = 3 + 3 + -0.99 = 5.01


def test_cli_json_is_the_graph_model_with_tensorflows_gradients(tmp_path, capsys):
    from explorer.__main__ import main
    (tmp_path / "p.py").write_text(PROGRAM)
    assert main([str(tmp_path / "p.py"), "--json"]) == 0
    out = capsys.readouterr().out
    model = json.loads(out)["graph"]
    nodes = {n["id"]: n for n in model["nodes"]}
    assert model["target"] == "y" and model["chain_rule_ok"] is True
    assert nodes["x"]["gradient"] == pytest.approx(tf_gradient(), rel=1e-6)
    assert nodes["y"]["value"] == pytest.approx(9 + np.sin(3.0), rel=1e-6)
    assert sum(nodes["x"]["chain_rule"]["terms"]) == pytest.approx(tf_gradient(), rel=1e-6)
    assert any(e["src"] == nodes["x"]["index"] and e["kind"] == "data" for e in model["edges"])


def test_cli_reports_a_bad_program_with_line_and_column(cli):
    where, done = cli
    code, _, err = done["bad"]
    assert code == 1
    assert re.match(r"bad\.py:2:\d+: ", err), err
    assert not (where / "bad.svg").exists()


def test_cli_dot_png_and_unknown_suffix(tmp_path, capsys):
    from explorer.__main__ import main
    (tmp_path / "p.py").write_text(PROGRAM)
    assert main([str(tmp_path / "p.py"), "--view", "forward", "-o", str(tmp_path / "g.dot")]) == 0
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert main([str(tmp_path / "p.py"), "-o", str(tmp_path / "g.pdf")]) == 1
    assert "use .svg, .png or .dot" in capsys.readouterr().err
    png = main([str(tmp_path / "p.py"), "-o", str(tmp_path / "g.png")])
    if images.dot_available():
        assert png == 0 and (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert png == 1 and "PNG needs Graphviz" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.py")]) == 2


def test_a_program_without_tape_gradient_is_drawn_for_its_first_differentiable_value(tmp_path, capsys):
    """As the Graph page does: y is computed under a tape that nobody asks for a gradient."""
    from explorer.__main__ import main
    (tmp_path / "q.py").write_text("x = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n    y = x * x\n")
    assert main([str(tmp_path / "q.py"), "--json"]) == 0
    model = json.loads(capsys.readouterr().out)["graph"]
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    nodes = {n["id"]: n for n in model["nodes"]}
    assert model["target"] == "y"
    assert nodes["x"]["gradient"] == pytest.approx(float(tape.gradient(y, x)), rel=1e-6)
    assert main([str(tmp_path / "q.py"), "--view", "backward", "-o", str(tmp_path / "q.dot")]) == 0


def test_graph_view_falls_back_to_text_without_a_layout_program(monkeypatch):
    run = explorer.run(PROGRAM)
    shown = explorer.view(run, "backward")._repr_mimebundle_()
    assert "<svg" in shown["image/svg+xml"]
    monkeypatch.setattr(images, "_programs", lambda: {})
    images.svg.cache_clear()
    try:
        bundle = explorer.view(run, "backward")._repr_mimebundle_()
    finally:
        images.svg.cache_clear()
    assert set(bundle) == {"text/plain"}
    line = next(t for t in bundle["text/plain"].splitlines() if t.strip().startswith("x ="))
    assert f"gradient {two_places(tf_gradient())}" in line


def test_app_url_round_trip():
    url = explorer.app_url(PROGRAM, dtype="float64", view="Backward graph")
    parsed = urlparse(url)
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("http", "localhost:8501", "/")
    params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    values, hidden, present, errors = GRAPH.decode(params)
    assert values == {"program": PROGRAM, "dtype": "float64", "view": "Backward graph"} and not errors
    default = WALKTHROUGH["program"].default
    step = explorer.app_url(default, page="walkthrough", base="https://class.example/explorer/", step=4)
    parsed = urlparse(step)
    assert parsed.path == "/explorer/walkthrough"
    values, *_ = WALKTHROUGH.decode({k: v[0] for k, v in parse_qs(parsed.query).items()})
    assert values == {"program": default, "step": 4}
    with pytest.raises(ValueError):
        explorer.app_url(PROGRAM, dtype="float16")
    with pytest.raises(KeyError):
        explorer.app_url(PROGRAM, colour="red")


NOTEBOOK_CELLS = [
    "import explorer, os\nprint(explorer.__file__)\nprint(os.getcwd())",
    f"r = explorer.run({PROGRAM!r})\nr",
    "explorer.view(r, 'forward')",
    "r.walkthrough()[-1]",
]


def test_notebook_shows_the_backward_graph_inline(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS])
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    printed = nb.cells[0].outputs[0]["text"].splitlines()
    assert Path(printed[1]) == tmp_path and not Path(printed[0]).is_relative_to(tmp_path)

    backward = nb.cells[1].outputs[0]["data"]
    svg = backward["image/svg+xml"].replace("&#45;", "-")
    assert "<svg" in svg and f"∂y/∂x = 3 + 3 + {np.cos(3.0):.2f} = {two_places(tf_gradient())}" in svg
    assert "gradients of y" in backward["text/plain"]
    forward = nb.cells[2].outputs[0]["data"]
    assert "<svg" in forward["image/svg+xml"] and "∂" not in forward["image/svg+xml"]
    step = nb.cells[3].outputs[0]["data"]
    assert "$$" in step["text/markdown"]


def test_ipython_shows_steps_checks_and_descent_paths():
    from IPython.core.interactiveshell import InteractiveShell
    from explorer import descent
    from explorer.notebook import register
    shell = InteractiveShell.instance()
    register(shell)
    run = explorer.run(PROGRAM)
    checks = explorer.check_gradients(run)
    data, _ = shell.display_formatter.format(checks[0])
    assert f"<td>x</td><td>{two_places(tf_gradient())}" in data["text/html"].replace("&#45;", "-")
    data, _ = shell.display_formatter.format(run.walkthrough()[-1])
    assert "$$" in data["text/markdown"]
    path = descent.optimize("(x - 1)**2 + (y + 2)**2", "sgd", start=(0.0, 0.0), steps=5)
    data, _ = shell.display_formatter.format(path)
    assert path.losses[0] == pytest.approx(5.0)              # (0 - 1)² + (0 + 2)² at the start
    figure = data["application/vnd.plotly.v1+json"]
    assert any(len(trace.get("y", [])) == 6 for trace in figure["data"])   # the start and five steps
