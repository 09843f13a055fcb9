"""HTML tables of ``%mc_runs`` and ``%mc_compare`` (self-contained: inline styles, no scripts)."""

from __future__ import annotations

import html
import time
from collections import Counter
from typing import List, Optional

from .._writer import now_ms
from .run_card import STATUS_COLOURS, format_number
from .runlog import RunLogTail

MAX_METRIC_COLUMNS = 6
MAX_PARAM_COLUMNS = 6
_TABLE = '<table class="modelcloud-table" style="border-collapse:collapse;font-size:12px;font-family:sans-serif">'
_TH = '<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #999">%s</th>'
_TD = '<td style="padding:2px 8px;%s">%s</td>'


def _when(ms: Optional[int]) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000.0)) if ms else ""


def _duration(run: RunLogTail) -> str:
    if not run.start_ms:
        return ""
    end = run.end_ms or now_ms()
    seconds = max(0.0, (end - run.start_ms) / 1000.0)
    return "%.1f s" % seconds if seconds < 60 else "%d min" % (seconds // 60)


def _status(status: str) -> str:
    return '<span style="color:%s;font-weight:600">%s</span>' % (STATUS_COLOURS.get(status, "inherit"),
                                                                 html.escape(status))


def runs_table(runs: List[RunLogTail], title: str) -> str:
    esc = html.escape
    if not runs:
        return "<p style=\"font-family:sans-serif\">%s</p>" % esc(title)
    metric_counts = Counter(k for r in runs for k in r.latest)
    metrics = [k for k, _n in sorted(metric_counts.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_METRIC_COLUMNS]
    param_keys = sorted({k for r in runs for k in r.params})
    varying = [k for k in param_keys if len({r.params.get(k) for r in runs}) > 1][:MAX_PARAM_COLUMNS]
    head = ["run", "id", "experiment", "status", "started", "duration"] + metrics + ["params." + k for k in varying]
    rows = [_TABLE, "<caption style='text-align:left;font-weight:600'>%s</caption><tr>" % esc(title)]
    rows.extend(_TH % esc(h) for h in head)
    rows.append("</tr>")
    for run in runs:
        cells = [_TD % ("", esc(run.name)), _TD % ("font-family:monospace", esc((run.run_id or "")[:8])),
                 _TD % ("", esc(run.experiment)), _TD % ("", _status(run.status)), _TD % ("", esc(_when(run.start_ms))),
                 _TD % ("", esc(_duration(run)))]
        cells.extend(_TD % ("text-align:right", esc(format_number(run.latest[k][1]) if k in run.latest else ""))
                     for k in metrics)
        cells.extend(_TD % ("", esc(run.params.get(k, ""))) for k in varying)
        rows.append("<tr>%s</tr>" % "".join(cells))
    rows.append("</table>")
    return "".join(rows)


def compare_table(runs: List[RunLogTail]) -> str:
    """Params and metrics of the runs side by side; rows whose values differ are highlighted."""
    esc = html.escape
    head = [""] + ["%s<br><span style='font-family:monospace;opacity:.7'>%s</span>"
                   % (esc(r.name), esc((r.run_id or "")[:8])) for r in runs]
    out = [_TABLE, "<tr>"]
    out.extend(_TH % h for h in head)
    out.append("</tr>")

    def section(title: str) -> None:
        out.append('<tr><td colspan="%d" style="padding:6px 8px 2px;font-weight:600">%s</td></tr>'
                   % (len(runs) + 1, esc(title)))

    def row(label: str, values: List[str]) -> None:
        differs = len(set(values)) > 1
        style = "background:rgba(255,200,0,.18);" if differs else "opacity:.6;"
        out.append("<tr>%s%s</tr>" % (_TD % (style, esc(label)), "".join(_TD % (style, esc(v)) for v in values)))

    row("status", [r.status for r in runs])
    row("experiment", [r.experiment for r in runs])
    metric_keys = sorted({k for r in runs for k in r.latest})
    if metric_keys:
        section("metrics (last value)")
        for key in metric_keys:
            row(key, [format_number(r.latest[key][1]) if key in r.latest else "" for r in runs])
    param_keys = sorted({k for r in runs for k in r.params})
    if param_keys:
        differing = [k for k in param_keys if len({r.params.get(k) for r in runs}) > 1]
        same = [k for k in param_keys if k not in differing]
        section("params (%d differ, %d equal)" % (len(differing), len(same)))
        for key in differing + same:
            row(key, [r.params.get(key, "") for r in runs])
    out.append("</table>")
    return "".join(out)
