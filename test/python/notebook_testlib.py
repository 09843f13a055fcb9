"""Running real notebooks for the notebook-magic tests: nbformat notebooks executed by nbclient
through a real ipykernel of this Python (a kernelspec written into a temp JUPYTER_PATH, so the
kernel is the test's own interpreter and sees PYTHONPATH=src/python and MODELCLOUD_DIR)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import mc_testlib

KERNEL_NAME = "modelcloud-test-python"
RUN_CARD_MIME = "application/vnd.modelcloud.run+json"


def install_kernelspec(root: Path) -> Path:
    """A kernelspec for sys.executable under ``root`` (put on JUPYTER_PATH by the caller)."""
    folder = root / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "modelcloud tests", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return root


def kernel_env(monkeypatch: Any, tmp_path: Path, store: Path) -> None:
    monkeypatch.setenv("JUPYTER_PATH", str(install_kernelspec(tmp_path / "jupyter")))
    monkeypatch.setenv("MODELCLOUD_DIR", str(store))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(mc_testlib.PYTHON_SRC),
                                                                   os.environ.get("PYTHONPATH")) if p))
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "test.ipynb"))
    monkeypatch.delenv("MODELCLOUD_EXPERIMENT_NAME", raising=False)
    monkeypatch.setenv("PYTHONWARNINGS", "ignore")


def notebook(*cells: str, raises: Optional[List[int]] = None) -> Any:
    """A notebook of code cells; cells whose index is in ``raises`` may fail (tag raises-exception)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    for i, source in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source)
        if raises and i in raises:
            cell.metadata["tags"] = ["raises-exception"]
        nb.cells.append(cell)
    return nb


def execute(nb: Any, cwd: Path, timeout: int = 60) -> Any:
    from nbclient import NotebookClient

    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=timeout, startup_timeout=60,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def text_of(cell: Any) -> str:
    """stdout, stderr and text/plain of a cell's outputs, joined."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append("%s: %s\n%s" % (out.ename, out.evalue, "\n".join(out.traceback)))
    return "".join(parts)


def html_of(cell: Any) -> str:
    return "".join(out.data.get("text/html", "") for out in cell.outputs
                   if out.output_type in ("execute_result", "display_data"))


def run_cards(cell: Any) -> List[Dict[str, Any]]:
    return [out.data[RUN_CARD_MIME] for out in cell.outputs
            if out.output_type in ("execute_result", "display_data") and RUN_CARD_MIME in out.data]


def runs_by_name(store: Path) -> Dict[str, List[Dict[str, Any]]]:
    found = {}
    for log in mc_testlib.run_logs(store):
        events = mc_testlib.read_events(log)
        found[events[0]["name"]] = events
    return found


def params_of(events: List[Dict[str, Any]]) -> Dict[str, str]:
    params: Dict[str, str] = {}
    for e in events:
        if e["t"] == "params":
            params.update(e["params"])
    return params


def tags_of(events: List[Dict[str, Any]]) -> Dict[str, str]:
    tags: Dict[str, str] = dict(events[0].get("tags", {}))
    for e in events:
        if e["t"] == "tags":
            tags.update(e["tags"])
    return tags


def status_of(events: List[Dict[str, Any]]) -> Optional[str]:
    ends = [e for e in events if e["t"] == "run_end"]
    return ends[-1]["status"] if ends else None
