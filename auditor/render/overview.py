"""The overview of a large account: the riskiest projects, one node each, and the credentials
that reach them, grouped by what they reach — legible at 1k and at 100k resources.

Built straight from the topology in one pass (never from a detailed drawing that is then
shrunk), so a 100k-resource account costs little more than its audit. Everything a finding
touches is mapped to the node that stands for it (`Diagram.stand_in`), so the HTML report can
light a finding's path even when its resources are folded into a project.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from auditor.core.blast import analysis
from auditor.core.policy import Policy
from auditor.core.severity import rank
from auditor.engine.audit import AuditResult
from auditor.render.diagram import DEdge, Diagram, DNode

TOP_PROJECTS = 12  # projects drawn one by one; the rest become one node
TOP_CREDENTIAL_GROUPS = 10
REST = "overview:other-projects"
NO_PROJECT = "overview:no-project"


@dataclass
class _Project:
    id: str
    label: str
    resources: int = 0
    findings: int = 0
    worst: str | None = None
    production: bool = False
    by_severity: dict[str, int] = field(default_factory=dict)


def _worse(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if rank(a) <= rank(b) else b


def project_index(result: AuditResult) -> dict[str, str | None]:
    """Every resource → the project holding it (through parent, in_environment, stored_on), or None."""
    topo = result.topology
    owner: dict[str, str | None] = {}
    for start in topo.nodes:
        if start in owner:
            continue
        chain: list[str] = []
        seen: set[str] = set()
        node: str | None = start
        found: str | None = None
        while node is not None and node not in seen:
            if node in owner:
                found = owner[node]
                break
            seen.add(node)
            chain.append(node)
            res = topo.nodes[node]
            if res.kind == "project":
                found = node
                break
            rels = res.relations
            node = next(
                (p for rel in ("parent", "in_environment", "stored_on") for p in rels.get(rel, ()) if p in topo.nodes),
                None,
            )
        for n in chain:
            owner[n] = found
    return owner


def build_overview(
    result: AuditResult, policy: Policy, *, top: int = TOP_PROJECTS, title: str = "", highlight: set[str] | None = None
) -> Diagram:
    topo = result.topology
    an = analysis(topo, policy)
    owner = project_index(result)
    projects: dict[str, _Project] = {}
    for res in topo.of_kind("project"):
        projects[res.id] = _Project(res.id, f"project {res.name}")
    for p in owner.values():
        if p is not None and p in projects:
            projects[p].resources += 1
    for env in topo.of_kind("environment"):
        p = owner.get(env.id)
        if p in projects and env.id in an.tiers and an.tiers[env.id].effective == "production":
            projects[p].production = True
    # every project a finding touches (its resource, its evidence) takes the finding's severity
    for f in result.findings:
        touched = {owner.get(f.resource_id)} | {owner.get(n) for path in f.evidence for n in path.nodes}
        for p in touched:
            if p in projects:
                proj = projects[p]
                proj.findings += 1
                proj.worst = _worse(proj.worst, f.severity)
                proj.by_severity[f.severity] = proj.by_severity.get(f.severity, 0) + 1
    ordered = sorted(
        projects.values(), key=lambda p: (rank(p.worst) if p.worst else 99, -p.findings, -p.resources, p.label)
    )
    shown = ordered[:top]
    rest = ordered[top:]
    diagram = Diagram(title=title or ", ".join(s.origin for s in result.sources))
    diagram.summarized = len(projects)
    stand: dict[str, str] = {}
    for proj in shown:
        counts = ", ".join(
            f"{proj.by_severity[s]} {s}" for s in ("critical", "high", "medium", "low", "info") if s in proj.by_severity
        )
        label = ("PRODUCTION · " if proj.production else "") + proj.label
        label += (
            f"\n⚠ {proj.findings} finding{'s' if proj.findings != 1 else ''} ({counts})"
            if proj.findings
            else "\nno findings"
        )
        label += f"\n{proj.resources:,} resources"
        diagram.nodes[proj.id] = DNode(
            proj.id, "project", label, proj.production, proj.worst, 0, collapsed=proj.resources
        )
    if rest:
        worst = None
        for proj in rest:
            worst = _worse(worst, proj.worst)
        findings = sum(p.findings for p in rest)
        label = f"{len(rest):,} more projects\n{sum(p.resources for p in rest):,} resources, {findings:,} findings" + (
            f" (worst: {worst})" if worst else ""
        )
        diagram.nodes[REST] = DNode(
            REST, "generic", label, any(p.production for p in rest), worst, 0, collapsed=len(rest)
        )
        diagram.collapsed_groups += 1
    rest_ids = {p.id for p in rest}
    for n, p in owner.items():
        if p is None:
            continue
        stand[n] = REST if p in rest_ids else p

    # credentials: grouped by which drawn nodes their grants reach, worst finding first
    worst_on: dict[str, str] = {}
    count_on: dict[str, int] = defaultdict(int)
    for f in result.findings:
        worst_on[f.resource_id] = _worse(worst_on.get(f.resource_id), f.severity) or f.severity
        count_on[f.resource_id] += 1
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for cred in topo.of_kind("credential"):
        reach = frozenset(
            stand.get(g.target, g.target) for g in cred.grants if stand.get(g.target, g.target) in diagram.nodes
        )
        if reach or cred.id in worst_on:
            groups[reach].append(cred.id)
    ranked = sorted(
        groups.items(),
        key=lambda kv: (
            min((rank(worst_on[c]) for c in kv[1] if c in worst_on), default=99),
            -len(kv[1]),
            sorted(kv[0]),
        ),
    )
    for i, (reach, creds) in enumerate(ranked):
        worst = None
        for c in creds:
            worst = _worse(worst, worst_on.get(c))
        if i >= TOP_CREDENTIAL_GROUPS or worst is None:
            key = "overview:credentials:rest"
            node = diagram.nodes.get(key)
            if node is None:
                node = diagram.nodes[key] = DNode(key, "credential", "", collapsed=0)
            node.collapsed += len(creds)
            node.label = f"{node.collapsed:,} other credentials\n(no finding, or fewer at stake)"
            node.severity = _worse(node.severity, worst)
            for c in creds:
                stand[c] = key
            continue
        key = f"overview:credentials:{i}"
        names = sorted({topo.nodes[c].name for c in creds})
        shown_names = ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
        label = (
            f"{len(creds)} credential{'s' if len(creds) != 1 else ''}" if len(creds) > 1 else "credential"
        ) + f"\n{shown_names}"
        findings = sum(count_on.get(c, 0) for c in creds)
        if findings:
            label += f"\n⚠ {findings} finding{'s' if findings != 1 else ''}"
        diagram.nodes[key] = DNode(key, "credential", label, False, worst, 0, collapsed=len(creds))
        for c in creds:
            stand[c] = key
        for target in sorted(reach):
            diagram.edges.append(DEdge(key, target, "grants", worst))
    # resources in no project (account-level tokens, principals…) that a finding touches
    loose_findings = [f for f in result.findings if stand.get(f.resource_id) is None and f.resource_id in topo.nodes]
    if loose_findings:
        worst = None
        for f in loose_findings:
            worst = _worse(worst, f.severity)
        diagram.nodes[NO_PROJECT] = DNode(
            NO_PROJECT,
            "generic",
            f"outside any project\n⚠ {len(loose_findings)} findings",
            False,
            worst,
            0,
            collapsed=1,
        )
        for f in loose_findings:
            stand[f.resource_id] = NO_PROJECT
    # evidence that crosses drawn nodes (a backup in another project, a token exposed elsewhere)
    merged: dict[tuple[str, str, str], DEdge] = {}
    existing = {(e.source, e.rel, e.target) for e in diagram.edges}
    for f in result.findings:
        for path in f.evidence:
            if len({stand.get(n) for n in path.nodes}) < 2:
                continue  # the whole path is inside one drawn node
            for s, r, t in path.edges():
                a, b = stand.get(s), stand.get(t)
                if a is None or b is None or a == b or a not in diagram.nodes or b not in diagram.nodes:
                    continue
                edge_key = (a, r, b)
                if edge_key in existing:
                    continue
                edge = merged.get(edge_key)
                if edge is None:
                    merged[edge_key] = DEdge(a, b, r, f.severity)
                else:
                    edge.severity = _worse(edge.severity, f.severity)
    diagram.edges.extend(merged.values())
    if highlight:
        for n in highlight:
            drawn = stand.get(n)
            if drawn in diagram.nodes:
                diagram.nodes[drawn].highlighted = True
    diagram.loose = list(diagram.nodes)
    diagram.stand_in = stand
    diagram.hidden = max(0, len(topo) - len(diagram.nodes))
    return diagram
