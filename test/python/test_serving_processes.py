"""Process model: prod pre-forked workers, graceful drain on SIGTERM, dev restart on code change,
admin authentication, startup failures."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time

import mc_testlib

sys.path.insert(0, str(mc_testlib.FIXTURES / "services"))
import service_harness as sh  # noqa: E402


def typed_copy(tmp_path):
    return sh.copy_fixture(sh.TYPED, tmp_path / "svc")


def test_prod_two_workers_share_the_socket(tmp_path):
    svc = sh.ServiceProcess.start(typed_copy(tmp_path), runenv="prod", workers=2)
    try:
        import http.client
        import json

        first = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=20)  # one keep-alive connection
        first.request("POST", "/about", body=b"{}")
        pids = {json.loads(first.getresponse().read())["pid"]}

        def slow_on_first():
            first.request("POST", "/slow", body=b'{"seconds": 0.8}')
            assert first.getresponse().status == 200

        busy = threading.Thread(target=slow_on_first)
        busy.start()  # that worker is now busy, so a new connection must be taken by the other one
        time.sleep(0.2)
        status, body = sh.ServiceProcess(svc.proc, svc.port, svc.log_path).post("/about", {})  # a new connection
        assert status == 200
        pids.add(body["pid"])
        busy.join()
        assert len(pids) == 2, pids
        assert svc.proc.pid not in pids  # the master only supervises
        # a worker that dies is replaced
        victim = pids.pop()
        os.kill(victim, signal.SIGKILL)
        svc.wait_for(lambda: "exited with code -9" in svc.log(), what="the master to notice")
        svc.wait_ready(20)
        assert svc.post("/scale", {"x": 1})[0] == 200
    finally:
        assert svc.stop() == 0, svc.log()


def test_sigterm_drains_in_flight_requests(tmp_path):
    svc = sh.ServiceProcess.start(typed_copy(tmp_path), runenv="prod", workers=2)
    result = {}

    def slow():
        try:
            result["slow"] = svc.post("/slow", {"seconds": 1.5})
        except Exception as err:  # reported by the assertion below
            result["slow"] = err

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.5)  # the request is being handled
    started = time.monotonic()
    svc.terminate()
    t.join(20)
    assert result["slow"] == (200, {"slept": 1.5}), svc.log()
    assert svc.proc.wait(20) == 0, svc.log()
    assert time.monotonic() - started < 10
    assert "shutting down" in svc.log()
    try:
        socket.create_connection(("127.0.0.1", svc.port), timeout=2).close()
        refused = False
    except OSError:
        refused = True
    assert refused, "the port must be closed after shutdown"
    svc.stop()


def test_dev_restarts_on_code_change(tmp_path):
    folder = typed_copy(tmp_path)
    svc = sh.ServiceProcess.start(folder, runenv="dev")
    try:
        status, first = svc.post("/about", {})
        assert status == 200 and first["about"] == "one"
        assert 'POST /about" 200' in svc.wait_for(lambda: 'POST /about" 200' in svc.log() and svc.log(),
                                                   what="the verbose request log")
        source = folder / "cloud_model.py"
        source.write_text(source.read_text().replace('ABOUT = "one"', 'ABOUT = "two"'))

        def changed():
            try:
                status, body = svc.post("/about", {})
            except OSError:
                return None
            return status == 200 and body["about"] == "two" and body

        second = svc.wait_for(changed, timeout=30, interval=0.1, what="the restarted service")
        assert second["pid"] != first["pid"]
        assert "cloud_model.py changed: restarting" in svc.log()
        # a syntax error: the supervisor keeps the port and waits for the next save
        source.write_text(source.read_text() + "\ndef broken(:\n")
        svc.wait_for(lambda: "save a .py file to restart" in svc.log(), timeout=30, what="the crash report")
        source.write_text(source.read_text().replace("\ndef broken(:\n", "\n"))
        svc.wait_for(changed, timeout=30, interval=0.1, what="recovery after the fix")
    finally:
        assert svc.stop() == 0, svc.log()


def test_admin_requires_a_token(tmp_path):
    folder = typed_copy(tmp_path)
    svc = sh.ServiceProcess.start(folder, runenv="prod", workers=1, env={"MODELCLOUD_ADMIN_TOKEN": "s3cret"})
    try:
        status, body = svc.post("/admin/model", {})
        assert status == 401 and "Bearer" in body["message"]
        status, body = svc.post("/admin/model", {}, headers={"Authorization": "Bearer wrong"})
        assert status == 401
        assert "s3cret" not in svc.log()
        status, body = svc.post("/admin/model", {"version": "v9"}, headers={"Authorization": "Bearer s3cret"})
        assert status == 202 and body == {"reloading": True, "version": "v9", "seq": 2}
        svc.wait_for(lambda: svc.get("/healthz")[1]["model_version"] == "v9", what="the reload")
    finally:
        svc.stop()
    svc = sh.ServiceProcess.start(folder, runenv="prod", workers=1)
    try:
        status, body = svc.post("/admin/model", {}, headers={"Authorization": "Bearer s3cret"})
        assert status == 403 and "MODELCLOUD_ADMIN_TOKEN" in body["message"]
    finally:
        svc.stop()


def test_broken_model_at_startup_exits_with_the_error(tmp_path):
    folder = typed_copy(tmp_path)
    (folder / "models" / "model.json").write_text("{broken")
    proc_env = sh.child_env({"MODELCLOUD_PORT": "0", "MODELCLOUD_RUNENV": "prod"})
    import subprocess

    result = subprocess.run([sys.executable, "cloud_model.py"], cwd=str(folder), env=proc_env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert "setup() failed" in result.stderr and "JSONDecodeError" in result.stderr


def test_port_in_use_is_a_clear_error(tmp_path):
    import subprocess

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "cloud_model.py"], cwd=str(typed_copy(tmp_path)),
                                env=sh.child_env({"MODELCLOUD_PORT": str(port)}), capture_output=True, text=True,
                                timeout=60)
    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1:%d" % port in result.stderr and "MODELCLOUD_PORT" in result.stderr
