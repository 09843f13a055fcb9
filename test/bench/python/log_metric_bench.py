"""Benchmark: modelcloud.log_metric calls per second vs a naive per-call-write logger.

Run: python3 test/bench/python/log_metric_bench.py [--calls N] [--baseline-calls N]
Logs into a temporary MODELCLOUD_DIR that is removed afterwards. The measured
time includes ending the run, i.e. the final flush of everything logged.
The last line of output is JSON for scripts (test/harness/bench.mjs).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "src", "python"))
from bench_store import temporary_store  # noqa: E402  (next to this file)

GOAL_CALLS_PER_S = 200000


def bench_log_metric(calls: int) -> "tuple[float, float]":
    import modelcloud

    run = modelcloud.start_run(name="bench", experiment="bench")
    log_metric = modelcloud.log_metric
    started = time.perf_counter()
    for i in range(calls):
        log_metric("loss", 1.0 / (i + 1))
    loop_elapsed = time.perf_counter() - started
    run.end()  # includes the final flush
    elapsed = time.perf_counter() - started
    with open(run.log_path, "rb") as f:
        written = sum(len(json.loads(line)["keys"]) for line in f if b'"t":"metrics"' in line)
    if written != calls:
        raise SystemExit("bench: expected %d points on disk, found %d" % (calls, written))
    return calls / elapsed, calls / loop_elapsed


def bench_baseline(calls: int, folder: str) -> float:
    """What per-call logging costs: serialise one record, write it and flush, every call."""
    path = os.path.join(folder, "baseline.jsonl")
    started = time.perf_counter()
    with open(path, "a", encoding="utf-8") as f:
        for i in range(calls):
            f.write(json.dumps({"key": "loss", "value": 1.0 / (i + 1), "step": i,
                                "ts": int(time.time() * 1000)}) + "\n")
            f.flush()
    return calls / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000000)
    parser.add_argument("--baseline-calls", type=int, default=100000)
    args = parser.parse_args()
    with temporary_store() as folder:
        rate, loop_rate = bench_log_metric(args.calls)
        baseline = bench_baseline(args.baseline_calls, folder)
    ratio = rate / baseline
    print("log_metric: %d calls/s (goal >= %d/s)" % (rate, GOAL_CALLS_PER_S))
    print("  (calls alone, before the final flush: %d calls/s; the background thread shares the GIL)" % loop_rate)
    print("baseline per-call write: %d calls/s; ratio %.1fx" % (baseline, ratio))
    print(json.dumps({"bench": "python.log_metric", "calls_per_s": round(rate), "calls": args.calls,
                      "loop_only_calls_per_s": round(loop_rate),
                      "baseline_calls_per_s": round(baseline), "ratio": round(ratio, 2),
                      "goal_calls_per_s": GOAL_CALLS_PER_S, "meets_goal": rate >= GOAL_CALLS_PER_S}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
