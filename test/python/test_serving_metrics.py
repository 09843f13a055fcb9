"""/metrics: Prometheus text that parses, with counts summed over the workers, and /healthz,
/readyz, /version."""

from __future__ import annotations

import re
import sys

import pytest

import mc_testlib

sys.path.insert(0, str(mc_testlib.FIXTURES / "services"))
import service_harness as sh  # noqa: E402

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? '
                     r'(-?[0-9.e+-]+|\+Inf|NaN)$')


def parse_prometheus(text):
    """Strict parse of the text exposition format: {(name, frozenset(labels)): value}, {name: type}."""
    samples, types = {}, {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped")
            types[name] = kind
            continue
        if line.startswith("# HELP ") or not line:
            continue
        m = _SAMPLE.match(line)
        assert m, "not a Prometheus sample line: %r" % line
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        family = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        assert m.group(1) in types or family in types, "sample before its # TYPE: %r" % line
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples, types


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = sh.start_typed(tmp_path_factory.mktemp("typed"), "models:/typed/7")
    yield svc
    svc.stop()


def test_metrics_count_requests_of_all_workers(service):
    import threading

    errors = []

    def hammer():
        try:
            for _ in range(20):
                assert service.post("/scale", {"x": 1})[0] == 200
        except Exception as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=hammer) for _ in range(4)]  # separate connections spread over workers
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for _ in range(3):
        assert service.post("/scale", {"x": "no"})[0] == 422
    assert service.post("/crash", {})[0] == 500
    status, text = service.get("/metrics")
    assert status == 200
    samples, types = parse_prometheus(text)
    assert types["modelcloud_requests_total"] == "counter"
    assert types["modelcloud_request_duration_seconds"] == "histogram"
    assert value(samples, "modelcloud_requests_total", command="scale", code="200") == 80
    assert value(samples, "modelcloud_requests_total", command="scale", code="422") == 3
    assert value(samples, "modelcloud_requests_total", command="crash", code="500") == 1
    assert value(samples, "modelcloud_errors_total") == 1
    assert value(samples, "modelcloud_request_duration_seconds_count", command="scale") == 83
    buckets = sorted((float(dict(labels)["le"]), v) for (name, labels), v in samples.items()
                     if name == "modelcloud_request_duration_seconds_bucket" and dict(labels)["command"] == "scale")
    assert [v for _, v in buckets] == sorted(v for _, v in buckets), "buckets must be cumulative"
    assert buckets[-1] == (float("inf"), 83)
    assert value(samples, "modelcloud_request_duration_seconds_sum", command="scale") > 0
    assert value(samples, "modelcloud_workers") == 2
    assert value(samples, "modelcloud_model_info", version="models:/typed/7") == 2
    assert value(samples, "modelcloud_model_reloads_total", result="failure") == 0
    pids = {service.post("/about", {})[1]["pid"] for _ in range(1)}
    assert pids


def test_health_ready_version(service):
    status, health = service.get("/healthz")
    assert status == 200 and health["status"] == "ok" and health["reload_error"] is None
    assert health["model_version"] == "models:/typed/7"
    status, ready = service.get("/readyz")
    assert status == 200 and ready["ready"] is True and ready["workers"] == 2
    status, version = service.get("/version")
    assert status == 200
    assert version["service"] == "svc" and version["model_version"] == "models:/typed/7"
    assert version["runtime"].startswith("modelcloud/") and re.match(r"^3\.\d+", version["python"])
