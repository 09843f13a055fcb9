"""The TypeScript Prometheus parser (src/core/monitoring/prometheusText.ts) on REAL exposition text:
prometheus_client.generate_latest() made live, and our serving runtime's /metrics. Each is compared
sample by sample with prometheus_client's own parser."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

import mc_testlib

sys.path.insert(0, str(mc_testlib.FIXTURES / "services"))
import service_harness as sh  # noqa: E402

prometheus_client = pytest.importorskip("prometheus_client")
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

SCRIPT = mc_testlib.REPO / "test" / "python" / "prometheus_parse.cjs"
PARSER_JS = mc_testlib.REPO / "out" / "src" / "core" / "monitoring" / "prometheusText.js"


def parse_with_typescript(text: str) -> dict:
    node = mc_testlib.node_for(PARSER_JS, "the transpiled Prometheus parser")
    done = subprocess.run([node, str(SCRIPT)], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def as_number(v):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(v, v) if isinstance(v, str) else v


def key(name, labels):
    return name, tuple(sorted(labels.items()))


def assert_same_samples(text: str) -> dict:
    ours = parse_with_typescript(text)
    theirs = {}
    types = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            theirs[key(s.name, s.labels)] = s.value
            types[s.name] = family.type
    mine = {key(s["name"], s["labels"]): as_number(s["value"]) for s in ours["samples"]}
    assert len(ours["samples"]) == len(mine), "duplicate series in our parse"
    assert set(mine) == set(theirs)
    for k, v in theirs.items():
        assert (math.isnan(v) and math.isnan(mine[k])) or mine[k] == v, (k, mine[k], v)
    for s in ours["samples"]:
        assert s["type"] == types[s["name"]], (s["name"], s["type"], types[s["name"]])
    return ours


def test_parser_matches_prometheus_client_on_generate_latest():
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary, generate_latest

    registry = CollectorRegistry()
    c = Counter("live_requests", 'Help with "quotes", a \\ backslash\nand a newline.', ["path", "code"], registry=registry)
    c.labels('/a "quoted" path', "200").inc(7)
    c.labels("line\nbreak\\", "500").inc()
    g = Gauge("live_temperature", "A gauge.", ["where"], registry=registry)
    g.labels("in").set(21.5)
    g.labels("nan").set(float("nan"))
    g.labels("inf").set(float("inf"))
    h = Histogram("live_latency_seconds", "Latency.", ["command"], registry=registry)
    for i in range(1000):
        h.labels("predict").observe((i % 100) / 400.0)
    s = Summary("live_sizes", "Sizes.", registry=registry)
    s.observe(3)
    s.observe(5)
    text = generate_latest(registry).decode("utf-8")
    ours = assert_same_samples(text)
    predict = [x for x in ours["histograms"] if x["labels"] == {"command": "predict"}][0]
    assert predict["count"] == 1000
    # Default buckets ..., 0.1, 0.25, 0.5: 400 of the 1000 values are ≤ 0.1, all are < 0.25.
    assert 0.1 < predict["p50"] < 0.25 and predict["p50"] <= predict["p95"] <= predict["p99"] <= 0.25


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = sh.start_typed(tmp_path_factory.mktemp("typed"), "models:/typed/3")
    yield svc
    svc.stop()


def test_parser_reads_our_serving_runtime_metrics(service):
    for _ in range(25):
        assert service.post("/scale", {"x": 2})[0] == 200
    assert service.post("/scale", {"x": "bad"})[0] == 422
    status, text = service.get("/metrics")
    assert status == 200 and isinstance(text, str)
    ours = assert_same_samples(text)
    by = {key(s["name"], s["labels"]): as_number(s["value"]) for s in ours["samples"]}
    assert by[("modelcloud_requests_total", (("code", "200"), ("command", "scale")))] == 25
    hist = [x for x in ours["histograms"] if x["family"] == "modelcloud_request_duration_seconds"
            and x["labels"].get("command") == "scale"][0]
    assert hist["count"] == 26
    assert 0 < hist["p50"] <= hist["p95"] <= hist["p99"]
