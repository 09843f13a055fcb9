"""State shared by the master and the workers of one server, kept in MODELCLOUD_STATE_DIR.

    control.bin        mmap'd int64 counters; [0] = model version sequence number. Workers compare
                       it with the sequence they loaded after every request (check_cache): a memory
                       read, no system call.
    version.json       {"seq", "label", "files_sig"}: what the current sequence number means.
    reload.lock        flock held by the one worker that is reloading (busy_signal).
    bump.lock          flock serialising version bumps (admin requests in any worker, the master's
                       model-file watcher).
    reload.json        outcome of the last reload attempt {"seq", "ok", "error"}, so other workers do
                       not retry a version that already failed.
    master.json        {"pid", "workers", "pids", "runenv"} written by the master.
    worker-<pid>.json  {"pid", "ready", "seq", "version", "reload_error"} written by each worker.
    metrics-<pid>.bin  each worker's counters (see metrics.py).
    conns.bin          mmap'd open-connection count per worker slot, for balancing accepts.
Small JSON files are replaced atomically (write + rename) so readers never see half a file.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import json
import mmap
import os
import time
from typing import Any, Dict, List, Optional

CONTROL_SLOTS = 8
MAX_WORKERS = 64
NO_WORKER = 1 << 40  # connection count of an unused worker slot


def write_json_atomic(path: str, data: Dict[str, Any]) -> None:
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def read_json(path: str) -> Optional[Dict[str, Any]]:
    try:
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SharedState:
    def __init__(self, folder: str) -> None:
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self._control_path = os.path.join(folder, "control.bin")
        self._control_map: Optional[mmap.mmap] = None
        self.control: Any = None
        self.conns: Any = None
        self._reload_lock_fd: Optional[int] = None

    def path(self, name: str) -> str:
        return os.path.join(self.folder, name)

    # -- lifecycle (master) -----------------------------------------------------------------
    def initialise(self, label: str, files_sig: str) -> None:
        """Master, before workers start: fresh counters, version 1, no stale worker files."""
        for pattern in ("worker-*.json", "metrics-*.bin", "reload.json", "*.tmp"):
            for stale in glob.glob(os.path.join(self.folder, pattern)):
                try:
                    os.unlink(stale)
                except OSError:
                    pass
        write_json_atomic(self.path("version.json"), {"seq": 1, "label": label, "files_sig": files_sig,
                                                     "at": time.time()})
        with open(self._control_path, "wb") as f:
            f.write(b"\0" * 8 * CONTROL_SLOTS)
        with open(self.path("conns.bin"), "wb") as f:
            f.write(b"\0" * 8 * MAX_WORKERS)
        self.open_control()
        self.control[0] = 1
        for i in range(MAX_WORKERS):
            self.conns[i] = NO_WORKER

    def open_control(self) -> None:
        fd = os.open(self._control_path, os.O_RDWR)
        try:
            self._control_map = mmap.mmap(fd, 8 * CONTROL_SLOTS)
        finally:
            os.close(fd)
        self.control = memoryview(self._control_map).cast("q")
        fd = os.open(self.path("conns.bin"), os.O_RDWR)
        try:
            self._conns_map = mmap.mmap(fd, 8 * MAX_WORKERS)
        finally:
            os.close(fd)
        self.conns = memoryview(self._conns_map).cast("q")

    # -- model version ------------------------------------------------------------------------
    def current_seq(self) -> int:
        return int(self.control[0])

    def read_version(self) -> Dict[str, Any]:
        return read_json(self.path("version.json")) or {"seq": self.current_seq(), "label": "unknown",
                                                          "files_sig": ""}

    def bump(self, label: Optional[str], files_sig: str, source: str) -> Dict[str, Any]:
        """Announces a new model version; workers pick it up one at a time. Returns version.json."""
        fd = os.open(self.path("bump.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            current = self.read_version()
            seq = max(int(current.get("seq", 0)), self.current_seq()) + 1
            version = {"seq": seq, "label": label or "reload-%d" % seq, "files_sig": files_sig,
                       "source": source, "at": time.time()}
            write_json_atomic(self.path("version.json"), version)
            self.control[0] = seq  # last: a worker seeing the new number finds version.json ready
            return version
        finally:
            os.close(fd)  # releases the flock

    # -- busy_signal: one reloading worker at a time ----------------------------------------
    def try_lock_reload(self) -> bool:
        fd = os.open(self.path("reload.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        self._reload_lock_fd = fd
        return True

    def unlock_reload(self) -> None:
        if self._reload_lock_fd is not None:
            os.close(self._reload_lock_fd)
            self._reload_lock_fd = None

    def record_reload(self, seq: int, ok: bool, error: Optional[str]) -> None:
        write_json_atomic(self.path("reload.json"), {"seq": seq, "ok": ok, "error": error, "pid": os.getpid(),
                                                    "at": time.time()})

    def reload_status(self) -> Optional[Dict[str, Any]]:
        return read_json(self.path("reload.json"))

    # -- processes -------------------------------------------------------------------------------
    def write_master(self, data: Dict[str, Any]) -> None:
        write_json_atomic(self.path("master.json"), data)

    def read_master(self) -> Dict[str, Any]:
        return read_json(self.path("master.json")) or {}

    def write_worker(self, data: Dict[str, Any]) -> None:
        write_json_atomic(self.path("worker-%d.json" % os.getpid()), data)

    def live_workers(self) -> List[Dict[str, Any]]:
        """Status of the workers the master currently runs."""
        pids = self.read_master().get("pids", [])
        out = []
        for pid in pids:
            status = read_json(self.path("worker-%d.json" % pid))
            out.append(status or {"pid": pid, "ready": False})
        return out
