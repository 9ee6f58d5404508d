"""Inventory and snapshot loading: strict validation with one clear line per problem."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.core.errors import InputError
from auditor.engine.sources import load_file
from auditor.io.snapshot import load_snapshot, write_snapshot
from tests.conftest import SAMPLES, inventory, run_cli

BASE = [
    {"id": "acct", "kind": "account"},
    {"id": "proj", "kind": "project", "parent": "acct"},
    {"id": "prod", "kind": "environment", "parent": "proj", "tier": "production"},
    {"id": "vol", "kind": "volume", "parent": "proj"},
]


def error_for(extra: list[dict]) -> InputError:
    with pytest.raises(InputError) as info:
        inventory(BASE + extra)
    return info.value


def test_sample_loads_with_relations_and_dates() -> None:
    source = load_file(SAMPLES / "pocketos" / "inventory.yaml")
    by_id = {r.id: r for r in source.resources}
    assert by_id["pg-data-production"].relations["parent"] == ("pg-data", "production")
    assert by_id["backup-0822"].attrs["created_at"] == datetime(2026, 8, 22, 3, tzinfo=UTC)
    assert by_id["staging"].attrs.get("tier") is None  # unknown stays unknown: inferred later


@pytest.mark.parametrize(
    ("extra", "resource", "field", "words"),
    [
        (
            [{"id": "db", "kind": "database", "stored_on": "vol2"}],
            "db",
            "stored_on",
            "unknown id 'vol2' (did you mean 'vol'?)",
        ),
        ([{"id": "vol", "kind": "volume"}], "vol", "id", "duplicate id"),
        ([{"id": "db", "kind": "databse"}], "db", "kind", "unknown kind 'databse' (did you mean 'database'?)"),
        ([{"id": "b", "kind": "backup", "created_at": "last tuesday"}], "b", "created_at", "not an ISO-8601"),
        ([{"id": "db", "kind": "database", "stored_in": "vol"}], "db", "stored_in", "did you mean 'stored_on'?"),
        ([{"id": "e", "kind": "environment", "tier": "prod"}], "e", "tier", "not one of"),
        (
            [{"id": "v", "kind": "volume", "grants": [{"target": "vol", "actions": ["delete"]}]}],
            "v",
            "grants",
            "only credentials",
        ),
        (
            [{"id": "c", "kind": "credential", "grants": [{"target": "vol", "actions": ["destroy"]}]}],
            "c",
            "grants",
            "unknown action 'destroy'",
        ),
        ([{"id": "v2", "kind": "volume", "parent": "v2"}], "v2", "parent", "itself"),
        ([{"id": "b", "kind": "backup", "retention_days": -3}], "b", "retention_days", "from 0 to"),
        (
            [{"id": "d", "kind": "database", "deletion_protection": "yes"}],
            "d",
            "deletion_protection",
            "true, false or null",
        ),
    ],
)
def test_bad_resources_name_file_resource_and_field(extra, resource, field, words) -> None:
    err = error_for(extra)
    text = str(err)
    assert text.startswith("test.yaml: ")
    assert f"resource {resource!r}" in text
    assert f"field {field!r}" in text
    assert words in text
    assert "\n" not in text


def test_parent_cycle_is_an_input_error() -> None:
    err = error_for(
        [
            {"id": "a", "kind": "volume", "parent": "b"},
            {"id": "b", "kind": "volume", "parent": "c"},
            {"id": "c", "kind": "volume", "parent": "a"},
        ]
    )
    assert "cycle" in str(err) and err.field == "parent"


def test_deep_chain_does_not_overflow() -> None:
    chain = [{"id": "n0", "kind": "project"}] + [
        {"id": f"n{i}", "kind": "volume", "parent": f"n{i - 1}"} for i in range(1, 5000)
    ]
    assert len(inventory(chain).resources) == 5000


def test_snapshot_round_trip_keeps_everything(tmp_path: Path) -> None:
    source = load_file(SAMPLES / "pocketos" / "inventory.yaml")
    source.gaps.append("railway: backups of x: HTTP 503 after 4 tries")
    path = tmp_path / "snap.json"
    write_snapshot(path, source)
    assert [p.name for p in tmp_path.iterdir()] == ["snap.json"]  # no temp file left behind
    doc = json.loads(path.read_text())
    assert doc["format"] == "blastscope-snapshot" and doc["complete"] is False
    again = load_snapshot(path)
    assert again.complete is False and again.gaps == source.gaps
    assert [(r.id, r.kind, r.relations, r.attrs, r.grants) for r in again.resources] == [
        (r.id, r.kind, r.relations, r.attrs, r.grants) for r in source.resources
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("version: 1\nresources:\n  - {id: a, kind: account\n", "invalid YAML: line"),
        ("version: 2\nresources: []\n", "unsupported inventory version 2"),
        ("version: 1\nresources: {a: 1}\n", "'resources' must be a list"),
        ("version: 1\nresource: []\n", "unknown top-level key 'resource'"),
        ('{"format": "blastscope-snapshot", "format_version": 9}', "unsupported snapshot format_version 9"),
        ("just some words", "not a blastscope inventory"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / ("in.json" if content.startswith("{") else "in.yaml" if "version" in content else "in.txt")
    path.write_text(content)
    proc = run_cli("scan", str(path), process=True)  # the real process: one line, no traceback
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_missing_file_exits_2() -> None:
    proc = run_cli("scan", "no/such/inventory.yaml")
    assert proc.returncode == 2 and "no such file" in proc.stderr
