"""OpenAPI 3.1 from the declared types, the offline /docs and /redoc pages, and
``python -m modelcloud inspect``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import mc_testlib

sys.path.insert(0, str(mc_testlib.FIXTURES / "services"))
import service_harness as sh  # noqa: E402

SEED_INPUT_SCHEMA = {
    "type": "object",
    "properties": {"year": {"type": "number", "description": "year"},
                   "month": {"type": "number", "description": "month"},
                   "day": {"type": "number", "description": "day"}},
    "required": ["year", "month", "day"],
    "additionalProperties": False,
}
SEED_OUTPUT_SCHEMA = {"type": "object", "properties": {"yhat": {"type": "number", "description": "yhat"}},
                      "required": ["yhat"], "additionalProperties": False}
JSON_SCHEMA_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


def inspect(path, **kw):
    return subprocess.run([sys.executable, "-m", "modelcloud", "inspect", str(path)], capture_output=True, text=True,
                          env=sh.child_env(kw.get("env")), timeout=60)


def check_openapi(doc):
    """Structural validity of an OpenAPI 3.1 document: required members, every $ref resolves,
    every schema uses JSON Schema types, every operation has responses."""
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"] and doc["info"]["version"]
    refs = []

    def walk(node, where):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append((node["$ref"], where))
            t = node.get("type")
            if isinstance(t, str) and where.endswith("schema"):
                assert t in JSON_SCHEMA_TYPES, (where, t)
            for k, v in node.items():
                walk(v, k if k in ("schema", "items") or where.endswith("properties") else where + "/" + k)
        elif isinstance(node, list):
            for v in node:
                walk(v, where)

    walk(doc, "")
    for ref, where in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"], (ref, where)
    for path, ops in doc["paths"].items():
        assert path.startswith("/")
        for method, op in ops.items():
            assert method in ("get", "post"), method
            assert op["responses"] and op["operationId"]
    for name, schema in doc["components"]["schemas"].items():
        assert schema["type"] in JSON_SCHEMA_TYPES, name


def test_inspect_seed_prints_commands_schemas_and_openapi_without_calling_setup(tmp_path):
    folder = sh.copy_fixture(sh.SEED, tmp_path / "seed")  # no model.pkl: setup() would fail if called
    result = inspect(folder / "cloud_model.py")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["service"] == "seed"
    assert [c["name"] for c in info["commands"]] == ["predict"]
    assert info["commands"][0]["inputs"] == SEED_INPUT_SCHEMA
    assert info["commands"][0]["outputs"] == SEED_OUTPUT_SCHEMA
    check_openapi(info["openapi"])
    schemas = info["openapi"]["components"]["schemas"]
    assert schemas["PredictInput"] == SEED_INPUT_SCHEMA and schemas["PredictOutput"] == SEED_OUTPUT_SCHEMA
    op = info["openapi"]["paths"]["/predict"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PredictInput"}
    assert set(op["responses"]) >= {"200", "422", "500"}


def test_inspect_typed_service_docs_and_no_side_effects(tmp_path):
    folder = sh.copy_fixture(sh.TYPED, tmp_path / "typed")
    marker = tmp_path / "setup-called"
    result = inspect(folder, env={"TYPED_SETUP_MARKER": str(marker)})
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert not marker.exists()
    echo = next(c for c in info["commands"] if c["name"] == "echo")
    assert echo["doc"].startswith("Echo the validated input.")
    assert echo["inputs"]["properties"]["arr"] == {"type": "array", "description": "1 to 3 numbers",
                                                   "items": {"type": "number", "maximum": 100},
                                                   "minItems": 1, "maxItems": 3}
    assert echo["inputs"]["required"] == ["n"]
    check_openapi(info["openapi"])
    assert info["openapi"]["paths"]["/echo"]["post"]["summary"] == "Echo the validated input."


def test_inspect_reports_import_errors(tmp_path):
    bad = tmp_path / "cloud_model.py"
    bad.write_text("import modelcloud\nimport not_a_module_xyz\n")
    result = inspect(bad)
    assert result.returncode == 1
    assert "importing" in result.stderr and "not_a_module_xyz" in result.stderr
    result = inspect(tmp_path / "missing.py")
    assert result.returncode == 1 and "does not exist" in result.stderr
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "cloud_model.py").write_text("import modelcloud\n")
    result = inspect(tmp_path / "empty")
    assert result.returncode == 1 and "declares no commands" in result.stderr


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append(value)
        if tag == "script" and not dict(attrs).get("src"):
            self.inline_scripts += 1


@pytest.fixture(scope="module")
def seed_service(tmp_path_factory):
    folder = sh.seed_service_folder(tmp_path_factory.mktemp("seed") / "svc")
    svc = sh.ServiceProcess.start(folder, runenv="prod", workers=1)
    yield svc
    svc.stop()


def test_served_openapi_matches_the_seed(seed_service):
    status, doc = seed_service.get("/openapi.json")
    assert status == 200
    check_openapi(doc)
    assert doc["components"]["schemas"]["PredictInput"] == SEED_INPUT_SCHEMA
    assert doc["info"]["title"] == "svc"


@pytest.mark.parametrize("page, bundle", [("/redoc", "redoc.standalone.js"), ("/docs", "swagger-ui-bundle.js")])
def test_docs_pages_are_offline_and_csp_strict(seed_service, page, bundle):
    status, headers, body = seed_service.request("GET", page)
    assert status == 200 and headers["content-type"].startswith("text/html")
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "http" not in csp
    html = body.decode()
    parser = _Refs()
    parser.feed(html)
    assert parser.inline_scripts == 0  # CSP without 'unsafe-inline' scripts
    assert not re.search(r"https?://|//cdn|unpkg|jsdelivr", html), html
    assert any(ref.endswith(bundle) for ref in parser.refs)
    for ref in parser.refs:
        assert not ref.startswith(("http:", "https:", "//")), ref
        status, headers, asset = seed_service.request("GET", "/" + ref.lstrip("/"))
        assert status == 200, ref
        assert len(asset) > 30, ref
        if ref.endswith(bundle):
            assert len(asset) > 500000 and headers["content-type"].startswith("text/javascript")
    status, _, _ = seed_service.request("GET", "/static/../__init__.py")
    assert status == 404


def test_vendored_assets_have_licences_and_pinned_versions():
    from modelcloud.serving import docs_pages

    static = sh.PYTHON_SRC / "modelcloud" / "serving" / "static"
    versions = json.loads((static / "VERSIONS.json").read_text())
    assert versions["redoc"].startswith("2.5.") and versions["swagger-ui-dist"].startswith("5.")
    for name in ("redoc.LICENSE", "swagger-ui.LICENSE", "redoc.standalone.js", "swagger-ui-bundle.js", "swagger-ui.css"):
        assert (static / name).stat().st_size > 500, name
    assert docs_pages.STATIC_DIR == str(static)
