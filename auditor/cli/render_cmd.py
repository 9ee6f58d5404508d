"""`blastscope render SOURCE… --format svg|png|pdf|dot|mermaid|html`: topology diagrams for reviews."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from auditor.cli.app import app, err_console, handle_errors, parse_now, write_output
from auditor.core.errors import UsageError
from auditor.io.files import write_atomic_bytes

RENDER_FORMATS = ("svg", "png", "pdf", "dot", "mermaid", "html")
BINARY = ("png", "pdf")


def write_diagram(diagram, fmt: str, output: Path | None) -> None:  # type: ignore[no-untyped-def]
    """Text formats go through write_output; binary ones need a file (or a pipe)."""
    from auditor.render.dot import dot_source, render_binary
    from auditor.render.mermaid import to_mermaid

    if fmt == "dot":
        write_output(dot_source(diagram), output)
    elif fmt == "mermaid":
        write_output(to_mermaid(diagram), output)
    elif fmt == "svg":
        write_output(render_binary(diagram, "svg").decode("utf-8"), output)
    else:
        data = render_binary(diagram, fmt)
        if output is None:
            if sys.stdout.isatty():
                raise UsageError(f"--format {fmt} is binary: give --output FILE (or pipe it)")
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        write_atomic_bytes(output, data)


@app.command()
@handle_errors
def render(
    sources: list[str] = typer.Argument(
        ..., metavar="SOURCE...", help="inventory.yaml | snapshot.json | plan/state .json | railway"
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="svg | png | pdf | dot | mermaid | html (default: from --output's extension, else svg).",
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to FILE instead of stdout."),
    focus: str | None = typer.Option(None, "--focus", help="Draw only the neighbourhood of this resource."),
    depth: int = typer.Option(2, "--depth", min=0, help="With --focus: how many relations away to go."),
    only_findings: bool = typer.Option(
        False, "--only-findings", help="Draw only what the findings' evidence paths touch."
    ),
    highlight: str | None = typer.Option(
        None,
        "--highlight",
        help="A finding fingerprint (6+ characters) or a resource: light up its evidence or its blast radius.",
    ),
    policy_file: Path | None = typer.Option(
        None, "--policy", "-p", help="Policy file (default: .blastscope.yaml if present)."
    ),
    now: str | None = typer.Option(
        None, "--now", help="Pin 'now' (ISO date/time): backup ages, and so the drawing, do not change with the clock."
    ),
) -> None:
    """Draw the topology: clusters account → project → environment, production marked, findings'
    evidence in their severity's colour, large groups collapsed.

    Example: blastscope render samples/pocketos/inventory.yaml -o incident.png
    """
    from auditor.engine.audit import audit
    from auditor.engine.sources import load_sources
    from auditor.io.files import check_output_path
    from auditor.io.policy_file import load_policy
    from auditor.render.diagram import build_diagram
    from auditor.render.highlight import resolve_highlight
    from auditor.uses.blast_query import resolve_node

    if output is not None:
        check_output_path(output, sources)
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = {"mmd": "mermaid", "gv": "dot", "htm": "html"}.get(suffix, suffix) if suffix else "svg"
    fmt = fmt.lower()
    if fmt not in RENDER_FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (choose from {', '.join(RENDER_FORMATS)})")
    policy = load_policy(policy_file)
    result = audit(load_sources(sources), policy, now=parse_now(now))
    if fmt == "html":
        from auditor.core.verdict import judge
        from auditor.reports.context import ReportContext
        from auditor.reports.html import render as render_html

        verdict = judge(result.findings, fail_on="high", complete=result.complete)
        write_output(render_html(ReportContext(result, verdict, policy=policy)), output)
        return
    nodes, edges = resolve_highlight(result, policy, highlight) if highlight else (set(), set())
    focus_id = resolve_node(result.topology, focus) if focus else None
    diagram = build_diagram(
        result, policy, only_findings=only_findings, focus=focus_id, depth=depth, highlight=nodes, highlight_edges=edges
    )
    for note in diagram.notes:  # the drawing was reduced: say so, whatever the output
        err_console.print(f"blastscope: warning: {note}", markup=False)
    write_diagram(diagram, fmt, output)
    if output is not None and diagram.summarized:
        err_console.print(
            f"wrote {output}: overview of {len(result.topology):,} resources in {diagram.summarized:,} projects, "
            f"{len(diagram.nodes)} nodes, {len(diagram.edges)} edges",
            markup=False,
        )
    elif output is not None:
        err_console.print(
            f"wrote {output}: {len(diagram.nodes)} nodes, {len(diagram.clusters)} clusters, {len(diagram.edges)} edges"
            + (f", {diagram.collapsed_groups} collapsed groups" if diagram.collapsed_groups else "")
            + (f"; {diagram.hidden} resources not shown" if diagram.hidden else ""),
            markup=False,
        )
