"""The process that called run(): owns the listening socket and the workers.

prod -- pre-forks N workers on the one socket, replaces workers that die, and on SIGTERM/SIGINT
        asks them to drain (finish in-flight requests) before exiting.
dev  -- runs one worker as a fresh interpreter (re-executing the service script) and restarts it
        when a .py file of the service folder changes; the socket stays open across restarts.
Both poll the model files (and an optional version source) and announce a new model version,
which the workers then load one at a time (hot update, see model_holder.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from typing import Callable, Dict, List, Optional

from .app import log_to_stderr
from .config import ServerConfig
from .model_files import content_label, files_signature, model_files
from .model_holder import Preloaded
from .registry import Registry
from .state import NO_WORKER, SharedState
from .worker import EXIT_SETUP_FAILED, serve_worker

POLL = 0.1
WATCH_EVERY = 0.5
_SKIP_DIRS = {"__pycache__", "node_modules", "venv", ".venv", "site-packages", "models"}

_version_source: Dict[str, object] = {}


def set_version_source(fn: Callable[[], Optional[str]], interval: float = 10.0) -> None:
    """Hook for registries: ``fn()`` returns the model version label that should be served (e.g. what
    ``models:/wine@production`` points to). The master calls it every ``interval`` seconds; a new
    label triggers a hot update (setup() is expected to load what the label names)."""
    _version_source["fn"] = fn
    _version_source["interval"] = float(interval)


def _exit_code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


class ModelWatcher:
    """Announces a new model version when the model files change (stable over two polls, so a file
    being copied is not loaded half-written) or when the version source names a new label."""

    def __init__(self, state: SharedState, folder: str) -> None:
        self.state = state
        self.folder = folder
        self._candidate: Optional[str] = None
        self._next_source = 0.0
        self._last_source_error = ""

    def poll(self) -> None:
        files = model_files(self.folder)
        sig = files_signature(files)
        current = self.state.read_version()
        if sig != current.get("files_sig"):
            if sig == self._candidate:
                version = self.state.bump(content_label(files), sig, "files")
                log_to_stderr("model files changed: announcing model version %s" % version["label"])
                self._candidate = None
            else:
                self._candidate = sig
        else:
            self._candidate = None
        self._poll_source(current, sig)

    def _poll_source(self, current: Dict[str, object], sig: str) -> None:
        fn = _version_source.get("fn")
        if fn is None or time.monotonic() < self._next_source:
            return
        self._next_source = time.monotonic() + float(_version_source.get("interval", 10.0))  # type: ignore[arg-type]
        try:
            label = fn()  # type: ignore[operator]
        except Exception as err:
            message = "%s: %s" % (type(err).__name__, err)
            if message != self._last_source_error:
                log_to_stderr("version source failed (keeping model %s): %s" % (current.get("label"), message))
                self._last_source_error = message
            return
        if label and label != current.get("label"):
            version = self.state.bump(str(label), sig, "source")
            log_to_stderr("version source names model %s: announcing it" % version["label"])


def initial_label(folder: str) -> str:
    return os.environ.get("MODELCLOUD_MODEL_VERSION", "").strip() or content_label(model_files(folder)) or "unversioned"


class _Base:
    def __init__(self, listener: socket.socket, cfg: ServerConfig, state: SharedState, registry: Registry,
                 service: str, folder: str, remove_state: bool) -> None:
        self.listener = listener
        self.cfg = cfg
        self.state = state
        self.registry = registry
        self.service = service
        self.folder = folder
        self.remove_state = remove_state
        self.stopping = False
        self.watcher = ModelWatcher(state, folder)

    def _install_signals(self) -> None:
        def on_signal(signum: int, frame: object) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    def _start_state(self) -> None:
        files = model_files(self.folder)
        self.state.initialise(initial_label(self.folder), files_signature(files))

    def _cleanup(self) -> None:
        try:
            self.listener.close()
        except OSError:
            pass
        if self.remove_state:
            shutil.rmtree(self.state.folder, ignore_errors=True)


class PreforkMaster(_Base):
    def run(self) -> int:
        self._install_signals()
        self._start_state()
        self.workers: List[int] = []
        self.indices: Dict[int, int] = {}  # pid -> worker slot
        self.ever_ready = False
        self._crashes: List[float] = []
        self._respawn_at = 0.0
        self.preloaded: Optional[Preloaded] = None
        try:
            if os.environ.get("MODELCLOUD_PRELOAD", "1") != "0" and self.registry.setup_fn is not None:
                started = time.perf_counter()
                version = self.state.read_version()
                try:
                    model = self.registry.call_setup(str(version["label"]))  # a restart keeps a hot-updated version
                except Exception as err:
                    log_to_stderr("setup() failed, cannot serve: %s: %s\n%s"
                                  % (type(err).__name__, err, traceback.format_exc().rstrip()))
                    return 1
                self.preloaded = Preloaded(model, int(version["seq"]), str(version["label"]))
                log_to_stderr("setup() took %.2f s; forking %d workers" % (time.perf_counter() - started,
                                                                        self.cfg.workers))
            for _ in range(self.cfg.workers):
                self._spawn()
            return self._supervise()
        finally:
            self._cleanup()

    def _spawn(self) -> None:
        index = next(i for i in range(self.cfg.workers) if i not in self.indices.values())
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # worker: never return into the service script
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = serve_worker(self.listener, self.state, self.registry, self.service, self.folder,
                                    self.cfg.access_log, self.cfg.graceful_timeout, self.preloaded,
                                    index, self.cfg.workers)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.workers.append(pid)
        self.indices[pid] = index
        self._publish()

    def _publish(self) -> None:
        self.state.write_master({"pid": os.getpid(), "runenv": "prod", "workers": self.cfg.workers,
                                 "pids": list(self.workers)})

    def _supervise(self) -> int:
        next_watch = 0.0
        while not self.stopping:
            time.sleep(POLL)
            failed = self._reap()
            if failed is not None:
                return failed
            if not self.ever_ready:
                self.ever_ready = any(w.get("ready") for w in self.state.live_workers())
            if len(self.workers) < self.cfg.workers and time.monotonic() >= self._respawn_at and not self.stopping:
                self._spawn()
            if time.monotonic() >= next_watch:
                next_watch = time.monotonic() + WATCH_EVERY
                self.watcher.poll()
        return self._shutdown()

    def _reap(self) -> Optional[int]:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return None
            if pid == 0:
                return None
            if pid not in self.workers:
                continue
            self.workers.remove(pid)
            self.state.conns[self.indices.pop(pid)] = NO_WORKER
            self._publish()
            code = _exit_code(status)
            if self.stopping:
                continue
            if code == EXIT_SETUP_FAILED and not self.ever_ready:
                log_to_stderr("setup() failed at startup (see the traceback above); stopping the server")
                self._shutdown()
                return 1
            now = time.monotonic()
            self._crashes = [t for t in self._crashes if now - t < 60] + [now]
            delay = min(30.0, 0.25 * 2 ** (len(self._crashes) - 1))
            self._respawn_at = now + delay
            log_to_stderr("worker %d exited with code %d; starting a replacement in %.1f s" % (pid, code, delay))

    def _shutdown(self) -> int:
        log_to_stderr("shutting down: draining %d worker(s)" % len(self.workers))
        try:
            self.listener.close()
        except OSError:
            pass
        for pid in self.workers:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + self.cfg.graceful_timeout + 5
        while self.workers and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.02)
            elif pid in self.workers:
                self.workers.remove(pid)
        for pid in self.workers:
            log_to_stderr("worker %d did not drain in time; killing it" % pid)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self.workers = []
        return 0


def _code_signature(folder: str) -> Dict[str, int]:
    sig: Dict[str, int] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(root, name)
                try:
                    sig[path] = os.stat(path).st_mtime_ns
                except OSError:
                    pass
    return sig


class DevSupervisor(_Base):
    """Restarts the single worker when service code changes."""

    def run(self) -> int:
        self._install_signals()
        self._start_state()
        self.child: Optional[subprocess.Popen] = None
        code_sig = _code_signature(self.folder)
        try:
            self._start_child()
            next_watch = 0.0
            while not self.stopping:
                time.sleep(POLL)
                if time.monotonic() < next_watch:
                    continue
                next_watch = time.monotonic() + WATCH_EVERY
                new_sig = _code_signature(self.folder)
                if new_sig != code_sig:
                    changed = sorted(p for p in set(new_sig) | set(code_sig) if new_sig.get(p) != code_sig.get(p))
                    code_sig = new_sig
                    log_to_stderr("%s changed: restarting" % ", ".join(os.path.relpath(p, self.folder) for p in changed))
                    self._stop_child()
                    self._start_child()
                elif self.child is not None and self.child.poll() is not None:
                    log_to_stderr("the service exited with code %d; fix the error above and save a .py file to "
                                  "restart" % self.child.returncode)
                    self.child = None
                    self._publish()
                self.watcher.poll()
            self._stop_child()
            return 0
        finally:
            self._cleanup()

    def _publish(self) -> None:
        self.state.write_master({"pid": os.getpid(), "runenv": "dev", "workers": 1,
                                 "pids": [self.child.pid] if self.child is not None else []})

    def _start_child(self) -> None:
        argv = list(sys.argv)
        argv[0] = os.path.abspath(argv[0])
        env = dict(os.environ)
        env["MODELCLOUD_LISTEN_FD"] = str(self.listener.fileno())
        env["MODELCLOUD_STATE_DIR"] = self.state.folder
        env["MODELCLOUD_RUNENV"] = "dev"
        self.child = subprocess.Popen([sys.executable] + argv, env=env, pass_fds=(self.listener.fileno(),))
        self._publish()

    def _stop_child(self) -> None:
        child = self.child
        if child is None:
            return
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(self.cfg.graceful_timeout + 5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.child = None
        self._publish()
