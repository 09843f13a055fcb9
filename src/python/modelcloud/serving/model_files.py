"""The model files of a service folder: what the master watches for hot updates and what the
automatic version label is computed from.

Model files are ``models/**`` and top-level ``*.pkl`` / ``*.joblib`` files, or exactly the paths
listed in MODELCLOUD_MODEL_FILES (separated by os.pathsep, relative to the service folder; deployers
pass the manifest's ``models:`` list this way).
"""

from __future__ import annotations

import hashlib
import os
from typing import List, Optional, Tuple

MODEL_SUFFIXES = (".pkl", ".joblib")
_HASH_LIMIT = 512 * 1024 * 1024  # above this the label comes from sizes and times, not content


def model_files(folder: str, listed: Optional[str] = None) -> List[str]:
    listed = os.environ.get("MODELCLOUD_MODEL_FILES") if listed is None else listed
    found: List[str] = []
    if listed:
        for rel in listed.split(os.pathsep):
            rel = rel.strip()
            if not rel:
                continue
            path = os.path.join(folder, rel)
            if os.path.isdir(path):
                found.extend(_walk(path))
            else:
                found.append(path)
        return sorted(found)
    models = os.path.join(folder, "models")
    if os.path.isdir(models):
        found.extend(_walk(models))
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    found.extend(os.path.join(folder, n) for n in names if n.endswith(MODEL_SUFFIXES))
    return sorted(found)


def _walk(top: str) -> List[str]:
    out = []
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        out.extend(os.path.join(root, f) for f in files if not f.startswith(".") and not f.endswith(".tmp"))
    return out


def files_signature(paths: List[str]) -> str:
    """Cheap change detector: names, sizes and modification times."""
    parts: List[Tuple[str, int, int]] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        parts.append((path, st.st_size, st.st_mtime_ns))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16] if parts else ""


def content_label(paths: List[str], limit: int = _HASH_LIMIT) -> Optional[str]:
    """``sha256:<12 hex>`` of the files' contents (names included); None when there are no files.
    Above ``limit`` bytes the label comes from names, sizes and times (``files:<12 hex>``)."""
    existing = [p for p in paths if os.path.isfile(p)]
    if not existing:
        return None
    if sum(os.path.getsize(p) for p in existing) > limit:
        return "files:" + files_signature(existing)[:12]
    digest = hashlib.sha256()
    for path in existing:
        digest.update(os.path.basename(path).encode() + b"\0")
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
        except OSError:
            continue
    return "sha256:" + digest.hexdigest()[:12]
