"""The `blastscope` entry point. `blastscope guard` runs before every command an agent issues,
so it is dispatched here, before the typer CLI (and rich) are imported; everything else goes
to the full CLI."""

from __future__ import annotations

import os
import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "guard":
        from auditor.guard.main import main as guard_main

        code = guard_main(sys.argv[2:])
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    from auditor.cli import main as cli_main

    cli_main()
