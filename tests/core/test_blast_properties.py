"""Property tests (hypothesis): the blast engine against brute-force definitions from SPEC §4,
and the loaders against arbitrary input."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.blast import BlastAnalysis
from auditor.core.errors import InputError
from auditor.core.model import DESTRUCTIVE_ACTIONS
from auditor.core.policy import Policy
from auditor.core.topology import Topology
from auditor.io.snapshot import parse_snapshot, snapshot_document
from providers.inventory import parse_inventory

KINDS = ["account", "project", "environment", "volume", "database", "bucket", "service"]


@st.composite
def topologies(draw, max_nodes: int = 14) -> list[dict]:
    """Random acyclic cascades: each node may hang off (parent / stored_on) earlier nodes; backups
    of random datasets sit on random holders; credentials grant on random nodes."""
    n = draw(st.integers(2, max_nodes))
    resources: list[dict] = []
    for i in range(n):
        kind = draw(st.sampled_from(KINDS))
        res: dict = {"id": f"n{i}", "kind": kind}
        if i and draw(st.booleans()):
            res["parent"] = sorted({f"n{j}" for j in draw(st.lists(st.integers(0, i - 1), min_size=1, max_size=2))})
        if i and kind in ("database", "volume", "bucket") and draw(st.booleans()):
            res["stored_on"] = f"n{draw(st.integers(0, i - 1))}"
        resources.append(res)
    datasets = [r["id"] for r in resources if r["kind"] == "database"]
    for b in range(draw(st.integers(0, 4)) if datasets else 0):
        holder = draw(st.sampled_from([r["id"] for r in resources]))
        rel = draw(st.sampled_from(["parent", "stored_on"]))
        resources.append({"id": f"b{b}", "kind": "backup", "backup_of": draw(st.sampled_from(datasets)), rel: holder})
    ids = [r["id"] for r in resources]
    for c in range(draw(st.integers(0, 3))):
        targets = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True))
        actions = draw(st.sampled_from([["delete"], ["write"], ["admin"], ["read"]]))
        resources.append(
            {"id": f"c{c}", "kind": "credential", "grants": [{"target": t, "actions": actions} for t in targets]}
        )
    return resources


def analyse(resources: list[dict]) -> BlastAnalysis:
    return BlastAnalysis(
        Topology(parse_inventory({"version": 1, "resources": resources}, "t.yaml").resources), Policy()
    )


def brute_destroyed_by(resources: list[dict], x: str) -> set[str]:
    """Fixpoint over the raw dicts: anything whose parent/stored_on is destroyed is destroyed."""
    gone = {x}
    changed = True
    while changed:
        changed = False
        for r in resources:
            holders = _as_list(r.get("parent")) + _as_list(r.get("stored_on"))
            if r["id"] not in gone and any(h in gone for h in holders):
                gone.add(r["id"])
                changed = True
    return gone


def _as_list(v) -> list[str]:
    return [] if v is None else [v] if isinstance(v, str) else list(v)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(topologies())
def test_destroyed_by_matches_the_definition(resources: list[dict]) -> None:
    an = analyse(resources)
    for r in resources:
        assert set(an.destroyed_by(r["id"])) == brute_destroyed_by(resources, r["id"])


@SETTINGS
@given(topologies())
def test_single_action_loss_is_sound_and_deepest(resources: list[dict]) -> None:
    an = analyse(resources)
    ids = [r["id"] for r in resources]
    for d in an.datasets():
        copies = set(an.copies(d))
        destroyers = {x for x in ids if copies <= brute_destroyed_by(resources, x)}
        loss = an.single_action_loss(d)
        if len(copies) < 2:
            assert loss is None
            continue
        assert (loss is None) == (not destroyers)
        if loss is not None:
            assert loss.destroyer in destroyers
            blast = brute_destroyed_by(resources, loss.destroyer)
            # no destroyer lies strictly inside this one's blast: it is the deepest
            assert not any(x != loss.destroyer and x in blast for x in destroyers)


@SETTINGS
@given(topologies())
def test_credential_reach_matches_the_definition(resources: list[dict]) -> None:
    an = analyse(resources)
    for d in an.datasets():
        copies = set(an.copies(d))
        expected = set()
        for r in resources:
            if r["kind"] != "credential":
                continue
            reach: set[str] = set()
            for g in r["grants"]:
                if set(g["actions"]) & DESTRUCTIVE_ACTIONS:
                    reach |= brute_destroyed_by(resources, g["target"])
            if copies <= reach:
                expected.add(r["id"])
        assert set(an.credentials_destroying_all(d)) == expected


@SETTINGS
@given(topologies(), st.data())
def test_a_copy_outside_every_destroyer_removes_single_action_loss(resources: list[dict], data) -> None:
    datasets = analyse(resources).datasets()
    if not datasets:
        return
    d = data.draw(st.sampled_from(datasets))
    safe = resources + [
        {"id": "offsite-acct", "kind": "account"},
        {"id": "offsite-copy", "kind": "backup", "backup_of": d, "stored_on": "offsite-acct"},
    ]
    assert analyse(safe).single_action_loss(d) is None


@SETTINGS
@given(topologies(), st.data())
def test_destroyed_by_is_monotone_under_new_parent_edges(resources: list[dict], data) -> None:
    ids = [r["id"] for r in resources]
    before = analyse(resources)
    child = data.draw(st.sampled_from(ids))
    # only link to an earlier node so the cascade stays acyclic
    earlier = ids[: ids.index(child)]
    if not earlier:
        return
    new_parent = data.draw(st.sampled_from(earlier))
    grown = [dict(r) for r in resources]
    target = next(r for r in grown if r["id"] == child)
    target["parent"] = sorted(set(_as_list(target.get("parent")) + [new_parent]))
    try:
        after = analyse(grown)
    except InputError:
        return  # the new edge closed a cycle through stored_on: rejected, fine
    for x in ids:
        assert set(before.destroyed_by(x)) <= set(after.destroyed_by(x))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "id",
    "kind",
    "name",
    "parent",
    "stored_on",
    "grants",
    "exposed_to",
    "tier",
    "created_at",
    "retention_days",
    "deletion_protection",
    "backup_of",
    "type",
    "expires_at",
    "zzz",
]
raw_resource = st.dictionaries(
    st.sampled_from(FIELDS), json_values | st.sampled_from(["a", "b", "volume", "backup", "production"]), max_size=6
)


@settings(max_examples=400, deadline=None)
@given(st.lists(raw_resource, max_size=6) | json_values)
def test_inventory_loader_raises_only_input_errors(resources) -> None:
    try:
        parse_inventory({"version": 1, "resources": resources}, "fuzz.yaml")
    except InputError as exc:
        assert str(exc).startswith("fuzz.yaml") and "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["format", "format_version", "complete", "gaps", "provider", "resources", "meta"]), json_values
    )
)
def test_snapshot_loader_raises_only_input_errors(document) -> None:
    document.setdefault("format", "blastscope-snapshot")
    with contextlib.suppress(InputError):
        parse_snapshot(document, "fuzz.json")


@SETTINGS
@given(topologies())
def test_snapshot_round_trip_preserves_the_graph(resources: list[dict]) -> None:
    source = parse_inventory({"version": 1, "resources": resources}, "t.yaml")
    doc = json.loads(json.dumps(snapshot_document(source)))
    again = parse_snapshot(doc, "t.json")
    assert [(r.id, r.kind, r.relations, r.grants, r.attrs) for r in again.resources] == [
        (r.id, r.kind, r.relations, r.grants, r.attrs) for r in source.resources
    ]


POLICY_KEYS = ["environments", "backups", "severity", "suppressions", "zzz"]
policy_values = (
    json_values
    | st.fixed_dictionaries(
        {},
        optional={
            "production": json_values,
            "staging": st.lists(st.text(max_size=5), max_size=3),
            "rpo": st.sampled_from(["24h", "7d", "x", "0h", "-1d"]),
            "min_retention": st.sampled_from(["7d", "1w", ""]),
            "backup-colocated": st.sampled_from(["low", "bogus"]),
        },
    )
    | st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "check": st.sampled_from(["backup-colocated", "nope"]),
                "resource": st.text(max_size=4),
                "reason": st.text(max_size=4),
                "expires": st.sampled_from(["2027-01-31", "soon", "2020-01-01"]),
            },
        ),
        max_size=3,
    )
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(POLICY_KEYS), policy_values) | json_values)
def test_policy_loader_raises_only_input_errors(document) -> None:
    from auditor.core.policy import parse_policy

    try:
        parse_policy(document, "fuzz-policy.yaml")
    except InputError as exc:
        assert str(exc).startswith("fuzz-policy.yaml") and "\n" not in str(exc)
