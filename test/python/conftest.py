"""pytest setup for the modelcloud client tests.

Every test logs into its own tmp_path store (MODELCLOUD_DIR), never the repo.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mc_testlib  # noqa: E402  (puts src/python on sys.path)



@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "store"
    monkeypatch.setenv("MODELCLOUD_DIR", str(folder))
    monkeypatch.delenv("MODELCLOUD_EXPERIMENT_NAME", raising=False)
    return folder


@pytest.fixture(autouse=True)
def _no_run_left_open():
    """A failing test must not leave a run active for the next one."""
    yield
    from modelcloud import _fluent, _lifecycle

    _lifecycle.end_all("KILLED")
    _fluent._experiment_name = None
