"""Command-line interface. Each command lives in its own module and registers on `app`."""

from __future__ import annotations

from auditor.cli import blast_cmd, checks_cmd, scan  # noqa: F401  (register commands)
from auditor.cli.app import app


def main() -> None:
    app(prog_name="blastscope")
