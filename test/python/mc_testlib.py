"""Helpers shared by the modelcloud client tests (imported as mc_testlib; a distinct name so it
cannot clash with another suite's conftest module)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]
PYTHON_SRC = REPO / "src" / "python"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"  # test/fixtures, shared with the TypeScript tests
sys.path.insert(0, str(PYTHON_SRC))


def _reject_constant(name: str) -> Any:
    raise ValueError("non-strict JSON constant %s in run log" % name)


def parse_line(line: str) -> Dict[str, Any]:
    """Parse one run-log line as strict JSON (NaN/Infinity literals are errors)."""
    return json.loads(line, parse_constant=_reject_constant)


def read_events(path: Path) -> List[Dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), "run log must end with a complete line"
    return [parse_line(line) for line in text.splitlines()]


def run_logs(store: Path) -> List[Path]:
    return sorted((store / "runs").glob("*.jsonl"))


def only_run_log(store: Path) -> List[Dict[str, Any]]:
    logs = run_logs(store)
    assert len(logs) == 1, logs
    return read_events(logs[0])


def points_of(events: List[Dict[str, Any]], key: Optional[str] = None) -> List[list]:
    """[key, value, step, time] rows from the columnar metrics events (columns checked equal-length)."""
    pts = []
    for e in events:
        if e["t"] != "metrics":
            continue
        columns = (e["keys"], e["values"], e["steps"], e["times"])
        assert len({len(c) for c in columns}) == 1, "metrics columns must have one length"
        pts.extend(list(p) for p in zip(*columns))
    return [p for p in pts if key is None or p[0] == key]


def child_env(store: Path, **extra: str) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PYTHON_SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env["MODELCLOUD_DIR"] = str(store)
    env.update(extra)
    return env


def run_python(store: Path, code: str, timeout: float = 30, **kw: Any) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=child_env(store), capture_output=True,
                          text=True, timeout=timeout, **kw)


def node_for(built: Path, what: str) -> str:
    """The harness's Node (MODELCLOUD_NODE), else `node` on PATH, for running a built file.

    Outside the harness a missing build or Node skips the test; under `npm test` (which sets
    MODELCLOUD_NODE and builds first) it fails, so a broken build can never pass as skips.
    """
    import shutil
    import pytest
    node = os.environ.get("MODELCLOUD_NODE") or shutil.which("node")
    if built.is_file() and node:
        return node
    reason = "needs %s (%s, built by node esbuild.mjs) and Node 22+; npm test provides both" % (what, built)
    if os.environ.get("MODELCLOUD_NODE"):
        pytest.fail(reason)
    pytest.skip(reason)


def run_cli(*args, timeout=60):
    """Runs the real CLI (dist/cli.js) with the harness's Node (see node_for)."""
    cli = REPO / "dist" / "cli.js"
    node = node_for(cli, "the built CLI")
    done = subprocess.run([node, str(cli), *[str(a) for a in args]], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
