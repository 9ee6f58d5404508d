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
