"""The core refuses to pass what it could not judge: unknown check ids, empty audits,
suppressions that match nothing, unread data, unknown keys and wrong-kind references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.core.verdict import judge
from tests.conftest import NOW, SAMPLES, by_check, invoke, run_audit

POCKETOS = str(SAMPLES / "pocketos" / "inventory.yaml")


def test_an_unknown_check_id_is_a_usage_error_with_a_suggestion() -> None:
    out = invoke("scan", POCKETOS, "--check", "backup-stal")
    assert out.returncode == 2 and "did you mean 'backup-stale'" in out.stderr
    out = invoke("scan", POCKETOS, "--skip-check", "credential-no-expiri")
    assert out.returncode == 2 and "credential-no-expiry" in out.stderr
    out = invoke("explain", "backup-colocate")
    assert out.returncode == 2 and "backup-colocated" in out.stderr


def test_skip_check_removes_only_that_check() -> None:
    out = invoke("scan", POCKETOS, "--skip-check", "credential-no-expiry", "-f", "json", "--now", "2026-11-25")
    doc = json.loads(out.stdout)
    assert "credential-no-expiry" not in doc["checks_run"] and "backup-colocated" in doc["checks_run"]
    assert not [f for f in doc["findings"] if f["check_id"] == "credential-no-expiry"]


def test_an_unknown_check_id_in_the_policy_is_an_input_error(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("severity: {backup-stal: low}\n")
    out = invoke("scan", POCKETOS, "--policy", str(policy))
    assert out.returncode == 2 and "severity.backup-stal" in out.stderr and "backup-stale" in out.stderr
    policy.write_text("suppressions:\n  - {check: backup-colocate, resource: '*', reason: r, expires: 2099-01-01}\n")
    out = invoke("scan", POCKETOS, "--policy", str(policy))
    assert out.returncode == 2 and "suppressions[0].check" in out.stderr


def test_a_suppression_that_matches_nothing_is_a_warning_quiet_does_not_hide(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "suppressions:\n  - {check: backup-stale, resource: no-such-db, reason: r, expires: 2099-01-01}\n"
    )
    out = invoke("scan", POCKETOS, "--policy", str(policy), "-q")
    assert "matches no finding" in out.stderr


@pytest.mark.parametrize("document", ["version: 1\nresources: []\n", "version: 1\nresources: []\nmetadata: {}\n"])
def test_an_audit_of_nothing_is_incomplete_never_a_pass(tmp_path: Path, document: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(document)
    out = invoke("scan", str(path))
    assert out.returncode == 3 and "nothing was audited" in out.stdout and "pass" not in out.stdout.splitlines()[-1]
    out = invoke("scan", str(path), "-f", "json")
    doc = json.loads(out.stdout)
    assert out.returncode == 3 and doc["complete"] is False and doc["summary"]["verdict"] == "incomplete"


def test_unread_backups_are_unknown_not_absent() -> None:
    result = run_audit(
        [
            {"id": "prod", "kind": "environment", "tier": "production"},
            {"id": "vol", "kind": "volume", "in_environment": "prod", "unread": ["backups"]},
            {"id": "db", "kind": "database", "stored_on": "vol"},
        ]
    )
    [finding] = by_check(result, "backup-missing")
    assert finding.message.startswith("Unknown: the backups of volume vol were not read")
    assert "any loss is permanent" not in finding.message


@pytest.mark.parametrize(
    "entry, field, words",
    [
        ({"id": "db", "kind": "database", "nmae": "x"}, "nmae", "did you mean 'name'"),
        ({"id": "s", "kind": "service", "in_environment": "db0"}, "in_environment", "is a database"),
        ({"id": "b", "kind": "backup", "backup_of": "svc"}, "backup_of", "is a service"),
        ({"id": "bk", "kind": "bucket", "backup_store": "yes"}, "backup_store", "expected true, false or null"),
        ({"id": "c", "kind": "credential", "short_lived": "true"}, "short_lived", "expected true, false or null"),
        ({"id": "b2", "kind": "backup", "retention_days": float("nan")}, "retention_days", "finite"),
        ({"id": "b3", "kind": "backup", "retention_days": True}, "retention_days", "expected a number"),
        ({"id": "v", "kind": "volume", "tier": "production"}, "tier", "a volume has no 'tier'"),
        ({"id": "b4", "kind": "backup", "created_at": "20266-01-01"}, "created_at", "ISO-8601"),
    ],
)
def test_schema_violations_name_the_resource_and_field(entry: dict, field: str, words: str, tmp_path: Path) -> None:
    base = [{"id": "db0", "kind": "database"}, {"id": "svc", "kind": "service"}]
    path = tmp_path / "inv.json"
    path.write_text(json.dumps({"version": 1, "resources": base + [entry]}).replace("NaN", ".nan"))
    yaml_path = tmp_path / "inv.yaml"
    import yaml

    yaml_path.write_text(yaml.safe_dump({"version": 1, "resources": base + [entry]}))
    out = invoke("scan", str(yaml_path))
    assert out.returncode == 2, out.stdout
    line = out.stderr.strip()
    assert "\n" not in line and f"resource {entry['id']!r}" in line and f"field {field!r}" in line and words in line


def test_yaml_errors_name_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nresources:\n  - {id: a, kind: volume\n")
    out = invoke("scan", str(path))
    assert out.returncode == 2 and "line " in out.stderr and "column " in out.stderr and str(path) in out.stderr


def test_output_to_a_directory_is_one_line_exit_2(tmp_path: Path) -> None:
    out = invoke("scan", POCKETOS, "-o", str(tmp_path))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "is a directory" in out.stderr


def test_stdin_is_read_once_for_dash_and_dev_stdin() -> None:
    text = Path(POCKETOS).read_text()
    for name in ("-", "/dev/stdin"):
        out = invoke("scan", name, "-q", stdin=text)
        assert out.returncode == 1 and "20 resources" in out.stdout, (name, out.stderr)
    out = invoke("scan", "-", "-", stdin=text)
    assert out.returncode == 2 and "once" in out.stderr


def test_policy_is_discovered_up_to_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra" / "sub").mkdir(parents=True)
    (repo / ".blastscope.yaml").write_text("severity: {credential-no-expiry: info}\n")
    monkeypatch.chdir(repo / "infra" / "sub")
    out = invoke("scan", POCKETOS, "-f", "json", "--fail-on", "none")
    severities = {f["severity"] for f in json.loads(out.stdout)["findings"] if f["check_id"] == "credential-no-expiry"}
    assert severities == {"info"}
    (tmp_path / ".blastscope.yaml").write_text("severity: {backup-stale: info}\n")  # above the root: not used
    (repo / ".blastscope.yaml").unlink()
    out = invoke("scan", POCKETOS, "-f", "json", "--fail-on", "none", "--now", "2026-11-25")
    assert {f["severity"] for f in json.loads(out.stdout)["findings"] if f["check_id"] == "backup-stale"} == {"high"}


def test_incomplete_is_never_pass_unless_allowed() -> None:
    verdict = judge([], fail_on="high", complete=False)
    assert verdict.status == "incomplete" and verdict.exit_code == 3
    assert judge([], fail_on="high", complete=False, allow_partial=True).exit_code == 0
    assert judge([], fail_on="high", complete=True, empty=True).exit_code == 3


def test_now_is_the_audits_not_the_policys() -> None:
    late = run_audit(
        [
            {"id": "prod", "kind": "environment", "tier": "production"},
            {"id": "db", "kind": "database", "in_environment": "prod"},
            {"id": "b", "kind": "backup", "backup_of": "db", "created_at": "2026-11-25T00:00:00Z"},
        ],
        now=NOW,
    )
    assert not by_check(late, "backup-stale")
