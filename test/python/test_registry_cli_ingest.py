"""End to end: log_model in a real Python process -> the real CLI ingest (node dist/cli.js) writes
the registry -> resolve_model / load_model read it back, read-only.

Needs a built CLI (``node esbuild.mjs``) and Node 24 (better-sqlite3's prebuilt binary); skipped,
saying why, where either is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import modelcloud
from mc_testlib import REPO, run_cli, run_python

def _ingest(workspace: Path, store: Path) -> str:
    return run_cli("--store", store, "ingest", workspace)


def test_logged_models_are_registered_by_ingest_and_load_back(tmp_path, monkeypatch):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    store = workspace / ".modelcloud"
    monkeypatch.setenv("MODELCLOUD_DIR", str(store))
    # One run, so the order of the two versions is the order they were logged in.
    code = ("import modelcloud\n"
            "with modelcloud.start_run(name='train'):\n"
            "    modelcloud.log_input('data.csv')\n"
            "    modelcloud.log_model({'coef': [1]}, name='wine', input_example={'alcohol': 12.5})\n"
            "    modelcloud.log_model({'coef': [0.5, 1.5]}, name='wine', alias='champion', artifact_path='model2')\n"
            "    modelcloud.log_model({'coef': [9]}, register=False, artifact_path='scratch')\n")
    (workspace / "data.csv").write_text("alcohol\n12.5\n")
    done = run_python(store, code, cwd=str(workspace))
    assert done.returncode == 0, done.stderr

    report = _ingest(workspace, store)
    assert "0 problem(s)" in report, report
    first = modelcloud.resolve_model("models:/wine/1")
    champion = modelcloud.resolve_model("models:/wine@champion")
    assert (first["version"], champion["version"]) == (1, 2)
    assert modelcloud.resolve_model("models:/wine/latest")["version"] == 2
    assert modelcloud.resolve_model("models:/wine/None")["version"] == 2
    assert champion["aliases"] == ["champion"] and champion["stage"] == "None"
    assert champion["origin"] == "modelcloud" and champion["flavor"] == "pickle"
    assert sorted(f["path"] for f in champion["files"]) == ["MLmodel.json", "model.pkl"]
    assert first["signature"] == {"inputs": [{"name": "alcohol", "type": "double"}], "outputs": None}
    assert modelcloud.load_model("models:/wine@champion") == {"coef": [0.5, 1.5]}
    assert modelcloud.load_model("models:/wine/1") == {"coef": [1]}
    with pytest.raises(modelcloud.ModelNotFoundError, match="no registered model 'model'"):
        modelcloud.resolve_model("models:/model/1")  # register=False registered nothing
    with pytest.raises(modelcloud.ModelNotFoundError, match=r"no version in stage Production"):
        modelcloud.resolve_model("models:/wine/Production")

    # Re-ingesting (nothing new) must not add versions; reading while the CLI has the file is fine.
    _ingest(workspace, store)
    with pytest.raises(modelcloud.ModelNotFoundError, match=r"no version 3 \(it has 1, 2\)"):
        modelcloud.resolve_model("models:/wine/3")
