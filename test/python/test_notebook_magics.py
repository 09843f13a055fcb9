"""The %mc_* magics in a real notebook, executed by nbclient through a real ipykernel."""

from __future__ import annotations

import json

import mc_testlib
import notebook_testlib as nt


def test_magics_in_a_real_kernel(tmp_path, monkeypatch):
    store = tmp_path / "store"
    nt.kernel_env(monkeypatch, tmp_path, store)
    nb = nt.notebook(
        # 0: loading twice (a manual %load_ext, then the VS Code bridge) is harmless
        "%load_ext modelcloud\nget_ipython().extension_manager.load_extension('modelcloud')\n"
        "import modelcloud.notebook, json\nprint(json.dumps(modelcloud.notebook.bridge_info()))",
        # 1
        "%mc_experiment wine-nb",
        # 2: a run with params, metrics, tags and a trailing expression
        "%%mc_run --name first --tag team=ml --tag note=a=b\n"
        "import modelcloud\nmodelcloud.log_param('depth', 5)\n"
        "for i in range(5):\n    modelcloud.log_metric('f1', 0.5 + i / 10)\n"
        "'result-%d' % 42",
        # 3: a failing cell: FAILED, and the error shows as usual
        "%%mc_run --name broken\nimport modelcloud\nmodelcloud.log_param('depth', 7)\n"
        "modelcloud.log_metric('f1', 0.1)\nraise ValueError('boom in the cell')",
        # 4: a model registered from inside a run
        "%%mc_run --name with-model\nclf = {'weights': [1, 2, 3]}\nmodelcloud.log_metric('f1', 0.99)\n"
        "%mc_log_model clf --name wine-dict --register --alias champion",
        # 5..7: listing, filtering and comparing
        "%mc_runs",
        "%mc_runs --filter \"metrics.f1 > 0.8 and attributes.status = 'FINISHED'\" --last 5",
        "%mc_compare first broken",
        # 8..15: bad arguments: one line each, no traceback
        "%mc_runs --last zero",
        "%mc_runs --filter \"metrics.f1 >> 3\"",
        "%mc_compare only-one",
        "%mc_log_model missing_var --name x",
        "%mc_log_model clf --name x --alias champion",
        "%%mc_run --tag novalue\npass",
        "%mc_serve does/not/exist.py",
        "%mc_experiment two words",
        raises=[3, 8, 9, 10, 11, 12, 13, 14, 15],
    )
    nt.execute(nb, tmp_path)
    cells = nb.cells

    info = json.loads(nt.text_of(cells[0]).strip().splitlines()[-1])
    assert info["storeDir"] == str(store)
    assert set(info["magics"]) >= {"mc_experiment", "mc_run", "mc_log_model", "mc_runs", "mc_compare", "mc_serve"}
    assert info["version"]
    assert "wine-nb" in nt.text_of(cells[1])

    runs = nt.runs_by_name(store)
    first = runs["first"]
    assert first[0]["experiment"] == "wine-nb"
    assert nt.status_of(first) == "FINISHED"
    tags = nt.tags_of(first)
    assert tags["team"] == "ml" and tags["note"] == "a=b"
    assert tags["mlflow.source.type"] == "NOTEBOOK"
    assert tags["mlflow.source.name"] == str(tmp_path / "test.ipynb")
    assert tags["modelcloud.source.cell"] == str(cells[2].execution_count)  # In [n] of the cell
    import hashlib
    assert tags["modelcloud.source.sha256"] == hashlib.sha256(cells[2].source.encode()).hexdigest()
    assert first[0]["source"]["kind"] == "notebook"
    assert [p[1] for p in mc_testlib.points_of(first, "f1")] == [0.5, 0.6, 0.7, 0.8, 0.9]
    assert "'result-42'" in nt.text_of(cells[2])  # the trailing expression is still the cell's result

    broken = runs["broken"]
    assert nt.status_of(broken) == "FAILED"
    errors = [o for o in cells[3].outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "ValueError" and errors[0].evalue == "boom in the cell"
    assert nt.run_cards(cells[3])[-1]["status"] == "FAILED"

    with_model = runs["with-model"]
    models = [e for e in with_model if e["t"] == "model"]
    assert len(models) == 1 and models[0]["name"] == "wine-dict" and models[0]["register"] is True
    assert models[0]["alias"] == "champion" and models[0]["flavor"] == "pickle"
    assert "Logged model 'wine-dict'" in nt.text_of(cells[4])

    listing = nt.html_of(cells[5])
    assert "first" in listing and "broken" in listing and "with-model" in listing and "FAILED" in listing
    filtered = nt.html_of(cells[6])
    assert "with-model" in filtered and ">first<" in filtered and ">broken<" not in filtered
    compared = nt.html_of(cells[7])
    assert "depth" in compared and ">5<" in compared and ">7<" in compared

    expected = {8: "--last", 9: "--filter", 10: "at least two runs", 11: "no variable 'missing_var'",
                12: "needs --register", 13: "KEY=VALUE", 14: "no service file", 15: "one experiment name"}
    for index, words in expected.items():
        text = nt.text_of(cells[index])
        assert words in text, (index, text)
        assert "Traceback" not in text and "File " not in text, (index, text)
        assert len(text.strip().splitlines()) == 1, (index, text)
