"""Every format tells the same verdict as the exit code: every sample × --fail-on × with and
without a baseline × text, json, sarif, junit, markdown (and html at the default threshold)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.core.policy import Policy
from auditor.engine.audit import audit
from auditor.engine.sources import load_file
from auditor.io.baseline import write_baseline
from tests.conftest import NOW, SAMPLES, invoke

INVENTORIES = sorted(str(p) for p in SAMPLES.glob("*/inventory.yaml"))
PLANS = sorted(str(p) for p in (SAMPLES / "terraform").glob("*.plan.json"))
FAIL_ON = ("critical", "high", "low", "none")
WORD = {0: "pass", 1: "fail", 3: "incomplete"}


def told(fmt: str, text: str) -> str:
    """The verdict a format states, in one word."""
    if fmt == "text":
        last = text.strip().splitlines()[-1]
        return {"FAIL": "fail", "pass": "pass", "INCOMPLETE": "incomplete"}[
            re.search(r"(?:fail-on \w+|gate): (FAIL|pass|INCOMPLETE)", last).group(1)
        ]
    if fmt == "json":
        doc = json.loads(text)
        summary = doc.get("summary", doc)
        assert (summary["failing"] > 0) == (summary["verdict"] == "fail")
        return str(summary["verdict"])
    if fmt == "sarif":
        return str(json.loads(text)["runs"][0]["properties"]["verdict"])
    if fmt == "junit":
        root = ET.fromstring(text)
        if int(root.get("errors", "0")):
            return "incomplete"
        return "fail" if int(root.get("failures", "0")) else "pass"
    if fmt == "markdown":
        if "incomplete" in text.split("\n\n")[1]:
            return "incomplete"
        return "fail" if ("❌" in text.split("\n\n")[1]) else "pass"
    if fmt == "ocsf":  # one Detection Finding per finding: each states the run's verdict; alerts are the failing ones
        findings = json.loads(text)
        verdicts = {o["unmapped"]["verdict"] for o in findings}
        if not findings:
            return ""
        assert len(verdicts) == 1 and any(o["is_alert"] for o in findings) == (verdicts == {"fail"})
        return verdicts.pop()
    if fmt == "html":
        data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text).group(1)
        return str(json.loads(data)["verdict"])
    raise AssertionError(fmt)


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """For each source, a baseline accepting every other finding (so some fail, some don't)."""
    out = {}
    folder = tmp_path_factory.mktemp("baselines")
    for source in INVENTORIES + PLANS:
        findings = audit([load_file(source)], Policy(), now=NOW).findings
        path = folder / (Path(source).parent.name + Path(source).stem + ".json")
        write_baseline(path, findings[::2], now=NOW)
        out[source] = str(path)
    return out


@pytest.mark.parametrize("source", INVENTORIES + PLANS, ids=lambda p: Path(p).parent.name + "/" + Path(p).name)
@pytest.mark.parametrize("fail_on", FAIL_ON)
@pytest.mark.parametrize("with_baseline", [False, True], ids=["no-baseline", "baseline"])
def test_every_format_agrees_with_the_exit_code(
    source: str, fail_on: str, with_baseline: bool, baselines: dict
) -> None:
    command = "gate" if source.endswith(".plan.json") else "scan"
    formats = ["text", "json", "sarif", "junit", "markdown", "ocsf"] + (
        ["html"] if fail_on == "high" and command == "scan" else []
    )
    codes = set()
    for fmt in formats:
        args = [command, source, "--now", "2026-11-25", "--fail-on", fail_on, "-f", fmt]
        if with_baseline:
            args += ["--baseline", baselines[source]]
        out = invoke(*args)
        assert out.returncode in WORD, (fmt, out.stderr)
        stated = told(fmt, out.stdout)
        assert stated == WORD[out.returncode] or (fmt == "ocsf" and stated == ""), (fmt, out.returncode)
        codes.add(out.returncode)
    assert len(codes) == 1, codes


def test_a_baseline_can_turn_a_failing_run_into_a_passing_one_in_every_format(tmp_path: Path) -> None:
    source = str(SAMPLES / "pocketos" / "inventory.yaml")
    path = tmp_path / "all.json"
    write_baseline(path, audit([load_file(source)], Policy(), now=NOW).findings, now=NOW)
    for fmt in ("text", "json", "sarif", "junit", "markdown"):
        out = invoke("scan", source, "--now", "2026-11-25", "--baseline", str(path), "-f", fmt)
        assert out.returncode == 0 and told(fmt, out.stdout) == "pass", fmt
