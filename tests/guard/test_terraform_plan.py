"""`terraform apply PLAN` with the plan's JSON at hand is judged by what the gate finds its
deletes take; without the JSON the apply is asked about."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, run_cli


def _guard(cwd: Path, command: str) -> dict:
    out = run_cli("guard", "--command", command, "--format", "json", cwd=cwd, process=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    "plan, json_name, decision",
    [
        ("delete-last-copy.plan.json", "tfplan.json", "deny"),  # a production volume loses its last copy
        ("tag-only.plan.json", "tfplan.json", "allow"),  # nothing destructive
        ("delete-last-copy.plan.json", "plan.json", "deny"),  # `terraform apply plan.out` beside plan.json
    ],
)
def test_an_apply_is_judged_from_the_plans_json(tmp_path: Path, plan: str, json_name: str, decision: str) -> None:
    (tmp_path / ("plan.out" if json_name == "plan.json" else "tfplan")).write_bytes(b"")
    shutil.copy(SAMPLES / "terraform" / plan, tmp_path / json_name)
    command = "terraform apply plan.out" if json_name == "plan.json" else "terraform apply -auto-approve tfplan"
    verdict = _guard(tmp_path, command)
    assert verdict["decision"] == decision, verdict["reason"]
    if decision == "deny":
        assert "last copy" in verdict["reason"] and "reports-data" in verdict["reason"]


def test_an_apply_without_the_plans_json_asks(tmp_path: Path) -> None:
    (tmp_path / "tfplan").write_bytes(b"")
    verdict = _guard(tmp_path, "cd infra && terraform apply tfplan")
    assert verdict["decision"] == "ask" and "blastscope gate" in verdict["reason"]


def test_an_unreadable_plan_json_asks(tmp_path: Path) -> None:
    (tmp_path / "tfplan").write_bytes(b"")
    (tmp_path / "tfplan.json").write_text("{not json")
    verdict = _guard(tmp_path, "terraform apply tfplan")
    assert verdict["decision"] == "ask" and "could not be judged" in verdict["reason"]
