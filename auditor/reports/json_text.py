"""JSON text exactly as `json.dumps(obj, ensure_ascii=False)` writes it (compact, or with
`indent=2`), in a fraction of the time; every report in JSON goes through here (the JSON
report's finding lines through `finding_lines`, which encodes the same way and uses `plain_json`).

With `indent` the standard library falls back to its pure-Python generator encoder (three
generator frames per value), which made SARIF 5× and OCSF 6× slower than the JSON report.
Documents whose values are plain JSON (str, int, bool, None, finite floats, lists, str-keyed
dicts — what reports hold) are encoded by msgspec; anything else (NaN, a non-string key,
another type, a cycle, a lone surrogate) is handed to `json.dumps` itself, so errors and edge
cases stay the standard library's."""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec

_msgspec_encode = msgspec.json.Encoder().encode
_msgspec_format = msgspec.json.format


def dumps_compact(obj: Any) -> str:
    """Exactly `json.dumps(obj, ensure_ascii=False)`."""
    text = _by_msgspec(obj, indent=0)
    return text if text is not None else json.dumps(obj, ensure_ascii=False)


def dumps_indented(obj: Any) -> str:
    """Exactly `json.dumps(obj, indent=2, ensure_ascii=False)`."""
    text = _by_msgspec(obj, indent=2)
    return text if text is not None else json.dumps(obj, indent=2, ensure_ascii=False)


def plain_json(obj: dict[str, Any]) -> dict[str, Any] | None:
    """A str-keyed mapping ready for msgspec to write as `json.dumps` would (finite floats as json
    writes them), or None when some value is not plain JSON or it nests too deep."""
    if type(obj) is not dict:
        return None
    try:
        return obj if _written_alike(obj) else _plain(obj)
    except RecursionError:
        return None


def _by_msgspec(obj: Any, indent: int) -> str | None:
    """msgspec's text for a plain-JSON `obj` (it and json agree on those), else None."""
    try:
        plain = obj if _written_alike(obj) else _plain(obj)
    except RecursionError:  # deep or cyclic: json.dumps says what
        return None
    if plain is None and obj is not None:
        return None
    return encode_plain(plain, indent)


def encode_plain(plain: Any, indent: int) -> str | None:
    """msgspec's text for a value already known to be plain JSON; None where msgspec refuses it
    (e.g. a lone surrogate), for the caller to let json.dumps say what."""
    try:
        return _msgspec_format(_msgspec_encode(plain), indent=indent).decode()
    except (TypeError, ValueError, msgspec.MsgspecError):
        return None


def _written_alike(value: Any) -> bool:
    """Whether msgspec writes `value` as json does without converting anything: exact str,
    int, bool and None, lists, tuples, str-keyed dicts, and finite floats whose repr has no
    exponent (msgspec writes those digit for digit as `float.__repr__`). Checked in place,
    so a report's document (94 MB of OCSF at 100k resources) is not copied as `_plain` does."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    # plain loops, not all(...): a generator per container costs as much as the copy this saves
    if kind is dict:
        for k, v in value.items():  # noqa: SIM110
            if type(k) is not str or (type(v) is not str and not _written_alike(v)):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:  # noqa: SIM110
            if type(item) is not str and not _written_alike(item):
                return False
        return True
    if kind is float:
        return math.isfinite(value) and "e" not in float.__repr__(value)
    return False


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
