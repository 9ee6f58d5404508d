"""`--format ocsf`: every finding is an OCSF Detection Finding (class 2004), validated against
the JSON Schema of that class in the OCSF release the output names. The schema comes from
the `ocsf-json-schema` package (MIT), which ships the published OCSF schema exports."""

from __future__ import annotations

import json

import pytest

from auditor.reports.ocsf import OCSF_VERSION
from tests.conftest import SAMPLES, invoke

POCKETOS = SAMPLES / "pocketos" / "inventory.yaml"


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    ocsf = pytest.importorskip("ocsf_json_schema", reason="pip install ocsf-json-schema (test dependency)")
    schema = ocsf.OcsfJsonSchemaEmbedded(ocsf.get_ocsf_schema(OCSF_VERSION)).get_class_schema("detection_finding")
    assert schema["additionalProperties"] is False  # strict: a misspelt field fails
    return jsonschema.Draft202012Validator(schema)


def scan_ocsf(*extra: str) -> list[dict]:
    proc = invoke("scan", str(POCKETOS), "--now", "2026-07-01", "--format", "OCSF", *extra)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_every_finding_is_a_valid_detection_finding(validator) -> None:
    findings = scan_ocsf()
    assert len(findings) >= 5
    for obj in findings:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(obj)]
        assert not errors, errors[:5]
        assert obj["class_uid"] == 2004 and obj["type_uid"] == 200401 and obj["metadata"]["version"] == OCSF_VERSION


def test_the_schema_rejects_what_it_should(validator) -> None:
    obj = scan_ocsf()[0]
    assert not list(validator.iter_errors(obj))
    assert list(validator.iter_errors({**obj, "severity_id": 9}))
    assert list(validator.iter_errors({k: v for k, v in obj.items() if k != "finding_info"}))


def test_severity_resource_evidence_remediation_and_verdict_are_mapped() -> None:
    proc = invoke("scan", str(POCKETOS), "--now", "2026-07-01", "--format", "json")
    report = json.loads(proc.stdout)
    by_uid = {o["finding_info"]["uid"]: o for o in scan_ocsf()}
    assert set(by_uid) == {f["fingerprint"] for f in report["findings"]}
    severity_id = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
    for f in report["findings"]:
        obj = by_uid[f["fingerprint"]]
        assert obj["severity_id"] == severity_id[f["severity"]]
        assert obj["finding_info"]["analytic"]["uid"] == f["check_id"]
        assert obj["resources"][0]["uid"] == f["resource_id"]
        assert obj["remediation"]["desc"] == f["remediation"]
        assert [e["name"] for e in obj.get("evidences", [])] == [p["text"] for p in f["evidence"]]
        assert {f"environment:{e}" for e in f["environments"]} <= set(obj["resources"][0].get("labels", []))
        # the one verdict: at --fail-on high, high and critical findings are the alerts
        assert obj["is_alert"] == (f["severity"] in ("critical", "high"))
    backup = next(o for o in by_uid.values() if o["finding_info"]["analytic"]["uid"] == "backup-colocated")
    assert backup["severity"] == "Critical" and "pg-data" in backup["evidences"][0]["name"]


def test_fail_on_none_means_no_alerts() -> None:
    proc = invoke("scan", str(POCKETOS), "--now", "2026-07-01", "--format", "ocsf", "--fail-on", "none")
    assert proc.returncode == 0
    assert not any(o["is_alert"] for o in json.loads(proc.stdout))


def test_gate_reports_introduced_findings_as_alerts_and_stays_valid(validator) -> None:
    plan = str(SAMPLES / "terraform" / "delete-last-copy.plan.json")
    proc = invoke("gate", plan, "--format", "ocsf")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)
    assert findings and any(o["is_alert"] for o in findings)
    for obj in findings:
        assert not list(validator.iter_errors(obj))
        assert obj["activity_id"] in (1, 3) and obj["type_uid"] == 200400 + obj["activity_id"]
