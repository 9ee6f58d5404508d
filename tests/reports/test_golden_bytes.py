"""Every report format renders the same bytes as before the speed work (issue "Speed to the
floor"): the hashes below were taken from the code before any fast path went in, on a 3,000-resource
synthetic account (bench/generate.py, seed 11) — every check fires on it, with shared evidence,
ambiguous labels and account-wide tokens.

A deliberate change to a report's content changes its hash: print the new one
(`hashlib.sha256(data).hexdigest()` in the test), check the rendered report by eye, and say in
the commit why the bytes changed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from auditor.core.policy import Policy
from auditor.core.verdict import judge
from auditor.engine.audit import audit
from auditor.io.snapshot import load_snapshot_bytes
from auditor.reports import render_stream
from auditor.reports.context import ReportContext
from tests.conftest import generated_snapshot_document

GOLDEN = {
    "json": "e5c58b82271fe369bef3d252981437f3ec721c9b4d0b8c48fcd52c7eb85eae66",
    "text": "c22d9cc77fbc148f643589e418d0c29b5d0fefbb25d170c9a7c3c0c4baff2bb0",
    "sarif": "9946a18abe2070fafac6424711c957669be9a4be90ee1028b01af30e5d3ba0a7",
    "junit": "17e0b13f33c0eb605af266b08b45fd37564e4049917d6baecb4d7b21cced428c",
    "markdown": "2292dc427e5edcb96426dc431aa2d79de8d07645d1c9323b463554d43a5b7bd1",
    "ocsf": "052a6de2048e77249bc2bc56dcedd4cd9c8c232d7e0d4bdc23b12e0dada04688",
    "html": "b41943643c21afde4b55b26cc097c518cb51c2019c3727f40e6f45025e2f5d3d",
}


@pytest.fixture(scope="module")
def synthetic_audit():
    doc = generated_snapshot_document(3000, 11)
    source = load_snapshot_bytes(json.dumps(doc).encode(), "synthetic.json")
    result = audit([source], Policy(), now=datetime(2026, 11, 25, 6, tzinfo=UTC))
    verdict = judge(result.findings, fail_on="high", baseline=None, complete=result.complete, allow_partial=False)
    return result, verdict


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_report_bytes_unchanged(synthetic_audit, fmt: str) -> None:
    result, verdict = synthetic_audit
    assert len(result.findings) > 300  # the account exercises every check, not an empty report
    ctx = ReportContext(result, verdict, policy=Policy(), verbose=fmt == "text", color=False)
    data = "".join(render_stream(fmt, ctx)).encode()
    assert hashlib.sha256(data).hexdigest() == GOLDEN[fmt], f"--format {fmt} no longer renders the same bytes"
