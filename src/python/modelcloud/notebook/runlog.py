"""Reading run logs (``<store>/runs/<id>.jsonl``, format v1) back into run summaries.

The notebook magics read the logs the client writes rather than the SQLite store: the logs are
always current (the store is only as fresh as the last ingest by the extension or CLI, and a
plain Jupyter has neither). Reading is incremental: a ``RunLogTail`` keeps its byte offset and
only parses what was appended since, so a live run card or a repeated ``%mc_runs`` costs the new
bytes only. A trailing line without its newline is still being written and is left for later.
"""

from __future__ import annotations

import json
import math
import os
from itertools import compress
from typing import Any, Dict, List, Optional, Tuple

from .._store import read_run_start, run_log_path, runs_dir

#: Points kept per metric for sparklines: past this, every other point is dropped and only every
#: 2nd, 4th, ... new point kept, so a million-point metric costs a few KB yet stays evenly sampled.
MAX_HISTORY_POINTS = 2048
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _number(value: Any) -> float:
    if value.__class__ is float:
        return value
    if isinstance(value, str):
        return _NON_FINITE.get(value, math.nan)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class RunLogTail:
    """The state of one run as read so far from its log; call ``refresh()`` to read new lines.

    ``keep_history=False`` keeps only the newest value per metric (for listing many runs).
    """

    def __init__(self, path: str, keep_history: bool = True) -> None:
        self.path = path
        self.keep_history = keep_history
        self.offset = 0
        self._rest = b""
        self.run_id: Optional[str] = None
        self.name = ""
        self.experiment = ""
        self.start_ms: Optional[int] = None
        self.end_ms: Optional[int] = None
        self.status = "RUNNING"
        self.source: Dict[str, Any] = {}
        self.user: Optional[str] = None
        self.params: Dict[str, str] = {}
        self.tags: Dict[str, str] = {}
        #: key -> (step, value) of the highest step seen.
        self.latest: Dict[str, Tuple[int, float]] = {}
        #: key -> [(step, value), ...] in the order logged, thinned past MAX_HISTORY_POINTS (keep_history only).
        self.history: Dict[str, List[Tuple[int, float]]] = {}
        self._seen: Dict[str, int] = {}
        self._stride: Dict[str, int] = {}
        self.models: List[Dict[str, Any]] = []
        self.valid = False

    def refresh(self) -> bool:
        """Read what was appended since the last call; True when something new was read."""
        try:
            size = os.path.getsize(self.path)
        except OSError:
            return False
        if size < self.offset:  # rewritten from scratch: start over
            self.__init__(self.path, self.keep_history)  # type: ignore[misc]
        if size == self.offset:
            return False
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read(size - self.offset)
        self.offset += len(data)
        if self._rest:
            data = self._rest + data
        lines = data.split(b"\n")
        self._rest = lines.pop()  # b"" after a complete last line; else a line still being written
        for line in lines:
            if line:
                self._apply_line(line)
        return bool(lines)

    def _apply_line(self, line: bytes) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return  # a corrupt line: the extension's ingest reports it; here it is skipped
        if not isinstance(event, dict):
            return
        kind = event.get("t")
        if kind == "metrics":
            self._apply_metrics(event)
        elif kind == "run_start":
            self.valid = True
            self.run_id = str(event.get("run", ""))
            self.name = str(event.get("name", ""))
            self.experiment = str(event.get("experiment", ""))
            self.start_ms = event.get("ts") if isinstance(event.get("ts"), int) else None
            self.source = event.get("source") if isinstance(event.get("source"), dict) else {}
            self.user = event.get("user") if isinstance(event.get("user"), str) else None
            if isinstance(event.get("tags"), dict):
                self.tags.update({str(k): str(v) for k, v in event["tags"].items()})
        elif kind == "params" and isinstance(event.get("params"), dict):
            self.params.update({str(k): str(v) for k, v in event["params"].items()})
        elif kind == "tags" and isinstance(event.get("tags"), dict):
            self.tags.update({str(k): str(v) for k, v in event["tags"].items()})
        elif kind == "model":
            self.models.append(event)
        elif kind == "run_end":
            self.status = str(event.get("status", "FINISHED"))
            self.end_ms = event.get("ts") if isinstance(event.get("ts"), int) else None

    def _apply_metrics(self, event: Dict[str, Any]) -> None:
        keys, values, steps = event.get("keys"), event.get("values"), event.get("steps")
        if not (isinstance(keys, list) and isinstance(values, list) and isinstance(steps, list)):
            return
        if len(keys) != len(values) or len(keys) != len(steps) or not keys:
            return
        # Work per key on whole columns (slices, max, C-level loops): a busy run's card refresh
        # must not steal the GIL from the training it shows.
        distinct = set(keys)
        if len(distinct) == 1:
            self._apply_series(keys[0], values, steps)
            return
        for key in distinct:  # one C-speed pass per key (runs log a handful of keys)
            self._apply_series(key, list(compress(values, map(key.__eq__, keys))),
                               list(compress(steps, map(key.__eq__, keys))))

    def _apply_series(self, key: Any, values: List[Any], steps: List[Any]) -> None:
        try:
            top = max(steps)
        except TypeError:  # not the integers the format promises: read what can be read
            steps = [int(s) if isinstance(s, (int, float)) else 0 for s in steps]
            top = max(steps)
        at = len(steps) - 1 if steps[-1] == top else steps.index(top)
        old = self.latest.get(key)
        if old is None or top >= old[0]:
            self.latest[key] = (top, _number(values[at]))
        if not self.keep_history:
            return
        series = self.history.get(key)
        if series is None:
            series = self.history[key] = []
            self._seen[key] = 0
            self._stride[key] = 1
        seen, stride = self._seen[key], self._stride[key]
        first = (-seen) % stride
        series.extend(zip(steps[first::stride], [_number(v) for v in values[first::stride]]))
        self._seen[key] = seen + len(steps)
        while len(series) > MAX_HISTORY_POINTS:
            series = self.history[key] = series[::2]
            self._stride[key] = stride = stride * 2


_summaries: Dict[str, RunLogTail] = {}


def read_run(path: str) -> Optional[RunLogTail]:
    """The summary (latest metric values, params, tags, status) of one run log, or None if it is
    not one. Kept between calls and only topped up with what was appended since: a repeated
    ``%mc_runs`` over long logs reads the new bytes only."""
    tail = _summaries.get(path)
    if tail is None:
        tail = _summaries[path] = RunLogTail(path, keep_history=False)
    tail.refresh()
    return tail if tail.valid else None


def list_run_logs(store: str) -> List[Tuple[int, str, Dict[str, Any]]]:
    """``(start_ms, path, run_start)`` of every run log in the store, newest first."""
    folder = runs_dir(store)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for name in names:
        if not name.endswith(".jsonl"):
            continue
        path = os.path.join(folder, name)
        start = read_run_start(path)
        if start is not None:
            ts = start.get("ts") if isinstance(start.get("ts"), int) else 0
            found.append((ts, path, start))
    found.sort(key=lambda item: item[0], reverse=True)
    return found


def find_run(store: str, ref: str) -> Optional[str]:
    """The log path of the run whose id (or a unique id prefix of 6+ characters) or name is ``ref``.

    Raises LookupError when a prefix or name matches several runs."""
    exact = run_log_path(store, ref)
    if len(ref) == 32 and os.path.isfile(exact):
        return exact
    by_prefix = []
    by_name = []
    for _ts, path, start in list_run_logs(store):
        run_id = str(start.get("run", ""))
        if len(ref) >= 6 and run_id.startswith(ref.lower()):
            by_prefix.append(path)
        elif start.get("name") == ref:
            by_name.append(path)
    for matches, what in ((by_prefix, "id prefix"), (by_name, "name")):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise LookupError("%d runs match the %s %r; use the full run id" % (len(matches), what, ref))
    return None
