"""`blastscope export SOURCE… --format graphml|node-link|neo4j`: the graph for other tools."""

from __future__ import annotations

from pathlib import Path

import typer

from auditor.cli.app import app, handle_errors, write_output
from auditor.core.errors import UsageError


@app.command()
@handle_errors
def export(
    sources: list[str] = typer.Argument(  # noqa: B008
        ..., metavar="SOURCE...", help="inventory.yaml | snapshot.json | plan/state .json | a directory | railway"
    ),
    fmt: str = typer.Option(
        "graphml",
        "--format",
        "-f",
        metavar="FORMAT",
        help=(
            "graphml | node-link (networkx JSON) | neo4j (CSV files for neo4j-admin import "
            "plus load.cypher; needs --output DIR)."
        ),
    ),
    output: Path | None = typer.Option(  # noqa: B008
        None, "--output", "-o", metavar="PATH", help="Write to FILE (a directory for neo4j) instead of stdout."
    ),
    policy_file: Path | None = typer.Option(  # noqa: B008
        None, "--policy", "-p", metavar="FILE", help="Policy file for environment tiers (default: .blastscope.yaml)."
    ),
) -> None:
    """Export the topology graph for org-wide queries (Neo4j, Gephi, yEd, networkx).

    Node labels follow the kind, relationship types the relation; ids are the resources' own,
    so exports of the same account join across runs. Secret values are never written.

    Example: blastscope export samples/pocketos/inventory.yaml --format neo4j -o graph/
    """
    from auditor.cli.live import LiveFlags, settings_factory
    from auditor.core.blast import analysis
    from auditor.core.topology import Topology
    from auditor.engine.audit import merge_sources
    from auditor.engine.sources import load_sources
    from auditor.io.files import write_atomic
    from auditor.io.policy_file import load_policy
    from auditor.uses.export import EXPORT_FORMATS, to_graphml, to_neo4j, to_node_link

    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format: unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    if fmt == "neo4j" and output is None:
        raise UsageError("--format neo4j writes several files: give --output DIR")
    loaded = load_sources(sources, settings_factory(LiveFlags()))
    topology = Topology(merge_sources(loaded))
    tiers = {env: tier.effective for env, tier in analysis(topology, load_policy(policy_file)).tiers.items()}
    if fmt == "graphml":
        write_output(to_graphml(topology, tiers), output)
    elif fmt == "node-link":
        write_output(to_node_link(topology, tiers), output)
    else:
        assert output is not None
        if output.exists() and not output.is_dir():
            raise UsageError(f"--output {output}: not a directory (neo4j export writes several files)")
        output.mkdir(parents=True, exist_ok=True)
        export = to_neo4j(topology, tiers)
        for name, text in export.files.items():
            write_atomic(output / name, [text])
        typer.echo(f"wrote {len(export.files)} files to {output} (see {output / 'README.txt'})", err=True)
