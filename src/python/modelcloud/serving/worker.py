"""One serving process: load the model (setup), then answer requests on the shared socket until
told to stop, checking for a newer model version after every request."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
import traceback
from typing import List, Optional

from .app import ServiceApp, log_to_stderr
from .httpserver import AcceptBalance, HttpLoop
from .metrics import MetricsLayout, WorkerMetrics
from .model_holder import ModelHolder, Preloaded
from .registry import Registry
from .state import SharedState

EXIT_SETUP_FAILED = 3


def serve_worker(listener: socket.socket, state: SharedState, registry: Registry, service: str, folder: str,
                 access_log: bool, graceful_timeout: float, preloaded: Optional[Preloaded] = None,
                 index: int = 0, workers: int = 1) -> int:
    """Runs until SIGTERM/SIGINT (graceful) or until the parent process dies; returns the exit code."""
    loop_box: List[Optional[HttpLoop]] = [None]
    app_box: List[Optional[ServiceApp]] = [None]
    stop_requested = [False]

    def on_signal(signum: int, frame: object) -> None:
        stop_requested[0] = True
        if app_box[0] is not None:
            app_box[0].draining = True  # /readyz answers 503 while in-flight requests finish
        if loop_box[0] is not None:
            loop_box[0].stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    parent = os.getppid()
    state.open_control()
    layout = MetricsLayout(registry.command_names())
    metrics = WorkerMetrics(state.folder, layout)
    holder = ModelHolder(registry, state, metrics, log_to_stderr)
    started = time.perf_counter()
    try:
        holder.initial_setup(preloaded)
    except Exception as err:
        log_to_stderr("setup() failed, this worker cannot serve: %s: %s\n%s"
                      % (type(err).__name__, err, traceback.format_exc().rstrip()))
        return EXIT_SETUP_FAILED
    log_to_stderr("ready: %s, model version %s" % ("model loaded by the master" if preloaded else
                                                   "setup() took %.2f s" % (time.perf_counter() - started),
                                                   holder.version))
    if stop_requested[0]:
        return 0
    app = ServiceApp(registry, holder, state, service, folder, metrics, layout, log_to_stderr)
    app_box[0] = app

    def on_tick() -> None:
        holder.check_cache()  # idle workers pick up new models too
        if os.getppid() != parent:  # the master died: do not linger as an orphan
            log_to_stderr("master process exited; stopping")
            app.draining = True
            loop.stop()

    balance = AcceptBalance(state.conns, index, workers) if workers > 1 else None
    loop = HttpLoop(listener, app, holder.check_cache, on_tick, log_to_stderr if access_log else None,
                    balance=balance)
    loop_box[0] = loop
    if stop_requested[0]:  # a signal arrived while the loop was being built
        loop.stop()
    loop.serve(drain_timeout=graceful_timeout)
    sys.stderr.flush()
    return 0
