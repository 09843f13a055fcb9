"""Benchmark: overhead of ``%%mc_run --autolog`` on a notebook cell that fits 100 small models.

Run: python3 test/bench/python/autolog_overhead_bench.py [--rounds N] [--models N]
Both cells run in the same process, in an IPython shell with ``%load_ext modelcloud``,
alternating (bare, autolog, bare, autolog, ...) so machine load hits both alike; the median
of the rounds is compared. The autolog cell's time includes everything the magic does: starting
the run, the live run card, logging params/fit time/training score of each of the 100 fits and
saving the last model when the run ends. Logs into a temporary MODELCLOUD_DIR that is removed.
The last line of output is JSON for scripts (test/harness/bench.mjs).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "src", "python"))
from bench_store import temporary_store  # noqa: E402  (next to this file)

GOAL_OVERHEAD = 0.05

SETUP = """
import warnings
warnings.filterwarnings('ignore')
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
X, y = load_wine(return_X_y=True)
"""

BODY = """
models = []
for i in range({models}):
    models.append(RandomForestClassifier(n_estimators=10, max_depth=4, random_state=i).fit(X, y))
"""


def timed(shell, cell: str) -> float:
    sink = io.StringIO()
    started = time.perf_counter()
    with redirect_stdout(sink):
        result = shell.run_cell(cell, store_history=True)
    elapsed = time.perf_counter() - started
    if not result.success:
        raise SystemExit("bench: the cell failed: %r\n%s" % (result.error_in_exec or result.error_before_exec,
                                                             sink.getvalue()[-2000:]))
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--models", type=int, default=100)
    args = parser.parse_args()
    with temporary_store() as folder:
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "modelcloud")
        if not shell.run_cell(SETUP).success:
            raise SystemExit("bench: setup failed (needs scikit-learn)")
        body = BODY.format(models=args.models)
        bare_cell = body
        autolog_cell = "%%mc_run --autolog\n" + body
        timed(shell, bare_cell)  # warm-up: first fits pay for lazy imports inside scikit-learn
        timed(shell, autolog_cell)
        bare, autolog = [], []
        for _ in range(args.rounds):
            bare.append(timed(shell, bare_cell))
            autolog.append(timed(shell, autolog_cell))
        runs = len([n for n in os.listdir(os.path.join(folder, "runs")) if n.endswith(".jsonl")])
    bare_s, autolog_s = statistics.median(bare), statistics.median(autolog)
    overhead = autolog_s / bare_s - 1
    print("cell fitting %d small random forests (10 trees, depth 4) on wine: bare %.1f ms, %%%%mc_run --autolog %.1f ms "
          "(medians of %d rounds, interleaved)" % (args.models, bare_s * 1000, autolog_s * 1000, args.rounds))
    print("overhead %+.1f %% (goal < %d %%); %d runs logged" % (overhead * 100, GOAL_OVERHEAD * 100, runs))
    print(json.dumps({"bench": "python.autolog_overhead", "models": args.models, "rounds": args.rounds,
                      "bare_ms": round(bare_s * 1000, 1), "autolog_ms": round(autolog_s * 1000, 1),
                      "overhead_pct": round(overhead * 100, 2), "goal_pct": GOAL_OVERHEAD * 100,
                      "meets_goal": overhead < GOAL_OVERHEAD}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
