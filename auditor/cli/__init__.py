"""Command-line interface. Each command lives in its own module and registers on `app`.

A Ctrl-C while the commands are being imported (typer, rich, the engine: the slow part of
start-up) ends with one line and exit 130 instead of a traceback.
"""

from __future__ import annotations

import gc
import os
import signal
import sys

try:
    from auditor.cli import (  # noqa: F401  (register commands)
        baseline_cmd,  # noqa: F401  (register `baseline create|update`)
        blast_cmd,
        checks_cmd,
        export_cmd,  # noqa: F401  (register `export`)
        gate_cmd,  # noqa: F401  (register `gate`)
        guard_cmd,  # noqa: F401  (register `guard`, `mcp`)
        history_cmd,  # noqa: F401  (register `history`, `diff`)
        pull_cmd,  # noqa: F401  (register `pull`)
        render_cmd,  # noqa: F401  (register `render`)
        scan,
    )
    from auditor.cli.app import app, tidy_help

    tidy_help(app)
except KeyboardInterrupt:
    print("blastscope: interrupted", file=sys.stderr)
    os._exit(130)


def _terminated(signum: int, _frame: object) -> None:
    """SIGTERM unwinds like an exception, so temporary files and partial entries are removed."""
    raise SystemExit(128 + signum)


def _only_command(word: str) -> None:
    """Before `blastscope WORD ...` runs, drop every other command from the app: typer turns each
    registered command into a click command (signatures, type hints, options) on every run, and
    only WORD's is needed. Help, errors and behaviour of WORD are unchanged; an unknown WORD or an
    option keeps every command (for "No such command" and the root help)."""
    from typer.main import get_command_name

    def name(info: object) -> str | None:
        given = getattr(info, "name", None)
        callback = getattr(info, "callback", None)
        return given or (get_command_name(callback.__name__) if callback is not None else None)

    commands = [info for info in app.registered_commands if name(info) == word]
    groups = [info for info in app.registered_groups if name(info) == word]
    if commands or groups:
        app.registered_commands = commands
        app.registered_groups = groups


def main() -> None:
    """Entry point of the `blastscope` command and `python -m auditor`.

    A scan allocates millions of small acyclic objects; the cyclic garbage collector would walk
    them again and again (about 40% of a 100k-resource scan) and free nothing, so it is off for
    this short-lived process. Likewise the interpreter's teardown would free every object one
    by one: once the output is flushed we leave with the exit code directly.
    """
    gc.disable()
    try:
        signal.signal(signal.SIGTERM, _terminated)
        if len(sys.argv) > 1 and not any(name.startswith("_BLASTSCOPE_COMPLETE") for name in os.environ):
            _only_command(sys.argv[1])
        app(prog_name="blastscope", standalone_mode=True)
        code = 0
    except KeyboardInterrupt:
        print("blastscope: interrupted", file=sys.stderr)
        code = 130
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
