"""YAML 1.2 core-schema reading on top of libyaml, and what YAML changed from what was typed.

PyYAML resolves plain scalars with YAML 1.1 rules: ``1:34`` is the integer 94
(base 60), ``yes``/``no``/``on``/``off`` are booleans, ``010`` is octal 8. A key
mangled that way is mangled identically in the reference solution, so nothing
catches it. dflab reads every YAML file with the 1.2 core schema instead (only
``true``/``false``, decimal/``0o``/``0x`` integers, plain floats and ``null``
are typed; everything else stays text), and :func:`typed_change` tells a
trainer where a scalar still does not mean what it looks like.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_MAX_DIGITS = 1000  # Python refuses to convert longer digit strings; no key needs them

_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
            "\f": "\\f", "\r": "\\r", "\x1b": "\\e", "\x85": "\\N", "\xa0": "\\_",
            "\u2028": "\\L", "\u2029": "\\P"}
_NAMES = {"\0": "NUL byte", "\a": "bell", "\b": "backspace", "\t": "tab", "\n": "line break",
          "\v": "vertical tab", "\f": "form feed", "\r": "carriage return", "\x1b": "escape",
          "\x85": "next-line character", "\xa0": "no-break space",
          "\u2028": "line separator", "\u2029": "paragraph separator"}


def _text(loader: Any, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    text = _text(loader, node)
    try:
        if len(text) > _MAX_DIGITS:
            raise ValueError
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)
    except ValueError:
        raise ConstructorError(None, None, f"'{text[:40]}' is not an integer",
                               node.start_mark) from None


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    text = _text(loader, node)
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    try:
        if len(text) > _MAX_DIGITS:
            raise ValueError
        return float(text)
    except ValueError:
        raise ConstructorError(None, None, f"'{text[:40]}' is not a number",
                               node.start_mark) from None


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    text = _text(loader, node)
    if text.lower() not in ("true", "false"):
        raise ConstructorError(None, None, f"'{text[:40]}' is not true or false",
                               node.start_mark)
    return text.lower() == "true"


class CoreLoader(_Base):  # type: ignore[misc]
    """libyaml's safe loader with YAML 1.2 core-schema resolvers and constructors."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}
    yaml_constructors: ClassVar[dict[Any, Any]] = dict(_Base.yaml_constructors)


for _tag, _regexp, _first in (
    ("bool", _BOOL, "tTfF"),
    ("int", _INT, "-+0123456789"),
    ("float", _FLOAT, "-+.0123456789"),
    ("null", _NULL, ["~", "n", "N", ""]),
):
    CoreLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", _regexp, list(_first))
CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
CoreLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def typed_change(node: yaml.ScalarNode, value: Any, raw: str) -> tuple[str, str] | None:
    """``(message, fix)`` when ``value`` is not what the scalar's text ``raw`` shows.

    Two cases: a double-quoted string where an escape made a control character
    (``"3B\\backdoor"`` holds a backspace), and a plain scalar typed as a
    bool or number whose text is not that value's canonical form (``1e3``,
    ``010``, ``TRUE``, ``1.50``).
    """
    if isinstance(value, str):
        if node.style != '"':
            return None
        # Control characters, and what '\\L', '\\P', '\\_' make ("C:\\Logs" is U+2028 + "ogs")
        made = [c for c in dict.fromkeys(value) if c not in raw and (
            unicodedata.category(c) in ("Cc", "Zl", "Zp") or c == "\xa0")]
        if not made:
            return None
        names = ", ".join(f"a {_NAMES.get(c, f'control character U+{ord(c):04X}')}"
                          + (f" (from '{_ESCAPES[c]}')" if c in _ESCAPES else "") for c in made)
        inner = raw[1:-1] if raw.startswith('"') and raw.endswith('"') else raw
        single = "'" + inner.replace("'", "''") + "'"
        return (f"{raw[:60]} holds {names}: inside double quotes YAML turns a backslash "
                "escape into another character",
                f"write it in single quotes, {single[:60]}, to keep every backslash as typed")
    if node.style or value is None or not isinstance(value, bool | int | float):
        return None
    canonical = _canonical(value)
    if raw == canonical:
        return None
    kind = "boolean" if isinstance(value, bool) else "integer" if isinstance(value, int) \
        else "number"
    return (f"'{raw[:60]}' is read as the {kind} {canonical}",
            f"quote it ('{raw[:60]}') to keep the text as typed, or write {canonical}")


def _canonical(value: bool | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    return repr(value)
