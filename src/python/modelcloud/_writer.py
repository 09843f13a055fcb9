"""Append-only writer of one run log (`<store>/runs/<run_id>.jsonl`, format v1).

Why it is built this way:
- ``log_metric`` must cost well under a microsecond, so the caller only appends
  a ``(key, value, step, ts)`` tuple to a deque (atomic under the GIL, no lock a
  signal handler could deadlock on). Everything else happens in a daemon thread.
- The thread flushes every FLUSH_INTERVAL_S (well inside the 200 ms promise):
  it drains the deque, serialises everything pending into whole lines and hands
  them to ONE write call followed by flush(). A process killed with SIGKILL
  therefore leaves at most one partial trailing line; every complete line is
  valid JSON.
- Non-metric events (params, tags, artifacts, run_end) are serialised by the
  caller and queued as ready-made lines in the same deque, so the file keeps the
  order in which things were logged.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from collections import deque
from typing import Any, Deque, Dict, List, Union

FLUSH_INTERVAL_S = 0.1
POINTS_PER_LINE = 10000
RUN_LOG_VERSION = 1

_dumps_strict = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
# Metric points are flat tuples of str/float/int: skipping the cycle check saves ~20%.
_dumps_points = json.JSONEncoder(separators=(",", ":"), allow_nan=False, check_circular=False).encode


def now_ms() -> int:
    return int(time.time() * 1000)


def encode_event(event: Dict[str, Any]) -> str:
    """One strict-JSON line (with its '\\n') for a non-metric event."""
    return _dumps_strict(event) + "\n"


def _json_value(value: float) -> Union[float, str]:
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return value


def encode_metric_lines(points: List[tuple], ts: int) -> List[str]:
    """Serialise (key, value, step, time) points as columnar ``metrics`` events.

    At most POINTS_PER_LINE points a line. The transpose is ``zip(*chunk)``, done
    in C; columns of plain numbers are also what readers parse fastest.
    """
    lines = []
    head = '{"v":%d,"t":"metrics","ts":%d,"keys":' % (RUN_LOG_VERSION, ts)
    for start in range(0, len(points), POINTS_PER_LINE):
        keys, values, steps, times = zip(*points[start:start + POINTS_PER_LINE])
        try:
            values_json = _dumps_points(values)
        except ValueError:
            # Only taken when the chunk holds NaN/Infinity: strict JSON has no
            # literal for them, the v1 format spells them as strings.
            values_json = _dumps_points([_json_value(v) for v in values])
        lines.append(
            head + _dumps_points(keys) + ',"values":' + values_json + ',"steps":' + _dumps_points(steps)
            + ',"times":' + _dumps_points(times) + "}\n"
        )
    return lines


class RunLogWriter:
    """Owns the open run log file and the background flusher thread."""

    def __init__(self, path: str, first_line: str) -> None:
        self.path = path
        self._pending: Deque[Union[tuple, str]] = deque()
        # Lines taken off the deque but not yet written; kept so that a flush
        # interrupted (e.g. by a signal handler that flushes again) loses nothing.
        self._inflight: List[Union[tuple, str]] = []
        self._write_lock = threading.RLock()
        self._stop = threading.Event()
        self._reported_error = False
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self._file = open(path, "ab")
        # run_start goes to disk at once so readers see the run as RUNNING.
        self._file.write(first_line.encode("utf-8"))
        self._file.flush()
        #: Bound method exposed for the hot path: ``writer.append(point)``.
        self.append = self._pending.append
        self._thread = threading.Thread(target=self._flush_loop, name="modelcloud-flush", daemon=True)
        self._thread.start()

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_INTERVAL_S):
            if self._pending:
                self._flush_reporting_errors()

    def _flush_reporting_errors(self) -> None:
        try:
            self.flush()
        except Exception as exc:  # keep the thread alive; retry on the next tick
            if not self._reported_error:
                self._reported_error = True
                sys.stderr.write(
                    "modelcloud: could not write run log %s: %s (will keep retrying; "
                    "check the disk and folder permissions)\n" % (self.path, exc)
                )

    def flush(self) -> None:
        """Write everything logged so far as whole lines, in one write call."""
        with self._write_lock:
            if self._file is None:
                return
            popleft = self._pending.popleft
            inflight = self._inflight
            inflight.extend([popleft() for _ in range(len(self._pending))])
            if not inflight:
                return
            data = self._serialise(inflight)
            self._file.write(data)
            self._file.flush()
            self._inflight = []

    @staticmethod
    def _serialise(items: List[Union[tuple, str]]) -> bytes:
        ts = now_ms()
        if str not in set(map(type, items)):  # the usual flush: metric points only (C-speed check)
            return "".join(encode_metric_lines(items, ts)).encode("utf-8")
        parts: List[str] = []
        points: List[tuple] = []
        for item in items:
            if item.__class__ is tuple:
                points.append(item)
            else:
                if points:
                    parts.extend(encode_metric_lines(points, ts))
                    points = []
                parts.append(item)  # a ready-made event line
        if points:
            parts.extend(encode_metric_lines(points, ts))
        return "".join(parts).encode("utf-8")

    def close(self) -> None:
        """Stop the flusher, write what is left, fsync and close. Idempotent."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._write_lock:
            if self._file is None:
                return
            try:
                self.flush()
                try:
                    os.fsync(self._file.fileno())
                except OSError:
                    pass  # fsync is best effort (some filesystems refuse it)
            finally:
                self._file.close()
                self._file = None
