"""Running `blastscope scan aws` / `pull aws` against the emulator the way a user would."""

from __future__ import annotations

import json
from typing import Any

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
