"""What a run records about where it ran: source, git, Python, host, user, packages.

Everything here is best effort: a failure means the field is omitted, never
that the run fails. Slow answers (git, the package list) are cached for the
life of the process: the code a process runs does not change under it.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import platform
import re
import socket
import subprocess
import sys
from typing import Any, Dict, Optional

_GIT_TIMEOUT_S = 2.0
_git_cache: Dict[str, Dict[str, Any]] = {}
_pip_hash_cache: Optional[str] = None


def _ipython_shell() -> Any:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    try:
        return ipython.get_ipython()
    except Exception:
        return None


def current_cell_number(shell: Any) -> Optional[int]:
    """The ``In [n]`` of the running cell. IPython 9 bumps ``execution_count`` when a cell starts
    (older versions when it ends), so the input history, which holds the running cell as entry n
    in both, is asked first."""
    try:
        number = len(shell.history_manager.input_hist_raw) - 1
        if number >= 1:
            return number
    except (AttributeError, TypeError):
        pass
    count = getattr(shell, "execution_count", None)
    return count if isinstance(count, int) else None


def capture_source() -> Dict[str, Any]:
    """``{"kind": "script"|"notebook"|"unknown", "path"?: str, "cell"?: int}``.

    Notebooks: VS Code puts the notebook path in the ``__vsc_ipynb_file__``
    global, Jupyter Server in the ``JPY_SESSION_NAME`` environment variable; the
    cell is the kernel's current execution count.
    """
    shell = _ipython_shell()
    if shell is not None:
        user_ns = getattr(shell, "user_ns", {}) or {}
        path = user_ns.get("__vsc_ipynb_file__") or os.environ.get("JPY_SESSION_NAME")
        source: Dict[str, Any] = {"kind": "notebook" if path else "unknown"}
        if path:
            source["path"] = str(path)
        count = current_cell_number(shell)
        if path and count is not None:
            source["cell"] = count
        return source
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if not script and sys.argv and sys.argv[0] not in ("", "-c", "-m"):
        script = sys.argv[0]
    if script and os.path.isfile(script):
        return {"kind": "script", "path": os.path.abspath(script)}
    return {"kind": "unknown"}


def _git(folder: str, *args: str) -> Optional[str]:
    try:
        done = subprocess.run(
            ("git", "-C", folder) + args,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            timeout=_GIT_TIMEOUT_S,
            # Status must not take the index lock an editor or git itself may hold.
            env=dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C"),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def capture_git(folder: str) -> Dict[str, Any]:
    """``{"commit", "branch", "dirty"}`` of the repository holding ``folder``; {} outside git."""
    folder = os.path.abspath(folder)
    if folder in _git_cache:
        return dict(_git_cache[folder])
    info: Dict[str, Any] = {}
    heads = _git(folder, "rev-parse", "HEAD", "--abbrev-ref", "HEAD")
    if heads is not None:
        lines = heads.split()
        if lines and len(lines[0]) >= 40:
            info["commit"] = lines[0]
        if len(lines) > 1 and lines[1] != "HEAD":  # "HEAD" means detached: no branch
            info["branch"] = lines[1]
        status = _git(folder, "status", "--porcelain", "--untracked-files=no")
        if status is not None:
            info["dirty"] = bool(status.strip())
    _git_cache[folder] = info
    return dict(info)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name_version(dist: Any) -> Optional[str]:
    """``name==version`` of one installed distribution.

    Reading METADATA costs ~1 ms per package (an email-header parse), so the
    wheel-standard folder name ``<name>-<version>.dist-info`` is used when the
    distribution has one; anything else falls back to the metadata.
    """
    folder = getattr(getattr(dist, "_path", None), "name", "")
    stem = folder[: -len(".dist-info")] if folder.endswith(".dist-info") else ""
    if stem.count("-") == 1:
        name, version = stem.split("-")
        return "%s==%s" % (_normalise(name), version)
    name = dist.metadata["Name"]
    return "%s==%s" % (_normalise(name), dist.version) if name else None


def pip_hash() -> Optional[str]:
    """sha256 of the sorted ``name==version`` lines of the installed distributions.

    Read in-process with importlib.metadata (milliseconds), not by running pip.
    """
    global _pip_hash_cache
    if _pip_hash_cache is not None:
        return _pip_hash_cache
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover - Python < 3.8
        return None
    try:
        lines = set()
        for dist in metadata.distributions():
            line = _name_version(dist)
            if line:
                lines.add(line)
        _pip_hash_cache = hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()
    except Exception:
        return None
    return _pip_hash_cache


def capture_run_context() -> Dict[str, Any]:
    """The auto-captured fields of a run_start event."""
    context: Dict[str, Any] = {"pid": os.getpid(), "python": platform.python_version()}
    try:
        context["user"] = getpass.getuser()
    except Exception:
        pass
    try:
        context["host"] = socket.gethostname()
    except Exception:
        pass
    source = capture_source()
    context["source"] = source
    path = source.get("path")
    git_folder = os.path.dirname(path) if path and os.path.isabs(path) else os.getcwd()
    git = capture_git(git_folder) if os.path.isdir(git_folder) else {}
    if git:
        context["git"] = git
    digest = pip_hash()
    if digest:
        context["pip_hash"] = digest
    return context
