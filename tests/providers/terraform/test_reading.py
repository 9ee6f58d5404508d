"""Reading Terraform documents as real teams produce them: any Unicode encoding, any key order,
old format versions, raw terraform.tfstate with secrets in clear, errored plans, deposed objects
and plans with only `resource_changes`; and the gate's handling of deletes it cannot judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.engine.sources import detect
from auditor.io.files import decode_text as decode
from providers.terraform import TERRAFORM, load_terraform
from tests.conftest import invoke

SECRET = "hunter2-planted-Secret-Value"


def rc(address: str, rtype: str, actions: list[str], before: dict | None, after: dict | None, **extra: Any) -> dict:
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": address.split(".")[-1],
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}},
        **extra,
    }


def plan(changes: list[dict], prior: list[dict] | None = None, **top: Any) -> dict:
    doc: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": changes,
        "planned_values": {"root_module": {"resources": []}},
        **top,
    }
    if prior is not None:
        doc["prior_state"] = {"format_version": "1.0", "values": {"root_module": {"resources": prior}}}
    return doc


def state_res(address: str, rtype: str, values: dict) -> dict:
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": address.split(".")[-1],
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "values": values,
        "sensitive_values": {},
    }


DB = {"identifier": "orders-prod", "engine": "postgres", "backup_retention_period": 0, "deletion_protection": False}
BASE = plan(
    [rc("aws_db_instance.orders", "aws_db_instance", ["delete"], DB, None)],
    prior=[state_res("aws_db_instance.orders", "aws_db_instance", DB)],
)


@pytest.mark.parametrize(
    "codec, bom",
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
    ],
)
def test_every_unicode_encoding_is_detected_and_read(codec: str, bom: bytes) -> None:
    data = bom + json.dumps(BASE, indent=2).encode(codec)
    assert detect(data, "plan.json") is TERRAFORM or not bom  # BOM-less UTF-16 is read once named
    source = load_terraform(data, "plan.json")
    assert [c.address for c in source.plan.changes] == ["aws_db_instance.orders"]


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(st.characters(blacklist_characters="\ufeff\x00", blacklist_categories=("Cs",)), max_size=40),
    codec=st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]),
)
def test_decoding_by_bom_gives_back_the_text(text: str, codec: str) -> None:
    """(A leading NUL after a UTF-16LE BOM reads as a UTF-32LE BOM — JSON never starts with one.)"""
    bom = {
        "utf-8": b"\xef\xbb\xbf",
        "utf-16-le": b"\xff\xfe",
        "utf-16-be": b"\xfe\xff",
        "utf-32-le": b"\xff\xfe\x00\x00",
        "utf-32-be": b"\x00\x00\xfe\xff",
    }[codec]
    assert decode(bom + text.encode(codec, errors="surrogatepass"), "x") == text


def test_sorted_keys_put_format_version_late_and_still_detect() -> None:
    doc = dict(
        BASE, configuration={"root_module": {"resources": [{"address": f"r{i}", "x": "y" * 200} for i in range(600)]}}
    )
    text = json.dumps(doc, sort_keys=True)
    assert text.index('"format_version"') > 64 * 1024
    assert detect(text.encode(), "sorted.json") is TERRAFORM


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.2"])
def test_old_and_new_format_versions(version: str) -> None:
    source = load_terraform(json.dumps(dict(BASE, format_version=version)).encode(), "p.json")
    assert source.plan is not None


def test_a_future_major_is_refused_with_one_line() -> None:
    with pytest.raises(InputError, match="format_version"):
        load_terraform(json.dumps(dict(BASE, format_version="2.0")).encode(), "p.json")


def raw_state() -> dict:
    return {
        "version": 4,
        "terraform_version": "1.5.0",
        "serial": 3,
        "lineage": "abc",
        "outputs": {},
        "resources": [
            {
                "mode": "managed",
                "type": "aws_db_instance",
                "name": "orders",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [
                    {
                        "schema_version": 2,
                        "sensitive_attributes": [[{"type": "get_attr", "value": "username"}]],
                        "attributes": {
                            "identifier": "orders-prod",
                            "password": SECRET,
                            "username": SECRET + "u",
                            "engine": "postgres",
                            "backup_retention_period": 7,
                            "nested": [{"client_secret": SECRET}],
                        },
                    }
                ],
            },
        ],
    }


def test_a_raw_tfstate_is_read_and_a_planted_secret_reaches_no_output(tmp_path: Path) -> None:
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps(raw_state()))
    source = load_terraform(path.read_bytes(), str(path))
    assert any(r.kind == "database" and r.name == "orders-prod" for r in source.resources)
    for fmt in ("json", "text", "markdown", "sarif"):
        out = invoke("scan", str(path), "--format", fmt, "--now", "2026-11-24T00:00:00Z")
        assert out.returncode in (0, 1), out.stderr
        assert SECRET not in out.stdout + out.stderr


def test_errored_plans_are_incomplete_for_scan_and_gate(tmp_path: Path) -> None:
    path = tmp_path / "errored.json"
    path.write_text(json.dumps(dict(BASE, errored=True)))
    assert invoke("scan", str(path)).returncode == 3
    assert invoke("gate", str(path)).returncode == 3
    assert invoke("gate", str(path), "--allow-partial").returncode != 3


def test_a_deposed_object_is_not_the_live_resource(tmp_path: Path) -> None:
    doc = plan(
        [rc("aws_db_instance.orders", "aws_db_instance", ["delete"], DB, None, deposed="00a1b2c3")],
        prior=[state_res("aws_db_instance.orders", "aws_db_instance", DB)],
    )
    path = tmp_path / "deposed.json"
    path.write_text(json.dumps(doc))
    out = invoke("gate", str(path), "--format", "json")
    assert out.returncode == 0 and json.loads(out.stdout)["verdict"] == "pass"


def test_a_resource_changes_only_plan_is_judged_from_before(tmp_path: Path) -> None:
    doc = {
        "format_version": "1.2",
        "resource_changes": [rc("aws_db_instance.orders", "aws_db_instance", ["delete"], DB, None)],
    }
    path = tmp_path / "rc-only.json"
    path.write_text(json.dumps(doc))
    report = json.loads(invoke("gate", str(path), "--format", "json").stdout)
    assert report["verdict"] == "fail"
    assert [f["check_id"] for f in report["introduced"]] == ["destructive-change"]


def unjudged_plan(tmp_path: Path) -> Path:
    doc = plan(
        [
            rc("aws_route53_zone.main", "aws_route53_zone", ["delete"], {"name": "example.com"}, None),
            rc("aws_kms_key.data", "aws_kms_key", ["delete"], {"description": "data key"}, None),
        ],
        prior=[
            state_res("aws_route53_zone.main", "aws_route53_zone", {"name": "example.com"}),
            state_res("aws_kms_key.data", "aws_kms_key", {"description": "data key"}),
        ],
    )
    path = tmp_path / "unjudged.json"
    path.write_text(json.dumps(doc))
    return path


def test_an_unmodelled_data_holder_is_treated_as_data_and_other_deletes_are_counted(tmp_path: Path) -> None:
    path = unjudged_plan(tmp_path)
    report = json.loads(invoke("gate", str(path), "--format", "json").stdout)
    by_check = {f["check_id"]: f for f in report["introduced"]}
    assert by_check["destructive-change"]["severity"] == "high"
    assert "treated as data" in by_check["destructive-change"]["message"]
    assert report["deletes_not_judged"] == 1 and by_check["delete-not-judged"]["severity"] == "low"
    text = invoke("gate", str(path)).stdout
    assert "1 deletes not judged" in text
    assert "deletes not judged: 1" in invoke("gate", str(path), "--format", "markdown").stdout
    for fmt in ("sarif", "junit"):
        assert "aws_route53_zone.main" in invoke("gate", str(path), "--format", fmt).stdout


def test_strict_fails_on_deletes_not_judged(tmp_path: Path) -> None:
    doc = plan(
        [rc("aws_route53_zone.main", "aws_route53_zone", ["delete"], {"name": "example.com"}, None)],
        prior=[state_res("aws_route53_zone.main", "aws_route53_zone", {"name": "example.com"})],
    )
    path = tmp_path / "zone.json"
    path.write_text(json.dumps(doc))
    assert invoke("gate", str(path)).returncode == 0
    assert invoke("gate", str(path), "--strict").returncode == 1
