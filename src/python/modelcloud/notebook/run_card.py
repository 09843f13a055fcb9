"""Run cards: the live output of a ``%%mc_run`` cell.

CONTRACT with the VS Code notebook renderer (TypeScript twin: ``src/protocol/notebookRunCard.ts``;
change both together and bump ``schema`` on an incompatible change). One output per cell, MIME
type ``application/vnd.modelcloud.run+json``, displayed with a display_id and updated in place
about once a second while the cell runs and a last time when the run ends. Its data::

    class RunCardMetric(TypedDict):
        last: Optional[float]          # value at the highest step; None (JSON null) for NaN/Infinity
        step: int                      # the step of `last`
        spark: List[Optional[float]]   # values in step order, downsampled to <= 60 points

    class RunCardNotebook(TypedDict):
        path: Optional[str]            # absolute notebook path, None when the kernel cannot tell
        cell: Optional[int]            # the execution count (In [n])
        sourceSha256: str              # sha256 hex of the cell source as executed

    class RunCardPayload(TypedDict):
        schema: Literal[1]
        runId: str                     # 32 lowercase hex
        runName: str
        experiment: str
        status: str                    # RUNNING | FINISHED | FAILED | KILLED (Ctrl-C / interrupt)
        startMs: int                   # epoch ms
        endMs: Optional[int]           # None while RUNNING
        storeDir: str                  # absolute path of the .modelcloud store
        params: Dict[str, str]         # at most 20, sorted by name
        paramsTruncated: int           # how many params were left out
        metrics: Dict[str, RunCardMetric]   # keys sorted
        notebook: RunCardNotebook

The same bundle carries a ``text/html`` fallback for other frontends (JupyterLab, nbviewer,
GitHub): self-contained, inline SVG sparklines, no scripts, no external resources.
"""

from __future__ import annotations

import html
import math
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .runlog import RunLogTail

MIME_TYPE = "application/vnd.modelcloud.run+json"
SCHEMA = 1
MAX_PARAMS = 20
MAX_SPARK_POINTS = 60

STATUS_COLOURS = {"RUNNING": "#1a73e8", "FINISHED": "#188038", "FAILED": "#d93025", "KILLED": "#b06000"}


def _finite(value: float) -> Optional[float]:
    return value if math.isfinite(value) else None


def downsample(values: Sequence[Any], limit: int = MAX_SPARK_POINTS) -> List[Any]:
    """At most ``limit`` values, evenly spaced, always keeping the first and the last."""
    count = len(values)
    if count <= limit:
        return list(values)
    if limit < 2:
        return [values[-1]]
    stride = (count - 1) / (limit - 1)
    return [values[int(round(i * stride))] for i in range(limit)]


def _series(points: List[Tuple[int, float]]) -> List[Tuple[int, float]]:
    # Points arrive in step order almost always; sort (stably) only when they did not.
    if any(points[i][0] > points[i + 1][0] for i in range(len(points) - 1)):
        return sorted(points, key=lambda p: p[0])
    return points


def build_payload(tail: RunLogTail, store_dir: str, notebook: Dict[str, Any],
                  status: Optional[str] = None, end_ms: Optional[int] = None) -> Dict[str, Any]:
    """The run card of the run ``tail`` has read so far. ``status``/``end_ms`` override what the
    log says (the magic knows the final status a moment before the log's last flush)."""
    names = sorted(tail.params)
    metrics: Dict[str, Any] = {}
    for key in sorted(tail.latest):
        step, last = tail.latest[key]
        points = _series(tail.history.get(key, [(step, last)]))
        spark = [_finite(v) for _s, v in downsample(points)]
        if points[-1][0] != step:  # the newest point was thinned out of the history: end on it
            spark[-1] = _finite(last)
        metrics[key] = {"last": _finite(last), "step": step, "spark": spark}
    return {
        "schema": SCHEMA,
        "runId": tail.run_id or "",
        "runName": tail.name,
        "experiment": tail.experiment,
        "status": status or tail.status,
        "startMs": tail.start_ms or 0,
        "endMs": end_ms if end_ms is not None else tail.end_ms,
        "storeDir": os.path.abspath(store_dir),
        "params": {k: tail.params[k] for k in names[:MAX_PARAMS]},
        "paramsTruncated": max(0, len(names) - MAX_PARAMS),
        "metrics": metrics,
        "notebook": {"path": notebook.get("path"), "cell": notebook.get("cell"),
                     "sourceSha256": notebook.get("sourceSha256", "")},
    }


def sparkline_svg(values: Sequence[Optional[float]], width: int = 120, height: int = 24) -> str:
    """An inline SVG polyline of the finite values (empty string when fewer than two)."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return ""
    low = min(v for _i, v in points)
    high = max(v for _i, v in points)
    span = (high - low) or 1.0
    last_index = max(len(values) - 1, 1)
    coords = " ".join("%.1f,%.1f" % (2 + (width - 4) * i / last_index, height - 2 - (height - 4) * (v - low) / span)
                      for i, v in points)
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" '
            'aria-label="trend"><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="%s"/></svg>'
            % (width, height, width, height, coords))


def format_number(value: float) -> str:
    """A metric value for display: integers without a point, else 4 significant digits."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return "%.4g" % value


def _shown(last: Optional[float]) -> str:
    return "NaN/Inf" if last is None else format_number(last)  # the payload nulls non-finite values


def _duration(payload: Dict[str, Any], now_ms: int) -> str:
    end = payload["endMs"] if payload["endMs"] is not None else now_ms
    seconds = max(0, (end - payload["startMs"]) / 1000.0)
    if seconds < 60:
        return "%.1f s" % seconds
    return "%d min %02d s" % (seconds // 60, seconds % 60)


def render_html(payload: Dict[str, Any], now_ms: int) -> str:
    """The text/html fallback: a compact card (no scripts, inline styles only)."""
    esc = html.escape
    colour = STATUS_COLOURS.get(payload["status"], "#5f6368")
    parts = [
        '<div class="modelcloud-run-card" style="font-family:sans-serif;font-size:13px;border:1px solid #ccc;'
        'border-radius:6px;padding:8px 12px;max-width:720px">',
        '<div><span style="background:%s;color:#fff;border-radius:3px;padding:1px 6px;font-size:11px">%s</span> '
        '<b>%s</b> <span style="opacity:.7">in %s · %s · run %s</span></div>'
        % (colour, esc(payload["status"]), esc(payload["runName"]), esc(payload["experiment"]),
           esc(_duration(payload, now_ms)), esc(payload["runId"][:8])),
    ]
    if payload["metrics"]:
        parts.append('<table style="border-collapse:collapse;margin-top:6px">')
        for key, metric in payload["metrics"].items():
            parts.append('<tr><td style="padding:1px 8px 1px 0">%s</td><td style="padding:1px 8px;text-align:right">'
                         '<b>%s</b></td><td style="padding:1px 8px;opacity:.7">step %d</td><td>%s</td></tr>'
                         % (esc(key), esc(_shown(metric["last"])), metric["step"], sparkline_svg(metric["spark"])))
        parts.append("</table>")
    if payload["params"]:
        shown = ", ".join("%s=%s" % (esc(k), esc(v if len(v) <= 40 else v[:39] + "…"))
                          for k, v in payload["params"].items())
        more = " (+%d more)" % payload["paramsTruncated"] if payload["paramsTruncated"] else ""
        parts.append('<div style="margin-top:6px;opacity:.8">params: %s%s</div>' % (shown, esc(more)))
    parts.append("</div>")
    return "".join(parts)


def bundle(payload: Dict[str, Any], now_ms: int) -> Dict[str, Any]:
    """The MIME bundle for IPython.display.display(..., raw=True)."""
    return {MIME_TYPE: payload, "text/html": render_html(payload, now_ms),
            "text/plain": "Modelcloud run %s (%s) %s" % (payload["runName"], payload["runId"], payload["status"])}
