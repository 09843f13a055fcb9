"""log_model / log_input: the files, MLmodel.json and the run-log events they write."""

from __future__ import annotations

import hashlib
import json
import pickle
import sys

import pytest

import modelcloud
from mc_testlib import only_run_log, run_python


class Plain(object):
    """A model that is not a scikit-learn/numpy object: pickled."""

    def __init__(self, k):
        self.k = k

    def predict(self, rows):
        return [self.k for _ in rows]


def _blob(store, sha):
    return (store / "artifacts" / sha[:2] / sha[2:]).read_bytes()


def _events(store, kind):
    return [e for e in only_run_log(store) if e["t"] == kind]


def test_pickled_object_logs_artifacts_then_model_event(store):
    with modelcloud.start_run() as run:
        info = modelcloud.log_model(Plain(3), name="wine", alias="champion",
                                    input_example={"alcohol": 12.5, "color": "red", "n": [1, 2]})
    assert (info.name, info.run_id, info.flavor, info.alias, info.registered) == ("wine", run.id, "pickle",
                                                                                  "champion", True)
    events = only_run_log(store)
    kinds = [e["t"] for e in events]
    assert kinds == ["run_start", "artifact", "artifact", "model", "run_end"], kinds
    model = events[3]
    assert set(model) == {"v", "t", "ts", "name", "path", "files", "flavor", "signature", "register", "alias"}
    assert (model["v"], model["name"], model["path"], model["flavor"], model["register"], model["alias"]) == (
        1, "wine", "model", "pickle", True, "champion")
    assert sorted(f["path"] for f in model["files"]) == ["MLmodel.json", "model.pkl"]
    # every file is also an ordinary artifact under model/, with the same hash and size
    artifacts = {e["path"]: (e["sha256"], e["size"]) for e in events if e["t"] == "artifact"}
    for f in model["files"]:
        assert artifacts["model/" + f["path"]] == (f["sha256"], f["size"])
        data = _blob(store, f["sha256"])
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"]
    assert info.sha256s == {f["path"]: f["sha256"] for f in model["files"]}
    assert pickle.loads(_blob(store, info.sha256s["model.pkl"])).k == 3
    meta = json.loads(_blob(store, info.sha256s["MLmodel.json"]))
    assert meta["flavor"] == "pickle" and meta["model_file"] == "model.pkl" and meta["run_id"] == run.id
    assert meta["python_version"].startswith("%d.%d" % sys.version_info[:2])
    assert meta["object_type"].endswith("Plain")
    assert model["signature"] == meta["signature"] == {
        "inputs": [{"name": "alcohol", "type": "double"}, {"name": "color", "type": "string"},
                   {"name": "n", "type": "long"}],
        "outputs": None,
    }


def test_sklearn_model_uses_joblib_and_records_versions_and_dataframe_signature(store):
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    sklearn = pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression

    frame = pd.DataFrame({"alcohol": [12.0, 13.5, 11.0, 14.2], "hue": [1, 2, 1, 3]})
    model = LogisticRegression().fit(frame, [0, 1, 0, 1])
    with modelcloud.start_run():
        info = modelcloud.log_model(model, name="wine", input_example=frame, artifact_path="models/lr")
    event = _events(store, "model")[0]
    assert info.flavor == event["flavor"] == "joblib" and event["path"] == "models/lr"
    assert sorted(info.sha256s) == ["MLmodel.json", "model.joblib"]
    assert [e["path"] for e in _events(store, "artifact")] == ["models/lr/MLmodel.json", "models/lr/model.joblib"]
    meta = json.loads(_blob(store, info.sha256s["MLmodel.json"]))
    assert meta["libraries"]["sklearn"] == sklearn.__version__ and meta["libraries"]["numpy"] == np.__version__
    assert event["signature"]["inputs"] == [{"name": "alcohol", "type": "double"}, {"name": "hue", "type": "long"}]
    assert event["signature"]["outputs"] == {"type": "tensor", "dtype": "int64", "shape": [-1]}


def test_numpy_example_gives_a_tensor_signature_and_explicit_signature_wins(store):
    np = pytest.importorskip("numpy")
    with modelcloud.start_run():
        a = modelcloud.log_model(Plain(1), name="m", input_example=np.zeros((5, 4), dtype="float32"))
        b = modelcloud.log_model(Plain(1), name="m", artifact_path="m2", input_example=np.zeros((5, 4)),
                                 signature={"inputs": [{"name": "x", "type": "double"}]})
    # Plain.predict returns a list of numbers: not a described type, so outputs stay unknown
    assert a.signature == {"inputs": {"type": "tensor", "dtype": "float32", "shape": [-1, 4]}, "outputs": None}
    assert b.signature == {"inputs": [{"name": "x", "type": "double"}], "outputs": None}


def test_signature_inference_does_not_import_numpy_or_pandas(store):
    code = ("import sys, modelcloud\n"
            "modelcloud.log_model({'w': [1, 2]}, name='tiny', input_example={'a': 1.0})\n"
            "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))\n")
    done = run_python(store, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    event = _events(store, "model")[0]
    assert event["flavor"] == "pickle" and event["signature"]["inputs"] == [{"name": "a", "type": "double"}]


def test_paths_are_logged_as_they_are(store, tmp_path):
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"\x00\x01weights")
    folder = tmp_path / "bundle"
    (folder / "sub").mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "sub" / "w.bin").write_bytes(b"w")
    with modelcloud.start_run():
        one = modelcloud.log_model(str(weights), name="bin", input_example={"pixels": b"\x00"})
        many = modelcloud.log_model(folder, name="bundle", artifact_path="bundle")
    assert one.flavor == many.flavor == "file"
    assert one.signature == {"inputs": [{"name": "pixels", "type": "binary"}], "outputs": None}
    assert many.signature is None
    assert sorted(one.sha256s) == ["MLmodel.json", "weights.bin"]
    assert one.sha256s["weights.bin"] == hashlib.sha256(b"\x00\x01weights").hexdigest()
    assert sorted(many.sha256s) == ["MLmodel.json", "config.json", "sub/w.bin"]
    paths = [e["path"] for e in _events(store, "artifact")]
    assert "bundle/sub/w.bin" in paths and "model/weights.bin" in paths
    assert json.loads(_blob(store, one.sha256s["MLmodel.json"]))["model_file"] == "weights.bin"


def test_register_without_name_is_refused_and_nothing_is_logged(store):
    with modelcloud.start_run():
        with pytest.raises(ValueError, match="needs a model name"):
            modelcloud.log_model(Plain(1))
        with pytest.raises(ValueError, match="alias"):
            modelcloud.log_model(Plain(1), name="wine", alias="not valid!")
        with pytest.raises(ValueError, match="reserved"):
            modelcloud.log_model(Plain(1), name="wine", alias="latest")
        with pytest.raises(ValueError, match="needs register=True"):
            modelcloud.log_model(Plain(1), register=False, alias="champion")
        with pytest.raises(ValueError, match="artifact_path"):
            modelcloud.log_model(Plain(1), name="wine", artifact_path="../out")
        with pytest.raises(ValueError, match="model name"):
            modelcloud.log_model(Plain(1), name="a/b")
        with pytest.raises(ValueError, match="signature"):
            modelcloud.log_model(Plain(1), name="wine", signature={"outputs": []})
        with pytest.raises(FileNotFoundError, match="no-such.pkl"):
            modelcloud.log_model("no-such.pkl", name="wine")
        with pytest.raises(TypeError, match="cannot pickle"):
            modelcloud.log_model(lambda x: x, name="wine")
        unregistered = modelcloud.log_model(Plain(2), register=False)
    assert [e["t"] for e in only_run_log(store)] == ["run_start", "artifact", "artifact", "model", "run_end"]
    event = _events(store, "model")[0]
    # readers require a name; an unregistered, unnamed model is named after its folder
    assert (event["register"], event["name"], event["alias"]) == (False, "model", None)
    assert unregistered.registered is False and unregistered.name is None


def test_log_model_without_active_run_starts_one_like_log_metric(store):
    info = modelcloud.log_model(Plain(1), name="auto")
    run = modelcloud.active_run()
    assert run is not None and run.id == info.run_id
    modelcloud.end_run()
    assert [e["t"] for e in only_run_log(store)][-2:] == ["model", "run_end"]


def test_log_input_stores_once_and_tags_the_run(store, tmp_path):
    data = tmp_path / "wine.csv"
    data.write_text("alcohol,quality\n12.5,6\n")
    sha = hashlib.sha256(data.read_bytes()).hexdigest()
    with modelcloud.start_run():
        got = modelcloud.log_input(data)
        again = modelcloud.log_input(str(data), name="wine-eval", context="evaluation")
        with pytest.raises(IsADirectoryError, match="folder"):
            modelcloud.log_input(tmp_path)
        with pytest.raises(FileNotFoundError, match="nope.csv"):
            modelcloud.log_input(tmp_path / "nope.csv")
        with pytest.raises(ValueError, match="name"):
            modelcloud.log_input(data, name="bad name")
    assert got == {"name": "wine.csv", "sha256": sha, "size": data.stat().st_size, "path": str(data),
                   "context": "training"}
    assert again["sha256"] == sha
    assert [p.name for p in (store / "artifacts").rglob("*") if p.is_file()] == [sha[2:]]
    assert [e["path"] for e in _events(store, "artifact")] == ["inputs/wine.csv", "inputs/wine.csv"]
    tags = {}
    for e in _events(store, "tags"):
        tags.update(e["tags"])
    assert tags == {
        "modelcloud.input.wine.csv.sha256": sha, "modelcloud.input.wine.csv.size": str(data.stat().st_size),
        "modelcloud.input.wine.csv.path": str(data), "modelcloud.input.wine.csv.context": "training",
        "modelcloud.input.wine-eval.sha256": sha, "modelcloud.input.wine-eval.size": str(data.stat().st_size),
        "modelcloud.input.wine-eval.path": str(data), "modelcloud.input.wine-eval.context": "evaluation",
    }
