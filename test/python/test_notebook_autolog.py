"""scikit-learn autolog through %%mc_run --autolog and modelcloud.autolog(), in a real kernel
with real fits (a Pipeline, a GridSearchCV), and the run card every %%mc_run cell shows."""

from __future__ import annotations

import notebook_testlib as nt

SETUP = """%load_ext modelcloud
%mc_experiment autolog
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
X, y = load_wine(return_X_y=True)
import modelcloud"""


def test_autolog_pipeline_gridsearch_and_plain_fits(tmp_path, monkeypatch):
    store = tmp_path / "store"
    nt.kernel_env(monkeypatch, tmp_path, store)
    nb = nt.notebook(
        SETUP,
        # 1: a Pipeline: only the outermost fit logs, step params prefixed
        "%%mc_run --name pipe --autolog\n"
        "pipe = Pipeline([('scale', StandardScaler()), ('clf', LogisticRegression(max_iter=500))]).fit(X, y)",
        # 2: a grid search: best params on the parent, one child run per candidate
        "%%mc_run --name search --autolog\n"
        "search = GridSearchCV(Pipeline([('scale', StandardScaler()), ('clf', LogisticRegression(max_iter=500))]),\n"
        "                      {'clf__C': [0.1, 1.0, 10.0]}, cv=3).fit(X, y)\n"
        "search.best_params_['clf__C']",
        # 3: autolog() without a run: each fit gets its own run; disable=True restores fit
        "modelcloud.autolog()\nLogisticRegression(max_iter=500).fit(X, y)\nmodelcloud.autolog(disable=True)\n"
        "LogisticRegression(max_iter=500).fit(X, y)\n"
        "print('restored', not getattr(LogisticRegression.fit, '__modelcloud_autolog__', False),"
        " not getattr(Pipeline.fit, '__modelcloud_autolog__', False))",
        # 4: --autolog is only for its cell: a later fit in a plain run logs nothing automatically
        "%%mc_run --name plain\nLogisticRegression(max_iter=500).fit(X, y)\nmodelcloud.log_metric('manual', 1)",
    )
    nt.execute(nb, tmp_path, timeout=120)
    runs = nt.runs_by_name(store)

    pipe = runs["pipe"]
    params = nt.params_of(pipe)
    assert params["clf__C"] == "1.0" and params["scale__with_mean"] == "True" and params["clf__max_iter"] == "500"
    assert "steps" not in params
    keys = {p[0] for p in nt.mc_testlib.points_of(pipe)}
    assert {"fit_time_s", "training_score"} <= keys
    score = nt.mc_testlib.points_of(pipe, "training_score")
    assert len(score) == 1 and 0.9 <= score[0][1] <= 1.0  # exactly one (outermost) fit logged
    models = [e for e in pipe if e["t"] == "model"]
    assert len(models) == 1 and models[0]["flavor"] == "joblib" and models[0]["register"] is False
    assert models[0]["path"] == "autolog-model"
    assert nt.tags_of(pipe)["modelcloud.autolog.estimator"] == "sklearn.pipeline.Pipeline"
    assert nt.status_of(pipe) == "FINISHED"

    search = runs["search"]
    sparams = nt.params_of(search)
    assert sparams["best_clf__C"] in ("0.1", "1.0", "10.0") and "estimator__clf__max_iter" in sparams
    assert len(nt.mc_testlib.points_of(search, "best_cv_score")) == 1
    children = [events for name, events in runs.items() if nt.tags_of(events).get("mlflow.parentRunId") == search[0]["run"]]
    assert len(children) == 3
    assert sorted(nt.params_of(c)["clf__C"] for c in children) == ["0.1", "1.0", "10.0"]
    for child in children:
        ckeys = {p[0] for p in nt.mc_testlib.points_of(child)}
        assert {"mean_test_score", "std_test_score", "rank_test_score"} <= ckeys
        assert nt.status_of(child) == "FINISHED"
    assert nt.text_of(nb.cells[2]).strip().endswith(sparams["best_clf__C"])

    own = [events for events in runs.values() if nt.tags_of(events).get("modelcloud.autolog") == "sklearn"
           and events[0]["name"] not in ("pipe", "search") and "mlflow.parentRunId" not in nt.tags_of(events)]
    assert len(own) == 1, "autolog() without a run: one run for the first fit, none after disable"
    assert [e["path"] for e in own[0] if e["t"] == "model"] == ["model"]
    assert "restored True True" in nt.text_of(nb.cells[3])

    plain = runs["plain"]
    assert {p[0] for p in nt.mc_testlib.points_of(plain)} == {"manual"}
    assert not [e for e in plain if e["t"] == "model"]

    # The run card of the Pipeline cell: the contract with the VS Code renderer.
    cards = nt.run_cards(nb.cells[1])
    assert len(cards) == 1, "one run card output per cell, updated in place"
    card = cards[0]
    assert card["schema"] == 1 and card["status"] == "FINISHED" and card["runName"] == "pipe"
    assert card["runId"] == pipe[0]["run"] and card["experiment"] == "autolog"
    assert card["storeDir"] == str(store) and isinstance(card["startMs"], int) and card["endMs"] >= card["startMs"]
    assert list(card["metrics"]) == sorted(card["metrics"]) and "training_score" in card["metrics"]
    assert card["metrics"]["training_score"]["spark"] == [card["metrics"]["training_score"]["last"]]
    assert len(card["params"]) == 20 and card["paramsTruncated"] == len(params) - 20
    assert list(card["params"]) == sorted(card["params"])
    assert card["notebook"]["path"] == str(tmp_path / "test.ipynb")
    assert card["notebook"]["cell"] == nb.cells[1].execution_count and len(card["notebook"]["sourceSha256"]) == 64
    page = nt.html_of(nb.cells[1])
    assert "modelcloud-run-card" in page and "FINISHED" in page and "<script" not in page.lower()
