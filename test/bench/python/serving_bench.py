"""Benchmark: the seed service on the modelcloud runtime (2 workers) vs the same model in Flask
(development server, and gunicorn with 2 sync workers); then a hot update under constant load.

Run: python test/bench/python/serving_bench.py [--seconds S] [--clients C] [--only NAMES]
Each server gets the same closed-loop load: C concurrent keep-alive connections (a server that
closes connections, like gunicorn's sync workers, makes the client reconnect) driven by one
event-loop client process that sends pre-built requests, so the client costs little per request;
its CPU use is printed to show it was not the bottleneck. Figures: requests/s, p50/p99 latency.
Hot update: under the same load, the model file is replaced and POST /admin/model announces it;
failed requests (goal 0) and the throughput dip per 100 ms window (goal <= 1/workers) are measured.
The last lines are JSON for scripts (test/harness/bench.mjs).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "test" / "fixtures" / "services"))
import service_harness as sh  # noqa: E402

WORKERS = 2
TOKEN = "bench-token"
BODY = b'{"year": 2024, "month": 5, "day": 3}'
REQUEST = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))


# -- load generator (runs in its own process: `serving_bench.py --loadgen PORT SECONDS CLIENTS`) ----
def loadgen(port: int, seconds: float, clients: int) -> Dict[str, object]:
    """Closed loop: each connection sends the next request as soon as the previous answer is in."""
    sel = selectors.DefaultSelector()
    done: List[Tuple[float, float, int]] = []  # (finish time, latency, status)
    failures = 0

    def connect():
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        return s

    def start(state):
        state["buf"] = b""
        state["t0"] = time.perf_counter()
        state["sock"].sendall(REQUEST)  # small: fits the socket buffer

    states = []
    for _ in range(clients):
        state = {"sock": connect()}
        sel.register(state["sock"], selectors.EVENT_READ, state)
        states.append(state)
        start(state)
    cpu0 = os.times()
    t_end = time.perf_counter() + seconds
    while True:
        now = time.perf_counter()
        if now >= t_end:
            break
        for key, _ in sel.select(0.05):
            state = key.data
            try:
                chunk = state["sock"].recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                chunk = b""
            if not chunk:  # closed: count a failure only if a request was outstanding
                failures += 1
                sel.unregister(state["sock"])
                state["sock"].close()
                state["sock"] = connect()
                sel.register(state["sock"], selectors.EVENT_READ, state)
                start(state)
                continue
            buf = state["buf"] + chunk
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                state["buf"] = buf
                continue
            head = buf[:end].lower()
            i = head.find(b"content-length:")
            j = head.find(b"\r\n", i)
            length = (int(head[i + 15:j]) if j > 0 else int(head[i + 15:])) if i >= 0 else 0
            if len(buf) < end + 4 + length:
                state["buf"] = buf
                continue
            finished = time.perf_counter()
            status = int(buf[9:12])
            done.append((finished, finished - state["t0"], status))
            if b"connection: close" in head or head.startswith(b"http/1.0") and b"keep-alive" not in head:
                sel.unregister(state["sock"])
                state["sock"].close()
                state["sock"] = connect()
                sel.register(state["sock"], selectors.EVENT_READ, state)
            start(state)
    cpu1 = os.times()
    for state in states:
        state["sock"].close()
    ok = [d for d in done if d[2] == 200]
    return {"finish": [d[0] for d in done], "latency": [d[1] for d in ok], "non200": len(done) - len(ok),
            "errors": failures, "cpu": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system), "seconds": seconds}


def run_loadgen(port: int, seconds: float, clients: int) -> Dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--loadgen", str(port), str(seconds), str(clients)],
                         capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode:
        raise SystemExit("load generator failed: %s" % out.stderr)
    return json.loads(out.stdout)


def summarise(name: str, result: Dict[str, object], warmup: float) -> Dict[str, object]:
    finish = result["finish"]
    latency = sorted(result["latency"])  # type: ignore[arg-type]
    t0 = min(finish) if finish else 0  # type: ignore[type-var]
    measured = [t for t in finish if t - t0 >= warmup]  # type: ignore[operator]
    span = (max(measured) - min(measured)) if len(measured) > 1 else 1.0  # type: ignore[type-var]
    q = lambda p: latency[min(len(latency) - 1, int(p * len(latency)))] * 1000 if latency else float("nan")  # noqa
    return {"server": name, "rps": round(len(measured) / span, 1), "p50_ms": round(q(0.50), 2),
            "p99_ms": round(q(0.99), 2), "requests": len(finish), "non200": result["non200"],
            "conn_errors": result["errors"],
            "client_cpu": round(result["cpu"] / result["seconds"], 2)}  # type: ignore[operator]


def wait_http(port: int, path: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=BODY,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server on port %d did not answer %s" % (port, path))


def start_baseline(kind: str, folder: Path) -> Tuple[subprocess.Popen, int]:
    port = sh.free_port()
    shutil.copy2(str(sh.HERE / "flask_baseline" / "flask_app.py"), str(folder / "flask_app.py"))
    if kind == "flask_dev":
        cmd = [sys.executable, "flask_app.py", "--port", str(port)]
    else:
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync", "-b", "127.0.0.1:%d" % port,
               "--log-level", "warning", "flask_app:app"]
    proc = subprocess.Popen(cmd, cwd=str(folder), env=sh.child_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    wait_http(port, "/predict")
    return proc, port


def stop_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(5)


def bench_throughput(kind: str, folder: Path, seconds: float, clients: int, warmup: float) -> Dict[str, object]:
    if kind == "modelcloud":
        svc = sh.ServiceProcess.start(folder, runenv="prod", workers=WORKERS, timeout=120)
        proc, port = svc.proc, svc.port
    else:
        proc, port = start_baseline(kind, folder)
    try:
        wait_http(port, "/predict")
        return summarise(kind, run_loadgen(port, seconds + warmup, clients), warmup)
    finally:
        stop_group(proc)


def bench_hot_update(folder: Path, models: Path, seconds: float, clients: int) -> Dict[str, object]:
    svc = sh.ServiceProcess.start(folder, runenv="prod", workers=WORKERS, env={"MODELCLOUD_ADMIN_TOKEN": TOKEN},
                                  timeout=120)
    try:
        wait_http(svc.port, "/predict")
        gen = subprocess.Popen([sys.executable, __file__, "--loadgen", str(svc.port), str(seconds), str(clients)],
                               stdout=subprocess.PIPE, text=True)
        time.sleep(seconds * 0.4)
        tmp = folder / "model.pkl.tmp"
        shutil.copyfile(str(models / "model_v2.pkl"), str(tmp))
        os.replace(str(tmp), str(folder / "model.pkl"))
        update_at = time.perf_counter()
        status, _ = svc.post("/admin/model", {"version": "v2"}, headers={"Authorization": "Bearer " + TOKEN})
        assert status == 202
        svc.wait_for(lambda: all(w.get("version") == "v2" for w in svc.get(
            "/admin/model", headers={"Authorization": "Bearer " + TOKEN})[1]["workers"]), timeout=60,
            interval=0.02, what="both workers on v2")
        updated_at = time.perf_counter()
        out, _ = gen.communicate(timeout=seconds + 60)
        result = json.loads(out)
    finally:
        svc.stop()
    finish: List[float] = result["finish"]
    window = 0.1
    t0 = min(finish)
    counts: Dict[int, int] = {}
    for t in finish:
        counts[int((t - t0) / window)] = counts.get(int((t - t0) / window), 0) + 1
    last = int((max(finish) - t0) / window)
    series = [counts.get(i, 0) for i in range(1, last)]  # drop partial first/last windows
    first_update = int((update_at - t0) / window) - 1
    last_update = int((updated_at - t0) / window) + 1
    before = series[2:max(3, first_update - 1)]
    during = series[max(0, first_update):last_update + 1] or [0]
    baseline = statistics.median(before) if before else max(series)
    dip = 1 - min(during) / baseline if baseline else 1.0
    # the same measure over the windows before the update: how much a window dips without any update
    noise = 1 - min(before) / baseline if before and baseline else 0.0
    print("requests per 100 ms, update in windows %d-%d: %s" % (first_update, last_update, series), flush=True)
    return {"failed_requests": result["errors"] + result["non200"], "requests": len(finish),
            "baseline_per_100ms": baseline, "min_per_100ms_during_update": min(during),
            "throughput_dip": round(dip, 3), "dip_goal": round(1 / WORKERS, 3),
            "dip_without_update": round(noise, 3),
            "mean_dip_during_update": round(1 - statistics.mean(during) / baseline, 3) if baseline else 1.0,
            "update_seconds": round(updated_at - update_at, 3), "windows_during_update": len(during)}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--loadgen":
        print(json.dumps(loadgen(int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per server")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--only", default="modelcloud,gunicorn,flask_dev,hot_update")
    args = parser.parse_args()
    only = args.only.split(",")
    work = Path(tempfile.mkdtemp(prefix="modelcloud-serving-bench-"))
    try:
        models = sh.copy_fixture(sh.SEED, work / "models")
        sh.train_seed_models(models, {"model.pkl": (0.0, "v1"), "model_v2.pkl": (1000.0, "v2")})
        results: Dict[str, Dict[str, object]] = {}
        for kind in ("modelcloud", "gunicorn", "flask_dev"):
            if kind not in only:
                continue
            folder = sh.copy_fixture(sh.SEED, work / kind)
            shutil.copy2(str(models / "model.pkl"), str(folder / "model.pkl"))
            results[kind] = bench_throughput(kind, folder, args.seconds, args.clients, args.warmup)
            r = results[kind]
            print("%-11s %8.1f req/s  p50 %6.2f ms  p99 %7.2f ms  (non-200 %s, connection errors %s, "
                  "client CPU %.0f%%)" % (kind, r["rps"], r["p50_ms"], r["p99_ms"], r["non200"], r["conn_errors"],
                                          100 * float(r["client_cpu"])), flush=True)
        summary: Dict[str, object] = {"bench": "serving", "clients": args.clients, "workers": WORKERS}
        for kind, r in results.items():
            summary["%s_rps" % kind] = r["rps"]
            summary["%s_p50_ms" % kind] = r["p50_ms"]
            summary["%s_p99_ms" % kind] = r["p99_ms"]
        mc = results.get("modelcloud")
        for base in ("gunicorn", "flask_dev"):
            if mc and base in results:
                ratio_rps = float(mc["rps"]) / float(results[base]["rps"])
                ratio_p99 = float(mc["p99_ms"]) / float(results[base]["p99_ms"])
                summary["rps_vs_%s" % base] = round(ratio_rps, 2)
                summary["p99_vs_%s" % base] = round(ratio_p99, 2)
                print("modelcloud vs %-9s throughput x%.2f, p99 x%.2f" % (base, ratio_rps, ratio_p99))
        if mc and "gunicorn" in results:
            summary["goal_met"] = bool(summary["rps_vs_gunicorn"] >= 1.0 and summary["p99_vs_gunicorn"] < 1.0)
        print(json.dumps(summary), flush=True)
        if "hot_update" in only:
            folder = sh.copy_fixture(sh.SEED, work / "hot")
            shutil.copy2(str(models / "model.pkl"), str(folder / "model.pkl"))
            hot = bench_hot_update(folder, models, max(4.0, args.seconds), args.clients)
            print("hot update: %d failed of %d requests; throughput dip %.0f%% (goal <= %.0f%%); both workers "
                  "updated in %.3f s" % (hot["failed_requests"], hot["requests"], 100 * hot["throughput_dip"],
                                          100 * hot["dip_goal"], hot["update_seconds"]))
            hot_line = {"bench": "serving_hot_update"}
            hot_line.update(hot)
            hot_line["goal_met"] = hot["failed_requests"] == 0 and hot["throughput_dip"] <= hot["dip_goal"]
            print(json.dumps(hot_line), flush=True)
    finally:
        shutil.rmtree(str(work), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
