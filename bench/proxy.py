"""The repository's deploy/haproxy.cfg on this machine: several app replicas on local ports behind one
HAProxy, with the file's own stickiness lines (cookie, dynamic key, health check, balance) and Docker's
DNS replaced by local servers. Used by the stickiness tests and by the load test's replica runs."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.browser import free_port, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"


def local_config(front: int, backs: list[int], stats: int | None = None) -> str:
    cfg = HAPROXY_CFG.read_text()
    cfg = re.sub(r"^resolvers docker\n(?:[ \t]+.*\n)+", "", cfg, flags=re.M)
    cfg = re.sub(r"^(\s*)log stdout.*$", r"\1# log off on this machine", cfg, flags=re.M)
    cfg = re.sub(r"^(\s*)bind :\d+", rf"\1bind 127.0.0.1:{front}", cfg, flags=re.M)
    servers = "\n".join(f"    server app{k} 127.0.0.1:{p} check inter 500ms" for k, p in enumerate(backs, 1))
    cfg, n = re.subn(r"^\s*server-template .*$", servers, cfg, flags=re.M)
    if n != 1:
        raise ValueError("deploy/haproxy.cfg has no server-template line to replace")
    if stats is not None:
        cfg += f"\nfrontend stats\n    bind 127.0.0.1:{stats}\n    stats enable\n    stats uri /stats\n"
    return cfg


def sessions(stats_port: int) -> dict[str, int]:
    """Connections HAProxy has sent to each replica so far (health checks not counted)."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{stats_port}/stats;csv", timeout=5).read().decode()
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {r["svname"]: int(r["stot"]) for r in rows if r["pxname"] == "streamlit" and r["svname"].startswith("app")}


@contextlib.contextmanager
def haproxy(backs: list[int]):
    """HAProxy in front of local ports; yields (front URL, stats port) once it answers."""
    program = shutil.which("haproxy")
    if program is None:
        raise RuntimeError("haproxy is not installed (apt-get install haproxy)")
    front, stats = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp, "haproxy.cfg")
        cfg.write_text(local_config(front, backs, stats))
        proc = subprocess.Popen([program, "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{stats}/stats;csv", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("HAProxy did not start") from None
                    time.sleep(0.2)
            time.sleep(1.0)         # every replica passes its first health check
            yield f"http://127.0.0.1:{front}", stats
        finally:
            proc.terminate()
            proc.wait(10)


@contextlib.contextmanager
def replicas(n: int):
    """n app servers as `make run` starts them, behind HAProxy; yields (URL, stats port)."""
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(streamlit_server()) for _ in range(n)]
        yield stack.enter_context(haproxy([int(u.rsplit(":", 1)[1]) for u in urls]))
