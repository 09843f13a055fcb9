"""What a service module declares: its setup() and its commands (filled by the decorators).

One registry per process: a service is one module (``cloud_model.py``) that decorates its
functions at import time; ``run()`` and ``python -m modelcloud inspect`` read it afterwards.
"""

from __future__ import annotations

import inspect
import os
import re
from typing import Any, Callable, Dict, List, Mapping, Optional

from .._registry import hot_update_model
from ..data_types import DataType, compile_fields, example_of, fields_schema

# Paths the runtime serves itself; a command cannot take them.
RESERVED_NAMES = frozenset({"healthz", "readyz", "metrics", "version", "openapi.json", "docs", "redoc", "admin",
                            "static", "favicon.ico"})
_COMMAND_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ServiceDefinitionError(Exception):
    """The service module declares something the runtime cannot serve (bad name, duplicate, ...)."""


class Command:
    __slots__ = ("name", "fn", "inputs", "outputs", "doc", "check_input", "check_output", "path")

    def __init__(self, name: str, fn: Callable[..., Any], inputs: Mapping[str, DataType],
                 outputs: Mapping[str, DataType]) -> None:
        self.name = name
        self.fn = fn
        self.inputs = dict(inputs)
        self.outputs = dict(outputs)
        self.doc = inspect.cleandoc(fn.__doc__ or "")
        self.check_input = compile_fields(self.inputs, "command %r inputs" % name)
        self.check_output = compile_fields(self.outputs, "command %r outputs" % name)
        self.path = "/" + name

    def describe(self) -> Dict[str, Any]:
        return {"name": self.name, "inputs": fields_schema(self.inputs), "outputs": fields_schema(self.outputs),
                "doc": self.doc, "example": example_of(self.inputs)}


class Registry:
    def __init__(self) -> None:
        self.setup_fn: Optional[Callable[[], Any]] = None
        self.commands: Dict[str, Command] = {}
        self.source_file: Optional[str] = None

    def call_setup(self, label: str) -> Any:
        """setup() for model version ``label`` (None without one). Every load goes through here, so
        ``load_model()`` inside it follows a hot update to a models:/ version (see hot_update_model)."""
        if self.setup_fn is None:
            return None
        with hot_update_model(label):
            return self.setup_fn()

    def set_setup(self, fn: Callable[[], Any]) -> None:
        if not callable(fn):
            raise ServiceDefinitionError("@modelcloud.setup must decorate a function that returns the model")
        self.setup_fn = fn
        self._note_source(fn)

    def add_command(self, name: str, fn: Callable[..., Any], inputs: Mapping[str, DataType],
                    outputs: Mapping[str, DataType]) -> None:
        if not isinstance(name, str) or not _COMMAND_NAME.match(name):
            raise ServiceDefinitionError("command name %r: use letters, digits, '_', '-' or '.' (at most 64), "
                                         "e.g. @modelcloud.command('predict', ...)" % (name,))
        if name in RESERVED_NAMES:
            raise ServiceDefinitionError("command name %r is reserved by the runtime (%s); choose another name"
                                         % (name, ", ".join(sorted(RESERVED_NAMES))))
        if name in self.commands and self.commands[name].fn is not fn:
            raise ServiceDefinitionError("command %r is declared twice (%s and %s)"
                                         % (name, self.commands[name].fn.__qualname__, fn.__qualname__))
        try:
            self.commands[name] = Command(name, fn, inputs, outputs)
        except TypeError as err:
            raise ServiceDefinitionError(str(err)) from None
        self._note_source(fn)

    def _note_source(self, fn: Callable[..., Any]) -> None:
        code = getattr(fn, "__code__", None)
        if code is not None and self.source_file is None:
            self.source_file = os.path.abspath(code.co_filename)

    def command_names(self) -> List[str]:
        return sorted(self.commands)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]


REGISTRY = Registry()


def setup(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Decorator: ``fn()`` loads and returns the model. Called in every worker before it serves,
    and again (one worker at a time) on a hot update."""
    REGISTRY.set_setup(fn)
    return fn


def command(name: str, inputs: Optional[Mapping[str, DataType]] = None,
            outputs: Optional[Mapping[str, DataType]] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: serve ``fn(model, input) -> dict`` as ``POST /<name>``. ``input`` is the request
    body validated against ``inputs``; the returned dict is checked against ``outputs``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY.add_command(name, fn, inputs or {}, outputs or {})
        return fn

    return register
