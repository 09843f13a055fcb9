"""A worker's model and the hot-update protocol of seed Step 7.

check_cache  -- after every request (and on idle ticks) compare the loaded version with the shared
                one: one memory read of the mmap'd sequence number.
busy_signal  -- a non-blocking flock on reload.lock: the worker holding it reloads while the others
                keep serving their current model; a worker that cannot take it retries later.
setup_model  -- call the service's setup() again (in a background thread, so even the reloading
                worker keeps serving the old model) and swap the model only if it succeeded. A failure
                keeps the old model, marks the worker degraded (/healthz) and is recorded in the
                state folder so no worker retries the same version in a loop.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from typing import Any, Callable, Optional

from .metrics import WorkerMetrics
from .registry import Registry
from .state import SharedState


class _ReloadJob:
    """One call of setup() for a model version, run in a background thread."""

    def __init__(self, seq: int, label: str) -> None:
        self.seq = seq
        self.label = label
        self.model: Any = None
        self.error: Optional[str] = None
        self.trace = ""
        self.seconds = 0.0
        self.done = False

    def run(self, setup: Callable[[str], Any]) -> None:
        started = time.perf_counter()
        try:
            self.model = setup(self.label)
        except Exception as err:  # the user's setup(): anything it raises is a failed reload
            self.error = "%s: %s" % (type(err).__name__, err)
            self.trace = traceback.format_exc().rstrip()
        finally:
            self.seconds = time.perf_counter() - started
            self.done = True


class Preloaded:
    """A model the prod master loaded once before forking (copy-on-write shared by the workers)."""

    def __init__(self, model: Any, seq: int, label: str) -> None:
        self.model = model
        self.seq = seq
        self.label = label


class ModelHolder:
    def __init__(self, registry: Registry, state: SharedState, metrics: Optional[WorkerMetrics],
                 log: Callable[[str], None]) -> None:
        self.registry = registry
        self.state = state
        self.metrics = metrics
        self.log = log
        self.model: Any = None
        self.loaded_seq = 0
        self.version = "unknown"
        self.reload_error: Optional[str] = None
        self.failed_seq = 0
        self.ready = False
        self._control = state.control
        self._job: Optional[_ReloadJob] = None

    def initial_setup(self, preloaded: Optional["Preloaded"] = None) -> None:
        """Loads the model before the worker serves (or adopts the one the master loaded before
        forking); raises what setup() raised."""
        if preloaded is not None:
            self.model, self.loaded_seq, self.version = preloaded.model, preloaded.seq, preloaded.label
            self.ready = True
            self.publish()
            return
        seq = self.state.current_seq()
        version = self.state.read_version()
        self.model = self.registry.call_setup(str(version.get("label", "")))
        self.loaded_seq = seq
        self.version = str(version.get("label", "unknown"))
        self.ready = True
        self.publish()

    def check_cache(self) -> None:
        """After every request and on idle ticks: a newer version announced? Start loading it, or
        adopt it when the background load has finished."""
        job = self._job
        if job is not None:
            if job.done:
                self._finish_reload(job)
            return
        seq = self._control[0]
        if seq != self.loaded_seq and seq != self.failed_seq:
            self._start_reload_if_free()

    def _start_reload_if_free(self) -> None:
        if not self.state.try_lock_reload():
            return  # busy_signal: another worker is reloading; keep serving, look again after the next request
        seq = self.state.current_seq()
        if seq == self.loaded_seq:
            self.state.unlock_reload()
            return
        status = self.state.reload_status()
        if status and status.get("seq") == seq and not status.get("ok"):
            self.state.unlock_reload()  # another worker already failed this version: do not retry it
            self.failed_seq = seq
            self.reload_error = str(status.get("error"))
            self.publish()
            return
        label = str(self.state.read_version().get("label", "reload-%d" % seq))
        self.log("hot update: worker %d loading model %s" % (os.getpid(), label))
        job = _ReloadJob(seq, label)
        self._job = job
        # setup_model runs beside the serving loop: this worker keeps answering with the old model
        # until the new one is ready, then swaps between two requests (the lock is held until then).
        threading.Thread(target=job.run, args=(self.registry.call_setup,), name="modelcloud-reload", daemon=True).start()

    def _finish_reload(self, job: "_ReloadJob") -> None:
        self._job = None
        try:
            self._adopt(job)
        finally:
            self.state.unlock_reload()

    def setup_model(self, seq: int) -> bool:
        """Synchronous reload (used when no serving loop runs); the worker path is check_cache()."""
        label = str(self.state.read_version().get("label", "reload-%d" % seq))
        job = _ReloadJob(seq, label)
        job.run(self.registry.call_setup)
        return self._adopt(job)

    def _adopt(self, job: "_ReloadJob") -> bool:
        if job.error is not None:
            error = "setup() failed for model version %s: %s" % (job.label, job.error)
            self.failed_seq = job.seq
            self.reload_error = error
            self.state.record_reload(job.seq, False, error)
            if self.metrics:
                self.metrics.reload(False)
            self.log("hot update failed, still serving model %s: %s\n%s" % (self.version, error, job.trace))
            self.publish()
            return False
        self.model = job.model
        self.loaded_seq = job.seq
        self.version = job.label
        self.reload_error = None
        self.state.record_reload(job.seq, True, None)
        if self.metrics:
            self.metrics.reload(True)
        self.log("hot update: worker %d now serves model %s (setup took %.2f s)" % (os.getpid(), job.label, job.seconds))
        self.publish()
        return True

    def publish(self) -> None:
        try:
            self.state.write_worker({"pid": os.getpid(), "ready": self.ready, "seq": self.loaded_seq,
                                     "version": self.version, "reload_error": self.reload_error})
        except OSError as err:
            print("modelcloud: could not write worker state: %s" % err, file=sys.stderr)
