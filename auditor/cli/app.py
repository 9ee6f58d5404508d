"""The typer application and what every command shares: error handling (one line, exit 2/3,
never a traceback), option types, output writing and progress on stderr."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import typer

from auditor import __version__
from auditor.cli.coercion import install as install_fast_coercion
from auditor.core.errors import EXIT_CODES_HELP, BlastscopeError, UsageError
from auditor.io.files import write_atomic

install_fast_coercion()  # option values without importing pydantic (start-up time)

app = typer.Typer(
    name="blastscope",
    help="Infrastructure topology auditor: which data one delete call can lose, and which credentials reach too "
    "far.\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _StderrConsole:
    """The rich console on stderr, made on first use: rich costs start-up time that
    `blastscope --help` and a quiet run never need."""

    _console: Any = None

    @property
    def is_terminal(self) -> bool:
        """rich's `Console.is_terminal` for stderr, answered without importing rich (every
        command asks it to decide on progress bars and colour)."""
        if _StderrConsole._console is not None or "IPython" in sys.modules:
            return bool(self.__getattr__("is_terminal"))
        if getattr(sys.stdin, "__module__", "").startswith("idlelib"):
            return False
        tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
        if tty_compatible in ("0", "1"):
            return tty_compatible == "1"
        force_color = os.environ.get("FORCE_COLOR")
        if force_color is not None:
            return force_color != ""
        isatty = getattr(sys.stderr, "isatty", None)
        try:
            return False if isatty is None else bool(isatty())
        except ValueError:
            return False

    def __getattr__(self, name: str) -> Any:
        if _StderrConsole._console is None:
            from rich.console import Console

            _StderrConsole._console = Console(stderr=True, highlight=False, soft_wrap=True)
        return getattr(_StderrConsole._console, name)


err_console: Any = _StderrConsole()

F = TypeVar("F", bound=Callable[..., Any])


class FailOn(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    none = "none"


def fail(message: str, code: int = 2) -> None:
    """Print one line to stderr and exit."""
    err_console.print(f"blastscope: error: {message}", markup=False)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn BlastscopeErrors into one line and their exit code; anything else is an internal
    error, still one line (the traceback only with BLASTSCOPE_DEBUG=1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except BlastscopeError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            err_console.print("blastscope: interrupted", markup=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader (e.g. `| head`) went away: stop quietly, as other Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("BLASTSCOPE_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set BLASTSCOPE_DEBUG=1 for a traceback)", 2)

    return wrapper  # type: ignore[return-value]


def parse_now(value: str | None) -> datetime | None:
    """`--now 2026-05-01` or a full ISO time: pins "today" so audits are reproducible."""
    if value is None:
        return None
    from auditor.io.resources import to_utc

    try:
        return to_utc(value)
    except ValueError:
        raise UsageError(f"--now: not an ISO-8601 date or time: {value!r}") from None


def write_output(text: str | Iterable[str], output: Path | None) -> None:
    """The report (a string or its chunks) goes to --output (atomically) or stdout."""
    chunks = [text] if isinstance(text, str) else text
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    write_atomic(Path(output), chunks)


def progress_enabled(quiet: bool) -> bool:
    """Progress only for people: never when quiet or when stderr is not a terminal."""
    return not quiet and err_console.is_terminal


@contextmanager
def progress(enabled: bool, description: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
    """A transient progress bar on stderr; yields `advance(description)`."""
    if not enabled:
        yield lambda _desc: None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)

        def advance(desc: str) -> None:
            bar.update(task, advance=1, description=desc)

        yield advance


def pair_outputs(
    formats: list[str] | None, outputs: list[Path] | None, choices: Iterable[str], default: str = "text"
) -> list[tuple[str, Path | None]]:
    """`-f json -o a.json -f sarif -o b.sarif`: each --format with the --output in the same
    position (one format may go to stdout only when it is the only one). Formats are case-insensitive."""
    allowed = tuple(choices)
    wanted = [f.lower() for f in (formats or [default])]
    for fmt in wanted:
        if fmt not in allowed:
            raise UsageError(f"--format: unknown format {fmt!r} (choose from {', '.join(allowed)})")
    files = list(outputs or [])
    if len(wanted) == 1 and len(files) <= 1:
        return [(wanted[0], files[0] if files else None)]
    if len(files) != len(wanted):
        raise UsageError(
            f"{len(wanted)} --format and {len(files)} --output given: with several formats, give one "
            "--output per --format, in the same order (-f json -o report.json -f sarif -o report.sarif)"
        )
    if len({Path(f).resolve() for f in files}) != len(files):
        raise UsageError("--output: the same file is given twice")
    return list(zip(wanted, files, strict=True))


def color_wanted(no_color: bool) -> bool:
    """Colour only for a terminal, and never with --no-color or NO_COLOR set (no-color.org)."""
    return not no_color and not os.environ.get("NO_COLOR") and err_console.is_terminal


def version_callback(value: bool) -> None:
    if value:
        print(f"blastscope {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Print the version and exit."
    ),
    no_color: bool = typer.Option(False, "--no-color", help="No colours in any output (also: NO_COLOR=1)."),
) -> None:
    """blastscope: infrastructure topology auditor."""
    if no_color:
        os.environ["NO_COLOR"] = "1"  # rich and every report read it
        err_console.no_color = True


def tidy_help(typer_app: typer.Typer) -> None:
    """Help a person can read: a metavar instead of Python types (`<list[str]>`, `<int range>`)
    on every option, and each command's whole first sentence in the command list."""
    import inspect

    from typer.models import ArgumentInfo, OptionInfo

    for info in typer_app.registered_commands:
        callback = info.callback
        if callback is None:
            continue
        target = inspect.unwrap(callback)
        doc = inspect.getdoc(target) or ""
        if info.short_help is None and doc:
            info.short_help = " ".join(doc.split("\n\n")[0].split()).split(": ")[0].rstrip(".")
        for param in inspect.signature(target).parameters.values():
            default = param.default
            if isinstance(default, ArgumentInfo) and default.metavar and default.metavar.endswith("..."):
                default.metavar = default.metavar[:-3]  # the usage line adds "..." for a repeatable argument
            if isinstance(default, (OptionInfo, ArgumentInfo)) and default.metavar is None:
                default.metavar = _metavar(param.name, str(param.annotation))
            if isinstance(default, (OptionInfo, ArgumentInfo)) and not default.help and param.name in COMMON_HELP:
                default.help = COMMON_HELP[param.name]
    from typer.core import TyperArgument

    # an argument with a metavar (SOURCE...) needs no Python type after it
    TyperArgument.display_type_rich = (  # type: ignore[method-assign]
        lambda self, ctx: None if self.metavar else self.display_type(ctx)
    )
    # usage lines as in every man page: `SOURCE...`, `[NODE]`, not `{SOURCE}...`
    TyperArgument._usage_display_name = lambda self: (  # type: ignore[method-assign]
        (self.display_name_raw if self.required else f"[{self.display_name_raw}]") + ("..." if self.nargs != 1 else "")
    )
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            tidy_help(group.typer_instance)


#: help for the parameters many commands share, where a command gives none
COMMON_HELP = {
    "sources": "inventory.yaml | snapshot.json | plan/state .json | a directory of them | railway",
    "policy_file": "Policy file (default: .blastscope.yaml if present).",
    "now": "Pin 'now' (ISO date/time) for backup age and suppression expiry.",
}
METAVARS = {
    "fmt": "FORMAT",
    "now": "DATE",
    "only": "CHECK_ID",
    "skip": "CHECK_ID",
    "workspace": "NAME",
    "project": "NAME",
    "endpoint": "URL",
    "focus": "RESOURCE",
    "highlight": "FINGERPRINT|RESOURCE",
    "notify_format": "FORMAT",
}


def _metavar(name: str, annotation: str) -> str | None:
    if "bool" in annotation:
        return None
    if name in METAVARS:
        return METAVARS[name]
    if "Path" in annotation:
        return "DIR" if name.endswith("dir") else "FILE"
    if "int" in annotation:
        return "N"
    if "FailOn" in annotation:
        return None  # choices are shown
    return "TEXT"
