"""Which runs are open, and how they end when the process ends.

- atexit ends every still-open run (newest first) and flushes it: FINISHED,
  or FAILED / KILLED when the interpreter is exiting because of an uncaught
  exception / KeyboardInterrupt (so a crashed script is not reported as a success).
- SIGTERM ends every open run as KILLED, flushes, restores the default handler
  and re-sends the signal, so the process still dies "by SIGTERM" (exit 143).
  The handler is installed only from the main thread and only over the default
  handler: an application's own SIGTERM handling is never replaced.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from typing import Any, List

_lock = threading.RLock()
#: Every run not yet ended, in start order (fluent runs and ModelTrack runs).
open_runs: List[Any] = []
#: The fluent API's stack of active runs; the last one is ``active_run()``.
active_stack: List[Any] = []
_sigterm_installed = False


def register(run: Any) -> None:
    with _lock:
        open_runs.append(run)
    _install_sigterm_handler()


def forget(run: Any) -> None:
    with _lock:
        if run in open_runs:
            open_runs.remove(run)
        if run in active_stack:
            active_stack.remove(run)


def end_all(status: str) -> None:
    with _lock:
        runs = list(reversed(open_runs))
    for run in runs:
        try:
            run.end(status)
        except Exception as exc:  # one broken run must not keep the others open
            sys.stderr.write("modelcloud: could not end run %s: %s\n" % (getattr(run, "id", "?"), exc))


def _status_at_exit() -> str:
    if "IPython" in sys.modules:
        return "FINISHED"  # a kernel keeps old errors in sys.last_value; they say nothing about the run
    exc = getattr(sys, "last_value", None)  # set by the interpreter for an uncaught exception
    if exc is None:
        return "FINISHED"
    if isinstance(exc, KeyboardInterrupt):
        return "KILLED"
    return "FAILED"


def _end_all_at_exit() -> None:
    if open_runs:
        end_all(_status_at_exit())


def _on_sigterm(signum: int, frame: Any) -> None:
    end_all("KILLED")
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # only reached where the re-sent signal does not end us


def _install_sigterm_handler() -> None:
    global _sigterm_installed
    if _sigterm_installed or threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
            return
        signal.signal(signal.SIGTERM, _on_sigterm)
        _sigterm_installed = True
    except (ValueError, OSError, AttributeError):
        pass  # no signals here (embedded interpreter, unusual platform)


def _forget_all_in_forked_child() -> None:
    # A forked child (multiprocessing, DataLoader workers) inherits the parent's open runs
    # but not their flusher threads; if it ended them at exit it would write a second
    # run_end and re-write the parent's unflushed points. The runs belong to the parent.
    del open_runs[:]
    del active_stack[:]


atexit.register(_end_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_all_in_forked_child)
