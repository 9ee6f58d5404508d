"""Plans are decoded by msgspec when it accepts the document and by the shared JSON reader
otherwise: the value, or the error, is exactly what the shared reader alone gives, for any
text — numbers at the edges of a float, escapes and surrogates, malformed JSON, nesting at
the recursion limit."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.io.files import parse_json
from providers.terraform.load import REFUSED, quick_decode


def shared_reader(data: bytes) -> Any:
    """How plans were decoded before: the shared reader alone (one frame below the caller)."""
    return parse_json(data, "plan.json")


def as_loaded(data: bytes) -> Any:
    """How load_terraform decodes now (the fallback one frame below the caller, as before)."""
    document = quick_decode(data)
    if document is REFUSED:
        document = parse_json(data, "plan.json")
    return document


def outcome(decode: Any, data: bytes) -> tuple[str, str]:
    try:
        return ("ok", repr(decode(data)))  # repr: True is not 1, 1.0 is not 1, -0.0 is not 0.0
    except InputError as exc:
        return ("error", str(exc))


numbers = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**70),
    st.floats(),
    st.sampled_from([5e-324, 2.2250738585072011e-308, 1.7976931348623157e308, -0.0, 0.1, 1e22, 1e-7]),
)
strings = st.text(
    st.one_of(st.characters(), st.sampled_from(["\ud800", "\udc00", "\ud83d", "\ude00", "\\", '"', "\x00", "\u2028"]))
)
values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, strings),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(strings, inner, max_size=4)),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(value=values, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]))
def test_documents_json_writes_decode_to_the_same_value(value: Any, ascii_only: bool, indent: int | None) -> None:
    try:
        data = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode("utf-8", "surrogatepass")
    except ValueError:
        return
    assert outcome(as_loaded, data) == outcome(shared_reader, data)


TOKENS = [
    "{", "}", "[", "]", ",", ":", '"', '"a"', "1", "-0", "1.5", "1e400", "-1e400", "01", "1.", ".5", "NaN",
    "Infinity", "-Infinity", "true", "false", "null", "tru", " ", "\n", "\t", "\\", "\\u", "\\ud800", "\\udc00",
    "\\ud83d\\ude00", "\\u00e9", "é", "\x00", "\x1f", "\ufeff", "\xff", "123456789012345678901234567890",
]  # fmt: skip


@settings(max_examples=250, deadline=None)
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=20), raw=st.binary(max_size=3))
def test_any_text_decodes_or_fails_as_the_shared_reader_decides(tokens: list[str], raw: bytes) -> None:
    data = "".join(tokens).encode("utf-8", "surrogatepass") + raw
    assert outcome(as_loaded, data) == outcome(shared_reader, data)


def test_nesting_at_the_recursion_limit_is_decided_as_before() -> None:
    for depth in range(800, 1010):
        for opening, closing in (("[", "]"), ('{"a":', "}")):
            data = (opening * depth + "1" + closing * depth).encode()
            assert outcome(as_loaded, data) == outcome(shared_reader, data), depth


def test_msgspec_decodes_a_plan() -> None:
    data = json.dumps({"format_version": "1.2", "resource_changes": [{"change": {"after_sensitive": {}}}]}).encode()
    assert quick_decode(data) == json.loads(data)


def test_a_plan_nested_at_the_limit_loads_or_fails_as_before() -> None:
    from providers.terraform.load import load_terraform, source_from_document

    def load_terraform_before(data: bytes, origin: str) -> Any:  # as it was, for UTF-8 input
        return source_from_document(parse_json(data, origin), origin)

    def before(data: bytes) -> Any:
        return load_terraform_before(data, "plan.json").resources

    def now(data: bytes) -> Any:
        return load_terraform(data, "plan.json").resources

    for depth in range(800, 1000):
        data = b'{"format_version": "1.2", "planned_values": {"root_module": {}}, "x": ' + b"[" * depth
        data += b"]" * depth + b"}"
        assert outcome(now, data) == outcome(before, data), depth
