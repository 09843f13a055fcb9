"""Routing and the endpoints of one worker: commands, docs, health, metrics, admin.

``ServiceApp.handle`` maps a parsed request to ``(status, content type, body, extra header bytes)``;
the HTTP loop (httpserver.py) owns sockets and framing. Command requests take the shortest path:
decode JSON, validate, call, check the result, encode.
"""

from __future__ import annotations

import hmac
import json
import os
import platform
import sys
import time
import traceback
from collections import Counter
from typing import Any, Callable, Dict, Optional, Tuple

from .._version import __version__
from ..data_types import ValidationError
from . import docs_pages, metrics as metrics_mod
from .model_files import content_label, files_signature, model_files
from .model_holder import ModelHolder
from .openapi import openapi_document
from .registry import Command, Registry
from .state import SharedState

Response = Tuple[int, bytes, bytes, bytes]  # status, content type, body, extra header lines
JSON = b"application/json"
_FAVICON = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
            b'fill="#3b6ea8"/></svg>')


def _reject_constant(name: str) -> Any:
    raise ValueError("%s is not valid JSON" % name)


_decoder = json.JSONDecoder(parse_constant=_reject_constant)
_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode


def json_body(data: Any) -> bytes:
    return _encode(data).encode("utf-8")


def error(status: int, kind: str, message: str, **extra: Any) -> Response:
    payload: Dict[str, Any] = {"error": kind}
    payload.update(extra)
    payload["message"] = message
    return status, JSON, json_body(payload), b""


class ServiceApp:
    def __init__(self, registry: Registry, holder: ModelHolder, state: SharedState, service: str, folder: str,
                 metrics: Optional[metrics_mod.WorkerMetrics], layout: metrics_mod.MetricsLayout,
                 log: Callable[[str], None]) -> None:
        self.registry = registry
        self.holder = holder
        self.state = state
        self.service = service
        self.folder = folder
        self.metrics = metrics
        self.layout = layout
        self.log = log
        self.draining = False
        token = os.environ.get("MODELCLOUD_ADMIN_TOKEN", "")
        self._admin_token = token.encode() if token else b""
        self._commands: Dict[bytes, Command] = {("/" + n).encode(): c for n, c in registry.commands.items()}
        self._openapi = json_body(openapi_document(registry, service))
        self._get: Dict[bytes, Callable[[Dict[bytes, bytes]], Response]] = {
            b"/healthz": self._healthz, b"/readyz": self._readyz, b"/metrics": self._metrics,
            b"/version": self._version, b"/openapi.json": lambda h: (200, JSON, self._openapi, b""),
            b"/redoc": self._page(docs_pages.redoc_page(service)), b"/docs": self._page(docs_pages.swagger_page(service)),
            b"/": self._index, b"/admin/model": self._admin_status,
            b"/favicon.ico": lambda h: (200, b"image/svg+xml", _FAVICON, b"Cache-Control: public, max-age=86400\r\n"),
        }

    # -- dispatch ---------------------------------------------------------------------------
    def handle(self, method: bytes, target: bytes, headers: Dict[bytes, bytes], body: bytes) -> Response:
        q = target.find(b"?")
        path = target if q < 0 else target[:q]
        cmd = self._commands.get(path)
        if cmd is not None:
            if method != b"POST":
                return (405, JSON, json_body({"error": "method_not_allowed",
                                              "message": "use POST %s with a JSON body" % cmd.path}), b"Allow: POST\r\n")
            return self.run_command(cmd, body)
        if method == b"GET" or method == b"HEAD":
            route = self._get.get(path)
            if route is not None:
                return route(headers)
            if path.startswith(b"/static/"):
                found = docs_pages.static_file(path[8:].decode("utf-8", "replace"))
                if found is not None:
                    return 200, found[0], found[1], b"Cache-Control: public, max-age=86400\r\n"
        elif method == b"POST" and path == b"/admin/model":
            return self._admin_reload(headers, body)
        known = ", ".join(self.registry.command_names()) or "(none declared)"
        return error(404, "not_found", "no endpoint %s %s; commands (POST): %s; see /docs"
                     % (method.decode("latin-1"), path.decode("latin-1"), known))

    # -- commands ---------------------------------------------------------------------------
    def run_command(self, cmd: Command, body: bytes) -> Response:
        started = time.perf_counter()
        result = self._run_command(cmd, body)
        if self.metrics is not None:
            self.metrics.request(cmd.name, result[0], time.perf_counter() - started)
        return result

    def _run_command(self, cmd: Command, body: bytes) -> Response:
        try:
            payload = _decoder.decode(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError) as err:
            return error(400, "bad_request", "the body of POST %s is not valid JSON: %s" % (cmd.path, err))
        try:
            inputs = cmd.check_input({} if payload is None else payload)  # an empty body is {}
        except ValidationError as err:
            return 422, JSON, json_body(err.to_json()), b""
        try:
            result = cmd.fn(self.holder.model, inputs)
        except Exception as err:  # the user's command
            self.log("command %s failed: %s" % (cmd.name, traceback.format_exc().rstrip()))
            return error(500, "command_failed", "command '%s' raised %s: %s" % (cmd.name, type(err).__name__, err))
        try:
            output = cmd.check_output(result)
            return 200, JSON, json_body(output), b""
        except ValidationError as err:
            message = ("command '%s' returned a result that does not match its declared outputs: %s"
                       % (cmd.name, err.message))
            self.log(message)
            return error(500, "invalid_output", message, field=err.field, rule=err.rule)
        except ValueError as err:  # e.g. a value JSON cannot represent
            return error(500, "invalid_output", "command '%s' returned a result that cannot be sent as JSON: %s"
                         % (cmd.name, err))

    # -- operations -------------------------------------------------------------------------
    def _healthz(self, headers: Dict[bytes, bytes]) -> Response:
        h = self.holder
        return 200, JSON, json_body({
            "status": "degraded" if h.reload_error else "ok", "model_version": h.version,
            "reload_error": h.reload_error, "worker": os.getpid(), "model_seq": h.loaded_seq,
            "shutting_down": self.draining}), b""

    def _readyz(self, headers: Dict[bytes, bytes]) -> Response:
        if self.draining:
            return error(503, "not_ready", "the server is shutting down")
        expected = int(self.state.read_master().get("workers", 1))
        workers = self.state.live_workers()
        ready = sum(1 for w in workers if w.get("ready"))
        body = {"ready": ready >= expected, "workers_ready": ready, "workers": expected}
        if ready >= expected:
            return 200, JSON, json_body(body), b""
        body["message"] = "%d of %d workers have finished setup()" % (ready, expected)
        return 503, JSON, json_body(body), b""

    def _metrics(self, headers: Dict[bytes, bytes]) -> Response:
        workers = self.state.live_workers()
        versions = Counter(str(w.get("version")) for w in workers if w.get("ready"))
        text = metrics_mod.render(self.state.folder, self.layout, dict(versions), len(workers))
        return 200, b"text/plain; version=0.0.4; charset=utf-8", text.encode("utf-8"), b""

    def _version(self, headers: Dict[bytes, bytes]) -> Response:
        return 200, JSON, json_body({
            "service": self.service, "model_version": self.holder.version,
            "runtime": "modelcloud/%s" % __version__, "python": platform.python_version(),
            "commands": self.registry.command_names()}), b""

    def _index(self, headers: Dict[bytes, bytes]) -> Response:
        return 200, JSON, json_body({
            "service": self.service, "commands": ["POST /" + n for n in self.registry.command_names()],
            "docs": "/docs", "redoc": "/redoc", "openapi": "/openapi.json"}), b""

    @staticmethod
    def _page(html: bytes) -> Callable[[Dict[bytes, bytes]], Response]:
        extra = ("Content-Security-Policy: %s\r\nX-Content-Type-Options: nosniff\r\n" % docs_pages.CSP).encode()
        return lambda headers: (200, b"text/html; charset=utf-8", html, extra)

    # -- admin ------------------------------------------------------------------------------
    def _authorise(self, headers: Dict[bytes, bytes]) -> Optional[Response]:
        if not self._admin_token:
            return error(403, "forbidden", "admin endpoints are disabled: set MODELCLOUD_ADMIN_TOKEN in the "
                                           "service's environment and send 'Authorization: Bearer <token>'")
        auth = headers.get(b"authorization", b"")
        if not auth[:7].lower() == b"bearer " or not hmac.compare_digest(auth[7:].strip(), self._admin_token):
            status, ctype, body, _ = error(401, "unauthorized", "send 'Authorization: Bearer <token>' with the "
                                                                "token from MODELCLOUD_ADMIN_TOKEN")
            return status, ctype, body, b'WWW-Authenticate: Bearer realm="modelcloud"\r\n'
        return None

    def _admin_reload(self, headers: Dict[bytes, bytes], body: bytes) -> Response:
        denied = self._authorise(headers)
        if denied:
            return denied
        label = None
        if body.strip():
            try:
                payload = _decoder.decode(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as err:
                return error(400, "bad_request", "the body of POST /admin/model must be JSON such as "
                                                 '{"version": "models:/wine/3"}: %s' % err)
            if not isinstance(payload, dict) or not isinstance(payload.get("version", ""), str):
                return 422, JSON, json_body(ValidationError("version", "type", "'version' must be a string "
                                                            "label such as models:/wine/3").to_json()), b""
            label = payload.get("version") or None
        files = model_files(self.folder)
        if label is None:  # hashing blocks this worker: only small models get a content label here
            label = content_label(files, limit=64 * 1024 * 1024)
        version = self.state.bump(label, files_signature(files), "admin")
        self.log("hot update requested: model version %s (seq %d)" % (version["label"], version["seq"]))
        return 202, JSON, json_body({"reloading": True, "version": version["label"], "seq": version["seq"]}), b""

    def _admin_status(self, headers: Dict[bytes, bytes]) -> Response:
        denied = self._authorise(headers)
        if denied:
            return denied
        return 200, JSON, json_body({"version": self.state.read_version(), "last_reload": self.state.reload_status(),
                                     "workers": self.state.live_workers()}), b""


def log_to_stderr(message: str) -> None:
    sys.stderr.write("modelcloud[%d]: %s\n" % (os.getpid(), message))
    sys.stderr.flush()
