"""The commands as a user runs them: exit codes, reports, the incident sample end to end."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SAMPLES, run_cli

POCKETOS = str(SAMPLES / "pocketos" / "inventory.yaml")
HARDENED = str(SAMPLES / "pocketos-hardened" / "inventory.yaml")
NOW = "2026-11-25T06:00:00Z"


def scan_json(*args: str) -> tuple[int, dict]:
    proc = run_cli("scan", *args, "--format", "json", "--now", NOW)
    assert proc.returncode in (0, 1, 3), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_incident_sample_fails_with_the_incident_findings() -> None:
    code, report = scan_json(POCKETOS)
    assert code == 1
    found = {(f["check_id"], f["resource_id"]): f for f in report["findings"]}
    colocated = found[("backup-colocated", "pocketos-db")]
    assert colocated["severity"] == "critical" and colocated["data"]["destroyer"] == "pg-data-production"
    assert found[("credential-can-destroy-all-copies", "staging-deploy-token")]["severity"] == "critical"
    assert ("credential-exposed-outside-scope", "staging-deploy-token") in found
    assert found[("backup-stale", "pocketos-db")]["severity"] == "high"
    assert found[("deletion-protection-off", "pocketos-db")]["severity"] == "medium"
    assert ("storage-shared-across-environments", "pg-data") in found
    assert report["schema"] == "blastscope-report" and report["complete"] is True
    assert report["summary"]["by_severity"]["critical"] == 3


def test_text_report_shows_evidence_and_summary() -> None:
    proc = run_cli("scan", POCKETOS, "--now", NOW)
    assert proc.returncode == 1
    out = proc.stdout
    assert out.index("CRITICAL (") < out.index("HIGH (") < out.index("LOW (")
    assert (
        "credential staging-deploy —grants delete,read,write→ project pocketos ←parent— volume pg-data "
        "←parent— volume pg-data (production) ←stored_on— database pocketos-db"
    ) in out
    assert "fix: " in out
    assert out.rstrip().splitlines()[-1].startswith("13 findings (3 critical")
    assert out.rstrip().endswith("fail-on high: FAIL")


def test_hardened_sample_is_clean() -> None:
    proc = run_cli("scan", HARDENED)
    assert proc.returncode == 0, proc.stdout
    assert "0 findings" in proc.stdout


def test_fail_on_and_quiet() -> None:
    assert run_cli("scan", POCKETOS, "--fail-on", "none", "--now", NOW).returncode == 0
    proc = run_cli("scan", POCKETOS, "--quiet", "--fail-on", "critical", "--now", NOW)
    assert proc.returncode == 1 and len(proc.stdout.strip().splitlines()) == 1


def test_output_file_gets_report_and_stderr_gets_summary(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run_cli("scan", POCKETOS, "-f", "json", "-o", str(out), "--now", NOW)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["summary"]["findings"] == 13
    assert "13 findings" in proc.stderr


def test_blast_of_the_volume_loses_database_and_every_backup() -> None:
    proc = run_cli("blast", POCKETOS, "pg-data")
    assert proc.returncode == 1
    out = proc.stdout
    for name in (
        "database pocketos-db",
        "backup weekly-2026-08-08",
        "backup weekly-2026-08-15",
        "backup weekly-2026-08-22",
        "database staging-db",
    ):
        assert f"- {name}" in out, name
    assert "LOST  database pocketos-db: no copy survives (4 of 4 destroyed" in out
    assert "credential staging-deploy (delete on project pocketos)" in out
    report = json.loads(run_cli("blast", POCKETOS, "pg-data", "-f", "json").stdout)
    assert report["lost"] == ["pocketos-db", "staging-db"]


def test_blast_of_a_service_loses_nothing_and_unknown_node_is_exit_2() -> None:
    proc = run_cli("blast", POCKETOS, "worker")
    assert proc.returncode == 0 and "No dataset or copy is destroyed." in proc.stdout
    bad = run_cli("blast", POCKETOS, "pg-dta")
    assert bad.returncode == 2 and "did you mean 'pg-data'" in bad.stderr


def test_hardened_blast_keeps_offsite_copy() -> None:
    proc = run_cli("blast", HARDENED, "pg-prod")
    assert proc.returncode == 0
    assert "ok    database pocketos-db: 1 copy(ies) survive: backup WAL archive (PITR)" in proc.stdout


def test_policy_file_suppression_and_bad_policy(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "suppressions:\n"
        "  - {check: backup-stale, resource: pocketos-db, reason: restore drill scheduled, expires: 2027-01-31}\n"
    )
    _, report = scan_json(POCKETOS, "--policy", str(policy))
    assert not [f for f in report["findings"] if f["check_id"] == "backup-stale"]
    assert [f["check_id"] for f in report["suppressed"]] == ["backup-stale"]
    policy.write_text("suppressions:\n  - {check: backup-stale, resource: pocketos-db, expires: 2027-01-31}\n")
    proc = run_cli("scan", POCKETOS, "--policy", str(policy))
    assert proc.returncode == 2 and "suppressions[0].reason" in proc.stderr and "needs a reason" in proc.stderr
    policy.write_text("severity: {backup-stail: low}\n")
    proc = run_cli("scan", POCKETOS, "--policy", str(policy))
    assert proc.returncode == 2 and "severity.backup-stail" in proc.stderr


def test_default_policy_file_is_picked_up_from_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".blastscope.yaml").write_text(
        "severity: {backup-colocated: low, credential-can-destroy-all-copies: low}\n"
    )
    proc = run_cli("scan", POCKETOS, "--fail-on", "critical", "--now", NOW, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout


def test_incomplete_snapshot_exits_3_unless_allowed(tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    doc = {
        "format": "blastscope-snapshot",
        "format_version": 1,
        "provider": "railway",
        "complete": False,
        "gaps": ["backups of volume instance vi-1: HTTP 503 after 4 tries"],
        "resources": [],
    }
    snap.write_text(json.dumps(doc))
    proc = run_cli("scan", str(snap))
    assert proc.returncode == 3
    assert "INCOMPLETE" in proc.stdout and "HTTP 503" in proc.stdout
    assert run_cli("scan", str(snap), "--allow-partial").returncode == 0


def test_checks_and_explain() -> None:
    listing = run_cli("checks").stdout
    for check in (
        "backup-missing",
        "backup-colocated",
        "backup-stale",
        "backup-retention-short",
        "deletion-protection-off",
        "storage-shared-across-environments",
        "environment-unclassified",
        "credential-spans-environments",
        "credential-exposed-outside-scope",
        "credential-can-destroy-all-copies",
        "shared-secret-across-environments",
        "credential-no-expiry",
    ):
        assert check in listing
    text = run_cli("explain", "backup-colocated").stdout
    assert "critical when one volume" in text and "fix:" in text
    assert run_cli("explain", "nope").returncode == 2


def test_python_dash_m_and_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("blastscope ")


def test_unknown_format_is_usage_error() -> None:
    proc = run_cli("scan", POCKETOS, "--format", "yaml")
    assert proc.returncode == 2 and "unknown format 'yaml'" in proc.stderr
    assert "internal error" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
