"""A throw-away modelcloud store for a Python benchmark: MODELCLOUD_DIR points at a new temporary
folder while the block runs, and the folder is removed afterwards."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Iterator


@contextlib.contextmanager
def temporary_store() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="modelcloud-bench-")
    os.environ["MODELCLOUD_DIR"] = folder
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
