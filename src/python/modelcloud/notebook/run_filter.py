"""The MLflow search syntax of ``%mc_runs --filter``, evaluated over run-log summaries in Python.

The same grammar as the CLI's and the Runs dashboard's filter (README, "CLI"): ``metrics.``,
``params.``, ``tags.``, ``attributes.`` (status, run_name, run_id, start_time, end_time, user,
experiment) keys, backticks around keys with special characters, ``= != < <= > >=``, ``LIKE``
(case-sensitive) / ``ILIKE``, ``IN (...)`` / ``NOT IN (...)``, ``IS [NOT] NULL``, joined by
``AND`` only. Values: numbers and 'single' or "double" quoted strings.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, List, Optional, Tuple

from .runlog import RunLogTail

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\w.])
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op><=|>=|!=|<>|=|<|>|\(|\)|,)
  | (?P<key>(?:[A-Za-z_][\w]*\.)?(?:`[^`]*`|[A-Za-z_][\w./:-]*))
)""", re.VERBOSE)
_PREFIXES = {"metrics": "metrics", "metric": "metrics", "params": "params", "param": "params",
             "parameter": "params", "parameters": "params", "tags": "tags", "tag": "tags",
             "attributes": "attributes", "attribute": "attributes", "attr": "attributes", "run": "attributes"}
_ATTRIBUTES = {"status", "run_name", "run_id", "start_time", "end_time", "user", "experiment"}


class FilterError(ValueError):
    pass


def _tokens(text: str) -> List[Tuple[str, str, int]]:
    found, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            start = len(text) - len(text[pos:].lstrip())
            raise FilterError("unexpected %r at character %d" % (text[start:start + 10], start + 1))
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return found


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def _like(pattern: str, flags: int) -> "re.Pattern[str]":
    out = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile("^" + out + "$", flags | re.DOTALL)


def _field(kind: str, name: str) -> Callable[[RunLogTail], Any]:
    if kind == "metrics":
        return lambda run: run.latest[name][1] if name in run.latest else None
    if kind == "params":
        return lambda run: run.params.get(name)
    if kind == "tags":
        return lambda run: run.tags.get(name)
    getters = {"status": lambda r: r.status, "run_name": lambda r: r.name, "run_id": lambda r: r.run_id,
               "start_time": lambda r: r.start_ms, "end_time": lambda r: r.end_ms, "user": lambda r: r.user,
               "experiment": lambda r: r.experiment}
    return getters[name]


def compile_filter(text: str) -> Callable[[RunLogTail], bool]:
    """A predicate over runs; raises FilterError (one line: what and where) on a syntax error."""
    tokens = _tokens(text)
    conditions: List[Callable[[RunLogTail], bool]] = []
    i = 0

    def need(what: str) -> Tuple[str, str, int]:
        if i >= len(tokens):
            raise FilterError("expected %s at the end of the filter" % what)
        return tokens[i]

    while i < len(tokens):
        kind, value, at = need("a key like metrics.f1")
        if kind != "key":
            raise FilterError("expected a key like metrics.f1 at character %d, found %r" % (at + 1, value))
        prefix, _, name = value.partition(".")
        if not name:
            prefix, name = "attributes", value
        name = name[1:-1] if name.startswith("`") and name.endswith("`") else name
        group = _PREFIXES.get(prefix.lower())
        if group is None:
            raise FilterError("unknown key prefix %r at character %d; use metrics., params., tags. or attributes."
                              % (prefix, at + 1))
        if group == "attributes" and name not in _ATTRIBUTES:
            raise FilterError("unknown attribute %r at character %d; attributes are %s"
                              % (name, at + 1, ", ".join(sorted(_ATTRIBUTES))))
        getter = _field(group, name)
        i += 1
        kind, op, at = need("an operator (=, !=, <, >, LIKE, IN, IS NULL...)")
        upper = op.upper()
        i += 1
        if upper == "NOT":
            kind2, op2, _ = need("IN after NOT")
            if op2.upper() != "IN":
                raise FilterError("expected IN after NOT at character %d" % (at + 1))
            upper = "NOT IN"
            i += 1
        if upper == "IS":
            negate = False
            _k, word, wat = need("NULL or NOT NULL")
            if word.upper() == "NOT":
                negate = True
                i += 1
                _k, word, wat = need("NULL")
            if word.upper() != "NULL":
                raise FilterError("expected NULL at character %d, found %r" % (wat + 1, word))
            i += 1
            conditions.append((lambda g, n: lambda run: (g(run) is not None) == n)(getter, negate))
        elif upper in ("IN", "NOT IN"):
            _k, paren, pat = need("'('")
            if paren != "(":
                raise FilterError("expected '(' after IN at character %d" % (pat + 1))
            i += 1
            items = []
            while True:
                vkind, item, iat = need("a value or ')'")
                if vkind not in ("string", "number"):
                    raise FilterError("expected a value in IN (...) at character %d, found %r" % (iat + 1, item))
                items.append(_unquote(item) if vkind == "string" else item)
                i += 1
                _k, sep, sat = need("',' or ')'")
                i += 1
                if sep == ")":
                    break
                if sep != ",":
                    raise FilterError("expected ',' or ')' at character %d, found %r" % (sat + 1, sep))
            conditions.append(_membership(getter, group, items, upper == "NOT IN"))
        elif upper in ("=", "!=", "<>", "<", "<=", ">", ">=", "LIKE", "ILIKE"):
            vkind, raw, vat = need("a value")
            if vkind not in ("string", "number"):
                raise FilterError("expected a number or a quoted string at character %d, found %r" % (vat + 1, raw))
            i += 1
            conditions.append(_comparison(getter, group, name, upper, raw, vkind, vat))
        else:
            raise FilterError("expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS NULL) at character %d, "
                              "found %r" % (at + 1, op))
        if i < len(tokens):
            _k, word, wat = tokens[i]
            if word.upper() != "AND":
                raise FilterError("expected AND at character %d, found %r (OR is not supported, as in MLflow)"
                                  % (wat + 1, word))
            i += 1
            if i >= len(tokens):
                raise FilterError("expected a condition after AND")
    return lambda run: all(condition(run) for condition in conditions)


def _numeric(group: str, name: str) -> bool:
    return group == "metrics" or (group == "attributes" and name in ("start_time", "end_time"))


def _comparison(getter: Callable[[RunLogTail], Any], group: str, name: str, op: str, raw: str, vkind: str,
                at: int) -> Callable[[RunLogTail], bool]:
    if _numeric(group, name):
        if vkind != "number" or op in ("LIKE", "ILIKE"):
            raise FilterError("%s.%s is numeric: compare it with a number (=, !=, <, <=, >, >=) at character %d"
                              % (group, name, at + 1))
        target = float(raw)
        compare = {"=": lambda a: a == target, "!=": lambda a: a != target, "<>": lambda a: a != target,
                   "<": lambda a: a < target, "<=": lambda a: a <= target, ">": lambda a: a > target,
                   ">=": lambda a: a >= target}[op]
        return lambda run: (lambda v: v is not None and not (isinstance(v, float) and math.isnan(v))
                            and compare(v))(getter(run))
    if vkind != "string":
        raise FilterError("%s.%s is a string: quote the value ('%s') at character %d" % (group, name, raw, at + 1))
    text = _unquote(raw)
    if op in ("LIKE", "ILIKE"):
        pattern = _like(text, re.IGNORECASE if op == "ILIKE" else 0)
        return lambda run: (lambda v: v is not None and bool(pattern.match(str(v))))(getter(run))
    if op in ("=", "!=", "<>"):
        equal = op == "="
        return lambda run: (lambda v: v is not None and (str(v) == text) == equal)(getter(run))
    compare = {"<": lambda a: a < text, "<=": lambda a: a <= text, ">": lambda a: a > text,
               ">=": lambda a: a >= text}[op]
    return lambda run: (lambda v: v is not None and compare(str(v)))(getter(run))


def _membership(getter: Callable[[RunLogTail], Any], group: str, items: List[str],
                negate: bool) -> Callable[[RunLogTail], bool]:
    if group == "metrics":
        values = {float(v) for v in items}
        return lambda run: (lambda v: v is not None and (v in values) != negate)(getter(run))
    texts = {str(v) for v in items}
    return lambda run: (lambda v: v is not None and (str(v) in texts) != negate)(getter(run))


def describe_error(error: FilterError, text: Optional[str]) -> str:
    return "--filter %r: %s" % (text, error)
