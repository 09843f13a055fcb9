"""``modelcloud.run()``: serve the commands declared by the calling module."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from typing import Optional

from .config import ConfigError, resolve_config, service_name
from .registry import REGISTRY, ServiceDefinitionError
from .state import SharedState
from .supervisor import DevSupervisor, PreforkMaster
from .worker import serve_worker


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ConfigError("cannot listen on %s:%d: %s; choose another port with MODELCLOUD_PORT or "
                          "run(port=...) (0 picks a free one)" % (host, port, err.strerror or err)) from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def run(port: Optional[int] = None, runenv: str = "dev", workers: Optional[int] = None,
        host: Optional[str] = None) -> None:
    """Serve the commands declared with @modelcloud.command until SIGTERM/SIGINT.

    runenv="dev": one process, every request logged, restarts when a .py file of the service folder
    changes. runenv="prod": ``workers`` pre-forked processes on one socket, graceful shutdown.
    Environment variables override the arguments (see modelcloud/serving/config.py). The working
    directory becomes the service folder, so setup() can open model files by relative path."""
    try:
        code = _run(port, runenv, workers, host)
    except (ConfigError, ServiceDefinitionError) as err:
        sys.stderr.write("modelcloud: %s\n" % err)
        raise SystemExit(2) from None
    if code:
        raise SystemExit(code)


def _run(port: Optional[int], runenv: str, workers: Optional[int], host: Optional[str]) -> int:
    registry = REGISTRY
    if not registry.commands:
        raise ServiceDefinitionError("no commands to serve: decorate a function with "
                                     "@modelcloud.command('predict', inputs=..., outputs=...) before run()")
    folder = os.path.dirname(registry.source_file) if registry.source_file else os.getcwd()
    if sys.argv and sys.argv[0] and not os.path.isabs(sys.argv[0]) and os.path.exists(sys.argv[0]):
        sys.argv[0] = os.path.abspath(sys.argv[0])  # the dev supervisor re-executes it after chdir
    os.chdir(folder)
    cfg = resolve_config(port, runenv, workers, host)
    service = service_name(folder)

    inherited = os.environ.get("MODELCLOUD_LISTEN_FD")
    if inherited:  # a dev-mode child of DevSupervisor: serve on its socket, in its state folder
        listener = socket.socket(fileno=int(inherited))
        state = SharedState(os.environ["MODELCLOUD_STATE_DIR"])
        return serve_worker(listener, state, registry, service, folder, True, cfg.graceful_timeout)

    listener = _listen(cfg.host, cfg.port)
    bound_port = listener.getsockname()[1]
    state_dir = os.environ.get("MODELCLOUD_STATE_DIR", "").strip()
    remove_state = not state_dir
    if remove_state:
        state_dir = tempfile.mkdtemp(prefix="modelcloud-state-")
    state = SharedState(state_dir)
    shown_host = "[%s]" % cfg.host if ":" in cfg.host else cfg.host
    sys.stdout.write("modelcloud: serving %s (runenv=%s, %d worker%s) on http://%s:%d  docs: /redoc /docs\n"
                     % (service, cfg.runenv, cfg.workers, "" if cfg.workers == 1 else "s", shown_host, bound_port))
    sys.stdout.flush()
    supervisor_cls = DevSupervisor if cfg.runenv == "dev" else PreforkMaster
    return supervisor_cls(listener, cfg, state, registry, service, folder, remove_state).run()
