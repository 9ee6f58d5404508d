"""Redaction with masks as `terraform show -json` writes them: the shortcut for masks that mark
nothing (trees of empty containers) gives exactly what the full walk gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.terraform.document import _redact, redact

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=3), inner, max_size=4)),
    max_leaves=20,
)
marks = st.one_of(st.just(True), st.just(False), st.none(), st.integers(0, 2), st.text(max_size=2))
masks = st.recursive(
    marks,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["", "a", "b", "tags", "x"]), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(values, masks)
def test_redact_equals_the_full_walk_for_any_value_and_mask(value, mask) -> None:
    assert redact(value, mask) == _redact(value, mask)


def test_a_real_shaped_mask_redacts_the_marked_leaf_only() -> None:
    value = {"password": "hunter2", "tags": {"env": "prod"}, "blocks": [{"secret": "s", "name": "n"}], "id": "db-1"}
    mask = {"tags": {}, "blocks": [{"secret": True}]}
    assert redact(value, mask) == {
        "password": "hunter2",
        "tags": {"env": "prod"},
        "blocks": [{"secret": None, "name": "n"}],
        "id": "db-1",
    }
    assert redact(value, {"tags": {}, "blocks": [{}]}) is value  # nothing marked: the value as parsed


@settings(max_examples=300, deadline=None)
@given(values, masks)
def test_known_after_equals_unknown_to_none_for_any_value_and_mask(value, mask) -> None:
    """The shortcut for `after_unknown` masks that mark nothing gives exactly the full walk's
    value (same types, same key order)."""
    from providers.terraform.document import known_after, unknown_to_none

    assert repr(known_after(value, mask)) == repr(unknown_to_none(value, mask))


def _mirror(value):
    """An `after_unknown` mask as Terraform writes it for a value known in full: every map,
    list and block mirrored, `false` for each list item that is a scalar, nothing marked."""
    if isinstance(value, dict):
        return {k: _mirror(v) for k, v in value.items() if isinstance(v, (dict, list))}
    if isinstance(value, list):
        return [_mirror(v) if isinstance(v, (dict, list)) else False for v in value]
    return False


@settings(max_examples=200, deadline=None)
@given(values)
def test_a_mirrored_after_unknown_mask_keeps_the_value_itself(value) -> None:
    from providers.terraform.document import known_after

    assert known_after(value, _mirror(value)) is value
