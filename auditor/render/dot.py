"""Diagram → Graphviz (DOT source, and SVG/PNG/PDF through the `dot` program)."""

from __future__ import annotations

from typing import Any

from auditor.core.errors import UsageError
from auditor.render.diagram import Diagram, DNode, dom_id, severity_color

SHAPES = {
    "volume": ("cylinder", "#e7f0fa"),
    "database": ("cylinder", "#dbe9ff"),
    "bucket": ("folder", "#e7f0fa"),
    "backup": ("note", "#fff4d6"),
    "credential": ("hexagon", "#f3e8ff"),
    "principal": ("ellipse", "#f1f3f5"),
    "service": ("box", "#ffffff"),
    "generic": ("box", "#f8f9fa"),
    "project": ("tab", "#ffffff"),
}
CLUSTER_FILL = {"account": "#f8f9fa", "project": "#ffffff", "environment": "#f1f7ff"}
PRODUCTION_FILL, PRODUCTION_BORDER = "#fff0f0", "#b3001b"
INSTALL_HINT = (
    "Graphviz's `dot` program is needed for svg/png/pdf: apt-get install graphviz | brew install graphviz | "
    "choco install graphviz (or use --format dot or mermaid, which need nothing)"
)


def _node_attrs(node: DNode) -> dict[str, str]:
    shape, fill = SHAPES.get(node.kind, ("box", "#ffffff"))
    label = node.label
    if node.findings:
        label += f"\n⚠ {node.findings} finding{'s' if node.findings != 1 else ''}"
    attrs = {
        "shape": shape,
        "style": "filled,rounded" if shape == "box" else "filled",
        "fillcolor": fill,
        "label": label,
        "id": dom_id(node.id),
        "class": f"kind-{node.kind}",
        "tooltip": node.id.replace(":", " : "),
    }
    color = severity_color(node.severity)
    if color:
        attrs.update(color=color, penwidth="2.5", fontcolor=color if node.findings else "#212529")
    if node.collapsed:
        attrs.update(style="filled,dashed", peripheries="2")
    if node.highlighted:
        attrs.update(penwidth="4", color="#7048e8")
    return attrs


def _add_legend(g: Any, diagram: Diagram) -> None:
    """A legend drawn with the real shapes and line styles: what each shape is, what solid,
    dashed and coloured lines mean, what an outline colour says, and production."""
    from auditor.render.diagram import SEVERITY_COLOR

    kinds = {n.kind for n in diagram.nodes.values()}
    samples = [
        (k, label)
        for k, label in (
            ("database", "database"),
            ("volume", "volume"),
            ("bucket", "bucket"),
            ("backup", "backup"),
            ("credential", "credential"),
            ("principal", "person / agent"),
            ("service", "service"),
            ("project", "project (summary)"),
        )
        if k in kinds
    ]
    with g.subgraph(name="cluster_legend") as lg:
        lg.attr(label="legend", style="rounded", color="#ced4da", fontcolor="#495057", fontsize="11", id="legend")
        # shapes in one column and the line samples beside it: a compact block, not a band across the drawing
        with lg.subgraph() as column:
            column.attr(rank="same")
            for kind, label in samples:
                shape, fill = SHAPES[kind]
                column.node(
                    f"legend_{kind}",
                    label=label,
                    shape=shape,
                    fillcolor=fill,
                    fontsize="9",
                    width="0.3",
                    height="0.3",
                    style="filled,rounded" if shape == "box" else "filled",
                )
            for tail in ("legend_a", "legend_c", "legend_e"):
                column.node(tail, label="", shape="point", width="0.05")
        for head in ("legend_b", "legend_d", "legend_f"):
            lg.node(head, label="", shape="point", width="0.05")
        lg.edge("legend_a", "legend_b", label="relation (stored_on, backup_of…)", fontsize="8")
        lg.edge("legend_c", "legend_d", label="grant: what a credential may do", style="dashed", fontsize="8")
        crit = SEVERITY_COLOR["critical"]
        lg.edge(
            "legend_e",
            "legend_f",
            label="on a finding's evidence (colour = severity)",
            color=crit,
            fontcolor=crit,
            penwidth="2",
            fontsize="8",
        )
        sev = " ".join(f'<FONT COLOR="{c}"><B>{s}</B></FONT>' for s, c in SEVERITY_COLOR.items() if s != "info")
        notes = [
            f"outline = worst finding on the node or its evidence: {sev}",
            f'<FONT COLOR="{PRODUCTION_BORDER}"><B>red frame, "PRODUCTION ·": production</B></FONT>',
        ]
        if diagram.collapsed_groups or diagram.summarized:
            notes.append("dashed double border: a group of resources")
        if any(n.highlighted for n in diagram.nodes.values()):
            notes.append('<FONT COLOR="#7048e8"><B>violet: highlighted (the delete / the selected finding)</B></FONT>')
        rows = "".join(f'<TR><TD ALIGN="LEFT">{n}</TD></TR>' for n in notes)
        lg.node(
            "legend_notes",
            shape="plaintext",
            fontsize="9",
            label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1">{rows}</TABLE>>',
        )


def to_graphviz(diagram: Diagram) -> Any:
    import graphviz  # imported here: only diagrams pay for it

    g = graphviz.Digraph(
        "blastscope",
        graph_attr={
            "rankdir": "LR",
            "compound": "true",
            "fontname": "Helvetica",
            "fontsize": "12",
            "nodesep": "0.25",
            "ranksep": "0.6",
            "label": diagram.title
            + (f"\n{diagram.hidden} resources not shown" if diagram.hidden and not diagram.summarized else "")
            + (
                f"\noverview of {diagram.summarized:,} projects: the riskiest one node each, credentials grouped "
                "by what they reach, only relations on findings' evidence — "
                "blastscope render SOURCE --focus PROJECT for one in detail"
                if diagram.summarized
                else ""
            ),
            "labelloc": "t",
            "newrank": "true",
            "splines": "true",
            "outputorder": "edgesfirst",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10", "margin": "0.08,0.04"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "color": "#868e96"},
    )

    def add_cluster(parent: Any, cid: str) -> None:
        c = diagram.clusters[cid]
        with parent.subgraph(name=f"cluster_{dom_id(cid)}") as sub:
            fill = PRODUCTION_FILL if c.production else CLUSTER_FILL.get(c.kind, "#ffffff")
            sub.attr(
                label=c.label,
                style="filled,rounded",
                fillcolor=fill,
                color=PRODUCTION_BORDER if c.production else "#adb5bd",
                penwidth="2" if c.production else "1",
                fontcolor=PRODUCTION_BORDER if c.production else "#343a40",
                fontname="Helvetica-Bold" if c.production else "Helvetica",
                id=f"cluster-{dom_id(cid)}",
            )
            if cid in targeted:
                # a grant on a whole project or environment ends on this node, not in empty space
                sub.node(
                    f"anchor_{dom_id(cid)}",
                    label=f"whole {c.kind}",
                    shape="box",
                    style="rounded,dashed",
                    fontsize="8",
                    color="#868e96",
                    fontcolor="#495057",
                    width="0.2",
                    height="0.2",
                    id=f"anchor-{dom_id(cid)}",
                )
            for n in c.nodes:
                sub.node(dom_id(n), **_node_attrs(diagram.nodes[n]))
            for child in c.children:
                add_cluster(sub, child)

    targeted = {e.target for e in diagram.edges} | {e.source for e in diagram.edges}
    for root in diagram.roots:
        add_cluster(g, root)
    for n in diagram.loose:
        g.node(dom_id(n), **_node_attrs(diagram.nodes[n]))
    overview = bool(diagram.summarized)
    for e in diagram.edges:
        if overview and not (e.severity or e.highlighted):
            continue  # at overview scale only relations that carry a finding are drawn
        # an overview keeps labels only where they explain a finding: grey labels are noise at scale
        attrs = {
            "label": e.rel if (not overview or e.severity) else "",
            "id": dom_id(f"{e.source}>{e.rel.split()[0]}>{e.target}"),
        }
        # DOT node names are dom ids: resource ids may hold ':' (DOT port syntax) or quotes
        target = dom_id(e.target)
        if e.target in diagram.clusters:
            target = f"anchor_{dom_id(e.target)}"
        source = dom_id(e.source)
        if e.source in diagram.clusters:
            source = f"anchor_{dom_id(e.source)}"
        color = severity_color(e.severity)
        if color:
            attrs.update(color=color, fontcolor=color, penwidth="2")
        if e.highlighted:
            attrs.update(color="#7048e8", penwidth="3.5")
        if e.rel.startswith("grants"):
            attrs["style"] = "dashed"
        g.edge(source, target, **attrs)
    if diagram.nodes:
        _add_legend(g, diagram)
    return g


def dot_source(diagram: Diagram) -> str:
    return to_graphviz(diagram).source


def render_binary(diagram: Diagram, fmt: str) -> bytes:
    import graphviz

    try:
        return to_graphviz(diagram).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise UsageError(INSTALL_HINT) from None
    except graphviz.CalledProcessError as exc:
        raise UsageError(
            f"dot failed: {exc.stderr.decode(errors='replace').strip()[:200] if exc.stderr else exc}"
        ) from None
