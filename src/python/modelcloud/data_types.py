"""Declared input/output types of service commands: validation and JSON Schema in one place.

    from modelcloud.data_types import number, integer, string, boolean, array, object
    X = {'year': integer(description="year", minimum=1900),
         'city': string(enum=["London", "Leeds"], required=False, default="London")}

Each type validates a decoded JSON value and returns the value the command receives, or raises
:class:`ValidationError` naming the field and the rule that failed (the server turns it into a
422 response). ``schema()`` gives the JSON Schema (2020-12, as used by OpenAPI 3.1).

Numbers: JSON has one number type, so ``number`` passes integral values as Python ``int``
(``2024`` and ``2024.0`` both arrive as ``2024``) and others as ``float``. That lets code such as
``datetime.datetime(year, month, day)`` work with ``number`` fields, as the seed's service does.
``integer`` accepts only integral values (``3.0`` is allowed, as in JSON Schema). Booleans are
never numbers, and NaN/Infinity are rejected.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

__all__ = ["DataType", "ValidationError", "array", "boolean", "integer", "number", "object", "string",
           "validate_fields", "fields_schema"]

_MISSING = object()


class ValidationError(Exception):
    """A value does not match its declared type. ``field`` is a path such as ``items[2].name``."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message

    def to_json(self) -> Dict[str, str]:
        return {"error": "validation", "field": self.field, "rule": self.rule, "message": self.message}


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _plain(value: Any) -> Any:
    """numpy scalars/arrays (common command results) → plain Python values, without importing numpy."""
    tolist = getattr(value, "tolist", None)
    if tolist is not None and type(value).__module__ == "numpy":
        return tolist()
    return value


class DataType:
    """Base of the declared types. Options common to all types:

    description -- shown in the OpenAPI document and /redoc
    required    -- the field must be present (default True unless a default is given)
    default     -- value used when the field is absent (implies required=False)
    enum        -- the value must be one of these
    nullable    -- JSON null is accepted (passed as None)
    example     -- example value for the documentation
    """

    json_type = ""

    def __init__(self, description: str = "", required: Optional[bool] = None, default: Any = _MISSING,
                 enum: Optional[Sequence[Any]] = None, nullable: bool = False, example: Any = _MISSING,
                 title: str = "") -> None:
        self.description = description
        self.default = default
        self.required = (default is _MISSING) if required is None else bool(required)
        self.enum = list(enum) if enum is not None else None
        self.nullable = nullable
        self.example = example
        self.title = title

    # -- validation ------------------------------------------------------------------------
    def validate(self, value: Any, field: str = "") -> Any:
        """Returns the value to pass to the command or raises ValidationError."""
        if value is None:
            if self.nullable:
                return None
            raise ValidationError(field, "type", "%s must be %s, got null" % (_label(field), self._expected()))
        value = self._check(value, field)
        if self.enum is not None and value not in self.enum:
            raise ValidationError(field, "enum", "%s must be one of %s, got %s"
                                  % (_label(field), ", ".join(_describe(v) for v in self.enum), _describe(value)))
        return value

    def _check(self, value: Any, field: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _expected(self) -> str:
        return "a " + self.json_type if self.json_type != "integer" else "an integer"

    def _type_error(self, value: Any, field: str) -> ValidationError:
        return ValidationError(field, "type", "%s must be %s, got %s %s"
                               % (_label(field), self._expected(), _json_type_name(value), _describe(value)))

    # -- schema ----------------------------------------------------------------------------
    def schema(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"type": [self.json_type, "null"] if self.nullable else self.json_type}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        if self.default is not _MISSING:
            out["default"] = self.default
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.example is not _MISSING:
            out["examples"] = [self.example]
        out.update(self._schema_extra())
        return out

    def _schema_extra(self) -> Dict[str, Any]:
        return {}

    def example_value(self) -> Any:
        if self.example is not _MISSING:
            return self.example
        if self.default is not _MISSING:
            return self.default
        if self.enum:
            return self.enum[0]
        return self._example()

    def _example(self) -> Any:
        return None

    def __repr__(self) -> str:
        return "%s(%r)" % (type(self).__name__, self.schema())


def _label(field: str) -> str:
    return "'%s'" % field if field else "the request body"


class _Bounded(DataType):
    def __init__(self, description: str = "", minimum: Optional[float] = None, maximum: Optional[float] = None,
                 exclusive_minimum: Optional[float] = None, exclusive_maximum: Optional[float] = None,
                 **options: Any) -> None:
        super().__init__(description, **options)
        self.minimum = minimum
        self.maximum = maximum
        self.exclusive_minimum = exclusive_minimum
        self.exclusive_maximum = exclusive_maximum

    def _bounds(self, value: Any, field: str) -> Any:
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(field, "minimum", "%s must be >= %s, got %s" % (_label(field), self.minimum, value))
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(field, "maximum", "%s must be <= %s, got %s" % (_label(field), self.maximum, value))
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            raise ValidationError(field, "exclusive_minimum", "%s must be > %s, got %s"
                                  % (_label(field), self.exclusive_minimum, value))
        if self.exclusive_maximum is not None and value >= self.exclusive_maximum:
            raise ValidationError(field, "exclusive_maximum", "%s must be < %s, got %s"
                                  % (_label(field), self.exclusive_maximum, value))
        return value

    def _schema_extra(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for key, value in (("minimum", self.minimum), ("maximum", self.maximum),
                           ("exclusiveMinimum", self.exclusive_minimum), ("exclusiveMaximum", self.exclusive_maximum)):
            if value is not None:
                out[key] = value
        return out

    def _example(self) -> Any:
        for candidate in (self.minimum, self.exclusive_minimum, self.maximum, self.exclusive_maximum):
            if candidate is not None:
                return candidate
        return 1  # 1 rather than 0: valid as a year, month or day (the seed's inputs)


class number(_Bounded):
    """A JSON number. Integral values arrive as ``int``, others as ``float`` (see the module doc)."""

    json_type = "number"

    def _check(self, value: Any, field: str) -> Any:
        value = _plain(value)
        cls = type(value)
        if cls is int:
            return self._bounds(value, field)
        if cls is float or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            if not math.isfinite(value):
                raise ValidationError(field, "finite", "%s must be a finite number, got %s" % (_label(field), value))
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return self._bounds(value, field)
        raise self._type_error(value, field)


class integer(_Bounded):
    """A whole number (JSON Schema ``integer``); ``3.0`` is accepted and passed as ``3``."""

    json_type = "integer"

    def _check(self, value: Any, field: str) -> Any:
        value = _plain(value)
        if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
            return self._bounds(int(value), field)
        if isinstance(value, float) and value.is_integer():
            return self._bounds(int(value), field)
        raise self._type_error(value, field)


class string(DataType):
    """A JSON string, optionally bounded in length (characters) and matched against a regex ``pattern``."""

    json_type = "string"

    def __init__(self, description: str = "", min_length: Optional[int] = None, max_length: Optional[int] = None,
                 pattern: Optional[str] = None, format: Optional[str] = None, **options: Any) -> None:
        super().__init__(description, **options)
        self.min_length = min_length
        self.max_length = max_length
        self.pattern = pattern
        self._regex = re.compile(pattern) if pattern is not None else None
        self.format = format

    def _check(self, value: Any, field: str) -> Any:
        if not isinstance(value, str):
            raise self._type_error(value, field)
        if self.min_length is not None and len(value) < self.min_length:
            raise ValidationError(field, "min_length", "%s must have at least %d characters, got %d"
                                  % (_label(field), self.min_length, len(value)))
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(field, "max_length", "%s must have at most %d characters, got %d"
                                  % (_label(field), self.max_length, len(value)))
        if self._regex is not None and not self._regex.search(value):
            raise ValidationError(field, "pattern", "%s must match the pattern %s, got %s"
                                  % (_label(field), self.pattern, _describe(value)))
        return value

    def _schema_extra(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        if self.min_length is not None:
            out["minLength"] = self.min_length
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        if self.pattern is not None:
            out["pattern"] = self.pattern
        if self.format is not None:
            out["format"] = self.format
        return out

    def _example(self) -> Any:
        return "a" * (self.min_length or 1) if self.min_length else "text"


class boolean(DataType):
    """JSON ``true``/``false`` (numbers and strings such as "true" are rejected)."""

    json_type = "boolean"

    def _check(self, value: Any, field: str) -> Any:
        value = _plain(value)
        if value is True or value is False:
            return value
        raise self._type_error(value, field)

    def _example(self) -> Any:
        return True


class array(DataType):
    """A JSON array whose elements all match ``items`` (a type)."""

    json_type = "array"

    def __init__(self, items: DataType, description: str = "", min_items: Optional[int] = None,
                 max_items: Optional[int] = None, **options: Any) -> None:
        if not isinstance(items, DataType):
            raise TypeError("array(items): items must be a modelcloud.data_types type such as number(), got %r"
                            % (items,))
        super().__init__(description, **options)
        self.items = items
        self.min_items = min_items
        self.max_items = max_items

    def _check(self, value: Any, field: str) -> Any:
        value = _plain(value)
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            raise self._type_error(value, field)
        if self.min_items is not None and len(value) < self.min_items:
            raise ValidationError(field, "min_items", "%s must have at least %d items, got %d"
                                  % (_label(field), self.min_items, len(value)))
        if self.max_items is not None and len(value) > self.max_items:
            raise ValidationError(field, "max_items", "%s must have at most %d items, got %d"
                                  % (_label(field), self.max_items, len(value)))
        check = self.items.validate
        return [check(item, "%s[%d]" % (field, i)) for i, item in enumerate(value)]

    def _schema_extra(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"items": self.items.schema()}
        if self.min_items is not None:
            out["minItems"] = self.min_items
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        return out

    def _example(self) -> Any:
        return [self.items.example_value()] * max(1, self.min_items or 1)


class object(DataType):  # noqa: A001 - the seed-style name users write: object({...})
    """A JSON object with declared ``properties`` (a dict of name → type). Unknown keys are
    rejected unless ``additional_properties=True`` (then they are passed through unchecked)."""

    json_type = "object"

    def __init__(self, properties: Mapping[str, DataType], description: str = "",
                 additional_properties: bool = False, **options: Any) -> None:
        _check_fields(properties, "object(properties)")
        super().__init__(description, **options)
        self.properties = dict(properties)
        self.additional_properties = additional_properties

    def _check(self, value: Any, field: str) -> Any:
        if not isinstance(value, dict):
            raise self._type_error(value, field)
        return validate_fields(self.properties, value, field + "." if field else "",
                               self.additional_properties)

    def _schema_extra(self) -> Dict[str, Any]:
        return fields_schema(self.properties, self.additional_properties)

    def _example(self) -> Any:
        return {name: t.example_value() for name, t in self.properties.items()}


def _check_fields(fields: Mapping[str, Any], where: str) -> None:
    if not isinstance(fields, Mapping):
        raise TypeError("%s must be a dict of field name -> type, got %r" % (where, fields))
    for name, t in fields.items():
        if not isinstance(name, str) or not isinstance(t, DataType):
            raise TypeError("%s: field %r must map a name to a modelcloud.data_types type such as number(), got %r"
                            % (where, name, t))


def validate_fields(fields: Mapping[str, DataType], value: Dict[str, Any], prefix: str = "",
                    additional: bool = False) -> Dict[str, Any]:
    """Validates a JSON object against named fields; returns the dict the command receives
    (declared fields only, defaults filled in)."""
    out: Dict[str, Any] = {}
    present = 0
    for name, t in fields.items():
        item = value.get(name, _MISSING)
        if item is _MISSING:
            if t.default is not _MISSING:
                out[name] = t.default
            elif t.required:
                raise ValidationError(prefix + name, "required", "'%s' is required (%s)"
                                      % (prefix + name, t.description or t.json_type))
            continue
        present += 1
        out[name] = t.validate(item, prefix + name)
    if len(value) > present:
        for k in value:
            if k in fields:
                continue
            if not additional:
                raise ValidationError(prefix + k, "additional_properties", "'%s' is not a declared field; expected only: %s"
                                      % (prefix + k, ", ".join(fields) or "(none)"))
            out[k] = value[k]
    return out


def fields_schema(fields: Mapping[str, DataType], additional: bool = False) -> Dict[str, Any]:
    """JSON Schema of an object with these fields."""
    return {
        "type": "object",
        "properties": {name: t.schema() for name, t in fields.items()},
        "required": [name for name, t in fields.items() if t.required and t.default is _MISSING],
        "additionalProperties": additional,
    }


def compile_fields(fields: Mapping[str, DataType], where: str) -> Callable[[Any], Dict[str, Any]]:
    """A validator for a command's inputs or outputs: body → dict (raises ValidationError)."""
    _check_fields(fields, where)
    fields = dict(fields)

    def check(value: Any) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationError("", "type", "the body must be a JSON object with fields %s, got %s"
                                  % (", ".join(fields) or "(none)", _json_type_name(value)))
        return validate_fields(fields, value)

    return check


def example_of(fields: Mapping[str, DataType]) -> Dict[str, Any]:
    return {name: t.example_value() for name, t in fields.items()}

