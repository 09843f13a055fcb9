"""The module-level API and the exact JSONL (v1) it writes."""

from __future__ import annotations

import math
import re

import pytest

import modelcloud
from mc_testlib import only_run_log, points_of

RUN_START_KEYS = {"v", "t", "ts", "run", "experiment", "name", "pid", "python", "source"}


def test_run_log_has_the_v1_shape(store):
    modelcloud.set_experiment("exp-a")
    with modelcloud.start_run(name="first", tags={"team": "ml", "seed": 7}) as run:
        modelcloud.log_param("lr", 0.01)
        modelcloud.log_params({"depth": 3, "opt": None})
        modelcloud.log_metric("loss", 0.5, step=10, timestamp=1700000000123)
        modelcloud.set_tag("stage", "dev")
    assert re.fullmatch(r"[0-9a-f]{32}", run.id)
    assert (run.name, run.experiment, run.status) == ("first", "exp-a", "FINISHED")
    assert (store / "runs" / (run.id + ".jsonl")).is_file()

    events = only_run_log(store)
    assert [e["t"] for e in events] == ["run_start", "params", "params", "metrics", "tags", "run_end"]
    assert all(e["v"] == 1 and isinstance(e["ts"], int) for e in events)
    start = events[0]
    assert RUN_START_KEYS <= set(start)
    assert (start["run"], start["experiment"], start["name"]) == (run.id, "exp-a", "first")
    assert start["tags"] == {"team": "ml", "seed": "7"}
    assert isinstance(start["pid"], int) and start["python"].count(".") == 2
    assert re.fullmatch(r"[0-9a-f]{64}", start["pip_hash"])
    assert events[1]["params"] == {"lr": "0.01"}
    assert events[2]["params"] == {"depth": "3", "opt": "None"}
    assert {k: events[3][k] for k in ("keys", "values", "steps", "times")} == {
        "keys": ["loss"], "values": [0.5], "steps": [10], "times": [1700000000123]}
    assert events[4]["tags"] == {"stage": "dev"}
    assert events[5]["status"] == "FINISHED"


def test_step_none_auto_increments_per_key(store):
    with modelcloud.start_run():
        for value in (1.0, 2.0, 3.0):
            modelcloud.log_metric("a", value)
        modelcloud.log_metric("b", 9.0)
        modelcloud.log_metric("a", 4.0, step=10)
        modelcloud.log_metric("a", 5.0)  # previous step for "a" + 1
        modelcloud.log_metrics({"a": 6.0, "b": 7.0})
    events = only_run_log(store)
    assert [p[2] for p in points_of(events, "a")] == [0, 1, 2, 10, 11, 12]
    assert [p[2] for p in points_of(events, "b")] == [0, 1]


def test_metric_timestamps_are_epoch_ms_at_call_time(store):
    import time

    before = int(time.time() * 1000)
    with modelcloud.start_run():
        modelcloud.log_metric("m", 1)
    after = int(time.time() * 1000)
    [point] = points_of(only_run_log(store))
    assert before <= point[3] <= after
    assert point[1] == 1.0 and isinstance(point[1], float)


def test_non_finite_values_are_strings(store):
    with modelcloud.start_run():
        modelcloud.log_metric("x", float("nan"))
        modelcloud.log_metric("x", math.inf)
        modelcloud.log_metric("x", -math.inf)
        modelcloud.log_metric("x", 2.5)
    values = [p[1] for p in points_of(only_run_log(store), "x")]  # only_run_log parses strictly
    assert values == ["NaN", "Infinity", "-Infinity", 2.5]


def test_bad_metric_values_fail_at_the_call(store):
    with modelcloud.start_run():
        with pytest.raises(TypeError, match="'acc'.*number"):
            modelcloud.log_metric("acc", "0.9")
        with pytest.raises(TypeError, match="'acc'.*number"):
            modelcloud.log_metric("acc", [1])
        with pytest.raises(TypeError, match="key"):
            modelcloud.log_metric("", 1.0)
        with pytest.raises(ValueError, match="step"):
            modelcloud.log_metric("acc", 1.0, step=1.5)
        modelcloud.log_metric("acc", True, step=2.0)  # bools and whole floats are fine
    assert points_of(only_run_log(store)) and points_of(only_run_log(store))[0][1:3] == [1.0, 2]


def test_param_longer_than_6000_chars_is_rejected_and_nothing_is_lost(store):
    with modelcloud.start_run():
        modelcloud.log_param("ok", "x" * 6000)
        with pytest.raises(ValueError, match=r"'notes'.*6001 characters.*limit is 6000.*log_artifact"):
            modelcloud.log_params({"a": 1, "notes": "y" * 6001})
        modelcloud.log_param("a", 1)
    params = [e["params"] for e in only_run_log(store) if e["t"] == "params"]
    assert params == [{"ok": "x" * 6000}, {"a": "1"}]


def test_changing_a_param_is_rejected_like_mlflow(store):
    with modelcloud.start_run():
        modelcloud.log_param("lr", 0.1)
        modelcloud.log_param("lr", "0.1")  # same string: allowed
        with pytest.raises(ValueError, match="already logged"):
            modelcloud.log_param("lr", 0.2)


def test_exception_in_with_body_ends_failed_and_propagates(store):
    with pytest.raises(ZeroDivisionError):
        with modelcloud.start_run() as run:
            modelcloud.log_metric("m", 1.0)
            1 / 0
    assert run.status == "FAILED"
    events = only_run_log(store)
    assert events[-1]["t"] == "run_end" and events[-1]["status"] == "FAILED"
    assert points_of(events) == [["m", 1.0, 0, points_of(events)[0][3]]]
    assert modelcloud.active_run() is None


def test_keyboard_interrupt_in_with_body_ends_killed(store):
    with pytest.raises(KeyboardInterrupt):
        with modelcloud.start_run():
            raise KeyboardInterrupt
    assert only_run_log(store)[-1]["status"] == "KILLED"


def test_logging_without_a_run_starts_one_implicitly(store):
    assert modelcloud.active_run() is None
    modelcloud.log_metric("m", 1.0)
    run = modelcloud.active_run()
    assert run is not None and run.experiment == "Default"
    modelcloud.end_run("FAILED")
    assert modelcloud.active_run() is None
    events = only_run_log(store)
    assert events[0]["name"] == run.name and re.fullmatch(r"[a-z]+-[a-z]+-\d{3}", run.name)
    assert events[-1]["status"] == "FAILED"


def test_experiment_from_environment_and_explicit_argument(store, monkeypatch):
    monkeypatch.setenv("MODELCLOUD_EXPERIMENT_NAME", "from-env")
    with modelcloud.start_run() as a:
        pass
    with modelcloud.start_run(experiment="explicit") as b:
        pass
    assert (a.experiment, b.experiment) == ("from-env", "explicit")


def test_second_run_needs_nested_and_child_points_to_parent(store):
    with modelcloud.start_run(name="parent") as parent:
        with pytest.raises(RuntimeError, match="already active.*nested=True"):
            modelcloud.start_run()
        with modelcloud.start_run(name="child", nested=True) as child:
            assert modelcloud.active_run() is child
            modelcloud.log_metric("inner", 1.0)
        assert modelcloud.active_run() is parent
        modelcloud.log_metric("outer", 2.0)
    child_log = (store / "runs" / (child.id + ".jsonl")).read_text()
    assert '"mlflow.parentRunId":"%s"' % parent.id in child_log and '"inner"' in child_log
    assert '"outer"' not in child_log


def test_ended_run_refuses_more_logging(store):
    with modelcloud.start_run() as run:
        pass
    with pytest.raises(RuntimeError, match="has ended"):
        run.log_metric("late", 1.0)
    with pytest.raises(ValueError, match="FINISHED, FAILED, KILLED"):
        run.end("DONE")


def test_end_status_is_validated(store):
    modelcloud.start_run()
    with pytest.raises(ValueError, match="must be one of"):
        modelcloud.end_run("OK")
    modelcloud.end_run()


def test_point_reaches_disk_within_300_ms(store):
    import time

    with modelcloud.start_run() as run:
        time.sleep(0.15)  # land somewhere inside a flush period, not right after one
        modelcloud.log_metric("live", 42.0)
        logged = time.monotonic()
        path = store / "runs" / (run.id + ".jsonl")
        while '"live"' not in path.read_text():
            assert time.monotonic() - logged < 0.3, "metric not on disk 300 ms after log_metric"
            time.sleep(0.005)


def test_large_batches_are_chunked_into_valid_lines(store):
    with modelcloud.start_run() as run:
        for i in range(25000):
            run.log_metric("m", i * 0.5)
    events = only_run_log(store)
    batches = [e for e in events if e["t"] == "metrics"]
    assert all(len(e["keys"]) <= 10000 for e in batches) and len(batches) >= 3
    assert [p[2] for p in points_of(events)] == list(range(25000))
