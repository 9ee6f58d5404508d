"""Reading a plan's fast paths against the paths they replace: an ASCII document is not decoded
to text first; the change counts come from one pass; a type's "modelled" answer is remembered;
a one-shot command keeps what it read instead of freeing it."""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.io import lifetime
from auditor.io.files import parse_json
from providers.terraform import load_terraform, source_from_document
from providers.terraform.translate import FAMILIES, _is_modelled_type, is_modelled_type
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from tfplan import estate  # noqa: E402

PLAN = estate(40, seed=11)


def _outcome(read: Any) -> Any:
    try:
        source = read()
    except InputError as exc:
        return ("error", str(exc))
    return ("ok", repr(source.resources), repr(source.plan), repr(source.meta), source.gaps)


@settings(max_examples=40, deadline=None)
@given(tag=st.text(max_size=12), ascii_escapes=st.booleans())
def test_an_ascii_plan_reads_as_the_decoded_text_did(tag: str, ascii_escapes: bool) -> None:
    """Whatever text a tag holds (written as UTF-8 or as ASCII escapes), the plan reads as the
    shared JSON reader's value of it does, or is refused the same way."""
    plan = copy.deepcopy(PLAN)
    plan["planned_values"]["root_module"]["child_modules"][0]["resources"][0]["values"]["tags"] = {"Team": tag}
    try:
        data = json.dumps(plan, ensure_ascii=ascii_escapes).encode("utf-8", "surrogatepass")
    except UnicodeEncodeError:
        return
    assert _outcome(lambda: load_terraform(data, "p.json")) == _outcome(
        lambda: source_from_document(parse_json(data, "p.json"), "p.json")
    )


def test_a_plan_that_is_not_utf8_is_refused_naming_the_byte() -> None:
    data = json.dumps(PLAN).encode()
    cut = data.index(b'"address"')
    bad = data[:cut] + b"\xff" + data[cut:]
    try:
        load_terraform(bad, "p.json")
    except InputError as exc:
        assert f"not valid UTF-8 text (byte {cut})" in str(exc)
    else:
        raise AssertionError("accepted a document that is not UTF-8")


ACTIONS = st.sampled_from(
    [["no-op"], ["create"], ["delete"], ["update"], ["delete", "create"], ["create", "delete"], ["read"], []]
)


@settings(max_examples=40, deadline=None)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=len(PLAN["resource_changes"])))
def test_change_counts_are_the_four_sums(actions: list[list[str]]) -> None:
    plan = copy.deepcopy(PLAN)
    for change, acts in zip(plan["resource_changes"], actions, strict=False):
        change["change"]["actions"] = acts
    source = source_from_document(plan, "p.json")
    assert source.plan is not None
    planned = [tuple(c.actions) for c in source.plan.changes]
    assert source.meta["changes"] == {
        "delete": sum(1 for a in planned if a == ("delete",)),
        "replace": sum(1 for a in planned if "delete" in a and "create" in a),
        "create": sum(1 for a in planned if a == ("create",)),
        "update": sum(1 for a in planned if a == ("update",)),
    }


@given(name=st.text(max_size=30) | st.sampled_from(sorted({t for f in FAMILIES for t in (*f.PRIMARY, *f.RELATIONAL)})))
def test_a_remembered_type_answer_is_the_computed_one(name: str) -> None:
    assert is_modelled_type(name) == _is_modelled_type(name)
    assert is_modelled_type(name) == _is_modelled_type(name)  # asked again: from memory


def test_only_a_one_shot_process_keeps_what_it_is_done_with(monkeypatch: Any) -> None:
    monkeypatch.setattr(lifetime, "_kept", None)
    lifetime.done_with([1])
    assert lifetime._kept is None  # tests, library use: nothing kept
    lifetime.keep_until_exit()
    first, second = [2], [3]
    lifetime.done_with(first)
    assert lifetime._kept == (first,)
    lifetime.done_with(second)  # one input at most: the next one's values take the place
    assert lifetime._kept == (second,)
