"""Command-line interface. Each command lives in its own module and registers on `app`."""

from __future__ import annotations

import gc
import os
import sys

from auditor.cli import blast_cmd, checks_cmd, scan  # noqa: F401  (register commands)
from auditor.cli import pull_cmd  # noqa: F401  (register `pull`)
from auditor.cli import history_cmd  # noqa: F401  (register `history`, `diff`)
from auditor.cli import gate_cmd  # noqa: F401  (register `gate`)
from auditor.cli import baseline_cmd  # noqa: F401  (register `baseline create|update`)
from auditor.cli import render_cmd  # noqa: F401  (register `render`)
from auditor.cli import guard_cmd  # noqa: F401  (register `guard`, `mcp`)
from auditor.cli import export_cmd  # noqa: F401  (register `export`)
from auditor.cli.app import app, tidy_help

tidy_help(app)


def main() -> None:
    """Entry point of the `blastscope` command and `python -m auditor`.

    A scan allocates millions of small acyclic objects; the cyclic garbage collector would walk
    them again and again (about 40% of a 100k-resource scan) and free nothing, so it is off for
    this short-lived process. Likewise the interpreter's teardown would free every object one
    by one: once the output is flushed we leave with the exit code directly.
    """
    gc.disable()
    try:
        app(prog_name="blastscope", standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            code = code or 141
    os._exit(code)
