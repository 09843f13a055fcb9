"""OpenAPI 3.1 document of a service, generated from its declared command types."""

from __future__ import annotations

from typing import Any, Dict

from .._version import __version__
from ..data_types import example_of, fields_schema
from .registry import Registry

_VALIDATION_ERROR = {
    "type": "object",
    "description": "The request body does not match the command's declared inputs.",
    "properties": {
        "error": {"type": "string", "const": "validation"},
        "field": {"type": "string", "description": "path of the offending field, e.g. year or items[2].name"},
        "rule": {"type": "string", "description": "the rule that failed: required, type, minimum, maximum, "
                                                  "min_length, max_length, pattern, enum, min_items, max_items, "
                                                  "additional_properties, finite, ..."},
        "message": {"type": "string"},
    },
    "required": ["error", "field", "rule", "message"],
}
_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    "required": ["error", "message"],
}


def openapi_document(registry: Registry, service: str) -> Dict[str, Any]:
    schemas: Dict[str, Any] = {"ValidationError": _VALIDATION_ERROR, "Error": _ERROR}
    paths: Dict[str, Any] = {}
    for name in registry.command_names():
        cmd = registry.commands[name]
        in_name, out_name = _schema_name(name, "Input"), _schema_name(name, "Output")
        schemas[in_name] = fields_schema(cmd.inputs)
        schemas[out_name] = fields_schema(cmd.outputs)
        summary, _, description = cmd.doc.partition("\n")
        paths["/" + name] = {"post": {
            "operationId": name,
            "summary": summary.strip() or "Run the %s command" % name,
            "description": description.strip() or cmd.doc or "",
            "tags": ["commands"],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/%s" % in_name},
                "example": example_of(cmd.inputs)}}},
            "responses": {
                "200": {"description": "The command's result.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/%s" % out_name}}}},
                "400": _error_response("The body is not valid JSON.", "Error"),
                "422": _error_response("The body does not match the declared inputs.", "ValidationError"),
                "500": _error_response("The command failed or returned something that does not match its outputs.",
                                       "Error"),
                "503": _error_response("The service is shutting down or not ready.", "Error"),
            },
        }}
    for path, summary in (("/healthz", "Liveness and model state"), ("/readyz", "Readiness (setup finished)"),
                          ("/version", "Service, model and runtime versions")):
        paths[path] = {"get": {"operationId": path.strip("/"), "summary": summary, "tags": ["operations"],
                               "responses": {"200": {"description": "OK", "content": {"application/json": {
                                   "schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": service, "version": __version__,
                 "description": "Model service %s, served by the modelcloud runtime. Each command is a POST "
                                "endpoint taking and returning JSON." % service},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": paths,
        "components": {"schemas": schemas},
        "tags": [{"name": "commands", "description": "The service's commands"},
                 {"name": "operations", "description": "Health and version endpoints"}],
    }


def _schema_name(command: str, suffix: str) -> str:
    parts = [p for p in command.replace("-", "_").replace(".", "_").split("_") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) + suffix


def _error_response(description: str, schema: str) -> Dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/%s" % schema}}}}
