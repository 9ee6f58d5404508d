"""The diagram model (pure): which nodes to draw, in which cluster, how, and which edges.

Clusters follow containment — account → project → environment — through `parent` and
`in_environment`; everything else is an edge. Production is marked by colour *and* by the
word PRODUCTION in the cluster label. Findings colour the nodes and edges of their evidence
paths in their severity's colour and add a count badge. To stay legible on real accounts:
`only_findings` keeps just the evidence subgraph, `focus`/`depth` a neighbourhood, and runs of
same-kind nodes in one cluster that carry no finding are collapsed into one "38 services" node.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from auditor.core.blast import analysis
from auditor.core.findings import Finding
from auditor.core.model import RELATIONS
from auditor.core.policy import Policy
from auditor.core.severity import rank
from auditor.engine.audit import AuditResult

CLUSTER_KINDS = ("account", "project", "environment")
SEVERITY_COLOR = {"critical": "#b3001b", "high": "#d9480f", "medium": "#b08900", "low": "#1864ab", "info": "#5c677d"}
COLLAPSE_AT = 8  # more same-kind, finding-free nodes than this in one cluster become one node


def dom_id(node_id: str) -> str:
    """A stable id usable in SVG/HTML for a node (also for edges: dom_id(a + '>' + b))."""
    return "n" + hashlib.sha1(node_id.encode("utf-8")).hexdigest()[:12]


@dataclass
class DNode:
    id: str
    kind: str
    label: str
    production: bool = False
    severity: str | None = None  # worst finding on it (None: none)
    findings: int = 0
    collapsed: int = 0  # > 0: this node stands for that many resources
    highlighted: bool = False


@dataclass
class DEdge:
    source: str
    target: str
    rel: str
    severity: str | None = None
    highlighted: bool = False


@dataclass
class DCluster:
    id: str
    kind: str
    label: str
    production: bool = False
    tier: str | None = None
    nodes: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    parent: str | None = None


@dataclass
class Diagram:
    title: str
    nodes: dict[str, DNode] = field(default_factory=dict)
    edges: list[DEdge] = field(default_factory=list)
    clusters: dict[str, DCluster] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)  # top-level clusters
    loose: list[str] = field(default_factory=list)  # nodes in no cluster
    collapsed_groups: int = 0
    hidden: int = 0  # resources left out by only_findings/focus
    summarized: int = 0  # projects drawn as one node each (large accounts)
    #: resource id → the drawn node standing for it (collapsed groups, overview projects)
    stand_in: dict[str, str] = field(default_factory=dict)
    #: what the reader should know about how this drawing was reduced (also printed as warnings)
    notes: list[str] = field(default_factory=list)

    def shown_as(self, node_id: str) -> str | None:
        """The drawn node or cluster that stands for a resource (None: not drawn)."""
        seen = 0
        while node_id not in self.nodes and node_id not in self.clusters:
            nxt = self.stand_in.get(node_id)
            if nxt is None or seen > 50:
                return None
            node_id, seen = nxt, seen + 1
        return node_id

    def members(self, cluster_id: str) -> list[str]:
        """Every node inside a cluster, nested clusters included."""
        c = self.clusters[cluster_id]
        out = list(c.nodes)
        for child in c.children:
            out += self.members(child)
        return out


def evidence_elements(findings: Iterable[Finding]) -> tuple[set[str], set[tuple[str, str, str]]]:
    nodes: set[str] = set()
    edges: set[tuple[str, str, str]] = set()
    for f in findings:
        nodes.add(f.resource_id)
        for path in f.evidence:
            nodes.update(path.nodes)
            edges.update(path.edges())
    return nodes, edges


def _neighbourhood(result: AuditResult, focus: str, depth: int) -> set[str]:
    topo = result.topology
    adjacent: dict[str, set[str]] = defaultdict(set)
    for res in topo.nodes.values():
        for rel in RELATIONS:
            for t in res.relations.get(rel, ()):
                adjacent[res.id].add(t)
                adjacent[t].add(res.id)
        for g in res.grants:
            adjacent[res.id].add(g.target)
            adjacent[g.target].add(res.id)
    seen = {focus: 0}
    queue = deque([focus])
    while queue:
        n = queue.popleft()
        if seen[n] >= depth:
            continue
        for m in adjacent[n]:
            if m not in seen:
                seen[m] = seen[n] + 1
                queue.append(m)
    return set(seen)


def build_diagram(
    result: AuditResult,
    policy: Policy,
    *,
    only_findings: bool = False,
    focus: str | None = None,
    depth: int = 2,
    highlight: Iterable[str] = (),
    highlight_edges: Iterable[tuple[str, str, str]] = (),
    collapse_at: int = COLLAPSE_AT,
    title: str = "",
    select: set[str] | None = None,
) -> Diagram:
    topo = result.topology
    if select is None and focus is None and not only_findings and len(topo) > OVERVIEW_AT:
        return _overview(result, policy, title, highlight, f"{len(topo):,} resources")
    an = analysis(topo, policy)
    findings = list(result.findings)
    ev_nodes, ev_edges = evidence_elements(findings)
    worst: dict[str, str] = {}
    count: dict[str, int] = defaultdict(int)
    edge_sev: dict[tuple[str, str, str], str] = {}
    for f in findings:
        count[f.resource_id] += 1
        if f.resource_id not in worst or rank(f.severity) < rank(worst[f.resource_id]):
            worst[f.resource_id] = f.severity
        for path in f.evidence:
            for e in path.edges():
                if e not in edge_sev or rank(f.severity) < rank(edge_sev[e]):
                    edge_sev[e] = f.severity
            for n in path.nodes:  # the evidence a node sits on counts for its outline too
                key = f"path:{n}"
                if key not in worst or rank(f.severity) < rank(worst[key]):
                    worst[key] = f.severity

    # ---------------------------------------------------------------- which nodes to draw
    selected = set(topo.nodes) if select is None else set(select) & set(topo.nodes)
    if only_findings:
        selected = set(ev_nodes)
    if focus is not None:
        near = _neighbourhood(result, focus, depth)
        if topo.nodes[focus].kind == "project":  # drill-down from the overview: the whole project
            from auditor.render.overview import project_index

            owner = project_index(result)
            near |= {n for n, p in owner.items() if p == focus}
            near -= {n for n, p in owner.items() if p is not None and p != focus}  # not the sibling projects
        selected &= near
    if select is None and focus is None and len(selected) > OVERVIEW_AT:
        return _overview(result, policy, title, highlight, f"{len(selected):,} resources to draw")
    # containment ancestors of what is drawn are drawn as clusters
    containers: dict[str, str | None] = {}

    def container(n: str) -> str | None:
        """The innermost account/project/environment holding n (an environment wins over a project)."""
        if n in containers:
            return containers[n]
        containers[n] = None  # cycle guard (the loader rejects cycles; be safe anyway)
        res = topo.nodes[n]
        parents = list(res.relations.get("parent", ())) + list(res.relations.get("in_environment", ()))
        clusters = [p for p in parents if topo.nodes[p].kind in CLUSTER_KINDS]
        found = max(clusters, key=lambda p: CLUSTER_KINDS.index(topo.nodes[p].kind)) if clusters else None
        if found is None:
            for p in res.relations.get("parent", ()) + res.relations.get("stored_on", ()):
                found = container(p)
                if found is not None:
                    break
        containers[n] = found
        return found

    diagram = Diagram(title=title or ", ".join(s.origin for s in result.sources))
    highlighted = set(highlight)
    hl_edges = set(highlight_edges)
    for n in sorted(selected):
        res = topo.nodes[n]
        if res.kind in CLUSTER_KINDS:
            continue
        own, on_path = worst.get(n), worst.get(f"path:{n}")
        sev = own if on_path is None or (own is not None and rank(own) <= rank(on_path)) else on_path
        diagram.nodes[n] = DNode(
            n, res.kind, topo.label(n), an.is_production(n), sev, count.get(n, 0), highlighted=n in highlighted
        )
    needed: set[str] = set()
    placement: dict[str, str | None] = {}
    for n in diagram.nodes:
        c = container(n)
        placement[n] = c
        while c is not None and c not in needed:
            needed.add(c)
            c = next(
                (p for p in topo.nodes[c].relations.get("parent", ()) if topo.nodes[p].kind in CLUSTER_KINDS), None
            )
    for n in selected:  # selected clusters (e.g. an environment on an evidence path) are drawn too
        if topo.nodes[n].kind in CLUSTER_KINDS:
            c = n
            while c is not None and c not in needed:
                needed.add(c)
                c = next(
                    (p for p in topo.nodes[c].relations.get("parent", ()) if topo.nodes[p].kind in CLUSTER_KINDS), None
                )
    for c in sorted(needed):
        res = topo.nodes[c]
        tier = an.tiers[c].effective if c in an.tiers else None
        production = res.kind == "environment" and tier == "production"
        label = f"{res.kind} {res.name}"
        if res.kind == "environment":
            label = f"{'PRODUCTION · ' if production else ''}{res.kind} {res.name}" + (
                "" if production else f" ({tier})"
            )
        parent = next((p for p in res.relations.get("parent", ()) if topo.nodes[p].kind in CLUSTER_KINDS), None)
        diagram.clusters[c] = DCluster(c, res.kind, label, production, tier, parent=parent)
    for dc in diagram.clusters.values():
        if dc.parent in diagram.clusters:
            diagram.clusters[dc.parent].children.append(dc.id)
        else:
            diagram.roots.append(dc.id)
    for n, c in placement.items():
        if c is not None and c in diagram.clusters:
            diagram.clusters[c].nodes.append(n)
        else:
            diagram.loose.append(n)

    # ---------------------------------------------------------------- edges
    drawn = set(diagram.nodes) | set(diagram.clusters)
    for res in topo.nodes.values():
        if res.id not in drawn:
            continue
        for rel in RELATIONS:
            for t in res.relations.get(rel, ()):
                if t not in drawn:
                    continue
                if res.id in diagram.clusters:
                    continue  # cluster nesting shows it
                if rel in ("parent", "in_environment") and t == placement.get(res.id):
                    continue  # shown by containment
                if rel == "in_environment" and t in diagram.clusters:
                    continue
                e = (res.id, rel, t)
                diagram.edges.append(DEdge(res.id, t, rel, edge_sev.get(e), e in hl_edges))
        for g in res.grants:
            if g.target in drawn:
                e = (res.id, "grants", g.target)
                diagram.edges.append(
                    DEdge(res.id, g.target, "grants " + ",".join(sorted(g.actions)), edge_sev.get(e), e in hl_edges)
                )
    diagram.hidden = len(topo.nodes) - len(drawn)
    _collapse_clusters(diagram, CLUSTER_COLLAPSE_AT)
    _collapse(diagram, collapse_at)
    if len(diagram.nodes) > LEGIBLE_NODES and focus is None and select is None:
        return _overview(result, policy, title, highlight, f"{len(diagram.nodes)} nodes even after collapsing")
    if len(diagram.nodes) > MAX_DETAILED:
        return _overview(result, policy, title, highlight, f"the selection still has {len(diagram.nodes)} nodes")
    return diagram


LEGIBLE_NODES = 150  # beyond this a detailed drawing is no longer readable: the overview is drawn
MAX_DETAILED = 400  # even a focused drawing: more nodes than this cannot be read at any zoom
OVERVIEW_AT = 3000  # resources: more than this go straight to the overview (never built in detail)


def _overview(result: AuditResult, policy: Policy, title: str, highlight: Iterable[str], why: str) -> Diagram:
    from auditor.render.overview import build_overview

    diagram = build_overview(result, policy, title=title, highlight=set(highlight))
    diagram.notes.append(
        f"too large to draw legibly ({why}): drawing the overview of the riskiest projects; "
        "zoom in with --focus PROJECT"
    )
    return diagram


def _retarget(diagram: Diagram, moved: dict[str, str]) -> None:
    """Point edges of nodes that were folded into a group at the group; drop self-loops and
    merge duplicates, keeping the worst severity and any highlight."""
    diagram.stand_in.update(moved)
    merged: dict[tuple[str, str, str], DEdge] = {}
    for e in diagram.edges:
        src, dst = moved.get(e.source, e.source), moved.get(e.target, e.target)
        if src == dst:
            continue
        key = (src, e.rel, dst)
        old = merged.get(key)
        if old is None:
            merged[key] = DEdge(src, dst, e.rel, e.severity, e.highlighted)
            continue
        if e.severity and (old.severity is None or rank(e.severity) < rank(old.severity)):
            old.severity = e.severity
        old.highlighted = old.highlighted or e.highlighted
    diagram.edges = list(merged.values())


CLUSTER_COLLAPSE_AT = 3  # more finding-free sibling projects/environments than this become one node


def _collapse_clusters(diagram: Diagram, at: int) -> None:
    """Sibling clusters of one kind with nothing to show (no finding, nothing highlighted, no
    severity-coloured edge) collapse into one node: "17 projects without findings (412 resources)"."""
    hot = {e.source for e in diagram.edges if e.severity or e.highlighted} | {
        e.target for e in diagram.edges if e.severity or e.highlighted
    }

    members = diagram.members

    def quiet(cid: str) -> bool:
        return cid not in hot and all(
            diagram.nodes[n].severity is None and not diagram.nodes[n].highlighted and n not in hot
            for n in members(cid)
        )

    parents = [None, *list(diagram.clusters)]
    for parent in parents:
        siblings = (
            diagram.roots if parent is None else diagram.clusters[parent].children if parent in diagram.clusters else []
        )
        by_kind: dict[str, list[str]] = defaultdict(list)
        for cid in siblings:
            if cid in diagram.clusters and quiet(cid):
                by_kind[diagram.clusters[cid].kind].append(cid)
        for kind, group in by_kind.items():
            if len(group) <= at:
                continue
            gone_nodes: set[str] = set()
            gone_clusters: set[str] = set()
            stack = list(group)
            while stack:
                cid = stack.pop()
                gone_clusters.add(cid)
                gone_nodes.update(diagram.clusters[cid].nodes)
                stack.extend(diagram.clusters[cid].children)
            plural = {"project": "projects", "environment": "environments", "account": "accounts"}[kind]
            key = f"collapsed:{parent or 'root'}:{kind}"
            diagram.nodes[key] = DNode(
                key,
                "generic",
                f"{len(group)} {plural} without findings\n({len(gone_nodes)} resources)",
                collapsed=len(group),
            )
            for n in gone_nodes:
                del diagram.nodes[n]
            for cid in gone_clusters:
                del diagram.clusters[cid]
            if parent is None:
                diagram.roots = [c for c in diagram.roots if c not in gone_clusters]
                diagram.loose.append(key)
            else:
                diagram.clusters[parent].children = [
                    c for c in diagram.clusters[parent].children if c not in gone_clusters
                ]
                diagram.clusters[parent].nodes.append(key)
            _retarget(diagram, dict.fromkeys(gone_nodes | gone_clusters, key))
            diagram.collapsed_groups += 1


def _collapse(diagram: Diagram, at: int) -> None:
    """Replace big runs of same-kind, finding-free, unhighlighted nodes in one cluster by one node."""
    degree: dict[str, int] = defaultdict(int)
    for e in diagram.edges:
        if e.severity or e.highlighted:
            degree[e.source] += 100
            degree[e.target] += 100
    for cluster in [*diagram.clusters.values(), None]:
        members = cluster.nodes if cluster else diagram.loose
        groups: dict[str, list[str]] = defaultdict(list)
        for n in members:
            node = diagram.nodes[n]
            if node.severity is None and not node.highlighted and degree[n] < 100:
                groups[node.kind].append(n)
        for kind, group in groups.items():
            if len(group) <= at:
                continue
            key = f"collapsed:{cluster.id if cluster else 'root'}:{kind}"
            gone = set(group)
            plural = {
                "service": "services",
                "volume": "volumes",
                "database": "databases",
                "backup": "backups",
                "bucket": "buckets",
                "credential": "credentials",
                "principal": "principals",
            }.get(kind, kind + "s")
            diagram.nodes[key] = DNode(
                key,
                kind,
                f"{len(group)} {plural}",
                any(diagram.nodes[g].production for g in group),
                collapsed=len(group),
            )
            for g in group:
                del diagram.nodes[g]
            kept = [n for n in members if n not in gone] + [key]
            if cluster:
                cluster.nodes = kept
            else:
                diagram.loose = kept
            _retarget(diagram, dict.fromkeys(gone, key))
            diagram.collapsed_groups += 1


def severity_color(severity: str | None) -> str | None:
    return SEVERITY_COLOR.get(severity) if severity else None
