"""Human report: findings grouped by severity, each with evidence and remediation, then a
one-line summary.

Two renderers give the same characters: plain strings (the default, and what files and pipes
get) and rich Text objects when colour is asked for. rich prints each line through its layout
engine, ~45× slower than joining strings at 100k resources, for output that without colour is
the same text; a line holding a tab or a control character (which rich expands or strips) is
still handed to rich so the bytes never differ. Names from the source are never parsed as
markup either way, and their control characters are shown escaped, never sent to the terminal.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, cast

from auditor.core.findings import Finding
from auditor.core.severity import SEVERITIES
from auditor.core.text import printable
from auditor.engine.audit import AuditResult
from auditor.reports.context import ReportContext

if TYPE_CHECKING:
    from rich.console import Console

STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}

#: Characters rich rewrites (tabs expanded, some control codes stripped); a line holding one
#: is rendered by rich itself.
_RICH_REWRITES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def summary_line(ctx: ReportContext) -> str:
    result = ctx.result
    counts = result.counts()
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if counts.get(s)]
    total = len(result.findings)
    verdict = ctx.verdict_word
    fail_on = ctx.verdict.fail_on
    baselined = len(ctx.verdict.baselined)
    text = f"{total} finding{'s' if total != 1 else ''}"
    if parts:
        text += " (" + ", ".join(parts) + ")"
    extra = []
    if result.suppressed:
        extra.append(f"{len(result.suppressed)} suppressed")
    if baselined:
        extra.append(f"{baselined} in baseline")
    if extra:
        text += "; " + ", ".join(extra)
    text += f" · {len(result.topology)} resources · fail-on {fail_on}: {verdict}"
    if not ctx.complete:
        gaps = len(ctx.gaps)
        text += (
            f" ({gaps} gap{'s' if gaps != 1 else ''}: not a clean result)"
            if verdict == "INCOMPLETE"
            else f" · INCOMPLETE audit ({gaps} gap{'s' if gaps != 1 else ''})"
        )
    return text


# A printed line: the style of the whole line and its (text, style) spans; both renderers
# consume the same lines. An empty line is (), printed as a bare newline.
TextLine = tuple[str, tuple[tuple[str, str], ...]]
Line = TextLine | tuple[()]


def _finding_lines(result: AuditResult, f: Finding, verbose: bool) -> Iterator[Line]:
    label = result.topology.label
    yield (
        "",
        (
            ("  ", ""),
            (f" {f.severity.upper()} ", STYLE[f.severity]),
            (f" {f.check_id}  ", "bold"),
            (printable(label(f.resource_id)), ""),
            (f"  [{printable(f.resource_id)}]", "dim"),
        ),
    )
    yield "", (("    " + printable(f.message), ""),)
    for i, path in enumerate(f.evidence):
        yield "dim", (("    evidence: " if i == 0 else "              ", ""), (printable(path.text(label)), ""))
    if f.remediation:
        yield "dim", (("    fix: ", ""), (printable(f.remediation), ""))
    if verbose:
        yield "dim", ((f"    fingerprint: {f.fingerprint}", ""),)


def _lines(ctx: ReportContext) -> Iterator[Line]:
    result, verbose = ctx.result, ctx.verbose
    sources = ", ".join(f"{printable(s.origin)} ({s.provider}, {len(s.resources)} resources)" for s in result.sources)
    yield "bold", ((f"blastscope scan of {sources}", ""),)
    for gap in ctx.gaps:
        yield "bold red", ((f"  incomplete: {printable(gap)}", ""),)
    for warning in result.warnings:
        yield "yellow", ((f"  warning: {printable(warning)}", ""),)
    groups: dict[str, list[Finding]] = {s: [] for s in SEVERITIES}
    for f in result.findings:
        groups[f.severity].append(f)
    for severity in SEVERITIES:
        group = groups[severity]
        if not group:
            continue
        yield ()
        yield STYLE[severity], ((f"{severity.upper()} ({len(group)})", ""),)
        for f in group:
            yield from _finding_lines(result, f, verbose)
    if result.suppressed and verbose:
        yield ()
        yield "dim", ((f"SUPPRESSED ({len(result.suppressed)})", ""),)
        for f in result.suppressed:
            yield (
                "dim",
                ((printable(f"  {f.check_id} {result.topology.label(f.resource_id)} — {f.suppressed_by}"), ""),),
            )
    yield ()
    yield "bold green" if ctx.verdict.status == "pass" else "bold red", ((summary_line(ctx), ""),)


def _rich_console(buffer: io.StringIO, color: bool, width: int | None) -> Console:
    # only when colour is asked for, or a line needs it
    from rich.console import Console

    return Console(
        file=buffer, force_terminal=color, no_color=not color, width=width or 110, highlight=False, soft_wrap=True
    )


def _rich_line(console: Console, line: Line) -> None:
    from rich.text import Text

    base, spans = cast(TextLine, line)  # callers print () themselves; only text lines come here
    text = Text(style=base)
    for span, style in spans:
        text.append(span, style=style or None)
    console.print(text)


def render_rich(ctx: ReportContext, *, width: int | None = None) -> str:
    """Every line through rich: colour, and the reference the plain renderer is tested against."""
    buffer = io.StringIO()
    console = _rich_console(buffer, ctx.color, width)
    for line in _lines(ctx):
        if line:
            _rich_line(console, line)
        else:
            console.print()
    return buffer.getvalue()


def render_plain(ctx: ReportContext, *, width: int | None = None) -> str:
    """The same characters as `render_rich` without colour, joined as strings."""
    out: list[str] = []
    rich_line: Callable[[Line], str] | None = None
    for line in _lines(ctx):
        text = "".join(span for span, _ in line[1]) if line else ""
        if _RICH_REWRITES.search(text):
            if rich_line is None:
                rich_line = _plain_through_rich(width)
            out.append(rich_line(line))
        else:
            out.append(text + "\n")
    return "".join(out)


def _plain_through_rich(width: int | None) -> Callable[[Line], str]:
    buffer = io.StringIO()
    console = _rich_console(buffer, False, width)

    def one(line: Line) -> str:
        buffer.seek(0)
        buffer.truncate()
        _rich_line(console, line)
        return buffer.getvalue()

    return one


def render(ctx: ReportContext, *, width: int | None = None) -> str:
    return render_rich(ctx, width=width) if ctx.color else render_plain(ctx, width=width)
