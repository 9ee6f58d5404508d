"""Baselines: a reviewed list of accepted finding fingerprints. With `--baseline`, only findings
whose fingerprint is not in the list can fail the run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.core.errors import InputError
from auditor.core.findings import Finding
from auditor.io.files import read_json, write_json_atomic

FORMAT_NAME = "blastscope-baseline"


def baseline_document(findings: Iterable[Finding], *, now: datetime | None = None) -> dict[str, Any]:
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "check_id": f.check_id,
                "resource_id": f.resource_id,
                "severity": f.severity,
                "message": f.message,
            }
            for f in findings
        ),
        key=lambda e: (e["check_id"], e["resource_id"], e["fingerprint"]),
    )
    return {
        "format": FORMAT_NAME,
        "format_version": 1,
        "tool_version": __version__,
        "created_at": (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
        "findings": entries,
    }


def write_baseline(path: Path, findings: Iterable[Finding], *, now: datetime | None = None) -> int:
    doc = baseline_document(findings, now=now)
    write_json_atomic(Path(path), doc)
    return len(doc["findings"])


def load_baseline(path: Path) -> set[str]:
    """The accepted fingerprints; a malformed file is an input error naming the field."""
    doc = read_json(Path(path))
    file = str(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise InputError(f"not a {FORMAT_NAME} document", file=file, field="format")
    version = doc.get("format_version")
    if type(version) is not int or version != 1:
        raise InputError(
            f"unsupported format_version {str(version)[:20]!r} (expected 1)", file=file, field="format_version"
        )
    entries = doc.get("findings")
    if not isinstance(entries, list):
        raise InputError("expected a list", file=file, field="findings")
    out: set[str] = set()
    for i, entry in enumerate(entries):
        fp = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fp, str) or not fp:
            raise InputError("missing fingerprint", file=file, field=f"findings[{i}].fingerprint")
        out.add(fp)
    return out
