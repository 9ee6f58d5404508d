"""The bundled scenarios say what their comments promise: each one is a realistic failure mode
a user should recognise in the report (and its near miss is covered in test_checks)."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.core.blast import BlastAnalysis
from auditor.core.policy import Policy
from auditor.engine.audit import AuditResult, audit
from auditor.engine.sources import load_file
from tests.conftest import SAMPLES, run_cli

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def scan(sample: str) -> AuditResult:
    return audit([load_file(SAMPLES / sample / "inventory.yaml")], Policy(), now=NOW)


def found(result: AuditResult) -> set[tuple[str, str, str]]:
    return {(f.check_id, f.resource_id, f.severity) for f in result.findings}


def test_every_sample_loads_and_every_unhardened_one_fails() -> None:
    for inventory in sorted(SAMPLES.glob("*/inventory.yaml")):
        proc = run_cli("scan", str(inventory), "--now", "2026-11-20", "-q")
        expected = 0 if "hardened" in inventory.parent.name else 1
        assert proc.returncode == expected, (inventory, proc.stdout, proc.stderr)
        assert "findings" in proc.stdout or "no findings" in proc.stdout


def test_same_account_snapshots_are_medium_not_clean() -> None:
    result = scan("aws-same-account-snapshots")
    got = found(result)
    # Manual snapshots survive the instance, so no single resource delete loses the data...
    assert ("backup-colocated", "orders-db", "medium") in got
    finding = next(f for f in result.findings if f.check_id == "backup-colocated" and f.resource_id == "orders-db")
    assert "no copy outside it" in finding.message
    # ...but the account-wide CI key can delete every copy, and it lives in CI.
    assert ("credential-can-destroy-all-copies", "deploy-key", "critical") in got
    assert ("credential-exposed-outside-scope", "deploy-key", "high") in got
    # The staging database is not production: no colocation finding for it.
    assert not [f for f in result.findings if f.resource_id == "staging-db"]
    # Unknown deletion protection is reported as unknown (low), not passed.
    assert ("deletion-protection-off", "assets", "low") in got


def test_same_account_snapshots_blast_of_the_account_loses_everything() -> None:
    proc = run_cli("blast", str(SAMPLES / "aws-same-account-snapshots" / "inventory.yaml"), "aws-prod")
    assert proc.returncode == 1
    assert "orders (rds eu-west-1)" in proc.stdout
    assert "rds:orders-2026-11-19" in proc.stdout


def test_preview_environments_on_the_production_database() -> None:
    result = scan("preview-envs-on-prod-db")
    got = found(result)
    assert ("storage-shared-across-environments", "app-db", "high") in got
    assert ("shared-secret-across-environments", "db-url", "high") in got
    assert ("credential-spans-environments", "preview-token", "high") in got
    assert ("environment-unclassified", "sandbox", "medium") in got
    # Dumps live in another project: the data survives any single delete below the account.
    colocated = [f for f in result.findings if f.check_id == "backup-colocated"]
    assert [(f.resource_id, f.severity) for f in colocated] == [("app-db", "medium")]
    # The preview token cannot delete, so nothing says it can destroy production.
    assert not {c for c, r, _ in got if r == "preview-token"} & {
        "credential-exposed-outside-scope",
        "credential-can-destroy-all-copies",
    }


def test_team_token_reaches_every_project_and_the_backup_vault() -> None:
    result = scan("team-token-everywhere")
    got = found(result)
    assert ("credential-can-destroy-all-copies", "team-token", "critical") in got
    lost = [f.message for f in result.findings if f.check_id == "credential-can-destroy-all-copies"]
    assert len(lost) == 2  # billing-db and search-index, one finding each
    assert any("billing-db" in m for m in lost) and any("search-index" in m for m in lost)
    # The project deploy token is scoped to billing production: nothing flags it.
    assert not [f for f in result.findings if f.resource_id == "billing-deploy"]
    analysis = BlastAnalysis(result.topology, Policy())
    for dataset in ("billing-db", "search-vol"):
        assert "team-token" in analysis.credentials_destroying_all(dataset)
        assert "billing-deploy" not in analysis.credentials_destroying_all(dataset)


def test_json_reports_of_every_sample_match_the_documented_schema() -> None:
    import json

    import jsonschema

    schema = json.loads((SAMPLES.parent / "docs" / "blastscope-report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for inventory in sorted(SAMPLES.glob("*/inventory.yaml")):
        proc = run_cli("scan", str(inventory), "--format", "json", "--now", "2026-11-20", "--fail-on", "none")
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)
        assert report["summary"]["findings"] == len(report["findings"])
