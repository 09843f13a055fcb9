"""Declared types: each validation rule in-process, then the same rules over real HTTP (422 naming
the field and the rule), output checking (500) and command failures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import mc_testlib

sys.path.insert(0, str(mc_testlib.FIXTURES / "services"))
import service_harness as sh  # noqa: E402

from modelcloud.data_types import ValidationError, array, boolean, integer, number, object, string  # noqa: E402
from modelcloud.data_types import compile_fields  # noqa: E402


def rule_of(check, value):
    with pytest.raises(ValidationError) as info:
        check(value)
    return info.value.field, info.value.rule


def test_number_integral_values_arrive_as_int_and_others_as_float():
    check = compile_fields({"year": number()}, "t")
    assert check({"year": 2024}) == {"year": 2024}
    assert type(check({"year": 2024.0})["year"]) is int  # datetime(year, ...) needs an int
    assert type(check({"year": 2024.5})["year"]) is float
    assert rule_of(check, {"year": True}) == ("year", "type")
    assert rule_of(check, {"year": "2024"}) == ("year", "type")
    assert rule_of(check, {"year": float("nan")}) == ("year", "finite")
    assert rule_of(check, {"year": None}) == ("year", "type")


@pytest.mark.parametrize("declared, value, expected", [
    (number(minimum=0), -1, "minimum"),
    (number(maximum=10), 11, "maximum"),
    (number(exclusive_minimum=0), 0, "exclusive_minimum"),
    (number(exclusive_maximum=1), 1, "exclusive_maximum"),
    (integer(), 1.5, "type"),
    (integer(), False, "type"),
    (string(min_length=2), "a", "min_length"),
    (string(max_length=2), "abc", "max_length"),
    (string(pattern="^[a-z]+$"), "Abc", "pattern"),
    (string(enum=["a", "b"]), "c", "enum"),
    (string(), 3, "type"),
    (boolean(), 1, "type"),
    (array(number(), min_items=1), [], "min_items"),
    (array(number(), max_items=1), [1, 2], "max_items"),
    (array(number()), {"a": 1}, "type"),
    (object({"x": integer()}), [], "type"),
])
def test_each_rule_is_named(declared, value, expected):
    assert rule_of(compile_fields({"f": declared}, "t"), {"f": value}) == ("f", expected)


def test_nested_fields_are_named_by_path():
    check = compile_fields({"items": array(object({"name": string(min_length=1)}))}, "t")
    assert rule_of(check, {"items": [{"name": "a"}, {"name": ""}]}) == ("items[1].name", "min_length")
    assert rule_of(check, {"items": [{}]}) == ("items[0].name", "required")


def test_required_default_unknown_and_nullable():
    check = compile_fields({"a": number(), "b": integer(default=3), "c": string(required=False),
                            "d": number(nullable=True)}, "t")
    assert check({"a": 1, "d": None}) == {"a": 1, "b": 3, "d": None}
    assert rule_of(check, {"b": 1}) == ("a", "required")
    assert rule_of(check, {"a": 1, "d": 2, "zz": 1}) == ("zz", "additional_properties")
    assert rule_of(check, [1]) == ("", "type")


def test_schema_is_json_schema():
    t = object({"x": integer(minimum=1, description="x")}, description="o", required=False)
    assert t.schema() == {"type": "object", "description": "o",
                          "properties": {"x": {"type": "integer", "description": "x", "minimum": 1}},
                          "required": ["x"], "additionalProperties": False}
    assert string(min_length=1, max_length=3, pattern="^a", enum=["ab"]).schema() == {
        "type": "string", "enum": ["ab"], "minLength": 1, "maxLength": 3, "pattern": "^a"}
    assert array(number(), min_items=1).schema() == {"type": "array", "items": {"type": "number"}, "minItems": 1}


def test_bad_declarations_fail_at_import_with_a_clear_message():
    import modelcloud
    from modelcloud.serving import ServiceDefinitionError

    with pytest.raises(TypeError, match="array\\(items\\)"):
        array(int)  # type: ignore[arg-type]
    with pytest.raises(ServiceDefinitionError, match="reserved"):
        modelcloud.command("healthz", inputs={})(lambda m, i: {})
    with pytest.raises(ServiceDefinitionError, match="must map a name"):
        modelcloud.command("ok_name", inputs={"x": 1})(lambda m, i: {})  # type: ignore[dict-item]


@pytest.fixture(scope="module")
def typed_service(tmp_path_factory):
    folder = sh.copy_fixture(sh.TYPED, tmp_path_factory.mktemp("typed") / "svc")
    svc = sh.ServiceProcess.start(folder, runenv="prod", workers=1)
    yield svc
    svc.stop()


@pytest.mark.parametrize("body, field, rule", [
    ({}, "n", "required"),
    ({"n": "1"}, "n", "type"),
    ({"n": -1}, "n", "minimum"),
    ({"n": 11}, "n", "maximum"),
    ({"n": 1, "i": 1.5}, "i", "type"),
    ({"n": 1, "s": "a"}, "s", "min_length"),
    ({"n": 1, "s": "abcdef"}, "s", "max_length"),
    ({"n": 1, "s": "ABC"}, "s", "pattern"),
    ({"n": 1, "b": "yes"}, "b", "type"),
    ({"n": 1, "e": "c"}, "e", "enum"),
    ({"n": 1, "arr": []}, "arr", "min_items"),
    ({"n": 1, "arr": [1, 2, 3, 4]}, "arr", "max_items"),
    ({"n": 1, "arr": [1, 200]}, "arr[1]", "maximum"),
    ({"n": 1, "obj": {"x": 0}}, "obj.x", "minimum"),
    ({"n": 1, "extra": 1}, "extra", "additional_properties"),
    ([1, 2], "", "type"),
])
def test_http_422_names_field_and_rule(typed_service, body, field, rule):
    status, payload = typed_service.post("/echo", body)
    assert status == 422, payload
    assert payload["error"] == "validation"
    assert (payload["field"], payload["rule"]) == (field, rule)
    assert payload["message"]


def test_http_valid_input_reaches_the_command_coerced(typed_service):
    status, payload = typed_service.post("/echo", {"n": 4.0, "s": "abc", "obj": {"x": 2}})
    assert status == 200, payload
    assert payload == {"n": 4, "n_type": "int", "i": 3, "fields": ["i", "n", "obj", "s"]}
    status, payload = typed_service.post("/echo", {"n": 2.5})
    assert payload["n_type"] == "float"


def test_http_bad_json_wrong_method_unknown_path(typed_service):
    status, payload = typed_service.post("/echo", raw=b"{not json")
    assert status == 400 and "not valid JSON" in payload["message"]
    status, payload = typed_service.post("/echo", raw=b'{"n": NaN}')
    assert status == 400
    status, payload = typed_service.get("/echo")
    assert status == 405
    status, payload = typed_service.post("/nope", {})
    assert status == 404 and "echo" in payload["message"]


def test_http_outputs_are_checked_and_failures_reported(typed_service):
    status, payload = typed_service.post("/bad_output", {})
    assert status == 500
    assert payload["error"] == "invalid_output" and payload["field"] == "y" and payload["rule"] == "type"
    assert "does not match its declared outputs" in payload["message"]
    status, payload = typed_service.post("/crash", {})
    assert status == 500 and payload["error"] == "command_failed" and "ValueError" in payload["message"]
    assert "this command always fails" in typed_service.log()  # traceback in the log
    status, _ = typed_service.post("/scale", {"x": 2})
    assert status == 200  # the worker survives


def test_http_keep_alive_and_pipelining(typed_service):
    import socket

    with socket.create_connection(("127.0.0.1", typed_service.port), timeout=10) as s:
        req = b'POST /scale HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{"x":1}'
        s.sendall(req * 3)
        data = b""
        while data.count(b"HTTP/1.1 200") < 3:
            chunk = s.recv(65536)
            assert chunk, data
            data += chunk
        assert data.count(b'{"y":2,"label":"v1"}') == 3
