"""The incremental audit `diff` runs on its later side equals a whole audit of that side:
same findings (messages, evidence, fingerprints) in the same order, on random pairs of graphs
a day's drift apart — attributes, names, tiers, grants, exposures and placements changed,
resources removed and added (joining and splitting the parts the reuse is planned on)."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.checks import CheckRegistry
from auditor.core.errors import InputError
from auditor.core.model import RELATIONS
from auditor.core.policy import Policy, parse_policy
from auditor.engine.audit import audit
from auditor.engine.incremental import Recorder, audit_pair, load_pair, plan_reuse
from auditor.engine.registry import check_registry
from auditor.engine.sources import load_file
from auditor.reports.diff_report import render_diff
from auditor.uses.diff import diff
from tests.conftest import NOW, inventory, run_cli

NAMES = ["alpha", "beta", "db", "main", "production", "staging", "svc"]
ENV_NAMES = ["production", "staging", "dev", "blue", "pr-1", "uat"]
ACTIONS = ["read", "write", "delete", "admin"]
DATES = ["2026-11-24T03:00:00Z", "2026-11-20T03:00:00Z", "2026-10-01T00:00:00Z"]


def graph(rng: random.Random) -> list[dict[str, Any]]:
    """A random but well-formed inventory: accounts, projects, environments, data, copies,
    keys, services, principals and credentials granted and exposed at every level."""
    out: list[dict[str, Any]] = []
    ids: dict[str, list[str]] = {}

    def add(kind: str, **fields: Any) -> str:
        rid = f"{kind[:3]}{len(out)}"
        out.append({"id": rid, "kind": kind, "name": rng.choice(NAMES), **fields})
        ids.setdefault(kind, []).append(rid)
        return rid

    projects: list[list[str]] = []  # the ids of each project, for credentials scoped to one
    for _ in range(rng.randint(1, 2)):
        acct = add("account")
        if rng.random() < 0.5:
            add("bucket", parent=acct, deletion_protection=rng.choice([True, False, None]))
        if rng.random() < 0.4:
            add("principal", parent=acct, type=rng.choice(["ci", "agent", "human"]))
        if rng.random() < 0.8:  # an account-wide token: reaches into every project
            add("credential", grants=[{"target": acct, "actions": [rng.choice(ACTIONS[1:])]}])
            if rng.random() < 0.5:
                ids.setdefault("wide", []).append(out[-1]["id"])  # exposed somewhere once that exists
        for _ in range(rng.randint(2, 4)):
            first = len(out)
            proj = add("project", parent=acct)
            if rng.random() < 0.2:
                out[-1]["unread"] = ["backups"]
            key = add("generic", parent=proj) if rng.random() < 0.2 else None
            shared = add("volume", parent=proj) if rng.random() < 0.3 else None
            for _ in range(rng.randint(1, 3)):
                env = add("environment", parent=proj)
                out[-1]["name"] = rng.choice(ENV_NAMES)
                if rng.random() < 0.3:
                    out[-1]["tier"] = rng.choice(["production", "staging", "development"])
                vol = add("volume", parent=[shared, env] if shared else env)
                out[-1]["deletion_protection"] = rng.choice([True, False, None])
                if key and rng.random() < 0.5:
                    out[-1]["encrypted_with"] = key
                db = add("database", stored_on=vol, in_environment=env)
                if rng.random() < 0.2:  # a volume of its own for backups: a store, held by this one
                    add("volume", parent=vol)
                for _ in range(rng.randint(0, 3)):
                    stores = [vol, *ids.get("bucket", []), *ids["volume"][-1:]] if rng.random() < 0.4 else [vol]
                    add(
                        "backup",
                        backup_of=db,
                        stored_on=rng.choice(stores),
                        created_at=rng.choice(DATES),
                        retention_days=rng.choice([3, 30, 90]),
                        status=rng.choice(["completed", "completed", "failed"]),
                    )
                    if rng.random() < 0.3:
                        out[-1]["in_environment"] = env
                if rng.random() < 0.7:
                    add("service", parent=env, attached_to=db)
            projects.append([r["id"] for r in out[first:]])
    everything = [r["id"] for r in out if r["kind"] not in ("credential", "principal")]
    exposures = [r["id"] for r in out if r["kind"] in ("environment", "service", "principal", "project", "account")]
    kinds = {r["id"]: r["kind"] for r in out}
    for wide in ids.get("wide", []):
        next(r for r in out if r["id"] == wide)["exposed_to"] = rng.choice(exposures)
    for _ in range(rng.randint(2, 10)):
        # mostly scoped to one project (as deploy tokens are), sometimes anywhere
        scope = rng.choice(projects) if rng.random() < 0.8 else everything
        targets = [t for t in scope if kinds[t] not in ("credential", "principal")]
        seen = [t for t in scope if kinds[t] in ("environment", "service", "project")] or exposures
        fields: dict[str, Any] = {
            "grants": [
                {"target": rng.choice(targets), "actions": rng.sample(ACTIONS, rng.randint(1, 2))}
                for _ in range(rng.randint(0, 2))
            ]
        }
        if rng.random() < 0.7:
            fields["exposed_to"] = rng.choice(seen if rng.random() < 0.8 else exposures)
        if rng.random() < 0.4:
            fields["fingerprint"] = rng.choice(["fp-a", "fp-b"])
        if rng.random() < 0.5:
            fields["expires_at"] = "2027-01-01T00:00:00Z"
        add("credential", **fields)
    return out


def drop(resources: list[dict[str, Any]], rid: str) -> list[dict[str, Any]]:
    """Remove a resource and every reference to it (what a deleted resource leaves behind)."""
    out = []
    for res in resources:
        if res["id"] == rid:
            continue
        res = dict(res)
        for rel in RELATIONS:
            value = res.get(rel)
            if value == rid:
                del res[rel]
            elif isinstance(value, list) and rid in value:
                res[rel] = [v for v in value if v != rid]
        if "grants" in res:
            res["grants"] = [g for g in res["grants"] if g["target"] != rid]
        out.append(res)
    return out


def drift(rng: random.Random, base: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A later snapshot: a few resources changed, removed or added; every step changes something."""
    new = copy.deepcopy(base)
    for step in range(rng.randint(1, 4)):
        op = rng.choice(["env", "env", "name", "protection", "grant", "backup", "drop", "add", "move"])
        current = new

        def of_kind(*kinds: str, current: list[dict[str, Any]] = current) -> list[dict[str, Any]]:
            return [r for r in current if r["kind"] in kinds]

        if op == "env" and of_kind("environment"):  # renamed or re-tiered: what production is
            env = rng.choice(of_kind("environment"))
            if rng.random() < 0.5:
                env["name"] = rng.choice(ENV_NAMES)
            else:
                env["tier"] = rng.choice(["production", "staging", "development"])
        elif op == "name":  # labels, and names two resources now share (or no longer share)
            rng.choice(new)["name"] = rng.choice(NAMES)
        elif op == "protection" and of_kind("volume", "database"):
            rng.choice(of_kind("volume", "database"))["deletion_protection"] = rng.choice([True, False])
        elif op == "grant" and of_kind("credential"):
            targets = [r["id"] for r in new if r["kind"] not in ("credential", "principal")]
            rng.choice(of_kind("credential"))["grants"] = [
                {"target": rng.choice(targets), "actions": rng.sample(ACTIONS, rng.randint(1, 2))}
            ]
        elif op == "backup" and of_kind("backup"):
            backup = rng.choice(of_kind("backup"))
            backup["status"] = rng.choice(["completed", "failed"])
            backup["created_at"] = rng.choice(DATES)
        elif op == "drop":
            new = drop(new, rng.choice([r for r in new if r["kind"] != "account"])["id"])
        elif op == "add" and rng.random() < 0.5 and of_kind("database"):  # a new backup
            db = rng.choice(of_kind("database"))
            stores = [r["id"] for r in new if r["kind"] == "bucket" or r["id"] == db.get("stored_on")]
            new.append(
                {
                    "id": f"new{step}",
                    "kind": "backup",
                    "backup_of": db["id"],
                    "stored_on": rng.choice(stores or [db["id"]]),
                    "created_at": DATES[0],
                }
            )
        elif op == "add":  # a new credential
            targets = [r["id"] for r in new if r["kind"] not in ("credential", "principal")]
            new.append(
                {
                    "id": f"new{step}",
                    "kind": "credential",
                    "name": rng.choice(NAMES),
                    "grants": [{"target": rng.choice(targets), "actions": ["delete"]}],
                }
            )
        elif op == "move" and of_kind("backup"):  # stored elsewhere: joins or splits the parts
            stores = [r["id"] for r in new if r["kind"] in ("volume", "bucket")]
            rng.choice(of_kind("backup"))["stored_on"] = rng.choice(stores)
    return new


POLICIES = [None, {"environments": {"production": ["blue"]}}, {"severity": {"backup-stale": "low"}}]


def both_ways(
    old: list[dict[str, Any]], new: list[dict[str, Any]], policy: Policy, registry: CheckRegistry | None = None
) -> None:
    old_source, new_source = inventory(old), inventory(new)
    full = audit([inventory(new)], policy, now=NOW, registry=registry)
    _, fast = audit_pair([old_source], [new_source], policy, old_now=NOW, new_now=NOW, registry=registry)
    assert [f.fingerprint for f in fast.findings] == [f.fingerprint for f in full.findings]
    assert fast.findings == full.findings  # messages, evidence, environments, data, severity
    assert fast.gaps == full.gaps and fast.checks_run == full.checks_run


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from(range(len(POLICIES))))
def test_incremental_audit_equals_the_whole_audit(seed: int, which: int) -> None:
    rng = random.Random(seed)
    base = graph(rng)
    raw = POLICIES[which]
    policy = parse_policy(raw, "policy.yaml") if raw is not None else Policy()
    both_ways(base, drift(rng, base), policy)


def project(n: int) -> list[dict[str, Any]]:
    p = f"app{n}"
    return [
        {"id": p, "kind": "project", "parent": "team"},
        {"id": f"{p}-prod", "kind": "environment", "name": "production", "parent": p},
        {"id": f"{p}-stg", "kind": "environment", "name": "staging", "parent": p},
        {"id": f"{p}-vol", "kind": "volume", "parent": [f"{p}-prod", f"{p}-stg"]},
        {"id": f"{p}-db", "kind": "database", "stored_on": f"{p}-vol", "in_environment": f"{p}-prod"},
        {"id": f"{p}-b1", "kind": "backup", "backup_of": f"{p}-db", "stored_on": f"{p}-vol", "created_at": DATES[1]},
        {
            "id": f"{p}-tok",
            "kind": "credential",
            "grants": [{"target": p, "actions": ["delete"]}],
            "exposed_to": f"{p}-stg",
        },
    ]


def test_the_reuse_is_real_on_a_small_change() -> None:
    """Not a whole audit in disguise: an unchanged project is not re-checked, and its findings
    (made with the labels of the whole graph) are the earlier audit's."""
    base = three_projects_and_an_admin_token()
    new = copy.deepcopy(base)
    next(r for r in new if r["id"] == "app2-b1")["created_at"] = DATES[0]  # a fresher backup
    policy = Policy()
    recorder = Recorder()
    old = audit([inventory(base)], policy, now=NOW, run=recorder)
    reuse = plan_reuse(old, recorder, audit([inventory(new)], policy, now=NOW).topology)
    assert reuse is not None
    assert sorted(reuse.part.nodes) == sorted(["team", "admin", *(r["id"] for r in project(2))])
    checked = {f.check_id for f in old.findings}
    assert checked >= {"backup-colocated", "backup-stale", "storage-shared-across-environments"}
    both_ways(base, new, policy)


def three_projects_and_an_admin_token() -> list[dict[str, Any]]:
    base = [{"id": "team", "kind": "account"}, *project(1), *project(2), *project(3)]
    base.append({"id": "admin", "kind": "credential", "grants": [{"target": "team", "actions": ["admin"]}]})
    return base


def test_a_check_reading_across_projects_is_caught_if_it_claims_to_be_local() -> None:
    """The comparison can fail: which environments an account-wide token reaches depends on every
    project, so `credential-spans-environments` wrongly marked local gives another message."""
    base = three_projects_and_an_admin_token()
    new = copy.deepcopy(base)
    next(r for r in new if r["id"] == "app1-stg")["name"] = "dev"  # now a development environment
    spans = check_registry().get("credential-spans-environments")
    assert spans is not None and not spans.local
    both_ways(base, new, Policy(), CheckRegistry([spans]))
    with pytest.raises(AssertionError):
        both_ways(base, new, Policy(), CheckRegistry([dataclasses.replace(spans, local=True)]))


def test_a_check_reading_below_a_backup_store_is_caught_if_it_claims_to_be_local() -> None:
    """A bucket holding only backups is a hub (it would join every project it takes dumps of);
    what it serves depends on all of them, so `storage-shared-across-environments` is global."""
    base = three_projects_and_an_admin_token()
    base.append({"id": "vault", "kind": "bucket", "parent": "team"})
    for n, env in ((1, "prod"), (2, "stg"), (3, "stg")):
        base.append(
            {"id": f"dump{n}", "kind": "backup", "backup_of": f"app{n}-db", "stored_on": "vault"}
            | {"in_environment": f"app{n}-{env}"}
        )
    new = copy.deepcopy(base)
    next(r for r in new if r["id"] == "app2-stg")["name"] = "dev"
    shared = check_registry().get("storage-shared-across-environments")
    assert shared is not None and not shared.local
    both_ways(base, new, Policy(), CheckRegistry([shared]))
    with pytest.raises(AssertionError):
        both_ways(base, new, Policy(), CheckRegistry([dataclasses.replace(shared, local=True)]))


def test_one_secret_in_two_projects_joins_them() -> None:
    """The same secret value exposed in two projects is one finding about both: a change in one
    project re-checks the other, and the finding names what the whole graph shows."""
    base = three_projects_and_an_admin_token()
    for n, env in ((1, "prod"), (2, "stg")):
        base.append({"id": f"secret{n}", "kind": "credential", "fingerprint": "fp", "exposed_to": f"app{n}-{env}"})
    new = copy.deepcopy(base)
    next(r for r in new if r["id"] == "app2-stg")["name"] = "dev"  # now development, not staging
    recorder = Recorder()
    old = audit([inventory(base)], Policy(), now=NOW, run=recorder)
    assert any(f.check_id == "shared-secret-across-environments" for f in old.findings)
    reuse = plan_reuse(old, recorder, audit([inventory(new)], Policy(), now=NOW).topology)
    assert reuse is not None and "app1-prod" in reuse.part.nodes and "app3-prod" not in reuse.part.nodes
    both_ways(base, new, Policy())


def test_a_check_that_does_not_say_is_rerun_on_the_whole_graph() -> None:
    registry = check_registry()
    local = {c.id for c in registry if c.local}
    assert "backup-colocated" in local and "credential-can-destroy-all-copies" in local
    assert "credential-spans-environments" not in local  # reads across every account: global
    assert "storage-shared-across-environments" not in local  # reads below backup stores: global


@pytest.mark.parametrize("side", ["old", "new"])
def test_an_incomplete_side_is_never_reused_as_clean(side: str) -> None:
    rng = random.Random(11)
    base = graph(rng)
    new = drift(rng, base)
    sources = {"old": inventory(base), "new": inventory(new)}
    sources[side].complete = False
    sources[side].gaps.append(f"{side}: projects not read")
    old, fresh = audit_pair([sources["old"]], [sources["new"]], Policy(), old_now=NOW, new_now=NOW)
    full = audit([sources["new"]], Policy(), now=NOW)
    assert fresh.findings == full.findings and fresh.gaps == full.gaps
    assert (old.complete, fresh.complete) == ((side != "old"), (side != "new"))


def snapshot_file(path: Path, resources: list[dict[str, Any]], *, indent: int | None = None) -> Path:
    doc = {
        "format": "blastscope-snapshot",
        "format_version": 1,
        "provider": "synthetic",
        "created_at": "2026-11-25T00:00:00Z",
        "complete": True,
        "gaps": [],
        "resources": resources,
    }
    path.write_text(json.dumps(doc, indent=indent))
    return path


# values `==` confuses (True == 1 == 1.0), keys reordered, and a different layout
TWINS = [
    ("deletion_protection", True, 1, ("volume", "database")),
    ("retention_days", 30, 30.0, ("backup",)),
    ("size_mb", 1, True, ("volume", "database", "backup")),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32 - 1), st.sampled_from(TWINS), st.booleans())
def test_a_later_snapshot_loads_as_it_would_alone(tmp_path: Path, seed: int, twin: tuple, reorder: bool) -> None:
    """Resources taken over from the earlier snapshot are exactly what parsing would give (the
    types too: `true` is not `1`), and a later file that is invalid fails as it would alone."""
    rng = random.Random(seed)
    base = graph(rng)
    new = drift(rng, base)
    field, before, after, kinds = twin
    holders = [r for r in new if r["kind"] in kinds]
    if holders:
        target = rng.choice(holders)
        match = next((r for r in base if r["id"] == target["id"]), None)
        if match is not None:
            match[field] = before
            target[field] = after
        if reorder:
            moved = rng.choice(new)
            new[new.index(moved)] = dict(reversed(list(moved.items())))
    old_file = snapshot_file(tmp_path / "old.json", base)
    new_file = snapshot_file(tmp_path / "new.json", new, indent=1 if seed % 3 == 0 else None)
    try:
        alone = load_file(new_file)
    except InputError as exc:
        with pytest.raises(InputError) as raised:
            load_pair(old_file, new_file)
        assert str(raised.value) == str(exc)
        return
    _, later = load_pair(old_file, new_file)
    assert repr(later.resources) == repr(alone.resources)  # repr tells True, 1 and 1.0 apart
    assert (later.complete, later.gaps, later.meta) == (alone.complete, alone.gaps, alone.meta)


def test_a_reused_resource_pointing_at_a_removed_one_is_still_an_error(tmp_path: Path) -> None:
    base = three_projects_and_an_admin_token()
    new = [r for r in base if r["id"] != "app1-vol"]  # the database on it is unchanged, its volume gone
    old_file, new_file = snapshot_file(tmp_path / "old.json", base), snapshot_file(tmp_path / "new.json", new)
    _, earlier = load_pair(old_file, old_file)
    assert earlier.resources  # the same file twice loads
    with pytest.raises(InputError, match="unknown id 'app1-vol'"):
        load_pair(old_file, new_file)


def test_diff_cli_prints_what_two_whole_audits_give(tmp_path: Path) -> None:
    """The command's output, byte for byte, against the diff of two whole audits."""
    base = three_projects_and_an_admin_token()
    new = copy.deepcopy(base)
    next(r for r in new if r["id"] == "app2-b1")["created_at"] = DATES[0]
    next(r for r in new if r["id"] == "app2-stg")["name"] = "production"  # project 2 changes, 1 and 3 do not
    new.append({"id": "app2-b2", "kind": "backup", "backup_of": "app2-db", "stored_on": "app2-vol"})
    old_file, new_file = snapshot_file(tmp_path / "old.json", base), snapshot_file(tmp_path / "new.json", new)
    old_source, new_source = load_file(old_file), load_file(new_file)
    old_audit = audit([old_source], Policy(), now=NOW)
    new_audit = audit([new_source], Policy(), now=NOW)
    recorder = Recorder()
    reuse = plan_reuse(audit([old_source], Policy(), now=NOW, run=recorder), recorder, new_audit.topology)
    assert reuse is not None and "app1-db" not in reuse.part.nodes  # the command takes the reusing path
    expected = diff(
        old_source.resources,
        new_source.resources,
        old_audit.findings,
        new_audit.findings,
        old_label=str(old_file),
        new_label=str(new_file),
    )
    assert expected.findings.new or expected.findings.resolved  # something to compare
    for fmt in ("text", "json", "markdown"):
        shown = run_cli("diff", str(old_file), str(new_file), "--now", NOW.isoformat(), "--format", fmt)
        assert shown.returncode in (0, 1), shown.stderr
        assert shown.stdout == "".join(render_diff(expected, fmt)), fmt
