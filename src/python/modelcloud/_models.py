"""``log_model`` and ``log_input``: models and datasets logged with a run.

A model is logged as ordinary ``artifact`` events under ``<artifact_path>/`` (so every reader
already shows and pushes its files) followed by one ``model`` event (run-log format v1,
additive), which the extension/CLI ingest turns into a registered model version:

    {"v":1,"t":"model","ts":..,"name":"wine","path":"model",
     "files":[{"path":"model.pkl","sha256":"..","size":123},{"path":"MLmodel.json",..}],
     "flavor":"pickle"|"joblib"|"file","signature":null|{..},"register":true,"alias":null|"champion"}

``files[].path`` is relative to ``path``. The client never writes the SQLite store (see the
README, "Design notes"); the version number is assigned at ingest.

Datasets (``log_input``) need no new event: the file is stored content-addressed like any
artifact (under ``inputs/``; an unchanged file costs no space the second time, and it is
pushable like a model), and tags ``modelcloud.input.<name>.sha256|size|path|context`` link
it to the run.
"""

from __future__ import annotations

import json
import os
import pickle
import platform
import posixpath
import re
import shutil
import sys
import tempfile
from typing import Any, Dict, List, Optional

from . import _fluent
from ._signature import check_signature, infer_signature
from ._store import artifact_blob_path
from ._version import __version__
from ._writer import RUN_LOG_VERSION, encode_event, now_ms

METADATA_FILE = "MLmodel.json"
METADATA_FORMAT = 1
#: Libraries whose versions a model's metadata records, when the logging process imported them.
RECORDED_LIBRARIES = ("sklearn", "numpy", "scipy", "pandas", "joblib")
#: Top-level packages whose objects joblib stores better than pickle (large numpy arrays).
_JOBLIB_PACKAGES = ("sklearn", "numpy", "scipy", "pandas", "xgboost", "lightgbm")
# Names of models and aliases: what the registry, URIs (models:/NAME@alias) and file paths accept.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")
_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")


class ModelInfo(object):
    """What ``log_model`` logged. ``version`` is not known here: the store numbers versions at ingest."""

    __slots__ = ("name", "run_id", "artifact_path", "flavor", "files", "signature", "alias", "registered")

    def __init__(self, name: Optional[str], run_id: str, artifact_path: str, flavor: str,
                 files: List[Dict[str, Any]], signature: Optional[Dict[str, Any]], alias: Optional[str],
                 registered: bool) -> None:
        self.name = name
        self.run_id = run_id
        self.artifact_path = artifact_path
        self.flavor = flavor
        self.files = files
        self.signature = signature
        self.alias = alias
        self.registered = registered

    @property
    def sha256s(self) -> Dict[str, str]:
        """File path (relative to ``artifact_path``) -> sha256."""
        return {f["path"]: f["sha256"] for f in self.files}

    @property
    def model_uri(self) -> str:
        """``runs:/<run_id>/<artifact_path>``, as in MLflow."""
        return "runs:/%s/%s" % (self.run_id, self.artifact_path)

    def __repr__(self) -> str:
        return "<ModelInfo name=%r run_id=%s flavor=%s files=%d>" % (self.name, self.run_id, self.flavor,
                                                                   len(self.files))


def _check_name(name: Any, register: bool) -> Optional[str]:
    if name is None:
        if register:
            raise ValueError("log_model: register=True needs a model name, e.g. log_model(model, name='wine'); "
                             "pass register=False to only log the files with the run")
        return None
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError("log_model: model name %r is not valid: use letters, digits, '_', '-' or '.', starting "
                         "with a letter or digit, at most 128 characters" % (name,))
    return name


def _check_alias(alias: Any, register: bool) -> Optional[str]:
    if alias is None:
        return None
    if not register:
        raise ValueError("log_model: alias=%r needs register=True (an alias points at a registered version)" % (alias,))
    if not isinstance(alias, str) or not _ALIAS.match(alias) or alias.lower() == "latest":
        raise ValueError("log_model: alias %r is not valid: start with a letter, then letters, digits, '_' or '-' "
                         "(at most 64); 'latest' is reserved" % (alias,))
    return alias


def _check_artifact_path(artifact_path: Any) -> str:
    text = str(artifact_path or "").replace("\\", "/").strip("/")
    parts = text.split("/")
    if not text or any(p in ("", ".", "..") for p in parts):
        raise ValueError("log_model: artifact_path %r must be a relative folder inside the run, like 'model'"
                         % (artifact_path,))
    return text


def _prefers_joblib(obj: Any) -> bool:
    for cls in type(obj).__mro__:
        if (getattr(cls, "__module__", "") or "").split(".")[0] in _JOBLIB_PACKAGES:
            return True
    return False


def _joblib_module() -> Any:
    try:
        import joblib  # noqa: WPS433 - optional dependency, imported only when a model needs it
    except ImportError:
        return None
    return joblib


def _library_versions() -> Dict[str, str]:
    versions = {}
    for name in RECORDED_LIBRARIES:
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None) if module is not None else None
        if isinstance(version, str):
            versions[name] = version
    return versions


def _save_object(obj: Any, folder: str) -> Dict[str, str]:
    """Serialise ``obj`` into ``folder``; returns {flavor, model_file}."""
    joblib = _joblib_module() if _prefers_joblib(obj) else None
    if joblib is not None:
        joblib.dump(obj, os.path.join(folder, "model.joblib"))
        return {"flavor": "joblib", "model_file": "model.joblib"}
    try:
        with open(os.path.join(folder, "model.pkl"), "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise TypeError("log_model: cannot pickle %s: %s. Save the model to a file yourself and pass its path "
                        "(log_model('model.bin', name=...))" % (type(obj).__name__, exc)) from None
    return {"flavor": "pickle", "model_file": "model.pkl"}


def _copy_path(path: str, folder: str) -> Dict[str, Any]:
    """Copy the user's file or folder into ``folder`` (so MLmodel.json sits beside it); flavor 'file'."""
    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, METADATA_FILE)):
            raise ValueError("log_model: %r already holds a %s; log_model writes its own. Rename that file or "
                             "log the folder with log_artifacts()" % (path, METADATA_FILE))
        for entry in os.listdir(path):
            src = os.path.join(path, entry)
            (shutil.copytree if os.path.isdir(src) else shutil.copy2)(src, os.path.join(folder, entry))
        return {"flavor": "file", "model_file": None}
    if not os.path.isfile(path):
        raise FileNotFoundError("log_model: no such file or folder: %r (a str or path is logged as a file; pass "
                                "the model object itself to have it pickled)" % (path,))
    name = os.path.basename(path)
    if name == METADATA_FILE:
        raise ValueError("log_model: a model file cannot be named %s (log_model writes that file)" % METADATA_FILE)
    shutil.copy2(path, os.path.join(folder, name))
    return {"flavor": "file", "model_file": name}


def _metadata(saved: Dict[str, Any], obj: Any, signature: Optional[Dict[str, Any]], run_id: str,
              is_path: bool) -> Dict[str, Any]:
    meta: Dict[str, Any] = {
        "format": METADATA_FORMAT,
        "flavor": saved["flavor"],
        "model_file": saved["model_file"],
        "python_version": platform.python_version(),
        "libraries": _library_versions(),
        "modelcloud_version": __version__,
        "signature": signature,
        "run_id": run_id,
        "created_ms": now_ms(),
    }
    if not is_path:
        meta["object_type"] = "%s.%s" % (type(obj).__module__, type(obj).__qualname__)
    return meta


def _files_under(folder: str) -> List[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            found.append(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/"))
    return found


def log_model(obj_or_path: Any, name: Optional[str] = None, register: bool = True, alias: Optional[str] = None,
              artifact_path: str = "model", signature: Optional[Dict[str, Any]] = None,
              input_example: Any = None) -> ModelInfo:
    """Log a model with the active run (starting one if none is active) and register it as ``name``.

    ``obj_or_path``: a model object (saved with joblib when it is a scikit-learn/numpy-like object
    and joblib is installed, else with pickle) or the path of a file or folder logged as it is
    (flavor "file"). A metadata file MLmodel.json (flavor, Python and library versions,
    signature) is written beside it. ``signature``: ``{"inputs": ..., "outputs": ...}``;
    when omitted it is inferred from ``input_example`` (a dict of columns, a pandas DataFrame or a
    numpy array). ``register=True`` (the default) needs ``name``: the next ingest by the extension
    or CLI creates version N+1 of that model, with ``alias`` pointing at it when given.
    """
    name = _check_name(name, bool(register))
    alias = _check_alias(alias, bool(register))
    artifact_path = _check_artifact_path(artifact_path)
    signature = check_signature(signature) if signature is not None else None
    is_path = isinstance(obj_or_path, (str, os.PathLike))
    run = _fluent._target()
    with tempfile.TemporaryDirectory(prefix="modelcloud-model-") as folder:
        saved = _copy_path(os.fspath(obj_or_path), folder) if is_path else _save_object(obj_or_path, folder)
        if signature is None:  # a file has no predict(): its example gives the inputs only
            signature = infer_signature(None if is_path else obj_or_path, input_example)
        with open(os.path.join(folder, METADATA_FILE), "w", encoding="utf-8") as f:
            json.dump(_metadata(saved, obj_or_path, signature, run.id, is_path), f, indent=2, sort_keys=True)
        files = []
        for rel in _files_under(folder):
            sub = posixpath.dirname(rel)
            sha = run.log_artifact(os.path.join(folder, rel), posixpath.join(artifact_path, sub) if sub else artifact_path)
            # The size of the stored blob: exactly the bytes the sha256 names.
            files.append({"path": rel, "sha256": sha, "size": os.path.getsize(artifact_blob_path(run.store, sha))})
    # The event always names a model (readers validate it); an unregistered, unnamed one is named
    # after its folder. Ingest registers nothing for register=false.
    event_name = name if name is not None else posixpath.basename(artifact_path)
    event = {"v": RUN_LOG_VERSION, "t": "model", "ts": now_ms(), "name": event_name, "path": artifact_path,
             "files": files, "flavor": saved["flavor"], "signature": signature, "register": bool(register),
             "alias": alias}
    run._append(encode_event(event))  # same queue as every event: the model line follows its artifact lines
    return ModelInfo(name, run.id, artifact_path, saved["flavor"], files, signature, alias, bool(register))


_INPUT_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


def log_input(path: Any, name: Optional[str] = None, context: str = "training") -> Dict[str, Any]:
    """Link a dataset file to the active run (DVC-style data versioning).

    The file is stored content-addressed like any artifact, as ``inputs/<file name>`` (identical
    bytes are stored once, however often they are logged), and the run gets the tags
    ``modelcloud.input.<name>.sha256``, ``.size``, ``.path`` (as given) and ``.context``.
    ``name`` defaults to the file name. Returns ``{"name", "sha256", "size", "path", "context"}``.
    """
    local = os.fspath(path)
    if os.path.isdir(local):
        raise IsADirectoryError("log_input: %r is a folder; log each data file with log_input(), or archive the "
                                "folder first" % (local,))
    if not os.path.isfile(local):
        raise FileNotFoundError("log_input: no such data file: %r" % (local,))
    name = os.path.basename(local) if name is None else name
    if not isinstance(name, str) or not _INPUT_NAME.match(name):
        raise ValueError("log_input: name %r is not valid: use 1-100 letters, digits, '_', '-' or '.'" % (name,))
    if not isinstance(context, str) or not context.strip():
        raise ValueError("log_input: context must be a non-empty string such as 'training', got %r" % (context,))
    run = _fluent._target()
    sha = run.log_artifact(local, "inputs")
    size = os.path.getsize(artifact_blob_path(run.store, sha))
    prefix = "modelcloud.input.%s." % name
    run.set_tags({prefix + "sha256": sha, prefix + "size": size, prefix + "path": local, prefix + "context": context})
    return {"name": name, "sha256": sha, "size": size, "path": local, "context": context}
