"""Running `blastscope scan aws` / `pull aws` against the emulator the way a user would."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from auditor.cli.live import LiveFlags, live_settings
from auditor.core.source import Source
from auditor.engine.audit import audit
from auditor.io.policy_file import load_policy
from providers.aws import AWS, pull_source
from tests.conftest import run_cli


def scan_aws(endpoint: str, *args: str, fmt: str = "json") -> tuple[int, Any, str]:
    result = run_cli(
        "scan", "aws", "--endpoint", endpoint, "--region", "eu-west-1", "-f", fmt, "--now", "2026-11-25", *args
    )
    body = json.loads(result.stdout) if fmt == "json" and result.stdout.strip().startswith("{") else result.stdout
    return result.returncode, body, result.stderr


def findings(report: dict) -> set[tuple[str, str, str]]:
    """(check, resource name, severity): what a reader of the report compares."""
    return {(f["check_id"], f["resource_name"], f["severity"]) for f in report["findings"]}


def pull(endpoint: str, region: str = "eu-west-1", **tuning: Any) -> Source:
    """An in-process pull built the way the command line builds it (flags → LiveSettings)."""
    flags = LiveFlags(endpoint=endpoint, regions=[region], tuning={"max_attempts": 2, **tuning})
    return pull_source(live_settings(AWS, flags, env={}))


def checks_of(source: Source) -> set[tuple[str, str, str]]:
    from datetime import datetime

    result = audit([source], load_policy(None), now=datetime(2026, 11, 25, tzinfo=UTC))
    return {(f.check_id, f.resource_name, getattr(f.severity, "value", f.severity)) for f in result.findings}
