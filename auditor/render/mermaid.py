"""Diagram → Mermaid flowchart (GitHub renders ```mermaid blocks), and one finding's evidence
subgraph for Markdown reports."""

from __future__ import annotations

from typing import Any

from auditor.core.text import printable
from auditor.render.diagram import Diagram, DNode, dom_id, severity_color

_SHAPE = {
    "database": ("[(", ")]"),
    "volume": ("[(", ")]"),
    "bucket": ("[/", "/]"),
    "backup": (">", "]"),
    "credential": ("{{", "}}"),
    "principal": ("([", "])"),
    "service": ("[", "]"),
    "generic": ("[", "]"),
}


def _text(label: str) -> str:
    """A quoted label: names are shown, never parsed as HTML or Mermaid (entity codes), and
    control characters are made visible."""
    safe = printable(label.replace("\n", "\u2028")).replace("\u2028", "\n")
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;"), ("`", "#96;")):
        safe = safe.replace(char, code)
    return '"' + safe.replace("\n", "<br/>") + '"'


def _node(node: DNode) -> str:
    left, right = _SHAPE.get(node.kind, ("[", "]"))
    label = node.label + (f"\n⚠ {node.findings}" if node.findings and not node.collapsed else "")
    return f"{dom_id(node.id)}{left}{_text(label)}{right}"


def to_mermaid(diagram: Diagram) -> str:
    lines = ["flowchart LR"]
    styles: list[str] = []

    def cluster(cid: str, indent: str) -> None:
        c = diagram.clusters[cid]
        lines.append(f"{indent}subgraph {dom_id(cid)}[{_text(c.label)}]")
        for n in c.nodes:
            lines.append(f"{indent}  {_node(diagram.nodes[n])}")
        for child in c.children:
            cluster(child, indent + "  ")
        lines.append(f"{indent}end")
        if c.production:
            styles.append(f"style {dom_id(cid)} fill:#fff0f0,stroke:#b3001b,stroke-width:2px")

    for root in diagram.roots:
        cluster(root, "  ")
    for n in diagram.loose:
        lines.append(f"  {_node(diagram.nodes[n])}")
    for i, e in enumerate(diagram.edges):
        arrow = "-.->" if e.rel.startswith("grants") else "-->"
        lines.append(f"  {dom_id(e.source)} {arrow}|{_text(e.rel)}| {dom_id(e.target)}")
        color = severity_color(e.severity)
        if color:
            styles.append(f"linkStyle {i} stroke:{color},stroke-width:2px")
    for dn in diagram.nodes.values():
        color = severity_color(dn.severity)
        if color:
            styles.append(f"style {dom_id(dn.id)} stroke:{color},stroke-width:2px")
    return "\n".join(lines + ["  " + s for s in styles]) + "\n"


def finding_mermaid(result: Any, finding: Any) -> str:
    """The evidence subgraph of one finding, as a Mermaid flowchart."""
    from auditor.render.diagram import DEdge

    nodes: dict[str, DNode] = {}
    edges: list[DEdge] = []
    seen = set()
    for path in finding.evidence:
        for n in path.nodes:
            if n not in nodes:
                res = result.node(n) if hasattr(result, "node") else result.topology.nodes.get(n)
                nodes[n] = DNode(
                    n,
                    res.kind if res else "generic",
                    result.label(n),
                    severity=finding.severity if n == finding.resource_id else None,
                )
        for s, rel, t in path.edges():
            if (s, rel, t) not in seen:
                seen.add((s, rel, t))
                edges.append(DEdge(s, t, rel, finding.severity))
    if finding.resource_id not in nodes:
        res = result.node(finding.resource_id) if hasattr(result, "node") else None
        nodes[finding.resource_id] = DNode(
            finding.resource_id,
            res.kind if res else "generic",
            result.label(finding.resource_id),
            severity=finding.severity,
        )
    diagram = Diagram(title=finding.check_id, nodes=nodes, edges=edges, loose=list(nodes))
    return to_mermaid(diagram)
