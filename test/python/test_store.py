"""Store folder resolution and content-addressed artifacts."""

from __future__ import annotations

import hashlib
import os

import pytest

import modelcloud
from mc_testlib import only_run_log
from modelcloud import resolve_store_dir


def test_env_var_wins(tmp_path, monkeypatch):
    (tmp_path / ".modelcloud").mkdir()
    monkeypatch.setenv("MODELCLOUD_DIR", str(tmp_path / "elsewhere"))
    assert resolve_store_dir(str(tmp_path)) == str(tmp_path / "elsewhere")


def test_nearest_store_walking_up_from_cwd(tmp_path, monkeypatch):
    monkeypatch.delenv("MODELCLOUD_DIR", raising=False)
    (tmp_path / ".modelcloud").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert resolve_store_dir(str(deep)) == str(tmp_path / ".modelcloud")
    (tmp_path / "a" / ".modelcloud").mkdir()  # a nearer one wins
    assert resolve_store_dir(str(deep)) == str(tmp_path / "a" / ".modelcloud")
    monkeypatch.chdir(deep)
    assert resolve_store_dir() == str(tmp_path / "a" / ".modelcloud")


def test_default_is_dot_modelcloud_in_cwd(tmp_path, monkeypatch):
    monkeypatch.delenv("MODELCLOUD_DIR", raising=False)
    (tmp_path / ".modelcloud").write_text("a file, not a store folder")
    inner = tmp_path / "x"
    inner.mkdir()
    # No .modelcloud folder above `inner` (the one in tmp_path is a file); / and its parents
    # are not expected to hold one on a test machine.
    if any(os.path.isdir(os.path.join(p, ".modelcloud")) for p in ("/", os.path.dirname(str(tmp_path)))):
        pytest.skip("a .modelcloud folder exists above the temp dir")
    assert resolve_store_dir(str(inner)) == str(inner / ".modelcloud")


def test_artifacts_are_content_addressed_and_deduplicated(store, tmp_path):
    data = b"model bytes \x00\x01" * 1000
    sha = hashlib.sha256(data).hexdigest()
    first = tmp_path / "model.pkl"
    first.write_bytes(data)
    copy = tmp_path / "sub" / "same.bin"
    copy.parent.mkdir()
    copy.write_bytes(data)
    with modelcloud.start_run():
        assert modelcloud.log_artifact(str(first)) == sha
        blob = store / "artifacts" / sha[:2] / sha[2:]
        mtime = blob.stat().st_mtime_ns
        assert modelcloud.log_artifact(copy, artifact_path="models") == sha  # PathLike works too
        assert blob.stat().st_mtime_ns == mtime, "an existing blob must not be rewritten"
    assert blob.read_bytes() == data
    assert sorted(p.name for p in (store / "artifacts").rglob("*") if p.is_file()) == [sha[2:]]
    events = [e for e in only_run_log(store) if e["t"] == "artifact"]
    assert [(e["path"], e["size"], e["sha256"]) for e in events] == [
        ("model.pkl", len(data), sha),
        ("models/same.bin", len(data), sha),
    ]


def test_missing_artifact_names_the_path_and_run_continues(store, tmp_path):
    missing = tmp_path / "nope.txt"
    with modelcloud.start_run():
        with pytest.raises(FileNotFoundError, match="nope.txt"):
            modelcloud.log_artifact(str(missing))
        with pytest.raises(IsADirectoryError, match="log_artifacts"):
            modelcloud.log_artifact(str(tmp_path))
        modelcloud.log_metric("still", 1.0)
    events = only_run_log(store)
    assert [e["t"] for e in events] == ["run_start", "metrics", "run_end"]


def test_log_artifacts_keeps_relative_paths(store, tmp_path):
    src = tmp_path / "out"
    (src / "plots").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    (src / "plots" / "b.txt").write_text("b")
    with modelcloud.start_run():
        modelcloud.log_artifacts(str(src), artifact_path="run1")
    paths = [e["path"] for e in only_run_log(store) if e["t"] == "artifact"]
    assert paths == ["run1/a.txt", "run1/plots/b.txt"]
    assert not list((store / "artifacts").rglob(".tmp-*")), "no temp files left behind"
