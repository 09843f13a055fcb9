"""The ``%mc_*`` magics. Bad arguments raise IPython's UsageError: one line, no traceback."""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import re
import shlex
import threading
from typing import Any, Dict, List, Optional

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.display import display, update_display

from .. import _autolog, _fluent
from .._context import current_cell_number
from .._store import resolve_store_dir
from .._writer import now_ms
from . import run_card, serve
from .run_filter import FilterError, compile_filter
from .runlog import RunLogTail, find_run, list_run_logs, read_run
from .tables import compare_table, runs_table

CARD_INTERVAL_S = 1.0
_VAR = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


class _Parser(argparse.ArgumentParser):
    """argparse whose mistakes become one-line UsageErrors naming the magic and its usage."""

    def error(self, message: str) -> None:  # type: ignore[override]
        usage = " ".join(self.format_usage().split()[1:])
        raise UsageError("%s: %s (usage: %s)" % (self.prog, message, usage))


def _parser(prog: str) -> _Parser:
    return _Parser(prog=prog, add_help=False)


def _split(prog: str, line: str) -> List[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise UsageError("%s: cannot read the arguments (%s); check the quotes" % (prog, exc)) from None


def notebook_info(shell: Any, source: str) -> Dict[str, Any]:
    """Notebook path (VS Code's ``__vsc_ipynb_file__``, else Jupyter's JPY_SESSION_NAME), the
    execution count and the sha256 of the cell source."""
    path = shell.user_ns.get("__vsc_ipynb_file__") or os.environ.get("JPY_SESSION_NAME") or None
    if path and not os.path.isabs(str(path)) and os.path.exists(str(path)):
        path = os.path.abspath(str(path))
    count = current_cell_number(shell)
    return {"path": str(path) if path else None, "cell": count,
            "sourceSha256": hashlib.sha256(source.encode("utf-8")).hexdigest()}


def _cell_source(shell: Any, line: str, cell: str) -> str:
    """The raw cell as the user wrote it (IPython stores it in history before running it)."""
    try:
        raw = shell.history_manager.input_hist_raw[-1]
        if raw.lstrip().startswith("%%mc_run") and cell.strip() in raw:
            return raw
    except (AttributeError, IndexError):
        pass
    return "%%%%mc_run %s\n%s" % (line, cell) if line else "%%%%mc_run\n%s" % cell


def _run_body(shell: Any, cell: str) -> Any:
    """Run the cell body in the user namespace; return the value of a trailing expression."""
    __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
    source = shell.transform_cell(cell)
    tree = ast.parse(source)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    try:
        filename = shell.compile.cache(source, shell.execution_count, raw_code=cell)
    except Exception:
        filename = "<mc_run>"
    exec(compile(tree, filename, "exec"), shell.user_ns)
    if last is not None:
        return eval(compile(last, filename, "eval"), shell.user_ns)
    return None


class _CardUpdater:
    """Shows the run card and refreshes it from the run log about once a second."""

    def __init__(self, run: Any, notebook: Dict[str, Any]) -> None:
        self.run = run
        self.notebook = notebook
        self.display_id = "modelcloud-run-%s" % run.id
        self.tail = RunLogTail(run.log_path)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="modelcloud-run-card", daemon=True)
        self._lock = threading.Lock()

    def _bundle(self, status: Optional[str] = None, end_ms: Optional[int] = None) -> Dict[str, Any]:
        payload = run_card.build_payload(self.tail, self.run.store, self.notebook, status, end_ms)
        return run_card.bundle(payload, now_ms())

    def start(self) -> None:
        self.run.flush()
        self.tail.refresh()
        display(self._bundle("RUNNING"), raw=True, display_id=self.display_id)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(CARD_INTERVAL_S):
            try:
                with self._lock:
                    if self._stop.is_set() or not self.tail.refresh():
                        continue
                    update_display(self._bundle("RUNNING"), raw=True, display_id=self.display_id)
            except Exception:
                return  # a card that cannot refresh must never disturb the cell

    def finish(self, status: str) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            self.tail.refresh()
            update_display(self._bundle(status, self.tail.end_ms or now_ms()), raw=True,
                           display_id=self.display_id)


@magics_class
class ModelcloudMagics(Magics):
    """Modelcloud tracking from notebook cells; ``%mc_run?`` etc. show each magic's help."""

    @line_magic
    def mc_experiment(self, line: str) -> None:
        """%mc_experiment NAME — log the runs of this notebook to experiment NAME (no NAME: show it)."""
        args = _split("%mc_experiment", line)
        if len(args) > 1:
            raise UsageError("%%mc_experiment: expected one experiment name, got %d words; quote a name with spaces: "
                             "%%mc_experiment \"my experiment\"" % len(args))
        if args:
            try:
                _fluent.set_experiment(args[0])
            except ValueError as exc:
                raise UsageError("%%mc_experiment: %s" % exc) from None
        print("Experiment: %s (store %s)" % (_fluent._current_experiment(), resolve_store_dir()))

    @cell_magic
    def mc_run(self, line: str, cell: str) -> Any:
        """%%mc_run [--name N] [--tag k=v ...] [--autolog] — run the cell inside a tracking run.

        The run ends FINISHED, or FAILED when the cell raises (the error shows as usual), KILLED on
        an interrupt. It records the notebook path, the cell's execution count and a sha256 of the
        cell source (tags mlflow.source.name, modelcloud.source.cell, modelcloud.source.sha256),
        and the cell shows a live run card. --autolog logs scikit-learn fits (modelcloud.autolog).
        """
        parser = _parser("%%mc_run")
        parser.add_argument("--name")
        parser.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE")
        parser.add_argument("--autolog", action="store_true")
        parser.add_argument("--experiment")
        args = parser.parse_args(_split("%%mc_run", line))
        tags: Dict[str, str] = {}
        for item in args.tag:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise UsageError("%%%%mc_run: --tag %r needs the form KEY=VALUE, e.g. --tag team=ml" % item)
            tags[key.strip()] = value
        active = _fluent.active_run()
        if active is not None:
            raise UsageError("%%%%mc_run: run %s (%r) is still active; end it first with modelcloud.end_run()"
                             % (active.id, active.name))
        if not cell.strip():
            raise UsageError("%%mc_run: the cell is empty; put the training code below the %%mc_run line")
        notebook = notebook_info(self.shell, _cell_source(self.shell, line, cell))
        tags["mlflow.source.type"] = "NOTEBOOK"
        if notebook["path"]:
            tags["mlflow.source.name"] = notebook["path"]
        if notebook["cell"] is not None:
            tags["modelcloud.source.cell"] = str(notebook["cell"])
        tags["modelcloud.source.sha256"] = notebook["sourceSha256"]
        try:
            run = _fluent.start_run(name=args.name, tags=tags, experiment=args.experiment)
        except ValueError as exc:
            raise UsageError("%%%%mc_run: %s" % exc) from None
        enabled_here = args.autolog and not _autolog.is_enabled()
        status = "FAILED"
        card = _CardUpdater(run, notebook)
        try:
            if enabled_here:
                _autolog.autolog()
            card.start()
            result = _run_body(self.shell, cell)
            status = "FINISHED"
            _autolog.finish_run(run)
            return result
        except KeyboardInterrupt:
            status = "KILLED"
            raise
        finally:
            if enabled_here:
                _autolog.autolog(disable=True)
            run.end(status)
            try:
                card.finish(status)
            except Exception:
                pass

    @line_magic
    def mc_log_model(self, line: str) -> None:
        """%mc_log_model VAR --name NAME [--register] [--alias A] — log the model in variable VAR
        with the active run (joblib for scikit-learn objects, else pickle); --register makes it the
        next version of NAME (at the next ingest), --alias points ALIAS at that version."""
        parser = _parser("%mc_log_model")
        parser.add_argument("var", metavar="VAR")
        parser.add_argument("--name", required=True)
        parser.add_argument("--register", action="store_true")
        parser.add_argument("--alias")
        parser.add_argument("--artifact-path", default="model")
        args = parser.parse_args(_split("%mc_log_model", line))
        if args.alias and not args.register:
            raise UsageError("%%mc_log_model: --alias %s needs --register (an alias points at a registered version)"
                             % args.alias)
        if not _VAR.match(args.var):
            raise UsageError("%%mc_log_model: %r is not a variable name; pass the variable that holds the model, "
                             "e.g. %%mc_log_model clf --name wine" % args.var)
        obj = self._lookup(args.var)
        run = _fluent.active_run()
        if run is None:
            raise UsageError("%mc_log_model: no active run; use it inside a %%mc_run cell (or after "
                             "modelcloud.start_run())")
        from .._models import log_model

        try:
            info = log_model(obj, name=args.name, register=args.register, alias=args.alias,
                             artifact_path=args.artifact_path)
        except (ValueError, TypeError, FileNotFoundError) as exc:
            raise UsageError(str(exc).replace("log_model:", "%mc_log_model:", 1)) from None
        what = ("registered as the next version of %r at the next ingest%s" %
                (args.name, " with alias %r" % args.alias if args.alias else "")) if args.register else "not registered"
        print("Logged model %r (%s, %d files) with run %s (%s); %s"
              % (args.name, info.flavor, len(info.files), run.name, run.id, what))

    def _lookup(self, dotted: str) -> Any:
        first, *rest = dotted.split(".")
        if first not in self.shell.user_ns:
            raise UsageError("%%mc_log_model: no variable %r in the notebook; run the cell that defines it first"
                             % first)
        obj = self.shell.user_ns[first]
        for part in rest:
            if not hasattr(obj, part):
                raise UsageError("%%mc_log_model: %s has no attribute %r" % (type(obj).__name__, part))
            obj = getattr(obj, part)
        return obj

    @line_magic
    def mc_runs(self, line: str) -> None:
        """%mc_runs [--experiment X] [--last N] [--filter EXPR] — a table of the newest runs.

        Reads the run logs of the store (always current, no ingest needed). --experiment defaults
        to the notebook's experiment ('*' for all); --last defaults to 20; --filter takes MLflow's
        search syntax, e.g. --filter "metrics.f1 > 0.9 and params.max_depth = '5'".
        """
        parser = _parser("%mc_runs")
        parser.add_argument("--experiment")
        parser.add_argument("--last", type=int, default=20)
        parser.add_argument("--filter")
        args = parser.parse_args(_split("%mc_runs", line))
        if args.last < 1:
            raise UsageError("%%mc_runs: --last must be at least 1, got %d" % args.last)
        try:
            keep = compile_filter(args.filter) if args.filter else None
        except FilterError as exc:
            raise UsageError("%%mc_runs: --filter %r: %s" % (args.filter, exc)) from None
        experiment = args.experiment or _fluent._current_experiment()
        store = resolve_store_dir()
        chosen: List[RunLogTail] = []
        logs = list_run_logs(store)
        for _ts, path, start in logs:
            if experiment != "*" and start.get("experiment") != experiment:
                continue
            run = read_run(path)
            if run is None or (keep is not None and not keep(run)):
                continue
            chosen.append(run)
            if len(chosen) >= args.last:
                break
        title = "%s runs in %s%s" % ("Newest %d" % len(chosen) if chosen else "No",
                                     "all experiments" if experiment == "*" else "experiment %r" % experiment,
                                     " matching %s" % args.filter if args.filter else "")
        if not chosen and experiment != "*":
            known = sorted({str(start.get("experiment")) for _ts, _path, start in logs})
            title += " (experiments in %s: %s; --experiment '*' shows all)" % (
                store, ", ".join(known[:20]) if known else "none yet")
        lines = [title] + ["%s  %s  %s  %s" % (r.name, (r.run_id or "")[:8], r.experiment, r.status) for r in chosen]
        display({"text/html": runs_table(chosen, title), "text/plain": "\n".join(lines)}, raw=True)

    @line_magic
    def mc_compare(self, line: str) -> None:
        """%mc_compare RUN RUN ... — params and metrics of runs side by side (ids, id prefixes or names)."""
        refs = _split("%mc_compare", line)
        if len(refs) < 2:
            raise UsageError("%mc_compare: give at least two runs (ids, 6+ character id prefixes or names), "
                             "e.g. %mc_compare 4f0c12 a81d3e")
        store = resolve_store_dir()
        runs = []
        for ref in refs:
            try:
                path = find_run(store, ref)
            except LookupError as exc:
                raise UsageError("%%mc_compare: %s" % exc) from None
            run = read_run(path) if path else None
            if run is None:
                raise UsageError("%%mc_compare: no run %r in %s; list runs with %%mc_runs" % (ref, store))
            runs.append(run)
        display({"text/html": compare_table(runs),
                 "text/plain": "Compare %s" % ", ".join("%s (%s)" % (r.name, (r.run_id or "")[:8]) for r in runs)},
                raw=True)

    @line_magic
    def mc_serve(self, line: str) -> None:
        """%mc_serve PATH [--port P] — serve cloud_model.py (or its folder) in dev mode until the kernel
        stops; %mc_serve --stop [PATH] stops it (all services without PATH)."""
        parser = _parser("%mc_serve")
        parser.add_argument("path", nargs="?")
        parser.add_argument("--port", type=int, default=0)
        parser.add_argument("--stop", action="store_true")
        args = parser.parse_args(_split("%mc_serve", line))
        try:
            if args.stop:
                stopped = serve.stop(args.path)
                print("Stopped %s" % ", ".join(s.url or s.script for s in stopped) if stopped
                      else "No service started from this kernel is running")
                return
            if not args.path:
                raise UsageError("%mc_serve: give the service's cloud_model.py (or its folder), e.g. "
                                 "%mc_serve services/echo/cloud_model.py")
            if not 0 <= args.port <= 65535:
                raise UsageError("%%mc_serve: --port %d is out of range (0-65535; 0 picks a free port)" % args.port)
            service = serve.start(args.path, args.port)
        except serve.ServeError as exc:
            raise UsageError("%%mc_serve: %s" % exc) from None
        print("Serving %s at %s (dev mode: restarts when a .py file changes; docs at %s/redoc). "
              "It stops with the kernel or %%mc_serve --stop." % (service.name, service.url, service.url))


__all__ = ["ModelcloudMagics", "notebook_info"]
