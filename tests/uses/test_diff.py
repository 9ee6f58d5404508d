"""diff: what changed between two audits, by resource id, edge and finding fingerprint."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.uses.diff import diff, diff_findings, diff_resources, edges
from tests.conftest import SAMPLES, inventory, run_audit, run_cli

BASE = [
    {"id": "team", "kind": "account"},
    {"id": "app", "kind": "project", "parent": "team"},
    {"id": "prod", "kind": "environment", "parent": "app", "tier": "production"},
    {"id": "stg", "kind": "environment", "parent": "app", "tier": "staging"},
    {"id": "vol", "kind": "volume", "parent": "prod"},
    {"id": "db", "kind": "database", "stored_on": "vol", "deletion_protection": True},
    {"id": "b1", "kind": "backup", "backup_of": "db", "stored_on": "vol", "created_at": "2026-11-25T01:00:00Z"},
]


def test_moving_a_backup_off_the_volume_resolves_colocation_and_shows_the_edge_change() -> None:
    moved = [dict(r) for r in BASE] + [
        {"id": "vault", "kind": "account"},
        {"id": "bucket", "kind": "bucket", "parent": "vault"},
    ]
    moved[6]["stored_on"] = "bucket"
    old, new = run_audit(BASE), run_audit(moved)
    d = diff(old.topology.nodes.values(), new.topology.nodes.values(), old.findings, new.findings)
    assert [f.check_id for f in d.findings.resolved] == ["backup-colocated"]
    assert d.findings.new == []
    assert [r.id for r in d.resources.added] == ["bucket", "vault"]
    assert ("b1", "stored_on", "bucket") in d.resources.relations_added
    assert ("b1", "stored_on", "vol") in d.resources.relations_removed


def test_changed_attributes_and_grant_actions_are_reported() -> None:
    cred = {"id": "tok", "kind": "credential", "grants": [{"target": "app", "actions": ["read"]}], "exposed_to": "stg"}
    wider = dict(cred, grants=[{"target": "app", "actions": ["read", "delete"]}])
    old = inventory(BASE + [cred]).resources
    new = inventory([dict(r, deletion_protection=False) if r["id"] == "db" else r for r in BASE] + [wider]).resources
    rd = diff_resources(old, new)
    assert [(o.id, fields) for o, _n, fields in rd.changed] == [("db", ["deletion_protection"])]
    assert ("tok", "grants:delete,read", "app") in rd.relations_added
    assert ("tok", "grants:read", "app") in rd.relations_removed


def test_severity_change_is_not_new_and_not_resolved() -> None:
    policy = {"severity": {"backup-colocated": "medium"}}
    old, new = run_audit(BASE, policy), run_audit(BASE)
    fd = diff_findings(old.findings, new.findings)
    assert fd.new == [] and fd.resolved == []
    assert [(a.severity, b.severity) for a, b in fd.severity_changed] == [("medium", "critical")]


resource_ids = st.sampled_from(["team", "app", "prod", "stg", "vol", "db", "b1"])


@settings(max_examples=60, deadline=None)
@given(st.sets(resource_ids), st.sets(resource_ids))
def test_diff_is_the_set_difference_both_ways(drop_old, drop_new) -> None:
    def subset(dropped):
        keep = [r for r in BASE if r["id"] not in dropped]
        ids = {r["id"] for r in keep}
        out = []
        for r in keep:  # cut relations to removed resources so the inventory stays valid
            r = {k: v for k, v in r.items() if not (k in ("parent", "stored_on", "backup_of") and v not in ids)}
            out.append(r)
        return inventory(out).resources

    old, new = subset(drop_old), subset(drop_new)
    rd = diff_resources(old, new)
    assert {r.id for r in rd.added} == {r.id for r in new} - {r.id for r in old}
    assert {r.id for r in rd.removed} == {r.id for r in old} - {r.id for r in new}
    assert set(rd.relations_added) == edges(new) - edges(old)
    assert set(rd.relations_removed) == edges(old) - edges(new)
    assert not diff_resources(new, new)


def test_diff_cli_on_the_incident_and_its_fix() -> None:
    old, new = str(SAMPLES / "pocketos" / "inventory.yaml"), str(SAMPLES / "pocketos-hardened" / "inventory.yaml")
    fixed = run_cli("diff", old, new, "--now", "2026-11-25", "--format", "json")
    assert fixed.returncode == 0, fixed.stderr
    doc = json.loads(fixed.stdout)
    assert doc["schema"] == "blastscope-diff" and doc["summary"]["findings_new"] == 0
    assert "backup-colocated" in {f["check_id"] for f in doc["findings"]["resolved"]}
    broken = run_cli("diff", new, old, "--now", "2026-11-25")
    assert broken.returncode == 1 and "NEW findings (13)" in broken.stdout
    md = run_cli("diff", new, old, "--now", "2026-11-25", "--format", "markdown")
    assert "| 🆕 new | critical | `backup-colocated` |" in md.stdout and "```diff" in md.stdout
    bad = run_cli("diff", old, str(SAMPLES))
    assert bad.returncode == 2 and "not a history entry" in bad.stderr
