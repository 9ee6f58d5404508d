"""Shared helpers: build sources through the real loaders, run the real checks."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.core.policy import Policy, parse_policy
from auditor.engine.audit import AuditResult, audit
from providers.inventory import parse_inventory

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def inventory(resources: list[dict[str, Any]]):
    return parse_inventory({"version": 1, "resources": resources}, "test.yaml")


def generated_snapshot_document(resources: int, seed: int) -> dict[str, Any]:
    """The snapshot document `bench/generate.py` writes for an account of about `resources`
    resources (every shape the benchmarks use), built in memory."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    return generate.snapshot_document(generate.generate(resources, seed))


def run_audit(resources: list[dict[str, Any]], policy: dict | None = None, now: datetime = NOW) -> AuditResult:
    pol = parse_policy(policy, "policy.yaml") if policy is not None else Policy()
    return audit([inventory(resources)], pol, now=now)


def by_check(result: AuditResult, check_id: str) -> list:
    return [f for f in result.findings if f.check_id == check_id]


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, stdin: str | None = None, process: bool = False
) -> Any:
    """The real command as a user would run it: in this process through typer's CliRunner (fast),
    or with `process=True` in a subprocess (`python -m auditor`) where the process itself is
    the point — signals, exit paths, interpreter start-up."""
    if process:
        return subprocess.run(
            [sys.executable, "-m", "auditor", *args],
            cwd=cwd or ROOT,
            capture_output=True,
            text=True,
            env=env,
            input=stdin,
            timeout=120,
        )
    import os

    overrides: dict[str, str | None] | None = None
    if env is not None:  # like a subprocess's env: exactly these variables
        overrides = {k: None for k in os.environ if k not in env}
        overrides.update(env)
    previous = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        return invoke(*args, stdin=stdin, env=overrides)
    finally:
        os.chdir(previous)


@pytest.fixture
def tmp_inventory(tmp_path: Path):
    def write(text: str, name: str = "inventory.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


class Invocation:
    """What an in-process CLI run left: exit code, stdout and stderr (as run_cli gives)."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def invoke(*args: str, stdin: str | None = None, env: dict[str, str | None] | None = None) -> Invocation:
    """The real command in this process (typer's CliRunner): for tests where a subprocess is
    not the point, so the suite stays fast."""
    from typer.testing import CliRunner

    from auditor.cli import app

    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    result = runner.invoke(app, list(args), input=stdin, env=env, catch_exceptions=False, prog_name="blastscope")
    return Invocation(result.exit_code, result.stdout, result.stderr)
