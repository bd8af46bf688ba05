"""The deployment files: the image, the compose setup behind HAProxy, the Kubernetes manifests.

Each is checked by its own tool where this machine has it (`kubectl kustomize`, then the Kubernetes
schemas with kubernetes-validate; `kubectl apply --dry-run=client` where kubectl can reach a cluster;
`haproxy -c` on the shipped haproxy.cfg; `docker compose config` where the compose plugin is installed,
`docker build` where a Docker daemon runs) and for what a class needs from it (a non-root image with a
health check; sticky sessions; probes, limits, an autoscaler; as many program runs at once as CPUs).
HAProxy's stickiness is exercised for real: two local backends behind the repository's haproxy.cfg."""

from __future__ import annotations

import copy
import http.client
import http.server
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bench.proxy import local_config
from tests.conftest import apart

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
HEALTH = "/_stcore/health"


def manifests() -> dict[str, dict]:
    out = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        doc = yaml.safe_load(path.read_text())
        out[doc["kind"]] = doc
    return out


def docker_runs() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


# ---- Kubernetes ----------------------------------------------------------------------------------------

def test_kustomization_lists_every_manifest():
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def test_manifests_pass_the_kubernetes_schemas():
    kv = pytest.importorskip("kubernetes_validate")
    docs = manifests()
    assert set(docs) == {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    for doc in docs.values():
        kv.validate(doc, "1.33", strict=True)
    broken = copy.deepcopy(docs["Deployment"])
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = {"no": 1}
    with pytest.raises(kv.ValidationError):
        kv.validate(broken, "1.33", strict=True)
    typo = copy.deepcopy(docs["Service"])
    typo["spec"]["sessionAfinity"] = typo["spec"].pop("sessionAffinity")
    with pytest.raises(kv.ValidationError):
        kv.validate(typo, "1.33", strict=True)


def kustomized() -> list[dict]:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl is not installed: `kubectl kustomize` is checked where it is")
    done = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def test_kubectl_kustomize_builds_schema_valid_manifests():
    docs = kustomized()
    assert sorted(d["kind"] for d in docs) == sorted(manifests())
    kv = pytest.importorskip("kubernetes_validate")
    for doc in docs:
        kv.validate(doc, "1.33", strict=True)


def test_kubectl_client_dry_run():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl is not installed")
    done = subprocess.run([kubectl, "apply", "--dry-run=client", "-k", str(K8S)], capture_output=True, text=True,
                          timeout=180)
    if done.returncode and re.search(r"connection refused|failed to download openapi|unable to recognize|"
                                     r"no configuration has been provided", done.stderr):
        pytest.skip("kubectl --dry-run=client needs a cluster's API (OpenAPI schemas, kinds) and none is "
                    "reachable here; the schemas are checked offline by kubernetes-validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("(dry run)") == len(manifests())


def test_program_runs_at_once_follow_the_cpu_limit():
    """explorer.admission's GE_HEAVY_SLOTS: the pod's CPU limit (the Downward API, rounded up to whole
    CPUs), and in compose the replica's cpus."""
    container = manifests()["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    (slots,) = [e for e in container["env"] if e["name"] == "GE_HEAVY_SLOTS"]
    field = slots["valueFrom"]["resourceFieldRef"]
    assert (field["containerName"], field["resource"], field["divisor"]) == (container["name"], "limits.cpu", "1")
    app = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["app"]
    assert int(app["environment"]["GE_HEAVY_SLOTS"]) == float(app["deploy"]["resources"]["limits"]["cpus"])


def test_manifests_pin_sessions_and_bound_the_pods():
    docs = manifests()
    deployment, service, ingress, hpa = (docs[k] for k in ("Deployment", "Service", "Ingress", "HorizontalPodAutoscaler"))
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == HEALTH
    assert set(container["resources"]["limits"]) == {"cpu", "memory"}
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True and pod["spec"]["securityContext"]["runAsUser"] != 0
    labels = pod["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["sessionAffinity"] == "ClientIP"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert service["spec"]["ports"][0]["targetPort"] in ports
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 600     # websockets stay open
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"] and backend["port"]["name"] == service["spec"]["ports"][0]["name"]
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


# ---- the image and compose -----------------------------------------------------------------------------

def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_dockerfile_is_slim_non_root_with_a_health_check_and_graphviz():
    text = dockerfile()
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*" + re.escape(HEALTH), text, re.M)
    assert re.search(r"apt-get install[^\n]*graphviz", text)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored
    for copied in re.findall(r"^COPY\s+(.+?)\s+\S+$", text, re.M):
        for source in copied.split():
            assert (ROOT / source).exists(), source
    sources = {source.rstrip("/") for copied in re.findall(r"^COPY\s+(.+?)\s+\S+$", text, re.M)
               for source in copied.split()}
    # what `make run` serves: the entry point, both packages and the Streamlit configuration (theme, type size)
    assert {"app.py", "explorer", "app_pages", ".streamlit"} <= sources, sources


def test_compose_runs_replicas_behind_the_sticky_proxy():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    app, proxy = compose["services"]["app"], compose["services"]["proxy"]
    assert app["deploy"]["replicas"] >= 2 and "ports" not in app        # reached only through the proxy
    assert proxy["image"].startswith("haproxy")
    mounted = [v.split(":")[0] for v in proxy["volumes"]]
    assert any((ROOT / m).resolve() == HAPROXY_CFG for m in mounted)
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    cfg = HAPROXY_CFG.read_text()
    assert re.search(r"server-template app \S+ app:8501", cfg)


def test_docker_compose_config():
    # `docker compose config` only reads files: no daemon needed, only the compose plugin
    if not shutil.which("docker") or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode:
        pytest.skip("the docker compose plugin is not installed here (the Docker client has no `compose`)")
    done = subprocess.run(["docker", "compose", "config", "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_docker_build():
    if not docker_runs():
        pytest.skip("no Docker daemon here: `docker build` is checked where Docker runs")
    done = subprocess.run(["docker", "build", "-q", "-t", "gradient-explorer:test", "."], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-2000:]


# ---- HAProxy's stickiness, for real --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def backend(name: str) -> tuple[http.server.ThreadingHTTPServer, int]:
    """A stand-in replica: healthy on Streamlit's health path, and says which replica answered."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"ok" if self.path == HEALTH else name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def get(port: int, cookie: str | None = None) -> tuple[str, str | None]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/", headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return body, response.getheader("Set-Cookie")


def test_the_shipped_haproxy_cfg_passes_haproxy_check():
    """deploy/haproxy.cfg as compose mounts it (Docker's DNS resolver, the server-template): `haproxy -c`
    parses it without resolving the app's name (init-addr none)."""
    haproxy = shutil.which("haproxy")
    if not haproxy:
        pytest.skip("haproxy is not installed (.ci/run installs it: apt-get install haproxy)")
    check = subprocess.run([haproxy, "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Configuration file is valid" in check.stdout + check.stderr


def test_haproxy_keeps_a_browser_on_one_replica(tmp_path):
    haproxy = shutil.which("haproxy")
    if not haproxy:
        pytest.skip("haproxy is not installed (.ci/run installs it: apt-get install haproxy)")
    servers = [backend("replica-1"), backend("replica-2")]
    front = free_port()
    (tmp_path / "haproxy.cfg").write_text(local_config(front, [p for _, p in servers]))
    check = subprocess.run([haproxy, "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    proxy = subprocess.Popen([haproxy, "-db", "-f", str(tmp_path / "haproxy.cfg")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                get(front)
                break
            except (ConnectionError, OSError, http.client.HTTPException):
                assert time.monotonic() < deadline and proxy.poll() is None, "HAProxy did not start"
                time.sleep(0.1)
        time.sleep(1.0)     # both servers pass their first health check
        browsers = []
        for _ in range(6):
            body, set_cookie = get(front)
            assert set_cookie and set_cookie.startswith("GE_REPLICA="), set_cookie
            browsers.append((body, set_cookie.split(";")[0]))
        assert {body for body, _ in browsers} == {"replica-1", "replica-2"}     # new browsers are spread
        for first, cookie in browsers:
            assert {get(front, cookie)[0] for _ in range(10)} == {first}        # each one stays put
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        for server, _ in servers:
            server.shutdown()


# ---- the load test is bounded ------------------------------------------------------------------------------

def test_the_load_test_cuts_a_round_short_at_its_budget(monkeypatch):
    """bench/load.py: a round whose lessons outlast --budget ends at the budget; its unfinished lessons are
    cancelled (their browser contexts closed) and counted as errors, finished ones kept."""
    import asyncio
    from bench import load

    closed = []

    async def lesson(browser, url, timeout):
        try:
            await asyncio.sleep(0.01 if url == "quick" else 60)
            return {"graph: open": 0.01}
        finally:
            closed.append(url)

    monkeypatch.setattr(load, "lesson", lesson)
    done, errors = apart(asyncio.run, load.round_of(None, "slow", 3, 120, time.monotonic() + 0.3))
    assert done == [] and errors == [load.BUDGET_ERROR] * 3 and len(closed) == 3
    done, errors = apart(asyncio.run, load.round_of(None, "quick", 1, 120, time.monotonic() + 5))
    assert done == [{"graph: open": 0.01}] and errors == [] and closed[-1] == "quick"
