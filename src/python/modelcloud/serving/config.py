"""Server settings: the arguments of ``run()``, overridden by the environment deployers set.

Environment wins because the seed's service hard-codes ``run(port=9000, runenv="prod")`` and the
deployer must still choose the port, worker count and so on:

    MODELCLOUD_PORT       port (0 = any free port; the chosen one is printed)       default: run(port) or 9000
    MODELCLOUD_HOST       interface to listen on                                     default: run(host) or 127.0.0.1
    MODELCLOUD_RUNENV     dev | prod                                                 default: run(runenv)
    MODELCLOUD_WORKERS    worker processes in prod                                   default: run(workers) or 2
    MODELCLOUD_SERVICE    service name in /version and the docs                      default: modelcloud.yaml name, else folder
    MODELCLOUD_STATE_DIR  folder for the shared model version, locks, metrics        default: a temp dir per server
    MODELCLOUD_GRACEFUL_TIMEOUT  seconds to drain in-flight requests on shutdown      default: 30
    MODELCLOUD_ACCESS_LOG 1 = log every request in prod too (always on in dev)
    MODELCLOUD_PRELOAD    0 = each prod worker calls setup() itself instead of the master once before forking
(MODELCLOUD_ADMIN_TOKEN, MODELCLOUD_MODEL_VERSION, MODELCLOUD_MODEL_FILES, MODELCLOUD_MAX_BODY are read
where they are used.)
"""

from __future__ import annotations

import os
import re
from typing import Optional

DEFAULT_PORT = 9000
DEFAULT_PROD_WORKERS = 2


class ConfigError(Exception):
    pass


class ServerConfig:
    def __init__(self, port: int, host: str, runenv: str, workers: int, graceful_timeout: float,
                 access_log: bool) -> None:
        self.port = port
        self.host = host
        self.runenv = runenv
        self.workers = workers
        self.graceful_timeout = graceful_timeout
        self.access_log = access_log


def _env_int(name: str, fallback: Optional[int]) -> Optional[int]:
    text = os.environ.get(name, "").strip()
    if not text:
        return fallback
    try:
        return int(text)
    except ValueError:
        raise ConfigError("%s=%r is not a whole number; set it to e.g. %s=9000" % (name, text, name)) from None


def resolve_config(port: Optional[int], runenv: str, workers: Optional[int], host: Optional[str]) -> ServerConfig:
    runenv = (os.environ.get("MODELCLOUD_RUNENV", "").strip() or runenv or "dev").lower()
    if runenv not in ("dev", "prod"):
        raise ConfigError("runenv %r is not known; use runenv='dev' (one process, reloads on code changes) or "
                          "'prod' (pre-forked workers)" % runenv)
    port = _env_int("MODELCLOUD_PORT", port)
    port = DEFAULT_PORT if port is None else port
    if not 0 <= port <= 65535:
        raise ConfigError("port %d is out of range 0-65535 (0 picks a free port)" % port)
    workers = _env_int("MODELCLOUD_WORKERS", workers)
    if runenv == "dev":
        workers = 1
    elif workers is None:
        workers = DEFAULT_PROD_WORKERS
    if workers < 1:
        raise ConfigError("workers must be at least 1, got %d (MODELCLOUD_WORKERS or run(workers=...))" % workers)
    host = os.environ.get("MODELCLOUD_HOST", "").strip() or host or "127.0.0.1"
    try:
        graceful = float(os.environ.get("MODELCLOUD_GRACEFUL_TIMEOUT", "30"))
    except ValueError:
        raise ConfigError("MODELCLOUD_GRACEFUL_TIMEOUT must be a number of seconds") from None
    access_log = runenv == "dev" or os.environ.get("MODELCLOUD_ACCESS_LOG", "") in ("1", "true", "yes")
    return ServerConfig(port, host, runenv, workers, graceful, access_log)


def service_name(folder: str) -> str:
    """MODELCLOUD_SERVICE, else ``name:`` of modelcloud.yaml (top-level line), else the folder name."""
    name = os.environ.get("MODELCLOUD_SERVICE", "").strip()
    if name:
        return name
    try:
        with open(os.path.join(folder, "modelcloud.yaml"), "r", encoding="utf-8") as f:
            for line in f:
                m = re.match(r"""^name:\s*["']?([^"'#\s]+)""", line)
                if m:
                    return m.group(1)
    except OSError:
        pass
    base = os.path.basename(os.path.abspath(folder)).lower()
    return re.sub(r"[^a-z0-9-]+", "-", base).strip("-") or "service"
