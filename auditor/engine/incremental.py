"""Audit a later snapshot of the same graph by reusing an earlier audit's findings where nothing
they rest on changed — what `diff` does with two snapshots a day apart, which share almost
everything.

The graph is cut into *units*: connected parts over relations and grants, with accounts (hubs)
taken out. An account holds everything below it, so it stays beside every unit; a credential
granted on an account, and whatever an account itself points at, reach across every unit, so
their units, with the accounts, form the *zone*. A check declared `local=True` promises that
its findings touching a unit are the ones it produces on that unit plus the zone, and that its
findings touching the zone only depend on the zone. So on the later graph:

- findings of an unchanged unit (same resources, same neighbours, same label ambiguity) are the
  earlier audit's;
- findings touching a changed unit come from running the check on the changed units plus the
  zone;
- every other check (global, the default) runs on the whole graph, as does everything when the
  zone changed, either side is incomplete, the clocks differ or a check failed.

The result is the full audit's, finding for finding and in the same order; a property test
(tests/engine/test_incremental.py) holds the two side by side on random pairs of graphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from auditor.core.checks import Check, CheckContext, CheckRegistry
from auditor.core.findings import Finding
from auditor.core.model import Resource
from auditor.core.policy import Policy
from auditor.core.source import Source
from auditor.core.topology import Topology
from auditor.engine.audit import AuditResult, audit, merge_sources, run_checks, sort_key

HUB_KINDS = frozenset({"account"})
#: above this share of changed nodes a whole audit is as cheap as the bookkeeping
MAX_CHANGED_SHARE = 0.6


class Recorder:
    """A `run` for `audit` that runs the checks as `run_checks` does, one at a time, keeping
    each check's findings (severity overrides applied, before suppressions) for reuse."""

    def __init__(self) -> None:
        self.by_check: dict[str, list[Finding]] = {}
        self.failed: set[str] = set()

    def __call__(self, ctx: CheckContext, checks: list[Check]) -> tuple[list[Finding], list[str]]:
        findings: list[Finding] = []
        gaps: list[str] = []
        for check in checks:
            produced, failed = run_checks(ctx, [check])
            self.by_check[check.id] = produced
            if failed:
                self.failed.add(check.id)
            findings.extend(produced)
            gaps.extend(failed)
        return findings, gaps


class _Units:
    """Union-find over node ids."""

    def __init__(self) -> None:
        self.up: dict[str, str] = {}

    def find(self, node: str) -> str:
        up = self.up
        root = node
        while (parent := up.get(root, root)) != root:
            root = parent
        while node != root:  # path compression
            node, up[node] = up[node], root
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.up[ra] = rb


def _targets(res: Resource) -> Iterable[tuple[str, bool]]:
    """(target id, is a grant) of every edge out of a resource."""
    for targets in res.relations.values():
        for target in targets:
            yield target, False
    for grant in res.grants:
        yield grant.target, True


def ambiguous_names(nodes: Iterable[Resource]) -> set[tuple[str, str]]:
    """(kind, name) pairs held by more than one node: their labels carry the id."""
    counts = Counter((r.kind, r.name) for r in nodes)
    return {key for key, n in counts.items() if n > 1}


class PartTopology(Topology):
    """The graph of some units and the zone, labelling nodes as the whole graph does (a label
    carries the id when another node of the whole graph has the same kind and name)."""

    def __init__(self, resources: Iterable[Resource], ambiguous: set[tuple[str, str]]) -> None:
        super().__init__(resources)
        self._ambiguous = ambiguous


@dataclass
class Reuse:
    """What the later audit may take from the earlier one, and the graph it re-checks."""

    old: Recorder
    unit_of: dict[str, str]  # node id -> unit root, for nodes outside the zone
    dirty: set[str]  # unit roots to re-check
    part: Topology

    def _state(self, finding: Finding) -> tuple[bool, bool]:
        """(may be reused, touches a changed unit), from the nodes a finding names."""
        unit_of, dirty = self.unit_of, self.dirty
        reusable, touches_dirty = True, False
        for node in _touched(finding):
            unit = unit_of.get(node)
            if unit is None:
                if node not in self.part.nodes:  # not in the later graph at all (the zone is in the part)
                    reusable = False
                continue
            if unit in dirty:
                reusable, touches_dirty = False, True
        return reusable, touches_dirty

    def __call__(self, ctx: CheckContext, checks: list[Check]) -> tuple[list[Finding], list[str]]:
        findings: list[Finding] = []
        gaps: list[str] = []
        part_ctx = CheckContext(self.part, ctx.policy, ctx.now, ctx.plan)
        for check in checks:
            earlier = self.old.by_check.get(check.id)
            if check.local and earlier is not None and check.id not in self.old.failed:
                fresh, failed = run_checks(part_ctx, [check])
                if not failed:
                    findings.extend(f for f in earlier if self._state(f)[0])
                    findings.extend(f for f in fresh if self._state(f)[1])
                    continue
            produced, failed = run_checks(ctx, [check])  # global, or failed on the part: the whole graph
            findings.extend(produced)
            gaps.extend(failed)
        return findings, gaps


def _touched(finding: Finding) -> Iterable[str]:
    yield finding.resource_id
    for path in finding.evidence:
        yield from path.nodes


def plan_reuse(old: AuditResult, recorder: Recorder, new_topo: Topology) -> Reuse | None:
    """How the later graph can reuse the earlier audit; None when it cannot (the zone changed,
    or so much changed that a whole audit is cheaper)."""
    old_nodes, new_nodes = old.topology.nodes, new_topo.nodes
    changed: list[str] = []  # in the later graph: added, or different from the earlier resource
    for rid, res in new_nodes.items():
        before = old_nodes.get(rid)
        if before is None or (before is not res and before != res):
            changed.append(rid)
    removed = [rid for rid in old_nodes if rid not in new_nodes]
    if len(changed) + len(removed) > MAX_CHANGED_SHARE * max(len(new_nodes), 1):
        return None
    hub_kinds = HUB_KINDS
    if any(new_nodes[r].kind in hub_kinds for r in changed) or any(old_nodes[r].kind in hub_kinds for r in removed):
        return None

    units = _Units()
    find, union = units.find, units.union
    attached: list[str] = []  # nodes whose unit belongs to the zone
    for rid, res in new_nodes.items():
        hub = res.kind in hub_kinds
        for target, grant in _targets(res):
            target_hub = new_nodes[target].kind in hub_kinds
            if hub:
                if not target_hub:
                    attached.append(target)
            elif target_hub:
                if grant:
                    attached.append(rid)  # reaches below an account: everything
            else:
                union(rid, target)
    zone_units = {find(n) for n in attached}

    # seeds of change: changed nodes, what the earlier versions of changed and removed nodes
    # pointed at, and nodes whose label changes (their kind and name became (un)ambiguous)
    seeds = set(changed)
    for rid in (*changed, *removed):
        before = old_nodes.get(rid)
        if before is not None:
            seeds.update(t for t, _ in _targets(before) if t in new_nodes)
    flipped = ambiguous_names(old_nodes.values()) ^ (ambiguous := ambiguous_names(new_nodes.values()))
    if flipped:
        seeds.update(rid for rid, r in new_nodes.items() if (r.kind, r.name) in flipped)
    unit_of: dict[str, str] = {}
    in_zone: set[str] = set()
    for rid, res in new_nodes.items():
        if res.kind in hub_kinds:
            in_zone.add(rid)
            continue
        root = find(rid)
        if root in zone_units:
            in_zone.add(rid)
        else:
            unit_of[rid] = root
    if any(s in in_zone for s in seeds):
        return None
    dirty = {unit_of[s] for s in seeds}

    # a finding of the earlier audit that names a removed node or a changed unit is re-derived,
    # with every unit it names (the later graph's version of it may rest on all of them)
    earlier = [f for fs in recorder.by_check.values() for f in fs]
    roots = set(unit_of.values())
    grew = True
    while grew:
        grew = False
        for finding in earlier:
            named = [unit_of.get(n, n) for n in _touched(finding)]
            if any(u in dirty or (u not in roots and u not in new_nodes) for u in named):
                fresh = {u for u in named if u in roots} - dirty
                if fresh:
                    dirty |= fresh
                    grew = True
    part = PartTopology((r for rid, r in new_nodes.items() if rid in in_zone or unit_of[rid] in dirty), ambiguous)
    return Reuse(recorder, unit_of, dirty, part)


def audit_pair(
    old_sources: list[Source],
    new_sources: list[Source],
    policy: Policy,
    *,
    old_now: datetime | None = None,
    new_now: datetime | None = None,
    registry: CheckRegistry | None = None,
) -> tuple[AuditResult, AuditResult]:
    """Both audits, equal to `audit` of each side; the later one reuses the earlier one's findings
    where it can. Unset clocks read the clock once, for both sides."""
    if old_now is None or new_now is None:
        clock = datetime.now(UTC)
        old_now, new_now = old_now or clock, new_now or clock
    recorder = Recorder()
    old = audit(old_sources, policy, now=old_now, registry=registry, run=recorder)
    new_topo = Topology(merge_sources(new_sources))
    reuse = None
    if old.complete and all(s.complete and not s.gaps for s in new_sources) and old_now == new_now:
        reuse = plan_reuse(old, recorder, new_topo)
    if reuse is not None:
        new = audit(new_sources, policy, now=new_now, registry=registry, topology=new_topo, run=reuse)
        keys = {sort_key(f) for f in new.findings}
        if len(keys) == len(new.findings):  # each finding's place in the order is its own
            return old, new
    return old, audit(new_sources, policy, now=new_now, registry=registry, topology=new_topo)
