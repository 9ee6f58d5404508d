"""Reading a plan faster changes nothing: the prior graph that reuses the planned graph's
resources equals the prior graph parsed on its own, whatever the plan changes; a plan that
carries only `resource_changes` still gets its graphs from the changes."""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.io.resources import parse_resources
from providers.terraform import load_terraform, source_from_document
from providers.terraform.context import Context
from providers.terraform.document import parse_document
from providers.terraform.load import _parse_prior
from providers.terraform.translate import translate
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from tfplan import estate  # noqa: E402

PLAN = estate(120, seed=5)
DOC = parse_document(PLAN, "p.json")
CTX = Context.build(DOC.resources + DOC.prior, DOC.provider_config, DOC.root_config)
PLANNED_RAW, _ = translate(DOC.resources, CTX)
PRIOR_RAW, _ = translate(DOC.prior, CTX)
PLANNED = parse_resources(PLANNED_RAW, "p.json")

#: edits a plan can make to a resource's mapping between the prior and the planned graph
EDITS = st.sampled_from(["true-for-1", "negative-zero", "drop-key", "new-tag", "remove", "rename", "none"])


def _edit(raw: dict[str, Any], how: str, rng: Any) -> dict[str, Any] | None:
    raw = copy.deepcopy(raw)
    scalar_keys = [k for k, v in raw.items() if k not in ("id", "kind", "name", "provider") and not isinstance(v, list)]
    if how == "remove":
        return None
    if how == "rename":
        raw["name"] = raw["name"] + "-old"
    elif how == "true-for-1" and scalar_keys:
        key = rng.choice(scalar_keys)
        raw[key] = 1 if raw[key] is True else True
    elif how == "negative-zero" and scalar_keys:
        raw[rng.choice(scalar_keys)] = -0.0
    elif how == "drop-key" and scalar_keys:
        del raw[rng.choice(scalar_keys)]
    elif how == "new-tag":
        raw["tier"] = "production"
    return raw


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, len(PRIOR_RAW) - 1), EDITS), max_size=12), rng=st.randoms())
def test_the_reused_prior_graph_equals_the_prior_graph_parsed_alone(edits: list[tuple[int, str]], rng: Any) -> None:
    prior_raw: list[Any] = list(PRIOR_RAW)
    for index, how in edits:
        if prior_raw[index] is not None:
            prior_raw[index] = _edit(prior_raw[index], how, rng)
    prior_raw = [r for r in prior_raw if r is not None]
    try:
        expected: Any = repr(parse_resources(prior_raw, "p.json (prior state)"))
    except Exception as exc:  # noqa: BLE001 - an edit that makes the graph invalid must fail the same way
        expected = (type(exc).__name__, str(exc))
    try:
        got: Any = repr(_parse_prior(prior_raw, PLANNED_RAW, PLANNED, "p.json (prior state)"))
    except Exception as exc:  # noqa: BLE001
        got = (type(exc).__name__, str(exc))
    assert got == expected


def test_most_of_a_plans_prior_graph_is_shared_with_the_planned_graph() -> None:
    source = load_terraform(json.dumps(PLAN).encode(), "p.json")
    assert source.plan is not None
    planned = {id(r) for r in source.resources}
    shared = sum(1 for r in source.plan.prior if id(r) in planned)
    assert shared > 0.8 * len(source.plan.prior)
    assert repr(source.plan.prior) == repr(parse_resources(PRIOR_RAW, "p.json (prior state)"))


def test_a_plan_of_changes_alone_takes_both_graphs_from_the_changes() -> None:
    only_changes = {k: v for k, v in PLAN.items() if k not in ("planned_values", "prior_state")}
    full = source_from_document(PLAN, "p.json")
    alone = source_from_document(only_changes, "p.json")
    assert alone.plan is not None and full.plan is not None
    assert {r.id for r in alone.resources} == {r.id for r in full.resources}
    assert {r.id for r in alone.plan.prior} == {r.id for r in full.plan.prior}
    assert [c.address for c in alone.plan.changes] == [c.address for c in full.plan.changes]


def _tricky_pairs() -> Any:
    leaves = st.sampled_from([True, 1, 1.0, False, 0, 0.0, -0.0, None, "1", "", 2**64, 1e16])
    trees = st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.lists(inner, max_size=3).map(tuple),
            st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
        ),
        max_leaves=8,
    )
    return st.tuples(trees, trees)


@settings(max_examples=300, deadline=None)
@given(pair=_tricky_pairs(), reordered=st.booleans())
def test_identical_says_what_repr_says(pair: tuple[Any, Any], reordered: bool) -> None:
    """Reuse rests on `identical`: never true where the mappings' reprs differ (True and 1,
    1.0 and 1, -0.0 and 0.0, a tuple and a list, another key order), always true for a copy."""
    from providers.terraform.load import identical

    a, b = pair
    if reordered and isinstance(a, dict):
        b = dict(reversed(list(a.items())))
    assert identical(a, b) == (repr(a) == repr(b))
    assert identical(a, copy.deepcopy(a))
