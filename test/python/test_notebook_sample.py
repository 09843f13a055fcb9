"""The sample notebook (test/fixtures/notebooks/train_wine.ipynb, used by `npm start`) runs top
to bottom in a real kernel, and the model its %mc_log_model registers is in the registry after
the real CLI's ingest (skipped, saying why, without a built CLI)."""

from __future__ import annotations

import shutil

import mc_testlib
import nbformat
import notebook_testlib as nt

SAMPLE = mc_testlib.FIXTURES / "notebooks" / "train_wine.ipynb"


def test_sample_notebook_trains_and_registers_the_model(tmp_path, monkeypatch):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    store = workspace / ".modelcloud"
    nt.kernel_env(monkeypatch, tmp_path, store)
    shutil.copy(SAMPLE, workspace / "train_wine.ipynb")
    nb = nbformat.read(str(workspace / "train_wine.ipynb"), as_version=4)
    nt.execute(nb, workspace, timeout=120)

    runs = nt.runs_by_name(store)
    parent = runs["rf-grid"]
    assert nt.status_of(parent) == "FINISHED"
    assert nt.tags_of(parent)["dataset"] == "sklearn-wine"
    children = [e for e in runs.values() if nt.tags_of(e).get("mlflow.parentRunId") == parent[0]["run"]]
    assert len(children) == 4
    models = {e["path"]: e for e in parent if e["t"] == "model"}
    assert models["model"]["name"] == "wine" and models["model"]["register"] is True
    assert models["model"]["alias"] == "champion" and models["model"]["flavor"] == "joblib"
    assert models["autolog-model"]["register"] is False
    card = nt.run_cards([c for c in nb.cells if c.source.startswith("%%mc_run")][0])[0]
    assert card["status"] == "FINISHED" and "f1" in card["metrics"] and "best_cv_score" in card["metrics"]
    assert "rf-grid" in nt.html_of(nb.cells[-1])

    report = mc_testlib.run_cli("--store", store, "ingest", workspace)
    assert "0 problem(s)" in report, report
    import modelcloud

    champion = modelcloud.resolve_model("models:/wine@champion", store=str(store))
    assert champion["runId"] == parent[0]["run"] and champion["flavor"] == "joblib"
    model = modelcloud.load_model("models:/wine@champion", store=str(store))
    assert type(model).__name__ == "Pipeline"
