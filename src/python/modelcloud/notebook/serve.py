"""``%mc_serve``: a model service started from the notebook in dev mode, stopped with the kernel.

The service is ``python cloud_model.py`` in its own process group, with the runtime's deployer
environment variables (MODELCLOUD_PORT, MODELCLOUD_RUNENV=dev; see serving/config.py). It stops:
- on ``%mc_serve --stop`` / ``%unload_ext modelcloud``;
- when the kernel exits normally (shutdown, restart): an atexit handler signals the group;
- when the kernel dies without running atexit (SIGKILL): on Linux the service's top process gets
  SIGTERM from the kernel's death (PR_SET_PDEATHSIG) and drains its worker.
"""

from __future__ import annotations

import atexit
import collections
import os
import re
import signal
import subprocess
import sys
import threading
from typing import Deque, Dict, List, Optional

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
_URL = re.compile(r"modelcloud: serving (\S+) .* on (http://\S+)")
_services: Dict[str, "Service"] = {}
_lock = threading.Lock()
_atexit_registered = False


class ServeError(Exception):
    """A one-line, user-facing failure (the magic shows it without a traceback)."""


class Service:
    def __init__(self, script: str, process: subprocess.Popen) -> None:
        self.script = script
        self.process = process
        self.url: Optional[str] = None
        self.name: Optional[str] = None
        self.lines: Deque[str] = collections.deque(maxlen=50)
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, name="modelcloud-serve-log", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            if self.url is None:
                match = _URL.search(line)
                if match:
                    self.name, self.url = match.group(1), match.group(2)
                    self._ready.set()
        self._ready.set()  # the process ended: stop waiting

    def wait_ready(self, timeout: float) -> bool:
        self._ready.wait(timeout)
        return self.url is not None

    def last_line(self) -> str:
        for line in reversed(self.lines):
            if line.strip() and not line.startswith("  File "):
                return line.strip()
        return "(no output)"

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError, AttributeError):
                self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError, AttributeError):
                    self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except Exception:
        pass


def resolve_script(path: str) -> str:
    script = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(script):
        script = os.path.join(script, "cloud_model.py")
    if not os.path.isfile(script):
        raise ServeError("no service file %s; pass the path of a cloud_model.py (or its folder), relative to %s"
                         % (script, os.getcwd()))
    return script


def start(path: str, port: int = 0, timeout: float = START_TIMEOUT_S) -> Service:
    """Start the service at ``path`` (a cloud_model.py or its folder) and wait until it serves."""
    script = resolve_script(path)
    stop_all_at_exit()
    with _lock:
        old = _services.pop(script, None)
    if old is not None:
        old.stop()
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["MODELCLOUD_PORT"] = str(port)
    env["MODELCLOUD_RUNENV"] = "dev"
    env["PYTHONUNBUFFERED"] = "1"
    try:
        process = subprocess.Popen([sys.executable, script], cwd=os.path.dirname(script), env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True,
                                   preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    except OSError as exc:
        raise ServeError("could not start %s with %s: %s" % (script, sys.executable, exc)) from None
    service = Service(script, process)
    if not service.wait_ready(timeout):
        code = process.poll()
        service.stop()
        if code is None:
            raise ServeError("%s did not start serving within %.0f s (last output: %s); run it in a terminal "
                             "to see why: python %s" % (script, timeout, service.last_line(), script))
        raise ServeError("%s exited with code %s before serving: %s" % (script, code, service.last_line()))
    with _lock:
        _services[script] = service
    return service


def stop(path: Optional[str] = None) -> List[Service]:
    """Stop the service started from ``path`` (every one when None); returns the stopped ones."""
    with _lock:
        if path is None:
            chosen = list(_services.values())
            _services.clear()
        else:
            script = resolve_script(path)
            service = _services.pop(script, None)
            chosen = [service] if service is not None else []
    for service in chosen:
        service.stop()
    return chosen


def running() -> List[Service]:
    with _lock:
        return [s for s in _services.values() if s.process.poll() is None]


def stop_all() -> None:
    stop(None)


def stop_all_at_exit() -> None:
    global _atexit_registered
    if not _atexit_registered:
        atexit.register(stop_all)
        _atexit_registered = True
