"""Real Python processes: how runs end when the process ends, and what a hard kill leaves."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from mc_testlib import child_env, only_run_log, parse_line, points_of, run_logs, run_python

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def test_version_flag(store):
    done = subprocess.run([sys.executable, "-m", "modelcloud", "--version"], env=child_env(store),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "modelcloud 0.1.0"
    done = subprocess.run([sys.executable, "-m", "modelcloud", "--store"], env=child_env(store),
                          capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == str(store)


def test_atexit_finishes_a_run_left_open(store):
    done = run_python(store, "import modelcloud\nfor i in range(3): modelcloud.log_metric('m', i)\n")
    assert done.returncode == 0, done.stderr
    events = only_run_log(store)
    assert events[-1] == {"v": 1, "t": "run_end", "ts": events[-1]["ts"], "status": "FINISHED"}
    assert [p[1] for p in points_of(events)] == [0.0, 1.0, 2.0]


def test_uncaught_exception_at_exit_ends_failed(store):
    done = run_python(store, "import modelcloud\nmodelcloud.log_metric('m', 1)\nraise SystemError('boom')\n")
    assert done.returncode == 1 and "boom" in done.stderr
    assert only_run_log(store)[-1]["status"] == "FAILED"


def test_script_source_is_recorded(store, tmp_path):
    script = tmp_path / "train.py"
    script.write_text("import modelcloud\nmodelcloud.log_param('a', 1)\n")
    done = subprocess.run([sys.executable, str(script)], env=child_env(store), capture_output=True,
                          text=True, timeout=30, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    start = only_run_log(store)[0]
    assert start["source"] == {"kind": "script", "path": str(script)}
    assert "git" not in start or start["git"].get("commit") is None or len(start["git"]["commit"]) == 40


def test_notebook_source_from_jpy_session_name(store):
    # A stand-in IPython module: capture_source only asks it for get_ipython().
    code = (
        "import sys, types\n"
        "shell = types.SimpleNamespace(user_ns={}, execution_count=7)\n"
        "sys.modules['IPython'] = types.SimpleNamespace(get_ipython=lambda: shell)\n"
        "import modelcloud\nmodelcloud.log_param('a', 1)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=child_env(store, JPY_SESSION_NAME="/w/nb.ipynb"),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert only_run_log(store)[0]["source"] == {"kind": "notebook", "path": "/w/nb.ipynb", "cell": 7}


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_forked_child_leaves_the_parents_run_alone(store):
    code = (
        "import os, modelcloud\n"
        "run = modelcloud.start_run(name='parent')\n"
        "modelcloud.log_metric('m', 1.0)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    raise SystemExit(0)  # normal exit: runs atexit handlers in the child\n"
        "os.waitpid(pid, 0)\n"
        "modelcloud.log_metric('m', 2.0)\n"
    )
    done = run_python(store, code)
    assert done.returncode == 0, done.stderr
    events = only_run_log(store)
    assert [e["t"] for e in events].count("run_end") == 1
    assert [p[1] for p in points_of(events, "m")] == [1.0, 2.0]


LOOP = (
    "import sys, modelcloud\n"
    "modelcloud.start_run(name='loop')\n"
    "i = 0\n"
    "while True:\n"
    "    modelcloud.log_metric('loss', 1.0 / (i + 1))\n"
    "    i += 1\n"
    "    if i == 1000:\n"
    "        print('logging', flush=True)\n"
)


def _start_logging_loop(store):
    proc = subprocess.Popen([sys.executable, "-c", LOOP], env=child_env(store), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "logging", proc.stderr.read()
    return proc


@posix_only
def test_sigterm_ends_the_run_killed_and_exits_by_sigterm(store):
    proc = _start_logging_loop(store)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == -signal.SIGTERM
    events = only_run_log(store)  # strict parse of every line, file ends with '\n'
    assert events[-1]["t"] == "run_end" and events[-1]["status"] == "KILLED"
    steps = [p[2] for p in points_of(events)]
    assert steps and steps == list(range(len(steps))), "points lost or reordered before run_end"


@posix_only
def test_sigterm_handler_not_installed_over_an_application_handler(store):
    code = (
        "import signal, sys, modelcloud\n"
        "signal.signal(signal.SIGTERM, lambda s, f: sys.exit(3))\n"
        "modelcloud.start_run()\n"
        "import os; os.kill(os.getpid(), signal.SIGTERM)\n"
        "import time; time.sleep(5)\n"
    )
    done = run_python(store, code)
    assert done.returncode == 3  # the application's handler ran; atexit still closed the run
    assert only_run_log(store)[-1]["status"] == "FINISHED"


@posix_only
def test_keyboard_interrupt_at_top_level_ends_killed(store):
    proc = _start_logging_loop(store)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert only_run_log(store)[-1]["status"] == "KILLED"


@posix_only
def test_sigkill_mid_logging_leaves_only_valid_complete_lines(store):
    proc = _start_logging_loop(store)
    # Kill mid-stream: after the first metrics line is on disk, while the loop keeps logging
    # (a fixed sleep alone is flaky on a loaded machine: the first flush may not be done yet).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        logs = run_logs(store)
        if logs and b'"t":"metrics"' in logs[0].read_bytes():
            break
        time.sleep(0.02)
    time.sleep(0.15)
    proc.kill()
    proc.wait(timeout=30)
    [log] = run_logs(store)
    raw = log.read_bytes().decode("utf-8")
    lines = raw.split("\n")
    complete, trailing = lines[:-1], lines[-1]  # trailing is '' when the file ends with '\n'
    events = [parse_line(line) for line in complete]  # every complete line is strict JSON
    assert events[0]["t"] == "run_start"
    assert all(e["t"] != "run_end" for e in events)
    if trailing:
        with pytest.raises(ValueError):
            parse_line(trailing)  # a partial line is never mistaken for a complete one
    steps = [p[2] for p in points_of(events)]
    assert len(steps) > 0
    assert steps == list(range(len(steps))), "complete lines hold a gap-free prefix of the points"
