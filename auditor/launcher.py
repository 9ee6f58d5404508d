"""The `blastscope` entry point. `blastscope guard` runs before every command an agent issues,
so it is dispatched here, before the typer CLI (and rich) are imported; so is `--help`, printed
from the pages typer rendered (`auditor/help_pages.json`, kept identical by a test) when they
apply; everything else goes to the full CLI."""

from __future__ import annotations

import os
import sys

#: the saved help pages (written by `python -m auditor.cli.help_pages`)
PAGES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "help_pages.json")
#: click wraps help at min(terminal columns, 80) - 2: the saved pages hold for 80 columns or more
MIN_COLUMNS = 80


#: the files whose text shapes some help page (options and docstrings, exit codes, formats)
_HELP_SOURCES = ("cli", os.path.join("core", "errors.py"), os.path.join("reports", "__init__.py"), "__init__.py")


def help_fingerprint() -> str:
    """A checksum of `_HELP_SOURCES`: saved pages are printed only for the sources they were
    rendered from, so an edited option never shows its old help (the test then asks for new pages)."""
    import zlib

    here = os.path.dirname(os.path.abspath(__file__))
    paths = []
    for name in _HELP_SOURCES:
        path = os.path.join(here, name)
        if os.path.isdir(path):
            paths += [os.path.join(name, f) for f in sorted(os.listdir(path)) if f.endswith(".py")]
        else:
            paths.append(name)
    crc = 0
    for rel in paths:
        try:
            with open(os.path.join(here, rel), "rb") as fh:
                crc = zlib.crc32(fh.read(), zlib.crc32(rel.encode(), crc))
        except OSError:
            return "unreadable"
    return f"{crc:08x}"


def typer_version() -> str | None:
    """typer's version, read from its source without importing it (that is what --help saves)."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("typer")
    if spec is None or spec.origin is None:
        return None
    try:
        with open(spec.origin, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return None
    found = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return found.group(1) if found else None


def saved_help(args: list[str]) -> str | None:
    """The help page `blastscope ARGS` prints, if ARGS is `[COMMAND...] --help|-h` and the saved
    copy is what typer would print here (same versions, a terminal wide enough); else None."""
    if not args or args[-1] not in ("--help", "-h") or any(a.startswith("-") for a in args[:-1]):
        return None
    if any(name.startswith("_BLASTSCOPE_COMPLETE") for name in os.environ):
        return None  # shell completion: typer's business
    import json
    import shutil

    from auditor import __version__

    try:
        with open(PAGES_FILE, "rb") as fh:
            saved = json.loads(fh.read())
    except (OSError, ValueError):
        return None
    if saved.get("blastscope") != __version__ or saved.get("typer") != typer_version():
        return None
    if saved.get("sources") != help_fingerprint():
        return None
    if shutil.get_terminal_size().columns < saved.get("min_columns", MIN_COLUMNS):
        return None
    page = saved.get("pages", {}).get(" ".join(args[:-1]))
    return page if isinstance(page, str) else None


def main() -> None:
    page = saved_help(sys.argv[1:])
    if page is not None:
        sys.stdout.write(page)
        sys.stdout.flush()
        os._exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "guard":
        from auditor.guard.main import main as guard_main

        code = guard_main(sys.argv[2:])
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    if len(sys.argv) > 1 and sys.argv[1] in ("scan", "gate"):
        from auditor.io.lifetime import keep_until_exit

        keep_until_exit()  # the CLI leaves with os._exit: a large input it has read is never freed
    from auditor.cli import main as cli_main

    cli_main()
