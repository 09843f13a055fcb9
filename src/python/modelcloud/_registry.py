"""Resolving ``models:/`` URIs and loading registered models, read-only.

The registry lives in the store's SQLite file (``<store>/tracking.db``), which only the
extension/CLI write; this module opens it with ``mode=ro`` and never changes it. Model files
are the content-addressed blobs ``<store>/artifacts/<sha[:2]>/<sha[2:]>``; every blob is
checked against its sha256 before it is used.

URIs: ``models:/NAME/3`` (version), ``models:/NAME@champion`` (alias),
``models:/NAME/Production`` (newest version in a stage: None, Staging, Production, Archived;
any letter case), ``models:/NAME/latest`` (highest version).

Columns added by store migration 6 (``files_json``, ``signature_json``, ``created_ms``,
``origin``, ``description``; ``flavor`` if present) are read when the file has them, so a
store written before it still resolves (with an empty file list).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import sys
import threading
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import quote

from ._store import artifact_blob_path, resolve_store_dir, sha256_of_file

if TYPE_CHECKING:  # sqlite3 is imported on first use: tracking-only scripts do not pay for it
    import sqlite3

TRACKING_DB = "tracking.db"
STAGES = ("None", "Staging", "Production", "Archived")
_OPTIONAL_COLUMNS = ("files_json", "signature_json", "created_ms", "origin", "description", "flavor")
#: Files load_model can turn into an object (a flavor "file" model is loaded only if it is one of these).
_LOADABLE = (".joblib", ".pkl", ".pickle")


class ModelNotFoundError(LookupError):
    """The URI names a model, version, alias or stage the registry does not have."""


class ModelFileError(IOError):
    """A model file is missing from the local artifact store or its bytes do not match the sha256."""


def parse_model_uri(uri: str) -> Tuple[str, str, str]:
    """``(name, kind, ref)`` with kind 'version' | 'alias' | 'stage' | 'latest'."""
    uri = uri.strip() if isinstance(uri, str) else uri
    if not isinstance(uri, str) or not uri.startswith("models:/"):
        raise ValueError("model URI %r must look like models:/NAME/3, models:/NAME@alias, models:/NAME/Production "
                         "or models:/NAME/latest" % (uri,))
    rest = uri[len("models:/"):]
    if "@" in rest:
        name, ref = rest.rsplit("@", 1)
        if name and ref and "/" not in name and "/" not in ref:
            return name, "alias", ref
    elif "/" in rest:
        name, ref = rest.split("/", 1)
        if name and ref and "/" not in ref:
            if ref.isdigit():
                if int(ref) < 1:
                    raise ValueError("model URI %r: versions are numbered from 1" % (uri,))
                return name, "version", str(int(ref))
            if ref.lower() == "latest":
                return name, "latest", "latest"
            for stage in STAGES:
                if ref.lower() == stage.lower():
                    return name, "stage", stage
            raise ValueError("model URI %r: %r is not a version number, a stage (%s) or 'latest'"
                             % (uri, ref, ", ".join(STAGES)))
    raise ValueError("model URI %r must name a model and a version, alias, stage or 'latest': models:/NAME/3, "
                     "models:/NAME@alias, models:/NAME/Production, models:/NAME/latest" % (uri,))


def _connect_read_only(store: str) -> sqlite3.Connection:
    path = os.path.join(store, TRACKING_DB)
    if not os.path.isfile(path):
        raise ModelNotFoundError("no tracking store at %s: run 'modelcloud ingest' (or open the workspace in VS Code) "
                                 "to build it, or pass store= / set MODELCLOUD_DIR" % path)
    import sqlite3

    db = sqlite3.connect("file:%s?mode=ro" % quote(os.path.abspath(path)), uri=True, timeout=5)
    db.row_factory = sqlite3.Row
    return db


def _columns(db: sqlite3.Connection, table: str) -> List[str]:
    return [row["name"] for row in db.execute("SELECT name FROM pragma_table_info(?)", (table,))]


def _choose_version(db: sqlite3.Connection, uri: str, model_id: int, name: str, kind: str, ref: str) -> int:
    if kind == "version":
        row = db.execute("SELECT version FROM model_versions WHERE model_id = ? AND version = ?",
                         (model_id, int(ref))).fetchone()
        if row is None:
            known = [r["version"] for r in db.execute(
                "SELECT version FROM model_versions WHERE model_id = ? ORDER BY version", (model_id,))]
            raise ModelNotFoundError("%s: model %r has no version %s (it has %s)"
                                     % (uri, name, ref, _listing(known, "no versions yet")))
        return int(row["version"])
    if kind == "alias":
        row = db.execute("SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?",
                         (model_id, ref)).fetchone()
        if row is None:
            known = [r["alias"] for r in db.execute(
                "SELECT alias FROM model_aliases WHERE model_id = ? ORDER BY alias", (model_id,))]
            raise ModelNotFoundError("%s: model %r has no alias %r (aliases: %s); set one with "
                                     "'modelcloud alias %s VERSION %s'"
                                     % (uri, name, ref, _listing(known, "none"), name, ref))
        return int(row["version"])
    if kind == "stage":
        row = db.execute("SELECT max(version) AS v FROM model_versions WHERE model_id = ? AND stage = ?",
                         (model_id, ref)).fetchone()
        if row["v"] is None:
            stages = ["%s: v%s" % (r["stage"], r["v"]) for r in db.execute(
                "SELECT stage, max(version) AS v FROM model_versions WHERE model_id = ? GROUP BY stage ORDER BY stage",
                (model_id,))]
            raise ModelNotFoundError("%s: model %r has no version in stage %s (%s); move one there with "
                                     "'modelcloud stage %s VERSION %s'"
                                     % (uri, name, ref, _listing(stages, "no versions yet"), name, ref))
        return int(row["v"])
    row = db.execute("SELECT max(version) AS v FROM model_versions WHERE model_id = ?", (model_id,)).fetchone()
    if row["v"] is None:
        raise ModelNotFoundError("%s: model %r has no versions yet" % (uri, name))
    return int(row["v"])


def _listing(items: Sequence[Any], empty: str) -> str:
    if not items:
        return empty
    shown = ", ".join(str(i) for i in items[:20])
    return shown + (", ..." if len(items) > 20 else "")


def _json_column(row: sqlite3.Row, column: str, where: str) -> Any:
    text = row[column] if column in row.keys() else None
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError("%s: column %s is not valid JSON (%s); re-ingest the run that registered it" %
                         (where, column, exc)) from None


#: Set by deploys to the registry version the service's model reference resolved to (models:/NAME/N).
DEPLOYED_MODEL_ENV = "MODELCLOUD_MODEL_URI"
#: Set by deploys to files_digest() of that version's files.
DEPLOYED_DIGEST_ENV = "MODELCLOUD_MODEL_DIGEST"


def files_digest(files: List[Dict[str, Any]]) -> str:
    """sha256 over the sorted lines "<sha256>\\0<path>" (the extension computes the same, src/core/registry/filesDigest.ts)."""
    lines = sorted("%s\0%s" % (f.get("sha256", ""), f.get("path", "")) for f in files)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


#: The registry version a hot update asked for (POST /admin/model {"version": "models:/wine/3"}),
#: set by the serving runtime only in the thread that re-runs setup() for it.
_hot_update = threading.local()


@contextlib.contextmanager
def hot_update_model(label: str) -> Iterator[None]:
    """While setup() runs for model version ``label``: ``load_model()`` loads ``label`` when a hot
    update asked for a models:/ URI (a label other than the deploy's own MODELCLOUD_MODEL_VERSION,
    which load_model() serves pinned, from MODELCLOUD_MODEL_URI)."""
    initial = os.environ.get("MODELCLOUD_MODEL_VERSION", "").strip()
    _hot_update.uri = label if label.startswith("models:/") and label != initial else None
    try:
        yield
    finally:
        _hot_update.uri = None


def deployed_model_uri(uri: Optional[str] = None) -> str:
    """``uri`` when given; else the version a running hot update asked for; else the model this
    service was deployed with (``MODELCLOUD_MODEL_URI``)."""
    if uri:
        return uri
    hot = getattr(_hot_update, "uri", None)
    if hot:
        return hot
    deployed = os.environ.get(DEPLOYED_MODEL_ENV, "").strip()
    if not deployed:
        raise ValueError("no model URI given and %s is not set: pass one (load_model(\"models:/NAME@alias\")), or "
                         "deploy the service with `model: models:/NAME@alias` in modelcloud.yaml (or "
                         "`modelcloud deploy --model URI`), which sets it" % DEPLOYED_MODEL_ENV)
    return deployed


def resolve_model(uri: Optional[str] = None, store: Optional[str] = None) -> Dict[str, Any]:
    """The version manifest a ``models:/`` URI names, read from the store (default: the one
    ``modelcloud`` logs to, see ``resolve_store_dir``). Without ``uri``: the model the service
    was deployed with (``MODELCLOUD_MODEL_URI``).

    Returns ``{"name", "version", "files": [{"path", "sha256", "size"}], "runId", "stage",
    "aliases", "signature", "flavor", "createdMs", "source", "origin", "description"}``.
    Raises ValueError for a malformed URI and ModelNotFoundError (a LookupError) for an unknown
    model, version, alias or an empty stage.
    """
    # The files pin applies to the deployed version, not to one a hot update asked for by name.
    deployed = not uri and not getattr(_hot_update, "uri", None)
    uri = deployed_model_uri(uri)
    name, kind, ref = parse_model_uri(uri)
    store = os.path.abspath(store) if store else resolve_store_dir()
    import sqlite3

    try:
        manifest = _resolve(uri, name, kind, ref, store)
        return _deployed_files_checked(manifest, uri, store) if deployed else manifest
    except sqlite3.DatabaseError as exc:
        raise ModelNotFoundError("%s: cannot read the registry in %s: %s. If the store is from an older "
                                 "Modelcloud, run 'modelcloud ingest' to upgrade it; if it is locked, retry"
                                 % (uri, os.path.join(store, TRACKING_DB), exc)) from None


def _deployed_files_checked(manifest: Dict[str, Any], uri: str, store: str) -> Dict[str, Any]:
    """The deployed version, found by its files if its number moved since the deploy.

    A team sync renumbers a local version when a teammate published that number first; the
    service must keep loading the files it was deployed with, never a teammate's model.
    """
    want = os.environ.get(DEPLOYED_DIGEST_ENV, "").strip()
    if not want or files_digest(manifest["files"]) == want:
        return manifest
    name = manifest["name"]
    db = _connect_read_only(store)
    try:
        numbers = [int(r["version"]) for r in db.execute(
            "SELECT v.version FROM model_versions v JOIN registered_models m ON m.id = v.model_id "
            "WHERE m.name = ? AND m.deleted_ms IS NULL ORDER BY v.version", (name,))]
    finally:
        db.close()
    for number in numbers:
        other = _resolve("models:/%s/%d" % (name, number), name, "version", str(number), store)
        if files_digest(other["files"]) == want:
            print("modelcloud: %s now names other files (renumbered by a team sync?); loading version %d, which has "
                  "the files this service was deployed with. Redeploy to pin the new number." % (uri, number),
                  file=sys.stderr, flush=True)
            return other
    raise ModelFileError("%s no longer names the files this service was deployed with, and no version of %r has them "
                         "(deleted, or renumbered away); redeploy the service to pin a version that exists" % (uri, name))


def _resolve(uri: str, name: str, kind: str, ref: str, store: str) -> Dict[str, Any]:
    db = _connect_read_only(store)
    try:
        model = db.execute("SELECT id FROM registered_models WHERE name = ? AND deleted_ms IS NULL", (name,)).fetchone()
        if model is None:
            known = [r["name"] for r in db.execute(
                "SELECT name FROM registered_models WHERE deleted_ms IS NULL ORDER BY name")]
            raise ModelNotFoundError("%s: no registered model %r in %s (models: %s)"
                                     % (uri, name, store, _listing(known, "none registered yet")))
        model_id = int(model["id"])
        version = _choose_version(db, uri, model_id, name, kind, ref)
        present = set(_columns(db, "model_versions"))
        extra = [c for c in _OPTIONAL_COLUMNS if c in present]
        row = db.execute("SELECT %s FROM model_versions WHERE model_id = ? AND version = ?"
                         % ", ".join(["stage", "run_id", "source"] + extra), (model_id, version)).fetchone()
        aliases = [r["alias"] for r in db.execute(
            "SELECT alias FROM model_aliases WHERE model_id = ? AND version = ? ORDER BY alias", (model_id, version))]
    finally:
        db.close()
    where = "%s (version %d)" % (uri, version)
    files = _json_column(row, "files_json", where) or []
    manifest = {
        "name": name, "version": version, "files": files, "runId": row["run_id"], "stage": row["stage"],
        "aliases": aliases, "signature": _json_column(row, "signature_json", where),
        "flavor": row["flavor"] if "flavor" in extra else None,
        "createdMs": row["created_ms"] if "created_ms" in extra else None, "source": row["source"],
        "origin": row["origin"] if "origin" in extra else None,
        "description": row["description"] if "description" in extra else None,
    }
    manifest["flavor"] = manifest["flavor"] or _flavor_from(store, files)
    return manifest


def verified_blob(store: str, entry: Dict[str, Any], uri: str = "") -> str:
    """The local blob of one manifest file, after checking its sha256 (the bytes are never trusted blindly)."""
    sha = str(entry.get("sha256", ""))
    path = artifact_blob_path(store, sha)
    if len(sha) != 64 or not os.path.isfile(path):
        raise ModelFileError("%s: file %r (sha256 %s) is not in the local artifact store %s; pull it with "
                             "'modelcloud pull %s --remote NAME'" % (uri, entry.get("path"), sha or "?",
                                                                   os.path.join(store, "artifacts"), uri or "URI"))
    actual = sha256_of_file(path)
    if actual != sha:
        raise ModelFileError("%s: file %r is corrupt: blob %s has sha256 %s; delete the blob and pull it again"
                             % (uri, entry.get("path"), path, actual))
    return path


def _metadata_of(store: str, files: List[Dict[str, Any]], uri: str = "") -> Optional[Dict[str, Any]]:
    for entry in files:
        if entry.get("path") == "MLmodel.json":
            with open(verified_blob(store, entry, uri), "rb") as f:
                meta = json.loads(f.read().decode("utf-8"))
            return meta if isinstance(meta, dict) else None
    return None


def _flavor_from(store: str, files: List[Dict[str, Any]]) -> Optional[str]:
    """Flavor for stores without a flavor column: MLmodel.json when its blob is here, else the file suffix."""
    try:
        meta = _metadata_of(store, files)
    except (OSError, ValueError):
        meta = None
    if meta and isinstance(meta.get("flavor"), str):
        return meta["flavor"]
    paths = [str(f.get("path", "")) for f in files]
    if any(p.endswith(".joblib") for p in paths):
        return "joblib"
    if any(p.endswith((".pkl", ".pickle")) for p in paths):
        return "pickle"
    return "file" if paths else None


def download_model(uri: str, dst: str, store: Optional[str] = None) -> str:
    """Copy the files of a registered version into folder ``dst`` (checked against their sha256); returns ``dst``."""
    manifest = resolve_model(uri, store)
    store = os.path.abspath(store) if store else resolve_store_dir()
    _require_files(manifest, uri)
    for entry in manifest["files"]:
        rel = str(entry["path"])
        target = os.path.abspath(os.path.join(dst, rel))
        if os.path.isabs(rel) or not target.startswith(os.path.abspath(dst) + os.sep):
            raise ModelFileError("%s: file path %r leaves the target folder; the manifest is not trustworthy" % (uri, rel))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(verified_blob(store, entry, uri), target)
    return dst


def _require_files(manifest: Dict[str, Any], uri: str) -> None:
    if not manifest["files"]:
        raise ModelFileError("%s: version %d of %r has no file manifest (registered from %s); load it from its "
                             "source %r instead" % (uri, manifest["version"], manifest["name"],
                                                    manifest.get("origin") or "an MLflow registry",
                                                    manifest.get("source")))


def _model_entry(manifest: Dict[str, Any], meta: Optional[Dict[str, Any]], uri: str) -> Dict[str, Any]:
    by_path = {str(f.get("path")): f for f in manifest["files"]}
    wanted = meta.get("model_file") if meta else None
    if wanted in by_path:
        return by_path[wanted]
    candidates = [f for p, f in by_path.items() if p.endswith(_LOADABLE)]
    if len(candidates) == 1:
        return candidates[0]
    raise ModelFileError("%s: cannot tell which file is the model (files: %s); use download_model(uri, dst) and "
                         "load it yourself" % (uri, ", ".join(sorted(by_path))))


def load_model(uri: Optional[str] = None, store: Optional[str] = None) -> Any:
    """Load the model object a ``models:/`` URI names (joblib or pickle, by its flavor). In a
    deployed service, ``load_model()`` loads the version the deploy pinned (``MODELCLOUD_MODEL_URI``).

    Only load models you trust: unpickling runs code. Files come from the local artifact store
    and are verified against their sha256 first. A version logged as a folder of files (flavor
    "file" without a single .pkl/.joblib) cannot be loaded as an object: use download_model().
    """
    manifest = resolve_model(uri, store)
    uri = deployed_model_uri(uri)
    store = os.path.abspath(store) if store else resolve_store_dir()
    _require_files(manifest, uri)
    meta = _metadata_of(store, manifest["files"], uri)
    entry = _model_entry(manifest, meta, uri)
    flavor = manifest.get("flavor")
    if flavor not in ("pickle", "joblib") and not str(entry.get("path")).endswith(_LOADABLE):
        raise ModelFileError("%s: %r was logged as a plain file (flavor %s), not a pickled object; use "
                             "download_model(uri, dst) and load it with its own library"
                             % (uri, entry.get("path"), flavor))
    path = verified_blob(store, entry, uri)
    if flavor == "joblib" or str(entry.get("path")).endswith(".joblib"):
        try:
            import joblib  # noqa: WPS433 - optional dependency
        except ImportError:
            raise ModelFileError("%s: the model was saved with joblib, which is not installed here; "
                                 "pip install joblib" % uri) from None
        return joblib.load(path)
    with open(path, "rb") as f:
        return pickle.load(f)

