"""``ModelTrack``: the seed project's tracking API, writing Modelcloud run logs.

The seed (a notebook that kept tasks, models, params and metrics in SQLite)
used ``ModelTrack(task_name, task_desc)`` with log_param / log_model_name /
log_model_desc / log_metric / close. Scripts written for it keep working with
only their import changed. Mapping:

    task              -> experiment named task_name
    model             -> run named after log_model_name(), default "<task_name>_<n>"
                         (n = runs already in the experiment + 1, as the seed numbered models)
    log_param(d, t)   -> params "<t>.<name>"
    log_model_desc    -> tag mlflow.note.content;  task_desc -> tag modelcloud.task_desc
    log_metric(..., epoch, is_best) -> metric with step = epoch; a truthy is_best also sets
                         tags best.<metric> = value and best.<metric>.epoch = epoch

As in the seed, the run starts at the first log_metric (so name, description and
params given before it go into the run). close() ends it FINISHED; a ModelTrack
never closed is ended by the process's exit handler.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Mapping, Optional

from ._run import Run
from ._store import count_runs_in_experiment, resolve_store_dir


class ModelTrack(object):
    def __init__(self, task_name: str, task_desc: str = "") -> None:
        if not isinstance(task_name, str) or not task_name.strip():
            raise ValueError("ModelTrack: task_name must be a non-empty string, got %r" % (task_name,))
        self.task_name = task_name
        self.task_desc = task_desc
        self.model_name = ""
        self.model_desc: Optional[str] = None
        self.param_dict: Dict[str, Mapping[str, Any]] = {}
        self.run: Optional[Run] = None

    # -- before the run starts these only collect, like the seed ----------------

    def log_param(self, param_dict: Mapping[str, Any], param_type: str) -> None:
        """Record a group of parameters; each is stored as "<param_type>.<name>"."""
        if not isinstance(param_dict, Mapping):
            raise TypeError("ModelTrack.log_param: param_dict must be a dict of name -> value, got %r" % (param_dict,))
        self.param_dict[param_type] = dict(param_dict)
        if self.run is not None:
            self._log_params_to_run({param_type: param_dict})

    def log_model_name(self, model_name: str) -> None:
        """Name the model (the run). Only takes effect before the first log_metric."""
        if self.run is not None:
            warnings.warn("ModelTrack.log_model_name(%r) after the run started is ignored; the run is named %r"
                          % (model_name, self.run.name), stacklevel=2)
            return
        self.model_name = model_name

    def log_model_desc(self, model_desc: str) -> None:
        """Describe the model; stored as the run's note (tag mlflow.note.content)."""
        self.model_desc = model_desc
        if self.run is not None:
            self.run.set_tag("mlflow.note.content", model_desc)

    # -- metrics start the run ---------------------------------------------------

    def log_metric(self, metric_name: str, metric_value: float, epoch: int, is_best: Any = 0) -> None:
        """Record ``metric_value`` at step ``epoch``; ``is_best`` marks the best value so far."""
        run = self._ensure_run()
        run.log_metric(metric_name, metric_value, step=epoch)
        if is_best:
            self._mark_best(run, metric_name, metric_value, epoch)

    def log_best_result(self, best_name: str, best_value: float, best_epoch: int) -> None:
        """Record the best value of a metric (tags best.<name> and best.<name>.epoch)."""
        self._mark_best(self._ensure_run(), best_name, best_value, best_epoch)

    def close(self) -> None:
        """End the run FINISHED. Anything logged but not yet in a run is written first."""
        if self.run is None and (self.param_dict or self.model_name or self.model_desc):
            self._ensure_run()
        if self.run is not None:
            self.run.end("FINISHED")

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _mark_best(run: Run, name: str, value: float, epoch: int) -> None:
        run.set_tags({"best.%s" % name: str(value), "best.%s.epoch" % name: str(epoch)})

    def _log_params_to_run(self, groups: Mapping[str, Mapping[str, Any]]) -> None:
        assert self.run is not None
        for param_type, params in groups.items():
            for name, value in params.items():
                key = "%s.%s" % (param_type, name)
                try:
                    self.run.log_param(key, value)
                except ValueError as exc:  # a changed value after the start: keep the run going
                    warnings.warn(str(exc), stacklevel=3)

    def _ensure_run(self) -> Run:
        if self.run is not None:
            return self.run
        store = resolve_store_dir()
        name = self.model_name or "%s_%d" % (self.task_name, count_runs_in_experiment(store, self.task_name) + 1)
        tags: Dict[str, str] = {}
        if self.task_desc:
            tags["modelcloud.task_desc"] = str(self.task_desc)
        if self.model_desc is not None:
            tags["mlflow.note.content"] = str(self.model_desc)
        self.run = Run(self.task_name, name, store, tags)
        self._log_params_to_run(self.param_dict)
        return self.run
