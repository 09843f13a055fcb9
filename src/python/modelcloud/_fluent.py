"""The module-level, MLflow-like API: ``modelcloud.start_run()``, ``modelcloud.log_metric()``...

Logging without an active run starts one implicitly (as MLflow does); it stays
active until ``end_run()`` or the end of the process.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

from . import _lifecycle
from ._run import Run
from ._store import resolve_store_dir

DEFAULT_EXPERIMENT = "Default"
EXPERIMENT_ENV_VAR = "MODELCLOUD_EXPERIMENT_NAME"

_experiment_name: Optional[str] = None
_active = _lifecycle.active_stack


def set_experiment(name: str) -> str:
    """Make ``name`` the experiment of the runs started from now on; returns it."""
    global _experiment_name
    if not isinstance(name, str) or not name.strip():
        raise ValueError("set_experiment: the experiment name must be a non-empty string, got %r" % (name,))
    _experiment_name = name
    return name


def _current_experiment() -> str:
    return _experiment_name or os.environ.get(EXPERIMENT_ENV_VAR) or DEFAULT_EXPERIMENT


def start_run(name: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None,
              experiment: Optional[str] = None, nested: bool = False,
              run_name: Optional[str] = None) -> Run:
    """Start a run and make it the active one; use it as ``with start_run(...) as run:``.

    ``name`` (alias ``run_name``, as in MLflow) defaults to a random
    "adjective-noun-123"; ``experiment`` defaults to the one given to
    ``set_experiment()``, else $MODELCLOUD_EXPERIMENT_NAME, else "Default".
    Starting a run while another is active needs ``nested=True``; the child gets
    the tag ``mlflow.parentRunId``.
    """
    with _lifecycle._lock:
        parent = _active[-1] if _active else None
        if parent is not None and not nested:
            raise RuntimeError(
                "run %s (%r) is already active; end it with end_run() first, or pass nested=True "
                "to start a child run" % (parent.id, parent.name)
            )
        all_tags = dict(tags or {})
        if parent is not None:
            all_tags["mlflow.parentRunId"] = parent.id
        run = Run(experiment or _current_experiment(), name or run_name, resolve_store_dir(), all_tags)
        _active.append(run)
        return run


def active_run() -> Optional[Run]:
    """The run that module-level logging goes to, or None."""
    return _active[-1] if _active else None


def end_run(status: str = "FINISHED") -> None:
    """End the active run (FINISHED, FAILED or KILLED). Does nothing without one."""
    run = _active[-1] if _active else None
    if run is not None:
        run.end(status)


def _implicit_run() -> Run:
    with _lifecycle._lock:
        return _active[-1] if _active else start_run()


def _target() -> Run:
    try:
        return _active[-1]
    except IndexError:
        return _implicit_run()


def log_metric(key: str, value: float, step: Optional[int] = None, timestamp: Optional[int] = None) -> None:
    """Log a metric to the active run. ``step=None`` auto-increments per key: the
    previous step logged for ``key`` plus one, starting at 0. ``timestamp``: epoch ms,
    default now. Costs well under a microsecond; the point is on disk within ~100 ms."""
    try:
        run = _active[-1]
    except IndexError:
        run = _implicit_run()
    run.log_metric(key, value, step, timestamp)


def log_metrics(metrics: Mapping[str, float], step: Optional[int] = None) -> None:
    """Log several metrics with one timestamp; ``step=None`` auto-increments per key."""
    _target().log_metrics(metrics, step)


def log_param(key: str, value: Any) -> None:
    """Log a parameter (value str()-ed, at most 6000 characters, written once per run)."""
    _target().log_param(key, value)


def log_params(params: Mapping[str, Any]) -> None:
    _target().log_params(params)


def set_tag(key: str, value: Any) -> None:
    _target().set_tag(key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    _target().set_tags(tags)


def log_artifact(local_path: str, artifact_path: Optional[str] = None) -> str:
    """Store a file with the active run (content-addressed); returns its sha256."""
    return _target().log_artifact(local_path, artifact_path)


def log_artifacts(local_dir: str, artifact_path: Optional[str] = None) -> None:
    _target().log_artifacts(local_dir, artifact_path)


def flush() -> None:
    """Write everything the active run logged so far to disk now."""
    run = active_run()
    if run is not None:
        run.flush()
