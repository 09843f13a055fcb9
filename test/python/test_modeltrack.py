"""The seed's ModelTrack API mapped onto Modelcloud runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mc_testlib import FIXTURES, PYTHON_SRC, child_env, only_run_log, points_of, read_events, run_logs
from modelcloud import ModelTrack


SEED_SCRIPT = FIXTURES / "seed" / "test_tracking.py"


def test_seed_test_tracking_script_runs_unchanged(store, tmp_path):
    # The seed's own script, verbatim but for its import line (the seed imports its local tracking_core).
    source = SEED_SCRIPT.read_text(encoding="utf-8")
    assert "from tracking_core import  ModelTrack" in source
    script = tmp_path / "test_tracking.py"
    script.write_text(source.replace("from tracking_core import  ModelTrack", "from modelcloud import ModelTrack"), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], env=child_env(store), capture_output=True,
                          text=True, timeout=60, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    events = only_run_log(store)
    start = events[0]
    assert (start["experiment"], start["name"]) == ("churn_model_mlops", "model-A")
    assert start["tags"] == {"modelcloud.task_desc": "流失模型研究", "mlflow.note.content": "模型-A"}
    [params] = [e["params"] for e in events if e["t"] == "params"]
    assert list(params) == ["logistic_param.param1"] and 0 <= int(params["logistic_param.param1"]) <= 100
    foo = points_of(events, "foo")
    assert [p[2] for p in foo] == [1, 1, 1] and 2 <= foo[2][1] < 3
    assert events[-1]["status"] == "FINISHED"  # never closed: ended at exit


def test_tracking_core_module_import_paths(store, tmp_path):
    code = "from tracking_core import ModelTrack; import modelcloud; assert ModelTrack is modelcloud.ModelTrack"
    env = child_env(store)
    env["PYTHONPATH"] = str(PYTHON_SRC / "modelcloud")  # the folder itself, as the seed had it
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30,
                          cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    from modelcloud.tracking_core import ModelTrack as via_package

    assert via_package is ModelTrack


def test_mapping_best_tags_and_close(store):
    track = ModelTrack("churn", task_desc="")
    track.log_param({"C": 0.5, "penalty": "l2"}, param_type="logistic")
    track.log_param({"seed": 1}, param_type="data")
    assert not run_logs(store), "like the seed, nothing is written before the first metric"
    track.log_metric("auc", 0.71, epoch=1)
    track.log_metric("auc", 0.83, epoch=2, is_best=1)
    track.log_best_result("loss", 0.2, 5)
    track.log_model_desc("late description")
    track.close()
    track.close()  # idempotent
    events = only_run_log(store)
    assert events[0]["name"] == "churn_1" and "tags" not in events[0]
    params = {}
    for e in events:
        if e["t"] == "params":
            params.update(e["params"])
    assert params == {"logistic.C": "0.5", "logistic.penalty": "l2", "data.seed": "1"}
    tags = {}
    for e in events:
        if e["t"] == "tags":
            tags.update(e["tags"])
    assert tags == {"best.auc": "0.83", "best.auc.epoch": "2", "best.loss": "0.2", "best.loss.epoch": "5",
                    "mlflow.note.content": "late description"}
    assert [p[1:3] for p in points_of(events, "auc")] == [[0.71, 1], [0.83, 2]]
    assert events[-1]["status"] == "FINISHED"


def test_default_model_names_count_runs_of_the_task(store):
    for _ in range(2):
        track = ModelTrack("task-x")
        track.log_metric("m", 1.0, epoch=0)
        track.close()
    other = ModelTrack("task-y")
    other.log_metric("m", 1.0, epoch=0)
    other.close()
    names = sorted(read_events(p)[0]["name"] for p in run_logs(store))
    assert names == ["task-x_1", "task-x_2", "task-y_1"]


def test_close_without_metrics_still_records_params(store):
    track = ModelTrack("t")
    track.log_model_name("only-params")
    track.log_param({"a": 1}, "g")
    track.close()
    events = only_run_log(store)
    assert events[0]["name"] == "only-params"
    assert [e["t"] for e in events] == ["run_start", "params", "run_end"]


def test_modeltrack_does_not_touch_the_active_fluent_run(store):
    import modelcloud

    with modelcloud.start_run(name="outer") as outer:
        track = ModelTrack("t")
        track.log_metric("m", 1.0, epoch=3)
        track.close()
        assert modelcloud.active_run() is outer


def test_bad_task_name(store):
    with pytest.raises(ValueError, match="task_name"):
        ModelTrack("")
