"""A tracking run: the object behind ``with modelcloud.start_run() as run``."""

from __future__ import annotations

import os
import posixpath
import random
import uuid
from time import time_ns
from typing import Any, Dict, Mapping, Optional

from . import _lifecycle
from ._context import capture_run_context
from ._store import run_log_path, store_artifact
from ._writer import RUN_LOG_VERSION, RunLogWriter, encode_event, now_ms

#: As in MLflow: longer values belong in an artifact.
MAX_PARAM_VALUE_LENGTH = 6000
MAX_KEY_LENGTH = 250
END_STATUSES = ("FINISHED", "FAILED", "KILLED")

_ADJECTIVES = ("amber", "bold", "brisk", "calm", "clever", "crisp", "eager", "gentle", "keen", "lucid",
               "merry", "nimble", "quiet", "rapid", "sunny", "swift", "tidy", "vivid", "wise", "zesty")
_NOUNS = ("otter", "falcon", "maple", "comet", "heron", "lynx", "cedar", "finch", "koala", "orca",
          "panda", "quartz", "raven", "salmon", "tiger", "walrus", "willow", "yak", "zebra", "badger")


def random_run_name() -> str:
    return "%s-%s-%d" % (random.choice(_ADJECTIVES), random.choice(_NOUNS), random.randint(100, 999))


def _check_key(kind: str, key: Any) -> None:
    if not isinstance(key, str) or not key:
        raise TypeError("%s key must be a non-empty string, got %r" % (kind, key))
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError("%s key %r... is %d characters; the limit is %d" % (kind, key[:40], len(key), MAX_KEY_LENGTH))


def _metric_value(key: str, value: Any) -> float:
    if isinstance(value, (str, bytes)):
        raise TypeError("metric %r: value must be a number, got the string %r" % (key, value))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(
            "metric %r: value must be a number (or have __float__), got %s %r" % (key, type(value).__name__, value)
        ) from None


def _integer(what: str, key: str, value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("metric %r: %s must be a whole number, got %r" % (key, what, value))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TypeError("metric %r: %s must be an integer, got %r" % (key, what, value)) from None


class Run:
    """One run, writing ``<store>/runs/<id>.jsonl``.

    Attributes: ``id`` (32 lowercase hex digits), ``name``, ``experiment``,
    ``store`` (the store folder), ``status`` ('RUNNING' until ended).
    Used as a context manager it ends FINISHED, or FAILED if the body raised,
    or KILLED on KeyboardInterrupt.
    """

    def __init__(self, experiment: str, name: Optional[str], store: str,
                 tags: Optional[Mapping[str, Any]] = None) -> None:
        if not isinstance(experiment, str) or not experiment.strip():
            raise ValueError("experiment name must be a non-empty string, got %r" % (experiment,))
        self.id = uuid.uuid4().hex
        self.name = str(name) if name else random_run_name()
        self.experiment = experiment
        self.store = store
        self.status = "RUNNING"
        self._steps: Dict[str, int] = {}
        self._params: Dict[str, str] = {}
        start: Dict[str, Any] = {"v": RUN_LOG_VERSION, "t": "run_start", "ts": now_ms(), "run": self.id,
                                 "experiment": experiment, "name": self.name}
        start.update(capture_run_context())
        tag_values = self._tag_values(tags or {})
        if tag_values:
            start["tags"] = tag_values
        self._writer = RunLogWriter(run_log_path(store, self.id), encode_event(start))
        self._append = self._writer.append
        _lifecycle.register(self)

    def __repr__(self) -> str:
        return "<Run id=%s name=%r experiment=%r status=%s>" % (self.id, self.name, self.experiment, self.status)

    @property
    def log_path(self) -> str:
        return self._writer.path

    # -- metrics: the hot path ------------------------------------------------

    def log_metric(self, key: str, value: float, step: Optional[int] = None,
                   timestamp: Optional[int] = None) -> None:
        """Record one metric value.

        ``step=None`` means "the next step for this key": the previous step
        logged for ``key`` in this run plus one, starting at 0 (so a loop that
        just calls ``log_metric("loss", x)`` gets steps 0, 1, 2, ...).
        ``timestamp`` is epoch milliseconds; by default the time of this call.
        The point reaches the file within about 100 ms (background flush).
        """
        if value.__class__ is not float:
            value = _metric_value(key, value)
        steps = self._steps
        if step is None:
            last = steps.get(key)
            if last is None:
                _check_key("metric", key)
                step = 0
            else:
                step = last + 1
        else:
            if step.__class__ is not int:
                step = _integer("step", key, step)
            if key not in steps:
                _check_key("metric", key)
        steps[key] = step
        if timestamp is None:
            timestamp = time_ns() // 1000000  # epoch ms; time_ns is ~2x cheaper than int(time() * 1000)
        elif timestamp.__class__ is not int:
            timestamp = _integer("timestamp", key, timestamp)
        self._append((key, value, step, timestamp))

    def log_metrics(self, metrics: Mapping[str, float], step: Optional[int] = None) -> None:
        """Record several metrics at one time; ``step=None`` auto-increments per key (see log_metric)."""
        ts = time_ns() // 1000000
        for key, value in metrics.items():
            self.log_metric(key, value, step, ts)

    # -- params, tags, artifacts -------------------------------------------------

    def log_param(self, key: str, value: Any) -> None:
        """Record one parameter; the value is stored as ``str(value)`` (max 6000 characters)."""
        self.log_params({key: value})

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Record parameters (values str()-ed, as MLflow does) in one event.

        As in MLflow a parameter is written once: logging the same key again with
        a different value raises ValueError (use a tag or a metric for values that change).
        """
        values: Dict[str, str] = {}
        for key, value in params.items():
            _check_key("param", key)
            text = str(value)
            if len(text) > MAX_PARAM_VALUE_LENGTH:
                raise ValueError(
                    "param %r: value is %d characters; the limit is %d (as in MLflow). "
                    "Log long text with log_artifact() instead." % (key, len(text), MAX_PARAM_VALUE_LENGTH)
                )
            old = self._params.get(key)
            if old is not None and old != text:
                raise ValueError(
                    "param %r was already logged in run %s with value %r; changing it to %r is not allowed "
                    "(as in MLflow). Use a tag or a metric for values that change." % (key, self.id, old, text)
                )
            values[key] = text
        if not values:
            return
        self._params.update(values)
        self._append(encode_event({"v": RUN_LOG_VERSION, "t": "params", "ts": now_ms(), "params": values}))

    @staticmethod
    def _tag_values(tags: Mapping[str, Any]) -> Dict[str, str]:
        values = {}
        for key, value in tags.items():
            _check_key("tag", key)
            values[key] = str(value)
        return values

    def set_tag(self, key: str, value: Any) -> None:
        """Set a tag (value str()-ed); unlike params, tags may change."""
        self.set_tags({key: value})

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        values = self._tag_values(tags)
        if values:
            self._append(encode_event({"v": RUN_LOG_VERSION, "t": "tags", "ts": now_ms(), "tags": values}))

    def log_artifact(self, local_path: str, artifact_path: Optional[str] = None) -> str:
        """Store a file with the run and return its sha256.

        The bytes go to ``<store>/artifacts/<sha[:2]>/<sha[2:]>`` (identical files
        are stored once). As in MLflow, ``artifact_path`` is a folder inside the
        run: the artifact is named ``<artifact_path>/<file name>``, or just the
        file name without it.
        """
        local_path = os.fspath(local_path)
        sha, size = store_artifact(self.store, local_path)
        name = os.path.basename(local_path)
        if artifact_path:
            name = posixpath.join(str(artifact_path).replace(os.sep, "/").strip("/"), name)
        self._append(encode_event({"v": RUN_LOG_VERSION, "t": "artifact", "ts": now_ms(),
                                   "path": name, "size": size, "sha256": sha}))
        return sha

    def log_artifacts(self, local_dir: str, artifact_path: Optional[str] = None) -> None:
        """Store every file under ``local_dir``, keeping relative paths under ``artifact_path``."""
        local_dir = os.fspath(local_dir)
        if not os.path.isdir(local_dir):
            raise NotADirectoryError("log_artifacts: %r is not a folder" % local_dir)
        for folder, _dirs, files in os.walk(local_dir):
            rel = os.path.relpath(folder, local_dir)
            parts = [p for p in (artifact_path, None if rel == "." else rel) if p]
            sub = posixpath.join(*[str(p).replace(os.sep, "/") for p in parts]) if parts else None
            for file_name in sorted(files):
                self.log_artifact(os.path.join(folder, file_name), sub)

    # -- ending ---------------------------------------------------------------

    def flush(self) -> None:
        """Write everything logged so far to disk now (normally done every 100 ms)."""
        self._writer.flush()

    def _refuse(self, _item: Any) -> None:
        raise RuntimeError("run %s (%r) has ended (%s); start a new run to log more" % (self.id, self.name, self.status))

    def end(self, status: str = "FINISHED") -> None:
        """End the run: write run_end, flush and close the log. Ending twice does nothing."""
        if status not in END_STATUSES:
            raise ValueError("run status must be one of %s, got %r" % (", ".join(END_STATUSES), status))
        if self.status != "RUNNING":
            return
        self.status = status
        self._writer.append(encode_event({"v": RUN_LOG_VERSION, "t": "run_end", "ts": now_ms(), "status": status}))
        self._append = self._refuse
        try:
            self._writer.close()
        finally:
            _lifecycle.forget(self)

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            status = "FINISHED"
        elif issubclass(exc_type, KeyboardInterrupt):
            status = "KILLED"
        elif issubclass(exc_type, SystemExit) and exc.code in (None, 0):
            status = "FINISHED"
        else:
            status = "FAILED"
        self.end(status)
