"""Modelcloud tracking client: log params, metrics, tags and artifacts of ML runs.

Runs are written as JSON lines to ``.modelcloud/runs/<run_id>.jsonl`` (format v1,
see the project README, "Run log format"); the Modelcloud VS Code extension and
CLI read them. Standard library only.

    import modelcloud
    modelcloud.set_experiment("wine")
    with modelcloud.start_run(name="rf-100") as run:
        modelcloud.log_param("n_estimators", 100)
        for epoch in range(10):
            modelcloud.log_metric("loss", 1 / (epoch + 1))   # step auto-increments

It is also the runtime of model services (``modelcloud.setup``, ``modelcloud.command``,
``modelcloud.run``; types in ``modelcloud.data_types``), see ``modelcloud/serving``.
"""

from ._autolog import autolog
from ._fluent import (
    active_run,
    end_run,
    flush,
    log_artifact,
    log_artifacts,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    set_experiment,
    set_tag,
    set_tags,
    start_run,
)
from ._models import ModelInfo, log_input, log_model
from ._modeltrack import ModelTrack
from ._registry import ModelFileError, ModelNotFoundError, download_model, load_model, resolve_model
from ._run import Run
from ._store import resolve_store_dir
from ._version import __version__

_SERVING = ("command", "run", "set_version_source", "setup")


def load_ipython_extension(ipython):  # noqa: ANN001 - IPython's InteractiveShell
    """``%load_ext modelcloud``: the notebook magics (``%%mc_run`` ...). IPython is imported only here."""
    from .notebook import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):  # noqa: ANN001
    from .notebook import unload_ipython_extension as unload

    unload(ipython)


def __getattr__(name: str):
    """The service runtime loads on first use, so tracking-only scripts do not import it."""
    if name in _SERVING:
        from . import serving

        return getattr(serving, name)
    raise AttributeError("module 'modelcloud' has no attribute %r" % name)


__all__ = [
    "ModelFileError", "ModelInfo", "ModelNotFoundError", "download_model", "load_model", "log_input", "log_model",
    "resolve_model",
    "ModelTrack", "Run", "__version__", "active_run", "autolog", "load_ipython_extension", "command", "end_run", "flush", "log_artifact", "log_artifacts",
    "log_metric", "log_metrics", "log_param", "log_params", "resolve_store_dir", "run", "set_experiment", "set_tag",
    "set_tags", "set_version_source", "setup", "start_run",
]
