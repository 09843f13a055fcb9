"""The pure parts behind the notebook magics, on real run logs written by the client: the run-log
tail, the run card payload and HTML, the %mc_runs filter grammar."""

from __future__ import annotations

import json
import math

import pytest

import modelcloud
from modelcloud.notebook import run_card
from modelcloud.notebook.run_filter import FilterError, compile_filter
from modelcloud.notebook.runlog import MAX_HISTORY_POINTS, RunLogTail, find_run


def test_tail_reads_only_complete_lines_and_thins_long_histories(store):
    run = modelcloud.start_run(name="tail", experiment="units")
    tail = RunLogTail(run.log_path)
    assert tail.refresh() and tail.name == "tail" and tail.status == "RUNNING"
    for i in range(MAX_HISTORY_POINTS * 3 + 7):
        run.log_metric("loss", 1.0 / (i + 1))
    run.log_metric("odd", math.inf)
    run.flush()
    with open(run.log_path, "ab") as f:  # a line still being written: not read yet
        f.write(b'{"v":1,"t":"tags","ts":1,"tags":{"late":"yes"}')
    tail.refresh()
    assert "late" not in tail.tags
    with open(run.log_path, "ab") as f:
        f.write(b"}\n")
    tail.refresh()
    assert tail.tags["late"] == "yes"
    history = tail.history["loss"]
    assert len(history) <= MAX_HISTORY_POINTS and history[0] == (0, 1.0)
    gaps = {b[0] - a[0] for a, b in zip(history, history[1:])}
    assert len(gaps) == 1, "thinned evenly"
    assert tail.latest["loss"][0] == MAX_HISTORY_POINTS * 3 + 6
    run.end()
    tail.refresh()
    assert tail.status == "FINISHED" and tail.end_ms is not None


def test_run_card_payload_and_html(store):
    run = modelcloud.start_run(name="<card>", experiment="units")
    run.log_params({"p%02d" % i: i for i in range(25)})
    run.log_param("evil", "<script>alert(1)</script>")
    for i in range(200):
        run.log_metric("b_loss", 1.0 / (i + 1))
    run.log_metric("a_nan", float("nan"))
    run.end()
    tail = RunLogTail(run.log_path)
    tail.refresh()
    payload = run_card.build_payload(tail, str(store), {"path": "/x.ipynb", "cell": 3, "sourceSha256": "ab"})
    json.dumps(payload, allow_nan=False)  # strict JSON: NaN travels as null
    assert payload["schema"] == 1 and payload["status"] == "FINISHED" and payload["runName"] == "<card>"
    assert list(payload["metrics"]) == ["a_nan", "b_loss"]
    assert payload["metrics"]["a_nan"] == {"last": None, "step": 0, "spark": [None]}
    loss = payload["metrics"]["b_loss"]
    assert len(loss["spark"]) == 60 and loss["spark"][0] == 1.0 and loss["spark"][-1] == loss["last"] == 1 / 200
    assert len(payload["params"]) == 20 and payload["paramsTruncated"] == 6
    assert payload["notebook"] == {"path": "/x.ipynb", "cell": 3, "sourceSha256": "ab"}
    page = run_card.render_html(payload, payload["endMs"])
    assert "<script" not in page and "&lt;card&gt;" in page and "<polyline" in page
    bundle = run_card.bundle(payload, payload["endMs"])
    assert set(bundle) == {run_card.MIME_TYPE, "text/html", "text/plain"}


def test_find_run_by_id_prefix_and_name(store):
    first = modelcloud.start_run(name="same", experiment="units")
    first.end()
    second = modelcloud.start_run(name="same", experiment="units")
    second.end()
    assert find_run(str(store), first.id) == first.log_path
    assert find_run(str(store), second.id[:8]) == second.log_path
    with pytest.raises(LookupError, match="2 runs match the name 'same'"):
        find_run(str(store), "same")
    assert find_run(str(store), "nothing-like-it") is None


@pytest.mark.parametrize("query, expected", [
    ("metrics.f1 > 0.9 and params.depth = '5' and tags.team LIKE 'm%' and attributes.status = 'FINISHED'", True),
    ("metrics.f1 < 0.9", False),
    ("metric.`f1` >= 0.95", True),
    ("params.depth IN ('4', '5')", True),
    ("params.depth NOT IN ('5')", False),
    ("tags.missing IS NULL and tags.team IS NOT NULL", True),
    ("tags.team ILIKE 'ML'", True),
    ("tags.team LIKE 'ML'", False),
    ("run_name = 'r1' and experiment = 'e'", True),
    ("metrics.missing > 0", False),
])
def test_filter_grammar(query, expected):
    run = RunLogTail("unused")
    run.latest = {"f1": (3, 0.95)}
    run.params = {"depth": "5"}
    run.tags = {"team": "ml"}
    run.status, run.name, run.experiment = "FINISHED", "r1", "e"
    assert compile_filter(query)(run) is expected


@pytest.mark.parametrize("query, message", [
    ("metrics.f1 >", "expected a value at the end"),
    ("metrics.f1 > 1 or metrics.f1 < 0", "OR is not supported"),
    ("foo.bar = 1", "unknown key prefix 'foo'"),
    ("metrics.f1 = 'high'", "is numeric"),
    ("params.depth = 5", "quote the value"),
    ("attributes.colour = 'red'", "unknown attribute 'colour'"),
    ("metrics.f1 ~ 1", "unexpected '~ 1' at character 12"),
])
def test_filter_errors_say_what_and_where(query, message):
    with pytest.raises(FilterError, match=message.replace("(", r"\(")):
        compile_filter(query)
