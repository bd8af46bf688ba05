"""The library as a package: installed and imported from outside the repository, in a real Jupyter
kernel (graphs inline as SVG), on the command line, and the link into the app.

The program: y = x² + sin x at x = 3, so dy/dx = 2x + cos x; every expected number below comes from
TensorFlow in this file, never from the explorer's own output."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
import tensorflow as tf

import explorer
from tests.conftest import apart
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


# ---- the rich displays not covered above -----------------------------------------------------------------

def test_tensorflows_graph_as_a_view_has_tensorflows_ops():
    """explorer.view(run, "tf"): TensorFlow's own traced graph, gradient ops included. The op types
    expected are those of the same computation traced by tf.function here."""
    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x + tf.sin(x)
        return tape.gradient(y, x)

    graph = grad.get_concrete_function(tf.TensorSpec([], tf.float32)).graph
    math_ops = {op.type for op in graph.get_operations()} - {"Placeholder", "Identity", "Const", "NoOp"}
    assert {"Mul", "Sin", "AddV2", "Cos", "AddN"} <= math_ops           # sin's gradient is a Cos op
    picture = explorer.view(explorer.run(PROGRAM), "tf")
    listed = {m.group(1) for m in re.finditer(r": (\w+)\(", picture.text)}
    assert math_ops <= listed, (math_ops, picture.text)
    assert re.search(r"gradient_tape/\S+: Cos\(", picture.text)
    bundle = picture._repr_mimebundle_()
    if images.svg_available():
        assert "<svg" in bundle["image/svg+xml"] and "Cos" in bundle["image/svg+xml"]
    assert bundle["text/plain"] == picture.text


def values(a) -> np.ndarray:
    """A plotly JSON array: a list, or a typed array ({"dtype": "f8", "bdata": base64})."""
    if isinstance(a, dict):
        import base64
        return np.frombuffer(base64.b64decode(a["bdata"]), dtype=a["dtype"]).astype(float)
    return np.asarray(a, dtype=float)


def plotly_data(shell, obj) -> dict:
    data, _ = shell.display_formatter.format(obj)
    return data["application/vnd.plotly.v1+json"]


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell
    from explorer.notebook import register
    ip = InteractiveShell.instance()
    register(ip)
    return ip


def test_ipython_shows_a_one_dimensional_descent_as_x_per_step(shell):
    from explorer import descent
    path = descent.descend_1d("(x - 4)**2", start=0.5, learning_rate=0.1, steps=6)
    xs = [0.5]
    for _ in range(6):                                   # x ← x − lr · 2(x − 4), by hand
        xs.append(xs[-1] - 0.1 * 2 * (xs[-1] - 4))
    (trace,) = plotly_data(shell, path)["data"]
    assert trace["name"] == "x" and list(values(trace["x"])) == list(range(7))
    assert values(trace["y"]) == pytest.approx(xs, rel=1e-4)


def test_ipython_shows_the_linear_classifier_as_loss_and_accuracy_curves(shell):
    from explorer import descent
    c = descent.linear_classifier("square", learning_rate=0.1, steps=5, n=200, seed=3)
    loss, accuracy = plotly_data(shell, c)["data"]
    assert (loss["name"], accuracy["name"]) == ("loss", "accuracy %")
    losses, percent = values(loss["y"]), values(accuracy["y"])
    assert len(losses) == len(percent) == 6                           # the start and five steps
    for k in (0, 5):                                                  # the square loss of W[k], b[k] by NumPy
        predictions = c.inputs.astype(np.float64) @ c.W[k] + c.b[k]
        assert losses[k] == pytest.approx(np.mean((c.targets - predictions) ** 2), rel=1e-3)
        assert percent[k] == pytest.approx(100 * np.mean((predictions > 0.5) == (c.targets > 0.5)), abs=0.01)


def test_ipython_shows_a_playground_trainer_and_its_training_result(shell):
    from explorer import playground
    from explorer.playground_data import make_dataset
    spec = playground.NetworkSpec(seed=1)
    result = playground.train(spec, make_dataset("xor", n=120, seed=1), steps=40, chunk=20)
    curves = plotly_data(shell, result)["data"]
    assert [t["name"] for t in curves] == ["train loss", "test loss"]
    history = result.trainer.history
    assert values(curves[0]["y"]) == pytest.approx(history.train_loss) and len(history.steps) >= 2
    assert values(curves[1]["y"]) == pytest.approx(history.test_loss)
    trainer = result.trainer
    plane = plotly_data(shell, trainer)
    assert plane["layout"]["images"][0]["source"].startswith("data:image/png;base64,")   # the output over the plane
    for c in (0, 1):                                                  # every training point, in its class's trace
        (trace,) = [t for t in plane["data"] if t.get("name") == f"train: class {c}"]
        data = trainer.train_data
        assert sorted(values(trace["x"])) == pytest.approx(sorted(data.x[data.y == c, 0].astype(float)), rel=1e-3)


# ---- `pip install .` from outside the repository ---------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ["pyproject.toml", "README.md", "requirements.txt", "requirements-test.txt", "app.py", ".streamlit",
            "explorer", "app_pages"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The package installed non-editable into a new virtual environment: its own site-packages first,
    then this interpreter's (for TensorFlow and the other pinned dependencies: --no-deps), built from a
    copy of the sources, so nothing of the repository is on the path. Yields (bin, site-packages, cwd)."""
    where = tmp_path_factory.mktemp("installed")
    src = where / "src"
    src.mkdir()
    for name in PACKAGED:
        (shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
         if (ROOT / name).is_dir() else shutil.copy(ROOT / name, src / name))
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "_parent_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--no-index", str(src)], capture_output=True, text=True, timeout=600)
    if done.returncode and "No module named pip" in done.stderr:
        pytest.skip("pip is not installed in this environment")
    assert done.returncode == 0, done.stderr[-3000:]
    elsewhere = where / "elsewhere"
    elsewhere.mkdir()
    yield venv / "bin", site, elsewhere


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_installed_library_and_app_entry_come_from_site_packages(installed):
    bin_dir, site, elsewhere = installed
    probe = ("import explorer, json\nfrom gradient_explorer_app.app_pages import serve\n"
             "run = explorer.run('x = 3.0; x * x')\n"
             "print(json.dumps([explorer.__file__, str(serve.APP), float(run.gradient(run.default_target, 'x'))]))")
    done = subprocess.run([bin_dir / "python", "-c", probe], cwd=elsewhere, env=clean_env(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    library, app, gradient = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(library).is_relative_to(site) and Path(app).is_relative_to(site)
    assert gradient == pytest.approx(6.0)                                # d(x·x)/dx at 3
    app = Path(app)
    assert app.read_text() == (ROOT / "app.py").read_text()
    assert (app.parent / ".streamlit" / "config.toml").read_text() == (ROOT / ".streamlit" / "config.toml").read_text()
    for page in re.findall(r'"(app_pages/\w+\.py)"', app.read_text()):      # st.Page paths, relative to app.py
        assert (app.parent / page).is_file(), page
    for asset in (ROOT / "app_pages" / "components").iterdir():
        if asset.suffix in (".js", ".css"):
            assert (app.parent / "app_pages" / "components" / asset.name).is_file(), asset.name


def test_console_script_gradient_explorer_end_to_end(installed):
    bin_dir, _, elsewhere = installed
    (elsewhere / "p.py").write_text(PROGRAM)
    (elsewhere / "bad.py").write_text(BAD)
    script = str(bin_dir / "gradient-explorer")
    svg = subprocess.run([script, "p.py", "-o", "g.svg"], cwd=elsewhere, env=clean_env(), capture_output=True,
                         text=True, timeout=300)
    assert svg.returncode == 0, svg.stderr[-2000:]
    assert f"= {two_places(tf_gradient())}" in (elsewhere / "g.svg").read_text().replace("&#45;", "-")
    model = subprocess.run([script, "p.py", "--json"], cwd=elsewhere, env=clean_env(), capture_output=True,
                           text=True, timeout=300)
    nodes = {n["id"]: n for n in json.loads(model.stdout)["graph"]["nodes"]}
    assert nodes["x"]["gradient"] == pytest.approx(tf_gradient(), rel=1e-6)
    bad = subprocess.run([script, "bad.py"], cwd=elsewhere, env=clean_env(), capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 1 and re.match(r"bad\.py:2:\d+: ", bad.stderr), bad.stderr


def test_gradient_explorer_app_serves_the_packaged_app_from_another_directory(installed):
    """`gradient-explorer-app` in a directory with no app.py and no .streamlit/: the installed app answers,
    and in Chromium its Graph page draws the graph with the packaged theme (17 px base type)."""
    from bench.browser import chromium, chromium_path, free_port, wait_idle
    bin_dir, _, elsewhere = installed
    port = free_port()
    proc = subprocess.Popen([str(bin_dir / "gradient-explorer-app"), "--server.port", str(port), "--server.address",
                             "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=elsewhere, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                assert urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok"
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
                assert time.monotonic() < deadline, "gradient-explorer-app did not start"
                time.sleep(0.5)
        if chromium_path() is None:
            pytest.skip("the server answered; no Chromium here to open its page")
        def look() -> tuple[str, int]:
            with chromium() as browser:
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.set_default_timeout(120_000)
                page.goto(url + "/")
                page.locator(".ge-view svg g.node").first.wait_for()
                wait_idle(page)
                return (page.evaluate("getComputedStyle(document.documentElement).fontSize"),
                        page.get_by_text("Deploy").count())
        font, deploy = apart(look)
        assert font == "17px"
        assert deploy == 0                                                  # toolbarMode = "minimal"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
