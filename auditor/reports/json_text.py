"""JSON text exactly as `json.dumps(obj, ensure_ascii=False)` writes it (compact, or with
`indent=2`), in a fraction of the time; every report in JSON goes through here.

With `indent` the standard library falls back to its pure-Python generator encoder (three
generator frames per value), which made SARIF 5× and OCSF 6× slower than the JSON report.
Documents whose values are plain JSON (str, int, bool, None, finite floats, lists, str-keyed
dicts — what reports hold) are encoded by msgspec; anything else takes a Python encoder built
on the C `encode_basestring`; anything unusual (another type, a cycle, a lone surrogate) is
handed to `json.dumps` itself, so errors and edge cases stay the standard library's."""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import msgspec

_msgspec_encode = msgspec.json.Encoder().encode
_msgspec_format = msgspec.json.format

_INFINITY = float("inf")


class _Unsupported(Exception):
    """A value the fast path does not handle: let json.dumps do the whole document."""


def _float(o: float) -> str:
    if math.isnan(o):
        return "NaN"
    if o == _INFINITY:
        return "Infinity"
    if o == -_INFINITY:
        return "-Infinity"
    return float.__repr__(o)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return encode_basestring(k)
    if isinstance(k, float):
        return encode_basestring(_float(k))
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return encode_basestring(int.__repr__(k))
    raise _Unsupported


def _encode(o: Any, indent: str, out: list[str], depth: int) -> None:
    if isinstance(o, str):
        out.append(encode_basestring(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif isinstance(o, int):
        out.append(int.__repr__(o))
    elif isinstance(o, float):
        out.append(_float(o))
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        if depth > 200:
            raise _Unsupported
        inner = indent + "  "
        sep = "[\n" + inner
        for item in o:
            if item.__class__ is str:  # the common leaf, without a call
                out.append(sep + encode_basestring(item))
            else:
                out.append(sep)
                _encode(item, inner, out, depth + 1)
            sep = ",\n" + inner
        out.append("\n" + indent + "]")
    elif isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        if depth > 200:
            raise _Unsupported
        inner = indent + "  "
        sep = "{\n" + inner
        for k, v in o.items():
            key = encode_basestring(k) if k.__class__ is str else _key(k)
            if v.__class__ is str:  # the common leaf, without a call
                out.append(sep + key + ": " + encode_basestring(v))
            else:
                out.append(sep + key + ": ")
                _encode(v, inner, out, depth + 1)
            sep = ",\n" + inner
        out.append("\n" + indent + "}")
    else:
        raise _Unsupported


def dumps_compact(obj: Any) -> str:
    """Exactly `json.dumps(obj, ensure_ascii=False)`."""
    text = _by_msgspec(obj, indent=0)
    return text if text is not None else json.dumps(obj, ensure_ascii=False)


def dumps_indented(obj: Any) -> str:
    """Exactly `json.dumps(obj, indent=2, ensure_ascii=False)`."""
    text = _by_msgspec(obj, indent=2)
    if text is not None:
        return text
    out: list[str] = []
    try:
        _encode(obj, "", out, 0)
    except (_Unsupported, RecursionError):
        return json.dumps(obj, indent=2, ensure_ascii=False)
    return "".join(out)


def _by_msgspec(obj: Any, indent: int) -> str | None:
    """msgspec's text for a plain-JSON `obj` (it and json agree on those), else None."""
    try:
        plain = _plain(obj)
    except RecursionError:  # deep or cyclic: json.dumps says what
        return None
    if plain is None and obj is not None:
        return None
    try:
        return _msgspec_format(_msgspec_encode(plain), indent=indent).decode()
    except (TypeError, ValueError, msgspec.MsgspecError):  # e.g. a lone surrogate: json says what
        return None


def _plain(value: Any) -> Any:
    """`value` with finite floats as json writes them (msgspec's exponents differ: 1e16 vs
    1e+16), or None when anything is not plain JSON (json and msgspec could disagree on it)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                return None
            if type(v) is str:
                out[k] = v
                continue
            v = _plain(v)
            if v is None and value[k] is not None:
                return None
            out[k] = v
        return out
    if kind is list or kind is tuple:
        items = []
        for item in value:
            if type(item) is str:
                items.append(item)
                continue
            converted = _plain(item)
            if converted is None and item is not None:
                return None
            items.append(converted)
        return items
    if kind is float and math.isfinite(value):
        return msgspec.Raw(float.__repr__(value).encode())
    return None
