"""resolve_model / load_model / download_model against a real SQLite registry, opened read-only.

The registry rows are written here the way the store's ingest writes them (schema of store
migrations 2 and 6, files_json = the model event's files), from models really logged with
log_model; test_registry_cli_ingest.py covers the same path through the real CLI ingest.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3

import pytest

import modelcloud
from mc_testlib import only_run_log, run_cli
from modelcloud import ModelFileError, ModelNotFoundError, resolve_model
from modelcloud._registry import parse_model_uri

# A store as written before migration 6 (registry columns for files, signature, flavor): frozen on
# purpose, it is the old format the read-only resolver must still read. Every other test gets
# today's schema from the real migrations, through the CLI.
STORE_BEFORE_MIGRATION_6 = """
CREATE TABLE registered_models (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT, deleted_ms INTEGER);
CREATE TABLE model_versions (model_id INTEGER NOT NULL REFERENCES registered_models(id), version INTEGER NOT NULL,
  stage TEXT NOT NULL, run_id TEXT, source TEXT, PRIMARY KEY (model_id, version)) WITHOUT ROWID;
CREATE TABLE model_aliases (model_id INTEGER NOT NULL REFERENCES registered_models(id), alias TEXT NOT NULL,
  version INTEGER NOT NULL, PRIMARY KEY (model_id, alias)) WITHOUT ROWID;
"""


def _ingest(store, *then):
    """The real path: `modelcloud ingest` reads the store's run logs and registers their models."""
    empty = store.parent / "workspace-without-other-sources"
    empty.mkdir(exist_ok=True)
    run_cli("--store", store, "ingest", empty)
    for args in then:
        run_cli("--store", store, *args)


class Scaler(object):
    def __init__(self, factor):
        self.factor = factor

    def predict(self, xs):
        return [x * self.factor for x in xs]


def _register(db, name, version, event, run_id, stage="None", aliases=()):
    db.execute("INSERT OR IGNORE INTO registered_models (name) VALUES (?)", (name,))
    model_id = db.execute("SELECT id FROM registered_models WHERE name = ?", (name,)).fetchone()[0]
    db.execute("INSERT INTO model_versions (model_id, version, stage, run_id, source, created_ms, signature_json, "
               "files_json, flavor, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'modelcloud')",
               (model_id, version, stage, run_id, "runs:/%s/%s" % (run_id, event["path"]), event["ts"],
                json.dumps(event["signature"]) if event["signature"] else None, json.dumps(event["files"]),
                event["flavor"]))
    for alias in aliases:
        db.execute("INSERT OR REPLACE INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?)",
                   (model_id, alias, version))


@pytest.fixture
def registry(store):
    """wine v1 (None), v2 (Production, @champion), v3 (Staging); a bare MLflow-style model 'legacy'."""
    infos = []
    for factor in (1, 2, 3):
        with modelcloud.start_run():
            infos.append(modelcloud.log_model(Scaler(factor), name="wine", input_example={"x": 1.0}))
    _ingest(store, ["stage", "wine", "2", "Production"], ["alias", "wine", "2", "champion"], ["stage", "wine", "3", "Staging"])
    db = sqlite3.connect(str(store / "tracking.db"))
    # An MLflow-registry version (no file manifest), as ingest of an mlruns/models folder writes it.
    db.execute("INSERT INTO registered_models (name) VALUES ('legacy')")
    db.execute("INSERT INTO model_versions (model_id, version, stage, run_id, source) VALUES "
               "((SELECT id FROM registered_models WHERE name = 'legacy'), 1, 'Archived', NULL, 'mlruns/1/x/model')")
    db.commit()
    db.close()
    return store, infos


def test_uri_forms_resolve_to_the_right_version(registry):
    store, infos = registry
    assert resolve_model("models:/wine/1")["version"] == 1  # store from MODELCLOUD_DIR
    champion = resolve_model("models:/wine@champion", store=str(store))
    assert champion["version"] == 2 and champion["stage"] == "Production" and champion["aliases"] == ["champion"]
    assert resolve_model("models:/wine/production")["version"] == 2
    assert resolve_model("models:/wine/Staging")["version"] == 3
    assert resolve_model("models:/wine/latest")["version"] == 3
    assert resolve_model("models:/wine/None")["version"] == 1
    assert champion["runId"] == infos[1].run_id and champion["flavor"] == "pickle"
    assert champion["files"] == infos[1].files and champion["origin"] == "modelcloud"
    assert champion["signature"]["inputs"] == [{"name": "x", "type": "double"}]
    assert isinstance(champion["createdMs"], int)
    assert set(champion) >= {"name", "version", "files", "runId", "stage", "aliases", "signature", "flavor",
                             "createdMs"}


def test_resolving_never_writes_the_database(registry):
    store, _ = registry
    db_file = store / "tracking.db"
    before = (hashlib.sha256(db_file.read_bytes()).hexdigest(), db_file.stat().st_mtime_ns)
    os.chmod(str(db_file), 0o444)
    try:
        resolve_model("models:/wine@champion")
        modelcloud.load_model("models:/wine/1")
    finally:
        os.chmod(str(db_file), 0o644)
    assert (hashlib.sha256(db_file.read_bytes()).hexdigest(), db_file.stat().st_mtime_ns) == before
    # The real store is in WAL mode: a reader, even a read-only one, maps the -shm index and may
    # open an empty -wal (SQLite's rule for WAL readers). Nothing may be written into the log.
    wal = store / "tracking.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_clear_errors_for_unknown_names_versions_aliases_and_empty_stages(registry):
    with pytest.raises(ModelNotFoundError, match=r"no registered model 'beer'.*models: legacy, wine"):
        resolve_model("models:/beer/1")
    with pytest.raises(ModelNotFoundError, match=r"no version 9 \(it has 1, 2, 3\)"):
        resolve_model("models:/wine/9")
    with pytest.raises(ModelNotFoundError, match=r"no alias 'challenger' \(aliases: champion\).*modelcloud alias"):
        resolve_model("models:/wine@challenger")
    with pytest.raises(ModelNotFoundError, match=r"no version in stage Archived \(None: v1, Production: v2, "
                                                 r"Staging: v3\).*modelcloud stage wine VERSION Archived"):
        resolve_model("models:/wine/Archived")
    with pytest.raises(LookupError):  # ModelNotFoundError is a LookupError, so `except LookupError` works
        resolve_model("models:/legacy/Production")


def test_uri_syntax_errors_say_what_is_expected():
    assert parse_model_uri(" models:/wine/3 ") == ("wine", "version", "3")
    assert parse_model_uri("models:/wine@champion") == ("wine", "alias", "champion")
    assert parse_model_uri("models:/wine/PRODUCTION") == ("wine", "stage", "Production")
    assert parse_model_uri("models:/wine/Latest") == ("wine", "latest", "latest")
    for bad in ("wine/3", "models:/wine", "models:/wine/", "models:/wine/3/4", "models:/@x", "models:/wine@",
                "models:/wine/Prod", "models:/wine/0", "runs:/abc/model", None):
        with pytest.raises(ValueError, match="models:/|numbered from 1|stage"):
            parse_model_uri(bad)


def test_load_model_returns_the_object_and_download_verifies_files(registry, tmp_path):
    store, infos = registry
    assert modelcloud.load_model("models:/wine@champion").predict([1, 2]) == [2, 4]
    assert modelcloud.load_model("models:/wine/Staging", store=str(store)).factor == 3
    out = modelcloud.download_model("models:/wine/1", str(tmp_path / "out"))
    assert sorted(os.listdir(out)) == ["MLmodel.json", "model.pkl"]
    assert hashlib.sha256((tmp_path / "out" / "model.pkl").read_bytes()).hexdigest() == infos[0].sha256s["model.pkl"]
    with pytest.raises(ModelFileError, match=r"no file manifest.*mlruns/1/x/model"):
        modelcloud.load_model("models:/legacy/1")


def test_without_a_uri_load_model_serves_the_deployed_version(registry, monkeypatch):
    """A deploy sets MODELCLOUD_MODEL_URI to the version its model reference resolved to."""
    monkeypatch.setenv("MODELCLOUD_MODEL_URI", "models:/wine/3")
    assert modelcloud.load_model().factor == 3
    assert resolve_model()["version"] == 3
    assert modelcloud.load_model("models:/wine@champion").factor == 2, "an explicit URI still wins"
    monkeypatch.delenv("MODELCLOUD_MODEL_URI")
    with pytest.raises(ValueError, match=r"MODELCLOUD_MODEL_URI is not set.*model: models:/NAME@alias"):
        modelcloud.load_model()


def test_a_deployed_version_renumbered_by_sync_is_found_by_its_files(registry, monkeypatch, capsys):
    """The deploy pinned models:/wine/3 with v2's files (as if a sync renumbered v2 after the deploy)."""
    from modelcloud._registry import files_digest
    monkeypatch.setenv("MODELCLOUD_MODEL_URI", "models:/wine/3")
    monkeypatch.setenv("MODELCLOUD_MODEL_DIGEST", files_digest(resolve_model("models:/wine/2")["files"]))
    assert modelcloud.load_model().factor == 2, "the files decide, not the moved number"
    assert "models:/wine/3 now names other files" in capsys.readouterr().err
    assert modelcloud.load_model("models:/wine/3").factor == 3, "an explicit URI is not second-guessed"
    monkeypatch.setenv("MODELCLOUD_MODEL_DIGEST", "0" * 64)
    with pytest.raises(ModelFileError, match=r"no longer names the files this service was deployed with.*redeploy"):
        modelcloud.load_model()
    monkeypatch.setenv("MODELCLOUD_MODEL_DIGEST", files_digest(resolve_model("models:/wine/3")["files"]))
    assert modelcloud.load_model().factor == 3
    assert capsys.readouterr().err == ""


def test_corrupt_or_missing_blobs_are_caught_before_unpickling(registry):
    store, infos = registry
    sha = infos[0].sha256s["model.pkl"]
    blob = store / "artifacts" / sha[:2] / sha[2:]
    blob.write_bytes(blob.read_bytes()[:-1] + b"!")
    with pytest.raises(ModelFileError, match=r"'model.pkl' is corrupt.*pull it again"):
        modelcloud.load_model("models:/wine/1")
    blob.unlink()
    with pytest.raises(ModelFileError, match=r"not in the local artifact store.*modelcloud pull models:/wine/1"):
        modelcloud.load_model("models:/wine/1")


def test_store_without_migration_6_still_resolves(store):
    store.mkdir()
    db = sqlite3.connect(str(store / "tracking.db"))
    db.executescript(STORE_BEFORE_MIGRATION_6)
    db.execute("INSERT INTO registered_models (name) VALUES ('old')")
    db.execute("INSERT INTO model_versions (model_id, version, stage, run_id, source) VALUES (1, 4, 'Production', 'r', 's')")
    db.commit()
    db.close()
    got = resolve_model("models:/old/Production")
    assert (got["version"], got["files"], got["flavor"], got["origin"], got["source"]) == (4, [], None, None, "s")


def test_missing_store_says_how_to_build_it(store):
    with pytest.raises(ModelNotFoundError, match="modelcloud ingest"):
        resolve_model("models:/wine/1")


def test_joblib_models_load_through_joblib(store):
    np = pytest.importorskip("numpy")
    pytest.importorskip("joblib")
    with modelcloud.start_run() as run:
        info = modelcloud.log_model(np.arange(6.0), name="arr")
    event = [e for e in only_run_log(store) if e["t"] == "model"][0]
    _ingest(store)
    assert info.flavor == "joblib"
    assert modelcloud.load_model("models:/arr/1").tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_file_that_is_not_a_registry_is_reported_not_crashed_on(store):
    store.mkdir()
    (store / "tracking.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ModelNotFoundError, match=r"cannot read the registry in .*tracking.db"):
        resolve_model("models:/wine/1")
    (store / "tracking.db").unlink()
    sqlite3.connect(str(store / "tracking.db")).close()  # an empty database: no registry tables yet
    with pytest.raises(ModelNotFoundError, match="modelcloud ingest"):
        resolve_model("models:/wine/1")


def test_plain_file_models_are_downloaded_not_unpickled(store, tmp_path):
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"not a pickle")
    pickled = tmp_path / "clf.pkl"
    pickled.write_bytes(__import__("pickle").dumps({"k": 7}))
    with modelcloud.start_run() as run:
        modelcloud.log_model(str(weights), name="bin")
        modelcloud.log_model(str(pickled), name="pkl", artifact_path="clf")
    events = [e for e in only_run_log(store) if e["t"] == "model"]
    _ingest(store)
    with pytest.raises(ModelFileError, match=r"'weights.bin' was logged as a plain file.*download_model"):
        modelcloud.load_model("models:/bin/1")
    assert modelcloud.load_model("models:/pkl/1") == {"k": 7}  # a .pkl logged as a file still loads
    out = modelcloud.download_model("models:/bin/1", str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "weights.bin").read_bytes() == b"not a pickle" and out == str(tmp_path / "dl")


def test_download_refuses_manifest_paths_that_leave_the_target(store, tmp_path):
    store.mkdir()
    data = b"payload"
    sha = hashlib.sha256(data).hexdigest()
    blob = store / "artifacts" / sha[:2] / sha[2:]
    blob.parent.mkdir(parents=True)
    blob.write_bytes(data)
    _ingest(store)  # today's schema, then a tampered row no client could write
    db = sqlite3.connect(str(store / "tracking.db"))
    _register(db, "evil", 1, {"path": "model", "ts": 0, "signature": None, "flavor": "file",
                              "files": [{"path": "../escaped.txt", "sha256": sha, "size": len(data)}]}, "r")
    db.commit()
    db.close()
    with pytest.raises(ModelFileError, match="leaves the target folder"):
        modelcloud.download_model("models:/evil/1", str(tmp_path / "dst"))
    assert not (tmp_path / "escaped.txt").exists()
