"""Every check: a case that fires and a near miss that must not."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import NOW, by_check, run_audit

TEAM = [
    {"id": "acct", "kind": "account"},
    {"id": "app", "kind": "project", "parent": "acct"},
    {"id": "prod", "kind": "environment", "parent": "app", "tier": "production"},
    {"id": "staging", "kind": "environment", "parent": "app"},
]
OFFSITE = [
    {"id": "vault-acct", "kind": "account", "name": "backup account"},
    {"id": "vault", "kind": "bucket", "parent": "vault-acct", "deletion_protection": True},
]


def iso(delta: timedelta) -> str:
    return (NOW - delta).isoformat()


def db_on(volume: str, **extra) -> dict:
    return {
        "id": "db",
        "kind": "database",
        "in_environment": "prod",
        "stored_on": volume,
        "deletion_protection": True,
        **extra,
    }


def backup(bid: str, holder_rel: str, holder: str, age: timedelta = timedelta(hours=2), **extra) -> dict:
    return {
        "id": bid,
        "kind": "backup",
        "backup_of": "db",
        holder_rel: holder,
        "created_at": iso(age),
        "retention_days": 30,
        **extra,
    }


# ------------------------------------------------------------------ backup-colocated
def test_backup_on_same_volume_is_critical_with_volume_as_destroyer() -> None:
    result = run_audit(
        TEAM
        + [
            {"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True},
            db_on("vol"),
            backup("b1", "stored_on", "vol"),
            backup("b2", "stored_on", "vol"),
        ]
    )
    [finding] = by_check(result, "backup-colocated")
    assert finding.severity == "critical" and finding.resource_id == "db"
    assert finding.data["destroyer"] == "vol"
    texts = [p.text(result.label) for p in finding.evidence]
    assert "volume vol ←stored_on— backup b1 —backup_of→ database db" in texts
    assert "volume vol ←stored_on— database db" in texts


def test_backup_on_other_volume_of_same_project_fires_only_at_project_level() -> None:
    result = run_audit(
        TEAM
        + [
            {"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True},
            {"id": "vol2", "kind": "volume", "parent": "app", "deletion_protection": True},
            db_on("vol"),
            backup("b1", "stored_on", "vol2"),
        ]
    )
    [finding] = by_check(result, "backup-colocated")
    assert finding.severity == "high" and finding.data["destroyer"] == "app"


def test_backup_in_same_account_only_is_medium() -> None:
    result = run_audit(
        TEAM
        + [
            {"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True},
            {"id": "other", "kind": "project", "parent": "acct"},
            {"id": "bucket", "kind": "bucket", "parent": "other"},
            db_on("vol"),
            backup("b1", "stored_on", "bucket"),
        ]
    )
    [finding] = by_check(result, "backup-colocated")
    assert finding.severity == "medium" and finding.data["destroyer"] == "acct"


def test_backup_in_another_account_is_not_colocated() -> None:
    result = run_audit(
        TEAM
        + OFFSITE
        + [
            {"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True},
            db_on("vol"),
            backup("b1", "stored_on", "vol"),
            backup("b2", "stored_on", "vault"),
        ]
    )
    assert by_check(result, "backup-colocated") == []


def test_failed_backup_is_not_a_copy() -> None:
    result = run_audit(
        TEAM
        + OFFSITE
        + [
            {"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True},
            db_on("vol"),
            backup("b1", "stored_on", "vol"),
            backup("b2", "stored_on", "vault", status="failed"),
        ]
    )
    assert [f.severity for f in by_check(result, "backup-colocated")] == ["critical"]


# ------------------------------------------------------------------ backup-missing
def test_production_database_without_backup() -> None:
    result = run_audit(
        TEAM + [{"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True}, db_on("vol")]
    )
    assert [f.resource_id for f in by_check(result, "backup-missing")] == ["db"]


def test_staging_database_without_backup_is_not_reported_but_envless_dataset_is() -> None:
    result = run_audit(
        TEAM
        + [
            {"id": "vol", "kind": "volume", "parent": "app"},
            {"id": "sdb", "kind": "database", "in_environment": "staging", "stored_on": "vol"},
            {"id": "orphan", "kind": "bucket", "parent": "app", "deletion_protection": True},
        ]
    )
    assert [f.resource_id for f in by_check(result, "backup-missing")] == ["orphan"]  # fail safe: no env = production


def test_replica_counts_as_a_copy() -> None:
    result = run_audit(
        TEAM
        + OFFSITE[:1]
        + [
            {"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True},
            db_on("vol"),
            {
                "id": "replica",
                "kind": "database",
                "replica_of": "db",
                "parent": "vault-acct",
                "deletion_protection": True,
            },
        ]
    )
    assert by_check(result, "backup-missing") == [] and by_check(result, "backup-colocated") == []


# ------------------------------------------------------------------ backup-stale
def test_stale_backup_fires_fresh_one_does_not() -> None:
    stale = run_audit(
        TEAM
        + OFFSITE
        + [
            {"id": "vol", "kind": "volume", "parent": "app"},
            db_on("vol"),
            backup("b1", "stored_on", "vault", age=timedelta(days=90)),
        ]
    )
    [finding] = by_check(stale, "backup-stale")
    assert finding.severity == "high" and "90 days old" in finding.message
    fresh = run_audit(
        TEAM
        + OFFSITE
        + [
            {"id": "vol", "kind": "volume", "parent": "app"},
            db_on("vol"),
            backup("b1", "stored_on", "vault", age=timedelta(days=90)),
            backup("b2", "stored_on", "vault", age=timedelta(hours=23)),
        ]
    )
    assert by_check(fresh, "backup-stale") == []


def test_rpo_comes_from_policy_and_unknown_age_is_low() -> None:
    resources = (
        TEAM
        + OFFSITE
        + [
            {"id": "vol", "kind": "volume", "parent": "app"},
            db_on("vol"),
            backup("b1", "stored_on", "vault", age=timedelta(hours=30)),
        ]
    )
    assert by_check(run_audit(resources), "backup-stale")
    assert by_check(run_audit(resources, {"backups": {"rpo": "36h"}}), "backup-stale") == []
    undated = [r if r["id"] != "b1" else {k: v for k, v in r.items() if k != "created_at"} for r in resources]
    assert [f.severity for f in by_check(run_audit(undated), "backup-stale")] == ["low"]


# ------------------------------------------------------------------ backup-retention-short
def test_short_retention_fires_long_enough_does_not() -> None:
    base = TEAM + OFFSITE + [{"id": "vol", "kind": "volume", "parent": "app"}, db_on("vol")]
    short = run_audit(base + [backup("b1", "stored_on", "vault", retention_days=3)])
    assert [f.severity for f in by_check(short, "backup-retention-short")] == ["medium"]
    ok = run_audit(
        base
        + [backup("b1", "stored_on", "vault", retention_days=3), backup("b2", "stored_on", "vault", retention_days=7)]
    )
    assert by_check(ok, "backup-retention-short") == []


# ------------------------------------------------------------------ deletion-protection-off
def test_deletion_protection_off_unknown_and_on() -> None:
    result = run_audit(
        TEAM
        + OFFSITE
        + [
            {"id": "vol", "kind": "volume", "parent": "app"},  # unknown
            db_on("vol", deletion_protection=False),  # known off
            backup("b1", "stored_on", "vault"),
        ]
    )
    found = {f.resource_id: f.severity for f in by_check(result, "deletion-protection-off")}
    assert found == {"db": "medium", "vol": "low"}
    protected = run_audit(
        TEAM
        + OFFSITE
        + [
            {"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True},
            db_on("vol"),
            backup("b1", "stored_on", "vault"),
        ]
    )
    assert by_check(protected, "deletion-protection-off") == []


def test_deletion_protection_skipped_where_platform_has_none() -> None:
    result = run_audit(
        TEAM
        + OFFSITE
        + [
            {
                "id": "vol",
                "kind": "volume",
                "parent": "app",
                "deletion_protection": False,
                "deletion_protection_supported": False,
            },
            db_on("vol", deletion_protection=None, deletion_protection_supported=False),
            backup("b1", "stored_on", "vault"),
        ]
    )
    assert by_check(result, "deletion-protection-off") == []


# ------------------------------------------------------------------ storage-shared-across-environments
def test_volume_with_instances_in_prod_and_staging_is_shared() -> None:
    result = run_audit(
        TEAM
        + [
            {"id": "vol", "kind": "volume", "parent": "app"},
            {"id": "vol-prod", "kind": "volume", "parent": ["vol", "prod"]},
            {"id": "vol-stg", "kind": "volume", "parent": ["vol", "staging"]},
        ]
    )
    [finding] = by_check(result, "storage-shared-across-environments")
    assert finding.resource_id == "vol"  # the shared deletable parent, not the instances
    assert finding.data["tiers"] == ["production", "staging"]


def test_preview_service_attached_to_production_database_is_shared() -> None:
    result = run_audit(
        TEAM
        + [
            {"id": "pr-12", "kind": "environment", "parent": "app"},
            {"id": "vol", "kind": "volume", "parent": "app"},
            db_on("vol"),
            {"id": "web-pr-12", "kind": "service", "parent": "pr-12", "attached_to": "db"},
        ]
    )
    [finding] = by_check(result, "storage-shared-across-environments")
    assert finding.resource_id == "db" and "preview" in finding.data["tiers"]
    assert any("attached_to" in p.text(result.label) for p in finding.evidence)


def test_separate_volumes_per_environment_are_not_shared() -> None:
    result = run_audit(
        TEAM
        + [
            {"id": "vol-prod", "kind": "volume", "parent": "prod"},
            {"id": "vol-stg", "kind": "volume", "parent": "staging"},
        ]
    )
    assert by_check(result, "storage-shared-across-environments") == []


# ------------------------------------------------------------------ environment-unclassified
def test_unclassified_environment_is_reported_and_treated_as_production() -> None:
    result = run_audit(
        TEAM
        + [
            {"id": "blue", "kind": "environment", "parent": "app"},
            {"id": "vol", "kind": "volume", "parent": "blue"},
        ]
    )
    assert [f.resource_id for f in by_check(result, "environment-unclassified")] == ["blue"]
    assert [f.resource_id for f in by_check(result, "backup-missing")] == ["vol"]  # blue counts as production
    named = run_audit(
        TEAM + [{"id": "blue", "kind": "environment", "parent": "app"}],
        {"environments": {"staging": ["stag*", "blue"]}},
    )
    assert by_check(named, "environment-unclassified") == []
    replaced = run_audit(
        TEAM + [{"id": "blue", "kind": "environment", "parent": "app"}], {"environments": {"staging": ["blue"]}}
    )  # a listed tier replaces its defaults
    assert [f.resource_id for f in by_check(replaced, "environment-unclassified")] == ["staging"]


# ------------------------------------------------------------------ credentials
def token(grants: list, exposed=None, **extra) -> dict:
    out = {"id": "tok", "kind": "credential", "grants": grants, **extra}
    if exposed:
        out["exposed_to"] = exposed
    return out


def test_project_token_spans_environments_env_token_does_not() -> None:
    wide = run_audit(TEAM + [token([{"target": "app", "actions": ["write"]}])])
    assert [f.resource_id for f in by_check(wide, "credential-spans-environments")] == ["tok"]
    narrow = run_audit(TEAM + [token([{"target": "staging", "actions": ["write", "delete"]}])])
    assert by_check(narrow, "credential-spans-environments") == []
    read_only = run_audit(TEAM + [token([{"target": "app", "actions": ["read"]}])])
    assert by_check(read_only, "credential-spans-environments") == []


def test_production_deleting_token_exposed_to_staging_and_agent() -> None:
    agent = {"id": "agent", "kind": "principal", "type": "agent"}
    result = run_audit(TEAM + [agent, token([{"target": "app", "actions": ["delete"]}], ["staging", "agent"])])
    [finding] = by_check(result, "credential-exposed-outside-scope")
    assert "environment staging" in finding.message and "agent agent" in finding.message
    # the same token kept in production only, held by a human: fine
    human = {"id": "bob", "kind": "principal", "type": "human"}
    ok = run_audit(TEAM + [human, token([{"target": "app", "actions": ["delete"]}], ["prod", "bob"])])
    assert by_check(ok, "credential-exposed-outside-scope") == []
    # a staging-only token exposed to the agent: fine
    scoped = run_audit(TEAM + [agent, token([{"target": "staging", "actions": ["delete"]}], ["staging", "agent"])])
    assert by_check(scoped, "credential-exposed-outside-scope") == []


def test_token_that_can_delete_data_and_every_backup() -> None:
    data = [{"id": "vol", "kind": "volume", "parent": "app"}, db_on("vol"), backup("b1", "stored_on", "vol")]
    result = run_audit(TEAM + data + [token([{"target": "app", "actions": ["delete"]}])])
    [finding] = by_check(result, "credential-can-destroy-all-copies")
    assert finding.severity == "critical" and finding.data["dataset"] == "db"
    assert any(p.text(result.label).startswith("credential tok —grants delete→ project app") for p in finding.evidence)
    # near miss: the backup sits in an account the token cannot touch
    offsite = run_audit(
        TEAM
        + OFFSITE
        + [
            {"id": "vol", "kind": "volume", "parent": "app"},
            db_on("vol"),
            backup("b1", "stored_on", "vault"),
            token([{"target": "app", "actions": ["delete"]}]),
        ]
    )
    assert by_check(offsite, "credential-can-destroy-all-copies") == []
    # near miss: write without delete
    writer = run_audit(TEAM + data + [token([{"target": "app", "actions": ["write"]}])])
    assert by_check(writer, "credential-can-destroy-all-copies") == []


def test_shared_secret_fingerprint_in_prod_and_staging() -> None:
    secrets = [
        {"id": "s1", "kind": "credential", "fingerprint": "fp-a", "exposed_to": "prod"},
        {"id": "s2", "kind": "credential", "fingerprint": "fp-a", "exposed_to": "staging"},
        {"id": "s3", "kind": "credential", "fingerprint": "fp-b", "exposed_to": "prod"},
        {"id": "s4", "kind": "credential", "fingerprint": "fp-c", "exposed_to": "staging"},
    ]
    result = run_audit(TEAM + secrets)
    [finding] = by_check(result, "shared-secret-across-environments")
    assert finding.resource_id == "s1" and finding.data["credentials"] == ["s1", "s2"]


def test_no_expiry_only_for_delete_capable_credentials() -> None:
    result = run_audit(
        TEAM
        + [
            token([{"target": "app", "actions": ["delete"]}]),
            {"id": "reader", "kind": "credential", "grants": [{"target": "app", "actions": ["read"]}]},
            {
                "id": "expiring",
                "kind": "credential",
                "grants": [{"target": "app", "actions": ["admin"]}],
                "expires_at": "2027-01-01T00:00:00Z",
            },
        ]
    )
    assert [f.resource_id for f in by_check(result, "credential-no-expiry")] == ["tok"]


# ------------------------------------------------------------------ policy
def test_severity_override_and_suppressions() -> None:
    resources = TEAM + [{"id": "vol", "kind": "volume", "parent": "app", "deletion_protection": True}, db_on("vol")]
    overridden = run_audit(resources, {"severity": {"backup-missing": "low"}})
    assert [f.severity for f in by_check(overridden, "backup-missing")] == ["low"]
    active = run_audit(
        resources,
        {
            "suppressions": [
                {
                    "check": "backup-missing",
                    "resource": "db",
                    "reason": "restored from git-tracked seed",
                    "expires": "2027-01-31",
                }
            ]
        },
    )
    assert by_check(active, "backup-missing") == [] and len(active.suppressed) == 1
    expired = run_audit(
        resources,
        {
            "suppressions": [
                {"check": "backup-missing", "resource": "db", "reason": "temporary", "expires": "2026-01-31"}
            ]
        },
    )
    assert len(by_check(expired, "backup-missing")) == 1
    assert any("expired on 2026-01-31" in w for w in expired.warnings)


def test_fingerprints_stable_across_reordering() -> None:
    resources = TEAM + [
        {"id": "vol", "kind": "volume", "parent": "app"},
        db_on("vol"),
        backup("b1", "stored_on", "vol"),
        token([{"target": "app", "actions": ["delete"]}], ["staging"]),
    ]
    first = sorted(f.fingerprint for f in run_audit(resources).findings)
    second = sorted(f.fingerprint for f in run_audit(list(reversed(resources))).findings)
    assert first == second and len(set(first)) == len(first)
