"""Prometheus metrics, counted per worker in a memory-mapped file and summed on /metrics.

Each worker owns ``metrics-<pid>.bin`` in the state folder: a fixed array of float64 slots it alone
writes (an increment is one memory write, no lock, no system call). Whichever worker answers
/metrics reads every file, so the numbers cover all workers, including ones that have exited
(counters never go backwards). The layout depends only on the declared commands, so all workers of
one server agree on it; a header hash guards against files of another layout.

Exposed:
    modelcloud_requests_total{command,code}          requests to POST /<command> by status code
    modelcloud_request_duration_seconds{command}     histogram of their handling time
    modelcloud_errors_total                          command requests answered 5xx
    modelcloud_model_reloads_total{result}           hot-update reloads: success | failure
    modelcloud_model_info{version}                   workers serving each model version
    modelcloud_workers                               worker processes the master runs
"""

from __future__ import annotations

import bisect
import glob
import mmap
import os
import struct
import zlib
from typing import Dict, Iterable, List, Sequence

CODES = (200, 400, 401, 403, 404, 405, 408, 411, 413, 415, 422, 429, 500, 502, 503, 504)
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_HEADER = 2  # [layout hash, pid]
_GLOBALS = 3  # errors, reloads ok, reloads failed


class MetricsLayout:
    def __init__(self, commands: Sequence[str]) -> None:
        self.commands = list(commands)
        self.code_slot = {code: i for i, code in enumerate(CODES)}
        self.other_code = len(CODES)
        self.per_command = len(CODES) + 1 + len(BUCKETS) + 1 + 2  # codes, other, buckets, +Inf, sum, count
        self.size = _HEADER + _GLOBALS + self.per_command * len(self.commands)
        self.hash = float(zlib.crc32(("|".join(self.commands) + "|%d|%d" % (len(CODES), len(BUCKETS))).encode()))

    def base(self, index: int) -> int:
        return _HEADER + _GLOBALS + index * self.per_command


class WorkerMetrics:
    """The counters of this process; ``request()`` is called once per command request."""

    def __init__(self, folder: str, layout: MetricsLayout) -> None:
        self.layout = layout
        self.path = os.path.join(folder, "metrics-%d.bin" % os.getpid())
        with open(self.path, "wb") as f:
            f.write(b"\0" * 8 * layout.size)
        fd = os.open(self.path, os.O_RDWR)
        try:
            self._map = mmap.mmap(fd, 8 * layout.size)
        finally:
            os.close(fd)
        self.slots = memoryview(self._map).cast("d")
        self.slots[0] = layout.hash
        self.slots[1] = float(os.getpid())
        self._bases = {name: layout.base(i) for i, name in enumerate(layout.commands)}
        self._code_slot = layout.code_slot
        self._other = layout.other_code
        self._bucket0 = len(CODES) + 1
        self._sum = self._bucket0 + len(BUCKETS) + 1

    def request(self, command: str, code: int, seconds: float) -> None:
        base = self._bases[command]
        slots = self.slots
        slots[base + self._code_slot.get(code, self._other)] += 1
        slots[base + self._bucket0 + bisect.bisect_left(BUCKETS, seconds)] += 1
        slots[base + self._sum] += seconds
        slots[base + self._sum + 1] += 1
        if code >= 500:
            slots[_HEADER] += 1

    def reload(self, ok: bool) -> None:
        self.slots[_HEADER + (1 if ok else 2)] += 1


def _read_all(folder: str, layout: MetricsLayout) -> List[Sequence[float]]:
    out = []
    for path in glob.glob(os.path.join(folder, "metrics-*.bin")):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if len(data) != 8 * layout.size:
            continue
        values = struct.unpack("%dd" % layout.size, data)
        if values[0] == layout.hash:
            out.append(values)
    return out


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def render(folder: str, layout: MetricsLayout, versions: Dict[str, int], workers: int) -> str:
    """Prometheus text exposition format 0.0.4 of the summed counters."""
    files = _read_all(folder, layout)
    total = [sum(values) for values in zip(*files)] if files else [0.0] * layout.size
    lines: List[str] = []

    def family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> None:
        lines.append("# HELP %s %s" % (name, help_text))
        lines.append("# TYPE %s %s" % (name, kind))
        lines.extend(samples)

    def requests() -> Iterable[str]:
        for i, command in enumerate(layout.commands):
            base = layout.base(i)
            for code, slot in list(layout.code_slot.items()) + [("other", layout.other_code)]:
                count = total[base + slot]
                if count:
                    yield 'modelcloud_requests_total{command="%s",code="%s"} %s' % (_escape(command), code, _num(count))

    def durations() -> Iterable[str]:
        bucket0 = len(CODES) + 1
        for i, command in enumerate(layout.commands):
            base = layout.base(i)
            label = _escape(command)
            cumulative = 0.0
            for j, bound in enumerate(BUCKETS):
                cumulative += total[base + bucket0 + j]
                yield 'modelcloud_request_duration_seconds_bucket{command="%s",le="%s"} %s' % (label, bound, _num(cumulative))
            count = total[base + bucket0 + len(BUCKETS) + 2]
            yield 'modelcloud_request_duration_seconds_bucket{command="%s",le="+Inf"} %s' % (label, _num(count))
            yield 'modelcloud_request_duration_seconds_sum{command="%s"} %s' % (label, repr(total[base + bucket0 + len(BUCKETS) + 1]))
            yield 'modelcloud_request_duration_seconds_count{command="%s"} %s' % (label, _num(count))

    family("modelcloud_requests_total", "counter", "Requests to service commands by status code.", requests())
    family("modelcloud_request_duration_seconds", "histogram", "Time to handle a command request.", durations())
    family("modelcloud_errors_total", "counter", "Command requests answered with a 5xx status.",
           ["modelcloud_errors_total %s" % _num(total[_HEADER])])
    family("modelcloud_model_reloads_total", "counter", "Hot-update model reloads by result.",
           ['modelcloud_model_reloads_total{result="success"} %s' % _num(total[_HEADER + 1]),
            'modelcloud_model_reloads_total{result="failure"} %s' % _num(total[_HEADER + 2])])
    family("modelcloud_model_info", "gauge", "Number of workers serving each model version.",
           ['modelcloud_model_info{version="%s"} %d' % (_escape(v), n) for v, n in sorted(versions.items())])
    family("modelcloud_workers", "gauge", "Worker processes serving requests.", ["modelcloud_workers %d" % workers])
    return "\n".join(lines) + "\n"
