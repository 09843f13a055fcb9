"""Hot update (seed Step 7) under concurrent load: no failed request, responses switch to the new
model, one worker reloads at a time, a broken model keeps the old one serving (degraded)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import sys
import threading
import time

import pytest

import mc_testlib

sys.path.insert(0, str(mc_testlib.FIXTURES / "services"))
import service_harness as sh  # noqa: E402

TOKEN = "hot-update-token"
AUTH = {"Authorization": "Bearer " + TOKEN}
DATE = {"year": 2024, "month": 5, "day": 3}


class Load:
    """Threads, each with its own keep-alive connection, posting as fast as they can. No retries:
    every connection error or non-200 status counts as a failure."""

    def __init__(self, port, path, body, clients=4):
        self.port, self.path, self.body = port, path, json.dumps(body).encode()
        self.results = []  # (time, status, payload)
        self.failures = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(30)

    def _run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            while not self._stop.is_set():
                try:
                    conn.request("POST", self.path, body=self.body, headers={"Content-Type": "application/json"})
                    resp = conn.getresponse()
                    data = resp.read()
                except Exception as err:  # counted, never retried
                    self.failures.append(repr(err))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    continue
                if resp.status != 200:
                    self.failures.append("%d %s" % (resp.status, data[:200]))
                self.results.append((time.monotonic(), resp.status, json.loads(data)))
        finally:
            conn.close()

    def latest(self, n=20):
        return [r[2] for r in self.results[-n:]]


@pytest.fixture
def seed(tmp_path):
    folder = sh.seed_service_folder(tmp_path / "svc")
    svc = sh.ServiceProcess.start(folder, runenv="prod", workers=2, env={"MODELCLOUD_ADMIN_TOKEN": TOKEN})
    yield folder, svc
    svc.stop()


def replace_model(folder, source):
    tmp = folder / "model.pkl.tmp"
    shutil.copyfile(str(source), str(tmp))
    os.replace(str(tmp), str(folder / "model.pkl"))


def workers_status(svc):
    status, body = svc.get("/admin/model", headers=AUTH)
    assert status == 200, body
    return body["workers"]


def test_hot_update_under_load_loses_no_request(seed):
    folder, svc = seed
    status, before = svc.post("/predict", DATE)
    assert status == 200
    with Load(svc.port, "/predict", DATE) as load:
        svc.wait_for(lambda: len(load.results) > 40, what="load to start")
        replace_model(folder, sh.seed_models() / "model_v2.pkl")
        status, body = svc.post("/admin/model", {"version": "v2"}, headers=AUTH)
        assert status == 202 and body["version"] == "v2"
        svc.wait_for(lambda: all(w["version"] == "v2" for w in workers_status(svc)), what="both workers on v2")
        marker = len(load.results)
        svc.wait_for(lambda: len(load.results) > marker + 40, what="load after the update")
    assert load.failures == [], load.failures[:5]
    yhats = [r[2]["yhat"] for r in load.results]
    old, new = before["yhat"], before["yhat"] + 1000
    assert all(abs(y - old) < 1e-6 or abs(y - new) < 1 for y in yhats)  # never anything else
    assert abs(yhats[0] - old) < 1e-6 and all(abs(y - new) < 1 for y in yhats[marker:])
    status, health = svc.get("/healthz")
    assert health["status"] == "ok" and health["model_version"] == "v2"
    # the master's file watcher must not announce the same change a second time
    time.sleep(1.2)
    assert all(w["seq"] == 2 for w in workers_status(svc))
    _, text = svc.get("/metrics")
    assert 'modelcloud_model_reloads_total{result="success"} 2' in text
    assert 'modelcloud_model_info{version="v2"} 2' in text


def test_broken_model_keeps_the_old_one_and_reports_degraded(seed):
    folder, svc = seed
    _, before = svc.post("/predict", DATE)
    with Load(svc.port, "/predict", DATE, clients=2) as load:
        (folder / "model.pkl").write_bytes(b"this is not a pickle")
        status, _ = svc.post("/admin/model", {"version": "broken"}, headers=AUTH)
        assert status == 202
        svc.wait_for(lambda: all(w["reload_error"] for w in workers_status(svc)), what="both workers degraded")
        marker = len(load.results)
        svc.wait_for(lambda: len(load.results) > marker + 20, what="load after the failure")
    assert load.failures == []
    assert all(r[2]["yhat"] == before["yhat"] for r in load.results)
    status, health = svc.get("/healthz")
    assert status == 200 and health["status"] == "degraded"
    assert "broken" in health["reload_error"] and "UnpicklingError" in health["reload_error"]
    assert health["model_version"] != "broken"
    assert "hot update failed, still serving model" in svc.log()
    time.sleep(1.2)  # no retry loop for the same version, no second announcement by the file watcher
    _, text = svc.get("/metrics")
    assert 'modelcloud_model_reloads_total{result="failure"} 1' in text
    assert svc.log().count("hot update failed") == 1
    # a good model afterwards clears the degraded state
    replace_model(folder, sh.seed_models() / "model_v2.pkl")
    assert svc.post("/admin/model", {}, headers=AUTH)[0] == 202
    svc.wait_for(lambda: svc.get("/healthz")[1]["status"] == "ok", what="recovery")
    assert abs(svc.post("/predict", DATE)[1]["yhat"] - before["yhat"] - 1000) < 1


def test_model_file_change_reloads_one_worker_at_a_time(tmp_path):
    folder = sh.copy_fixture(sh.TYPED, tmp_path / "svc")
    svc = sh.ServiceProcess.start(folder, runenv="prod", workers=2)
    try:
        with Load(svc.port, "/scale", {"x": 1}, clients=4) as load:
            svc.wait_for(lambda: len(load.results) > 20, what="load to start")
            tmp = folder / "models" / "model.json.tmp"
            tmp.write_text('{"label": "v2", "factor": 3, "setup_delay": 1.0}')
            os.replace(str(tmp), str(folder / "models" / "model.json"))  # no admin call: the watcher sees it
            svc.wait_for(lambda: svc.log().count("now serves model") == 2, timeout=30, what="both reloads")
            marker = len(load.results)
            svc.wait_for(lambda: len(load.results) > marker + 20, what="load after the update")
        assert load.failures == []
        assert load.latest(10) == [{"y": 3, "label": "v2"}] * 10
        # busy_signal: the second worker started its 1 s setup only after the first had finished
        events = re.findall(r"worker (\d+) (loading|now serves) model", svc.log())
        assert [e[1] for e in events] == ["loading", "now serves", "loading", "now serves"], events
        assert events[0][0] == events[1][0] != events[2][0] == events[3][0]
        reloads = [float(t) for t in re.findall(r"setup took ([0-9.]+) s", svc.log())]
        assert len(reloads) == 2 and all(t >= 0.9 for t in reloads)
        times = [t for t, _, _ in load.results]
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert max(gaps) < 0.5, "requests kept being answered during the 2 s of reloading"
        assert "model files changed: announcing model version sha256:" in svc.log()
    finally:
        svc.stop()


REGISTRY_SERVICE = '''import modelcloud
from modelcloud.data_types import number


@modelcloud.setup
def setup():
    return modelcloud.load_model()


@modelcloud.command('predict', inputs={'x': number()}, outputs={'y': number()})
def predict(model, input):
    return {'y': input['x'] * model['factor']}


if __name__ == '__main__':
    modelcloud.run(runenv="prod")
'''


def test_hot_update_to_a_registry_version_loads_it_and_restarted_workers_keep_it(store, tmp_path):
    """load_model() serves the deploy's pinned version, then the version POST /admin/model names."""
    import modelcloud
    from mc_testlib import run_cli
    for factor in (1, 2, 3):
        with modelcloud.start_run():
            modelcloud.log_model({"factor": factor}, name="scaler")
    empty = tmp_path / "nothing-else"
    empty.mkdir()
    run_cli("--store", store, "ingest", empty)
    folder = tmp_path / "svc"
    folder.mkdir()
    (folder / "cloud_model.py").write_text(REGISTRY_SERVICE)
    env = {"MODELCLOUD_ADMIN_TOKEN": TOKEN, "MODELCLOUD_DIR": str(store),
           "MODELCLOUD_MODEL_VERSION": "models:/scaler@champion", "MODELCLOUD_MODEL_URI": "models:/scaler/1"}
    svc = sh.ServiceProcess.start(folder, runenv="prod", workers=2, env=env)
    try:
        assert svc.post("/predict", {"x": 10}) == (200, {"y": 10})
        status, body = svc.post("/admin/model", {"version": "models:/scaler/3"}, headers=AUTH)
        assert status == 202, body
        svc.wait_for(lambda: all(w["version"] == "models:/scaler/3" for w in workers_status(svc)), what="both workers on v3")
        assert {svc.post("/predict", {"x": 10})[1]["y"] for _ in range(6)} == {30}
        # A worker that dies is replaced; the new one loads the hot-updated version, not the deploy's pin.
        victim = workers_status(svc)[0]["pid"]
        os.kill(victim, 9)
        svc.wait_for(lambda: len(workers_status(svc)) == 2 and victim not in [w["pid"] for w in workers_status(svc)]
                     and all(w["ready"] for w in workers_status(svc)), what="a replacement worker")
        svc.wait_for(lambda: all(w["version"] == "models:/scaler/3" for w in workers_status(svc)), what="the replacement on v3")
        assert {svc.post("/predict", {"x": 10})[1]["y"] for _ in range(6)} == {30}
    finally:
        svc.stop()
