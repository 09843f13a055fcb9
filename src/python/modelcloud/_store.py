"""Where run logs and artifacts live on disk (the `.modelcloud/` store folder).

Layout (read by the extension and the CLI, see src/core/ingest/runEvents.ts):
    <store>/runs/<run_id>.jsonl              one run log per run (format v1)
    <store>/artifacts/<sha[:2]>/<sha[2:]>    artifact bytes, content-addressed
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Any, Dict, Optional, Tuple

STORE_DIR_NAME = ".modelcloud"
STORE_ENV_VAR = "MODELCLOUD_DIR"
_CHUNK = 1024 * 1024


def resolve_store_dir(cwd: Optional[str] = None) -> str:
    """Return the store folder to log into (it is not created here).

    In order: the ``MODELCLOUD_DIR`` environment variable; else the nearest
    ``.modelcloud/`` directory found walking up from ``cwd`` (so a script run
    from a sub-folder of a project logs into the project's store); else
    ``<cwd>/.modelcloud``.
    """
    configured = os.environ.get(STORE_ENV_VAR)
    if configured:
        return os.path.abspath(os.path.expanduser(configured))
    start = os.path.abspath(cwd if cwd is not None else os.getcwd())
    here = start
    while True:
        candidate = os.path.join(here, STORE_DIR_NAME)
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return os.path.join(start, STORE_DIR_NAME)
        here = parent


def runs_dir(store: str) -> str:
    return os.path.join(store, "runs")


def run_log_path(store: str, run_id: str) -> str:
    return os.path.join(runs_dir(store), run_id + ".jsonl")


def artifact_blob_path(store: str, sha256: str) -> str:
    return os.path.join(store, "artifacts", sha256[:2], sha256[2:])


def sha256_of_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def store_artifact(store: str, path: str) -> Tuple[str, int]:
    """Copy the file at ``path`` into the content-addressed artifact store.

    Returns ``(sha256, size)``. A blob that is already present is not copied
    again. The copy goes to a temporary file beside its final place and is
    renamed with os.replace, so readers never see a half-written blob. The copy
    is hashed while it is written, so a file that changed after the first hash
    is stored under the hash of the bytes actually copied.
    """
    if not os.path.isfile(path):
        if os.path.exists(path):
            raise IsADirectoryError(
                "log_artifact: %r is not a regular file; use log_artifacts() for a folder" % path
            )
        raise FileNotFoundError("log_artifact: no such file: %r" % path)
    sha = sha256_of_file(path)
    blob = artifact_blob_path(store, sha)
    if os.path.exists(blob):
        return sha, os.path.getsize(blob)
    os.makedirs(os.path.dirname(blob), exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(blob))
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            for block in iter(lambda: src.read(_CHUNK), b""):
                digest.update(block)
                out.write(block)
                size += len(block)
        copied_sha = digest.hexdigest()
        final = artifact_blob_path(store, copied_sha)
        if copied_sha != sha:
            os.makedirs(os.path.dirname(final), exist_ok=True)
        os.replace(tmp, final)
        return copied_sha, size
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def count_runs_in_experiment(store: str, experiment: str) -> int:
    """Count run logs whose run_start line names ``experiment``.

    Reads only the first line of each log; unreadable or foreign files are
    skipped (they are the reader's business to report, not the writer's).
    """
    folder = runs_dir(store)
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    count = 0
    for name in names:
        if not name.endswith(".jsonl"):
            continue
        first = read_run_start(os.path.join(folder, name))
        if first is not None and first.get("experiment") == experiment:
            count += 1
    return count


def read_run_start(path: str) -> Optional[Dict[str, Any]]:
    """The run_start event of a run log (reads its first line only), or None if it is not one."""
    try:
        with open(path, "rb") as f:
            event = json.loads(f.readline(1 << 20))
    except (OSError, ValueError):
        return None
    return event if isinstance(event, dict) and event.get("t") == "run_start" else None
