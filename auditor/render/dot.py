"""Diagram → Graphviz (DOT source, and SVG/PNG/PDF through the `dot` program)."""

from __future__ import annotations

from typing import Any

from auditor.core.errors import UsageError
from auditor.render.diagram import Diagram, DNode, dom_id, severity_color

SHAPES = {
    "volume": ("cylinder", "#e7f0fa"), "database": ("cylinder", "#dbe9ff"), "bucket": ("folder", "#e7f0fa"),
    "backup": ("note", "#fff4d6"), "credential": ("hexagon", "#f3e8ff"), "principal": ("ellipse", "#f1f3f5"),
    "service": ("box", "#ffffff"), "generic": ("box", "#f8f9fa"), "project": ("tab", "#ffffff"),
}
CLUSTER_FILL = {"account": "#f8f9fa", "project": "#ffffff", "environment": "#f1f7ff"}
PRODUCTION_FILL, PRODUCTION_BORDER = "#fff0f0", "#b3001b"
INSTALL_HINT = ("Graphviz's `dot` program is needed for svg/png/pdf: apt-get install graphviz | brew install graphviz | "
                "choco install graphviz (or use --format dot or mermaid, which need nothing)")


def _node_attrs(node: DNode) -> dict[str, str]:
    shape, fill = SHAPES.get(node.kind, ("box", "#ffffff"))
    label = node.label
    if node.collapsed:
        label = f"{node.label}\n(collapsed)"
    elif node.findings:
        label += f"\n⚠ {node.findings} finding{'s' if node.findings != 1 else ''}"
    attrs = {"shape": shape, "style": "filled,rounded" if shape == "box" else "filled", "fillcolor": fill,
             "label": label, "id": dom_id(node.id), "class": f"kind-{node.kind}", "tooltip": node.id.replace(":", " : ")}
    color = severity_color(node.severity)
    if color:
        attrs.update(color=color, penwidth="2.5", fontcolor=color if node.findings else "#212529")
    if node.collapsed:
        attrs.update(style="filled,dashed", peripheries="2")
    if node.highlighted:
        attrs.update(penwidth="4", color="#7048e8")
    return attrs


def _legend_html(diagram: Diagram) -> str:
    """One compact legend: shapes by kind, outline colours by severity, production, collapsing."""
    from auditor.render.diagram import SEVERITY_COLOR

    kinds = "".join(f'<TD BGCOLOR="{SHAPES[k][1]}" BORDER="1">{k}</TD>' for k in ("database", "volume", "bucket", "backup", "credential", "service"))
    sev = "".join(f'<TD><FONT COLOR="{c}"><B>{s}</B></FONT></TD>' for s, c in SEVERITY_COLOR.items() if s != "info")
    extra = f"<TR><TD COLSPAN=\"6\">dashed double border: collapsed group ({diagram.collapsed_groups})</TD></TR>" if diagram.collapsed_groups else ""
    if any(n.highlighted for n in diagram.nodes.values()):
        extra += '<TR><TD COLSPAN="6"><FONT COLOR="#7048e8"><B>violet: highlighted (destroyed by the delete / the selected finding)</B></FONT></TD></TR>'
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3"><TR><TD COLSPAN="6"><B>legend</B></TD></TR><TR>{kinds}</TR>'
            f'<TR><TD>outline = worst finding:</TD>{sev}<TD></TD></TR>'
            f'<TR><TD COLSPAN="6"><FONT COLOR="{PRODUCTION_BORDER}"><B>red cluster, "PRODUCTION ·" label: production</B></FONT></TD></TR>{extra}</TABLE>>')


def to_graphviz(diagram: Diagram) -> Any:
    import graphviz  # imported here: only diagrams pay for it

    g = graphviz.Digraph("blastscope", graph_attr={
        "rankdir": "LR", "compound": "true", "fontname": "Helvetica", "fontsize": "12", "nodesep": "0.25", "ranksep": "0.6",
        "label": diagram.title + (f"\n{diagram.hidden} resources not shown" if diagram.hidden else "")
        + (f"\noverview: {diagram.summarized} projects drawn as one node each, only relations on findings' evidence — "
           "--focus PROJECT --depth 3 for detail" if diagram.summarized else ""),
        "labelloc": "t", "newrank": "true", "splines": "true", "outputorder": "edgesfirst",
    }, node_attr={"fontname": "Helvetica", "fontsize": "10", "margin": "0.08,0.04"}, edge_attr={"fontname": "Helvetica", "fontsize": "8", "color": "#868e96"})

    def add_cluster(parent: Any, cid: str) -> None:
        c = diagram.clusters[cid]
        with parent.subgraph(name=f"cluster_{dom_id(cid)}") as sub:
            fill = PRODUCTION_FILL if c.production else CLUSTER_FILL.get(c.kind, "#ffffff")
            sub.attr(label=c.label, style="filled,rounded", fillcolor=fill, color=PRODUCTION_BORDER if c.production else "#adb5bd",
                     penwidth="2" if c.production else "1", fontcolor=PRODUCTION_BORDER if c.production else "#343a40",
                     fontname="Helvetica-Bold" if c.production else "Helvetica", id=f"cluster-{dom_id(cid)}")
            # an anchor so edges can point at the cluster itself (a grant on a project)
            sub.node(f"anchor_{dom_id(cid)}", label="", shape="point", width="0.01", style="invis")
            for n in c.nodes:
                sub.node(dom_id(n), **_node_attrs(diagram.nodes[n]))
            for child in c.children:
                add_cluster(sub, child)

    for root in diagram.roots:
        add_cluster(g, root)
    for n in diagram.loose:
        g.node(dom_id(n), **_node_attrs(diagram.nodes[n]))
    overview = bool(diagram.summarized)
    for e in diagram.edges:
        if overview and not (e.severity or e.highlighted):
            continue  # at overview scale only relations that carry a finding are drawn
        # an overview keeps labels only where they explain a finding: grey labels are noise at scale
        attrs = {"label": e.rel if (not overview or e.severity) else "", "id": dom_id(f"{e.source}>{e.rel.split()[0]}>{e.target}")}
        # DOT node names are dom ids: resource ids may hold ':' (DOT port syntax) or quotes
        target = dom_id(e.target)
        if e.target in diagram.clusters:
            target = f"anchor_{dom_id(e.target)}"
            attrs["lhead"] = f"cluster_{dom_id(e.target)}"
        source = dom_id(e.source)
        if e.source in diagram.clusters:
            source = f"anchor_{dom_id(e.source)}"
            attrs["ltail"] = f"cluster_{dom_id(e.source)}"
        color = severity_color(e.severity)
        if color:
            attrs.update(color=color, fontcolor=color, penwidth="2")
        if e.highlighted:
            attrs.update(color="#7048e8", penwidth="3.5")
        if e.rel.startswith("grants"):
            attrs["style"] = "dashed"
        g.edge(source, target, **attrs)
    if diagram.nodes:
        g.node("legend", shape="plaintext", label=_legend_html(diagram))
    if overview:
        # lay long lists (project summaries, credentials) out as a grid instead of one tall column
        groups = [c.nodes for c in diagram.clusters.values()] + [diagram.loose]
        for group in groups:
            if len(group) > 8:
                rows = max(4, int(len(group) ** 0.5 + 0.999))
                ordered = sorted(group)
                for i in range(len(ordered) - rows):
                    g.edge(dom_id(ordered[i]), dom_id(ordered[i + rows]), style="invis", weight="5")
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
        raise UsageError(f"dot failed: {exc.stderr.decode(errors='replace').strip()[:200] if exc.stderr else exc}") from None
