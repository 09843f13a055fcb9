"""``modelcloud.autolog()``: log scikit-learn fits without changing the training code.

How it hooks in (and why): every estimator class that defines its own ``fit`` gets it wrapped —
the classes already imported (found by walking ``BaseEstimator.__subclasses__()``) and, through a
hook on ``BaseEstimator.__init_subclass__``, every class defined later (a scikit-learn module
imported after ``autolog()``, or the user's own estimator). Walking the subclasses instead of
importing every estimator (as ``sklearn.utils.all_estimators()`` does) keeps ``autolog()`` at a
few milliseconds. ``autolog(disable=True)`` restores every original ``fit``.

Only the outermost fit logs: a Pipeline fits its steps and a GridSearchCV fits hundreds of clones
through the same patched methods, so a process-wide depth counter lets the inner calls through
untouched (a fit running in another thread at the same moment is therefore not logged either;
fits in joblib worker processes never are).

What is logged:
- per outermost fit: params from ``estimator.get_params(deep=True)`` (Pipeline steps appear as
  ``step__param``; values that are estimators themselves, like ``steps``, are left out), once per
  estimator class and run (a param is written once per run, as in MLflow); the metric
  ``fit_time_s`` with the fit's index in the run as its step (a loop of fits draws a curve);
- per run, for its LAST outermost fit: ``training_score`` (``estimator.score`` on the training
  data, when ``y`` was given and there are at most ``max_score_samples`` rows) and the fitted
  model (``log_model``, flavor joblib, not registered; artifact path ``model`` in a run autolog
  started, ``autolog-model`` in a run you started, so it never collides with your own
  ``log_model``), when the run ends FINISHED. Why only the last: for small models
  ``estimator.score`` costs as much as the fit (scikit-learn validates its input again) and a
  model file per fit dominates a loop of 100 fits; once per run keeps ``%%mc_run --autolog``
  under 5 % (test/bench/python/autolog_overhead_bench.py);
- GridSearchCV / RandomizedSearchCV: ``best_<param>`` params and ``best_cv_score`` on the parent
  and one child run per candidate (params, ``mean_test_*``/``std_test_*``/``rank_test_*``,
  tag ``mlflow.parentRunId``), at most ``max_tuning_runs`` (the best-ranked ones).

Without an active run each outermost fit gets a run of its own (as MLflow does). A failure while
logging is reported once on stderr and never breaks the fit.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from types import FunctionType
from typing import Any, Callable, Dict, List, Optional

from . import _fluent

_lock = threading.RLock()
_config: Optional[Dict[str, Any]] = None
_patched: Dict[type, Callable[..., Any]] = {}
_depth = 0
_MISSING = object()
_original_init_subclass: Any = _MISSING
_original_run_end: Any = None
_warned = set()
MAX_PARAM_CHARS = 500
AUTOLOG_TAG = "modelcloud.autolog"


def autolog(disable: bool = False, log_models: bool = True, training_score: bool = True,
            max_tuning_runs: Optional[int] = 100, max_score_samples: int = 100000) -> None:
    """Log every scikit-learn ``fit`` (params, fit time, training score, model); see the module doc.

    ``disable=True`` restores the original methods. ``log_models=False`` skips saving models;
    ``training_score=False`` skips the extra ``score`` pass; ``max_tuning_runs`` caps the child
    runs of a hyper-parameter search (None: all candidates).
    """
    global _config
    if disable:
        _disable()
        return
    try:
        from sklearn.base import BaseEstimator
    except ImportError:
        raise ImportError("modelcloud.autolog: scikit-learn is not installed in this Python (%s); "
                          "pip install scikit-learn" % sys.executable) from None
    if max_tuning_runs is not None and (not isinstance(max_tuning_runs, int) or max_tuning_runs < 0):
        raise ValueError("modelcloud.autolog: max_tuning_runs must be None or an integer >= 0, got %r"
                         % (max_tuning_runs,))
    with _lock:
        _config = {"log_models": bool(log_models), "training_score": bool(training_score),
                   "max_tuning_runs": max_tuning_runs, "max_score_samples": int(max_score_samples)}
        _install(BaseEstimator)


def is_enabled() -> bool:
    return _config is not None


def _install(base: type) -> None:
    global _original_init_subclass, _original_run_end
    stack = [base]
    seen = set()
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        _patch_class(cls)
        try:
            stack.extend(cls.__subclasses__())
        except TypeError:
            pass
    if _original_init_subclass is _MISSING:
        _original_init_subclass = base.__dict__.get("__init_subclass__")
        original = _original_init_subclass

        def __init_subclass__(cls: type, **kwargs: Any) -> None:
            if original is not None:
                original.__get__(None, cls)(**kwargs)
            else:
                super(base, cls).__init_subclass__(**kwargs)
            if _config is not None:
                _patch_class(cls)

        base.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]
    if _original_run_end is None:
        from ._run import Run

        _original_run_end = Run.end
        original_end = _original_run_end

        @functools.wraps(original_end)
        def end(self: Any, status: str = "FINISHED") -> None:
            if self.id in _states:
                _on_run_end(self, status)
            original_end(self, status)

        Run.end = end  # type: ignore[assignment]


def _disable() -> None:
    global _config, _original_init_subclass, _original_run_end
    with _lock:
        _config = None
        for cls, original in list(_patched.items()):
            if cls.__dict__.get("fit") is not original:
                setattr(cls, "fit", original)
        _patched.clear()
        if _original_init_subclass is not _MISSING:
            try:
                from sklearn.base import BaseEstimator
            except ImportError:  # pragma: no cover - it was importable when enabled
                BaseEstimator = None
            if BaseEstimator is not None:
                if _original_init_subclass is None:
                    del BaseEstimator.__init_subclass__
                else:
                    BaseEstimator.__init_subclass__ = _original_init_subclass
            _original_init_subclass = _MISSING
        # Run.end keeps its wrapper while runs still wait for their end-of-run logging.
        if _original_run_end is not None and not _states:
            from ._run import Run

            Run.end = _original_run_end  # type: ignore[assignment]
            _original_run_end = None


def _patch_class(cls: type) -> None:
    fit = cls.__dict__.get("fit")
    if not isinstance(fit, FunctionType) or getattr(fit, "__modelcloud_autolog__", False) or cls in _patched:
        return
    _patched[cls] = fit
    setattr(cls, "fit", _wrap(fit))


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        global _depth
        config = _config
        if config is None or _depth:
            return original(self, *args, **kwargs)
        with _lock:
            _depth += 1
        try:
            return _logged_fit(config, original, self, args, kwargs)
        finally:
            with _lock:
                _depth -= 1

    fit.__modelcloud_autolog__ = True  # type: ignore[attr-defined]
    return fit


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        sys.stderr.write("modelcloud.autolog: %s\n" % message)


def _logged_fit(config: Dict[str, Any], original: Callable[..., Any], estimator: Any, args: tuple,
                kwargs: Dict[str, Any]) -> Any:
    run = _fluent.active_run()
    own = run is None
    if own:
        run = _fluent.start_run(tags={AUTOLOG_TAG: "sklearn"})
        with _lock:
            _states[run.id] = _RunState(config, True)
    started = time.perf_counter()
    try:
        result = original(estimator, *args, **kwargs)
    except BaseException as exc:
        if own:
            with _lock:
                _states.pop(run.id, None)
            run.end("KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED")
        raise
    elapsed = time.perf_counter() - started
    try:
        _log_fit(config, run, estimator, args, kwargs, elapsed)
        if own:
            _finish(run)
    except Exception as exc:  # logging must never break training
        _warn_once(type(exc).__name__, "could not log the fit of %s: %s: %s"
                   % (type(estimator).__name__, type(exc).__name__, exc))
    finally:
        if own:
            with _lock:
                _states.pop(run.id, None)
            run.end("FINISHED")
    return result


class _RunState(object):
    """What autolog remembers about one run between its fits."""

    __slots__ = ("fits", "classes", "config", "last", "own")

    def __init__(self, config: Dict[str, Any], own: bool) -> None:
        self.fits = 0
        self.classes: set = set()
        self.config = config
        self.own = own
        #: (estimator, args, kwargs, fit index) of the last outermost fit: scored and saved at the end.
        self.last: Optional[tuple] = None


_states: Dict[str, _RunState] = {}


def _is_estimator_like(value: Any) -> bool:
    if hasattr(value, "get_params") and hasattr(value, "fit"):
        return True
    if isinstance(value, (list, tuple)) and value:
        return any(_is_estimator_like(v[-1] if isinstance(v, tuple) and v else v) for v in value)
    return False


def _params_of(estimator: Any) -> Dict[str, str]:
    try:
        params = estimator.get_params(deep=True)
    except Exception:
        return {}
    out = {}
    for key, value in params.items():
        if _is_estimator_like(value):
            continue
        text = str(value)
        out[key] = text if len(text) <= MAX_PARAM_CHARS else text[:MAX_PARAM_CHARS - 3] + "..."
    return out


def _training_data(args: tuple, kwargs: Dict[str, Any]) -> tuple:
    x = args[0] if args else kwargs.get("X", kwargs.get("x"))
    y = args[1] if len(args) > 1 else kwargs.get("y")
    return x, y


def _rows(x: Any) -> Optional[int]:
    shape = getattr(x, "shape", None)
    if shape:
        return int(shape[0])
    try:
        return len(x)
    except TypeError:
        return None


def _log_fit(config: Dict[str, Any], run: Any, estimator: Any, args: tuple, kwargs: Dict[str, Any],
             elapsed: float) -> None:
    """Per fit: params (once per estimator class and run), fit time, search results. The training
    score and the model are left for the end of the run (``_finish``): in a loop of small fits,
    ``estimator.score`` costs as much as the fit itself (scikit-learn validates its input again)."""
    with _lock:
        state = _states.get(run.id)
        if state is None:
            state = _states[run.id] = _RunState(config, False)
        index = state.fits
        state.fits += 1
        new_class = type(estimator) not in state.classes
        state.classes.add(type(estimator))
    search = hasattr(estimator, "cv_results_")
    if new_class or search:
        params = _params_of(estimator)
        if search and isinstance(getattr(estimator, "best_params_", None), dict):
            params.update({"best_%s" % k: str(v)[:MAX_PARAM_CHARS] for k, v in estimator.best_params_.items()})
        logged = getattr(run, "_params", {})
        # A param is written once per run: later fits in the same run add new keys only.
        fresh = {k: v for k, v in params.items() if logged.get(k) is None}
        if fresh:
            run.log_params(fresh)
    if new_class:
        run.set_tags({AUTOLOG_TAG: "sklearn", "modelcloud.autolog.estimator": "%s.%s" % (
            type(estimator).__module__, type(estimator).__qualname__)})
    run.log_metric("fit_time_s", elapsed, step=index)
    if search and isinstance(getattr(estimator, "best_score_", None), (int, float)):
        run.log_metric("best_cv_score", float(estimator.best_score_), step=index)
    if search:
        _log_candidates(config, run, estimator)
    with _lock:
        state.last = (estimator, args, kwargs, index)


def _training_score(config: Dict[str, Any], estimator: Any, args: tuple, kwargs: Dict[str, Any]) -> Optional[float]:
    x, y = _training_data(args, kwargs)
    if not config["training_score"] or y is None or not hasattr(estimator, "score"):
        return None
    rows = _rows(x)
    if rows is None or rows > config["max_score_samples"]:
        return None
    try:
        weight = kwargs.get("sample_weight")
        return float(estimator.score(x, y) if weight is None else estimator.score(x, y, sample_weight=weight))
    except Exception:
        return None  # no score for this estimator/data (e.g. a search with refit=False)


def _finish(run: Any) -> None:
    """End-of-run logging of the last outermost fit: training score, fit count, model."""
    with _lock:
        state = _states.pop(run.id, None)
    if state is None or state.last is None:
        return
    estimator, args, kwargs, index = state.last
    score = _training_score(state.config, estimator, args, kwargs)
    if score is not None:
        run.log_metric("training_score", score, step=index)
    if state.fits > 1:
        run.set_tag("modelcloud.autolog.fits", state.fits)
    if state.config["log_models"] and _fluent.active_run() is run:
        from ._models import log_model

        log_model(estimator, register=False, artifact_path="autolog-model" if not state.own else "model")


def _log_candidates(config: Dict[str, Any], parent: Any, search: Any) -> None:
    from ._run import Run

    results = search.cv_results_
    candidates = results.get("params") or []
    if not candidates:
        return
    refit = getattr(search, "refit", True)
    rank_key = "rank_test_%s" % refit if isinstance(refit, str) and "rank_test_%s" % refit in results \
        else "rank_test_score"
    order = list(range(len(candidates)))
    if rank_key in results:
        order.sort(key=lambda i: int(results[rank_key][i]))
    limit = config["max_tuning_runs"]
    if limit is not None:
        order = order[:limit]
    score_keys = [k for k in results if k.startswith(("mean_test_", "std_test_", "rank_test_",
                                                      "mean_train_", "std_train_", "mean_fit_time"))]
    for i in sorted(order):
        child = Run(parent.experiment, "%s-candidate-%d" % (parent.name, i), parent.store,
                    {"mlflow.parentRunId": parent.id, AUTOLOG_TAG: "sklearn", "modelcloud.autolog.candidate": i})
        try:
            child.log_params({k: str(v)[:MAX_PARAM_CHARS] for k, v in candidates[i].items()})
            values = {}
            for key in score_keys:
                try:
                    values[key] = float(results[key][i])
                except (TypeError, ValueError):
                    continue
            child.log_metrics(values, step=0)
        finally:
            child.end("FINISHED")


def _on_run_end(run: Any, status: str) -> None:
    if status != "FINISHED" or run.status != "RUNNING":
        with _lock:
            _states.pop(run.id, None)
        return
    try:
        _finish(run)
    except Exception as exc:
        _warn_once("finish", "could not log the last fit of run %s: %s: %s" % (run.id, type(exc).__name__, exc))


def finish_run(run: Any) -> None:
    """Log the training score and model of the last fit of ``run`` now (``%%mc_run`` calls this
    before ending its run; ``Run.end`` does it otherwise)."""
    _on_run_end(run, "FINISHED")


__all__: List[str] = ["autolog", "finish_run", "is_enabled"]
