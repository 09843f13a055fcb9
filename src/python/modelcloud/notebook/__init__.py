"""Notebook integration: the IPython extension behind ``%load_ext modelcloud``.

Magics (see magics.py): ``%mc_experiment``, ``%%mc_run``, ``%mc_log_model``, ``%mc_runs``,
``%mc_compare``, ``%mc_serve``. ``%%mc_run`` cells show a live run card (run_card.py, the
contract with the VS Code notebook renderer). IPython is imported only when the extension is
loaded, so ``import modelcloud`` in a plain script never pulls it in.
"""

from __future__ import annotations

from typing import Any, Dict, List

MAGICS: List[str] = ["mc_experiment", "mc_run", "mc_log_model", "mc_runs", "mc_compare", "mc_serve"]
_loaded_shells: List[Any] = []


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics on ``ipython``. Loading again (a kernel bridge after a manual
    ``%load_ext``, or twice by hand) changes nothing."""
    if any(shell is ipython for shell in _loaded_shells):
        return
    from .magics import ModelcloudMagics
    from .serve import stop_all_at_exit

    ipython.register_magics(ModelcloudMagics)
    stop_all_at_exit()
    _loaded_shells.append(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext modelcloud``: stop services started from this kernel; the magics stay registered
    (IPython has no public way to remove them), as with most extensions."""
    from .serve import stop_all

    stop_all()
    for i, shell in enumerate(_loaded_shells):
        if shell is ipython:
            del _loaded_shells[i]
            break


def bridge_info() -> Dict[str, Any]:
    """What the VS Code kernel bridge prints (as JSON) after loading the extension, to verify it."""
    import sys

    from .. import __version__
    from .._autolog import is_enabled
    from .._fluent import _current_experiment
    from .._store import resolve_store_dir

    return {"version": __version__, "storeDir": resolve_store_dir(), "magics": list(MAGICS),
            "experiment": _current_experiment(), "autolog": is_enabled(), "loaded": bool(_loaded_shells),
            "python": sys.version.split()[0]}


__all__ = ["MAGICS", "bridge_info", "load_ipython_extension", "unload_ipython_extension"]
