"""SARIF, JUnit and Markdown reports, for `scan` and `gate`, checked the way CI systems read them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from tests.conftest import ROOT, SAMPLES, run_cli

SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())
INPUTS = sorted(SAMPLES.glob("*/inventory.yaml")) + sorted((SAMPLES / "terraform").glob("*.plan.json"))


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.parent.name + "/" + p.name)
def test_sarif_of_every_sample_validates_and_points_at_lines(source) -> None:
    out = run_cli("scan", str(source), "--format", "sarif", "--now", "2026-11-24")
    assert out.returncode in (0, 1), out.stderr
    doc = json.loads(out.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    run = doc["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"backup-colocated", "destructive-change"} <= rule_ids
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        loc = result["locations"][0]
        assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith(source.name)
        assert loc["physicalLocation"]["region"]["startLine"] >= 1
        assert len(result["partialFingerprints"]["blastscope/v1"]) == 20
    if source.parent.name == "pocketos":
        levels = {r["ruleId"]: r["level"] for r in run["results"]}
        assert levels["backup-colocated"] == "error" and levels["deletion-protection-off"] in ("warning", "note")
        line = next(r for r in run["results"] if r["ruleId"] == "backup-colocated")["locations"][0]["physicalLocation"][
            "region"
        ]["startLine"]
        assert "id: pocketos-db" in source.read_text().splitlines()[line - 1]


def test_gate_sarif_marks_what_the_change_introduces_and_fixes() -> None:
    out = run_cli(
        "gate", str(SAMPLES / "terraform" / "delete-last-copy.plan.json"), "--format", "sarif", "--now", "2026-11-24"
    )
    assert out.returncode == 1
    doc = json.loads(out.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    states = {(r["ruleId"], r["baselineState"]) for r in doc["runs"][0]["results"]}
    assert ("destructive-change", "new") in states
    assert not [st for st in states if st[1] == "absent"]  # findings on the deleted volume are gone, not "fixed"
    destructive = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "destructive-change")
    assert destructive["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "aws_ebs_volume.reports_data"
    assert "gate: FAIL" in out.stderr


def test_junit_parses_and_fails_the_checks_with_findings() -> None:
    out = run_cli("scan", str(SAMPLES / "pocketos" / "inventory.yaml"), "--format", "junit", "--now", "2026-11-24")
    root = ET.fromstring(out.stdout)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["backup-colocated"].find("failure") is not None
    assert "evidence: volume pg-data (production)" in cases["backup-colocated"].find("failure").text
    assert cases["backup-missing"].find("failure") is None
    assert "destructive-change" not in cases  # a scan judges no change
    assert int(root.get("failures")) == sum(1 for c in cases.values() if c.find("failure") is not None)
    # below --fail-on: reported, not failed
    low = cases["credential-no-expiry"]
    assert low.find("failure") is None and "staging-deploy" in low.find("system-out").text


def test_junit_of_an_incomplete_audit_has_an_error(tmp_path) -> None:
    snap = tmp_path / "snap.json"
    snap.write_text(
        json.dumps(
            {
                "format": "blastscope-snapshot",
                "format_version": 1,
                "provider": "railway",
                "complete": False,
                "gaps": ["railway: backups of volume X: 503 after 4 tries"],
                "resources": [],
            }
        )
    )
    out = run_cli("scan", str(snap), "--format", "junit")
    assert out.returncode == 3
    error = ET.fromstring(out.stdout).find(".//error")
    assert error is not None and "503 after 4 tries" in error.text


def test_markdown_for_scan_and_gate() -> None:
    scan = run_cli("scan", str(SAMPLES / "pocketos" / "inventory.yaml"), "--format", "markdown", "--now", "2026-11-24")
    assert "**❌ fails** at `--fail-on high`" in scan.stdout
    assert "| 🟥 | critical | `backup-colocated` | pocketos-db |" in scan.stdout
    assert "- `volume pg-data (production) ←stored_on— database pocketos-db`" in scan.stdout
    gate = run_cli(
        "gate", str(SAMPLES / "terraform" / "tag-only.plan.json"), "--format", "markdown", "--now", "2026-11-24"
    )
    assert gate.returncode == 0 and "✅ this change introduces no finding" in gate.stdout
    assert "already present (not judged): 2" in gate.stdout
    fails = run_cli(
        "gate", str(SAMPLES / "terraform" / "delete-last-copy.plan.json"), "--format", "markdown", "--now", "2026-11-24"
    )
    assert "#### Introduced by this change" in fails.stdout and "#### Fixed by this change" not in fails.stdout
