"""%mc_serve: a real dev-mode service started from a real kernel answers HTTP, stops on
%mc_serve --stop, and stops when the kernel shuts down."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import time

import mc_testlib
import notebook_testlib as nt

ECHO = mc_testlib.FIXTURES / "workspace" / "services" / "echo"


def _port_closed(url, timeout=10.0):
    host, port = url.split("//")[1].rstrip("/").split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=0.5).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


def _pid_gone(pid, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


CALL = """import json, urllib.request
from modelcloud.notebook import serve
svc = serve.running()[0]
req = urllib.request.Request(svc.url + '/echo', data=json.dumps({'text': 'hi', 'times': 2}).encode(),
                             headers={'Content-Type': 'application/json'})
print(json.dumps({'answer': json.loads(urllib.request.urlopen(req, timeout=10).read()), 'url': svc.url,
                  'pid': svc.process.pid}))"""


def test_mc_serve_starts_a_service_that_stops_with_the_kernel(tmp_path, monkeypatch):
    nt.kernel_env(monkeypatch, tmp_path, tmp_path / "store")
    service = tmp_path / "echo"
    shutil.copytree(ECHO, service)
    nb = nt.notebook(
        "%load_ext modelcloud",
        "%mc_serve echo",
        CALL,
        "%mc_serve --stop",
        "%mc_serve echo/cloud_model.py --port 0",
        CALL,
    )
    nt.execute(nb, tmp_path, timeout=90)
    assert "Serving echo at http://127.0.0.1:" in nt.text_of(nb.cells[1])
    first = json.loads(nt.text_of(nb.cells[2]).strip().splitlines()[-1])
    assert first["answer"] == {"echo": "hi hi"}
    assert "Stopped http://127.0.0.1:" in nt.text_of(nb.cells[3])
    assert _port_closed(first["url"]) and _pid_gone(first["pid"])

    second = json.loads(nt.text_of(nb.cells[5]).strip().splitlines()[-1])
    assert second["answer"] == {"echo": "hi hi"}
    # nbclient shut the kernel down at the end of execute(): the service went with it.
    assert _pid_gone(second["pid"]), "the service outlived its kernel"
    assert _port_closed(second["url"])


def test_mc_serve_service_dies_with_a_killed_kernel(tmp_path, monkeypatch):
    """SIGKILL gives the kernel no chance to run atexit: the parent-death signal stops the service."""
    import sys

    if not sys.platform.startswith("linux"):
        import pytest
        pytest.skip("PR_SET_PDEATHSIG is Linux-only")
    from jupyter_client.manager import start_new_kernel

    nt.kernel_env(monkeypatch, tmp_path, tmp_path / "store")
    shutil.copytree(ECHO, tmp_path / "echo")
    manager, client = start_new_kernel(kernel_name=nt.KERNEL_NAME, cwd=str(tmp_path), startup_timeout=60)
    try:
        reply = client.execute_interactive("%load_ext modelcloud\n%mc_serve echo", timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        outputs = []
        reply = client.execute_interactive(CALL, timeout=60, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok", reply["content"]
        text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
        info = json.loads(text.strip().splitlines()[-1])
        assert info["answer"] == {"echo": "hi hi"}
    finally:
        client.stop_channels()
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)  # no atexit, no shutdown_request
        manager.cleanup_resources()
    try:
        assert _pid_gone(info["pid"]), "the service outlived its SIGKILLed kernel"
        assert _port_closed(info["url"])
    finally:
        try:
            os.killpg(info["pid"], signal.SIGKILL)  # never leave a stray service behind a failed test
        except ProcessLookupError:
            pass
