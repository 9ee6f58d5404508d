"""The CI integration recipes (deploy/github, deploy/gitlab, .pre-commit-hooks.yaml) run the
blastscope commands they contain: each command is taken from the file and run on a sample plan."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, SAMPLES

BIN = Path(sys.executable).parent / "blastscope"
PLAN = SAMPLES / "terraform" / "delete-last-copy.plan.json"


def blastscope(cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    argv = shlex.split(cmd.split("||")[0])
    assert argv[0] == "blastscope"
    argv[0] = str(BIN) if BIN.exists() else shutil.which("blastscope")
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)


def prepared(tmp_path: Path) -> Path:
    infra = tmp_path / "infra"
    infra.mkdir()
    shutil.copy(PLAN, infra / "plan.json")
    # an empty reviewed baseline, as a team would commit on day one
    (infra / ".blastscope-baseline.json").write_text(
        json.dumps({"format": "blastscope-baseline", "format_version": 1, "findings": []})
    )
    return infra


def test_github_gate_workflow_commands(tmp_path: Path) -> None:
    workflow = yaml.safe_load((ROOT / "deploy" / "github" / "blastscope-gate.yml").read_text())
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["gate"]["steps"]
    commands = [s["run"] for s in steps if s.get("run", "").startswith("blastscope ")]
    assert len(commands) == 1  # one gate run writes both reports
    infra = prepared(tmp_path)
    gate = blastscope(commands[0], infra)
    assert gate.returncode == 1  # the plan deletes the last copy: the job must fail…
    assert "destroys the last copy" in (infra / "comment.md").read_text()  # …after writing the comment
    assert json.loads((infra / "blastscope.sarif").read_text())["version"] == "2.1.0"
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "infra/blastscope.sarif"


def test_gitlab_job_commands(tmp_path: Path) -> None:
    job = yaml.safe_load((ROOT / "deploy" / "gitlab" / "blastscope-gate.gitlab-ci.yml").read_text())["blastscope-gate"]
    commands = [c for c in job["script"] if c.startswith("blastscope ")]
    infra = prepared(tmp_path)
    results = [blastscope(c, infra) for c in commands]
    assert results[0].returncode == 1
    report = job["artifacts"]["reports"]["junit"].removeprefix("infra/")
    root = __import__("xml.etree.ElementTree", fromlist=["ElementTree"]).fromstring((infra / report).read_text())
    assert root.find(".//failure") is not None


def test_pre_commit_hooks_match_and_run_on_samples() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    scan = hooks["blastscope-scan"]
    files = [str(p.relative_to(ROOT)) for p in SAMPLES.glob("*/inventory.yaml")]
    assert all(re.search(scan["files"], f) for f in files)
    hardened = [f for f in files if "hardened" in f]
    assert blastscope(f"{scan['entry']} {' '.join(hardened)}", ROOT).returncode == 0
    assert blastscope(f"{scan['entry']} samples/pocketos/inventory.yaml", ROOT).returncode == 1
    gate = hooks["blastscope-gate"]
    assert re.search(gate["files"], "samples/terraform/tag-only.plan.json")
    assert blastscope(f"{gate['entry']} samples/terraform/tag-only.plan.json", ROOT).returncode == 0
