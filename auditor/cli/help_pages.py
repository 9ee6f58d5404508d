"""Every `--help` page of the CLI, as typer prints it, saved in `auditor/help_pages.json` so
that `blastscope --help` (and `blastscope COMMAND --help`) can print it without importing
typer and every command (`auditor.launcher`). A test renders each page through typer again
and fails when the saved copy differs; regenerate with `python -m auditor.cli.help_pages`.

A saved page is printed only where typer would print the same bytes: the same blastscope
and typer versions, the same CLI sources (`help_fingerprint`) and a terminal at least
`MIN_COLUMNS` wide (click wraps help at min(columns, 80) - 2).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from auditor.launcher import MIN_COLUMNS, PAGES_FILE, help_fingerprint, typer_version


def commands() -> Iterator[tuple[str, ...]]:
    """The words before `--help` of every page: () for the root, then each command and group."""
    import typer.main

    from auditor.cli import app

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, (*path, name))

    yield from walk(typer.main.get_command(app), ())


def render(words: tuple[str, ...], option: str = "--help") -> tuple[int, str]:
    """(exit code, stdout) of `blastscope WORDS --help` through typer, as the command runs it
    (click wraps at the terminal's width: `MIN_COLUMNS` here)."""
    import contextlib
    import io
    import os

    from auditor.cli import app

    out = io.StringIO()
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(MIN_COLUMNS)
    try:
        with contextlib.redirect_stdout(out):
            code = app([*words, option], prog_name="blastscope", standalone_mode=False)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return (code if isinstance(code, int) else 0), out.getvalue()


def build() -> dict[str, Any]:
    from auditor import __version__

    pages = {}
    for words in commands():
        code, text = render(words)
        if code != 0:
            raise SystemExit(f"blastscope {' '.join(words)} --help exited {code}")
        pages[" ".join(words)] = text
    return {
        "blastscope": __version__,
        "typer": typer_version(),
        "sources": help_fingerprint(),
        "min_columns": MIN_COLUMNS,
        "pages": pages,
    }


if __name__ == "__main__":
    with open(PAGES_FILE, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {PAGES_FILE}", file=sys.stderr)
