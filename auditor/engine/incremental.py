"""Audit a later snapshot of the same graph by reusing an earlier audit's findings where nothing
they rest on changed — what `diff` does with two snapshots a day apart, which share almost
everything.

The graph is cut into *units*: connected parts over relations, grants and shared secret
fingerprints, with hubs taken out — accounts, and buckets or volumes that hold only backups (one
backup bucket takes every project's dumps). A hub holds what is below it, so it stays beside
every unit; a credential granted on a hub, and whatever a hub itself points at, reach across
units, so their units, with the hubs, form the *zone*. A check declared `local=True` promises
that its findings touching a unit are the ones it produces on that unit plus the zone, and that
its findings touching the zone only depend on the zone. So on the later graph:

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

from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from auditor.core.checks import Check, CheckContext, CheckRegistry
from auditor.core.findings import Finding
from auditor.core.model import CASCADE_ORDER, COPY_RELATIONS, RELATIONS, Resource
from auditor.core.policy import Policy
from auditor.core.source import Source
from auditor.core.topology import Topology
from auditor.engine.audit import AuditResult, audit, merge_sources, run_checks, sort_key
from auditor.engine.sources import detect
from auditor.io.files import display_name, read_input
from auditor.io.snapshot import load_snapshot_bytes

HUB_KINDS = frozenset({"account"})
#: kinds that are hubs when they hold nothing but backups (a shared backup bucket)
STORE_KINDS = frozenset({"bucket", "volume"})


def hubs_of(topo: Topology) -> set[str]:
    """Accounts, and buckets and volumes that hold backups and nothing else: one backup bucket
    takes the off-site dumps of every project, and would otherwise join them all into one unit."""
    hubs = {r.id for r in topo.of_kind(*HUB_KINDS)}
    contained, nodes = topo.contained, topo.nodes
    for store in topo.of_kind(*STORE_KINDS):
        held = contained.get(store.id)
        if held and all(rel == "stored_on" and nodes[child].kind == "backup" for rel, child in held):
            hubs.add(store.id)
    return hubs


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


def _targets(res: Resource) -> Iterable[tuple[str, bool]]:
    """(target id, is a grant) of every edge out of a resource."""
    for targets in res.relations.values():
        for target in targets:
            yield target, False
    for grant in res.grants:
        yield grant.target, True


_NAME_KEY = attrgetter("kind", "name")


def _relabelled(
    old_nodes: dict[str, Resource], new_nodes: dict[str, Resource], changed: list[str], removed: list[str]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(the later graph's ambiguous (kind, name) pairs, the pairs whose ambiguity differs from the
    earlier graph's); only changed, added and removed nodes can move a pair's count."""
    counts = Counter(map(_NAME_KEY, new_nodes.values()))
    delta: Counter[tuple[str, str]] = Counter()
    for rid in changed:
        delta[_NAME_KEY(new_nodes[rid])] -= 1
        if (before := old_nodes.get(rid)) is not None:
            delta[_NAME_KEY(before)] += 1
    for rid in removed:
        delta[_NAME_KEY(old_nodes[rid])] += 1
    flipped = {key for key, d in delta.items() if d and (counts[key] > 1) != (counts[key] + d > 1)}
    return {key for key, n in counts.items() if n > 1}, flipped


class PartTopology(Topology):
    """The graph of some units and the zone, labelling nodes as the whole graph does (a label
    carries the id when another node of the whole graph has the same kind and name)."""

    def __init__(self, resources: Iterable[Resource], ambiguous: set[tuple[str, str]]) -> None:
        super().__init__(resources)
        self._ambiguous = ambiguous


def secret_groups(topo: Topology) -> dict[str, list[str]]:
    """Credentials by the fingerprint of their secret value: one secret in two places is one
    finding, so they belong to one unit as if an edge joined them."""
    groups: dict[str, list[str]] = defaultdict(list)
    for cred in topo.of_kind("credential"):
        fingerprint = cred.attrs.get("fingerprint")
        if fingerprint is not None:
            groups[fingerprint].append(cred.id)
    return groups


class _Neighbours:
    """Undirected adjacency of the later graph over relations, grants and shared secrets, hubs
    left out: the topology's reverse indexes, plus one built here for relations it does not index."""

    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        indexed = {*CASCADE_ORDER, *COPY_RELATIONS, "attached_to", "exposed_to"}
        others = [rel for rel in RELATIONS if rel not in indexed]
        self.reverse: dict[str, list[str]] = defaultdict(list)
        for rid, res in topo.nodes.items():
            rels = res.relations
            if rels:
                for rel in others:
                    for target in rels.get(rel, ()):
                        self.reverse[target].append(rid)
        for members in secret_groups(topo).values():
            if len(members) > 1:
                for cred in members:
                    self.reverse[cred] += [m for m in members if m != cred]

    def __call__(self, node: str) -> list[str]:
        topo = self.topo
        res = topo.nodes[node]
        out = [target for targets in res.relations.values() for target in targets]
        if res.grants:
            out += [grant.target for grant in res.grants]
        if held := topo.contained.get(node):
            out += [source for _, source in held]
        if copies := topo.copies_in.get(node):
            out += [source for _, source in copies]
        if granted := topo.granted_on.get(node):
            out += [source for source, _ in granted]
        for index in (topo.attached_in, topo.exposed_in, self.reverse):
            if sources := index.get(node):
                out += sources
        return out


def _spread(start: Iterable[str], into: set[str], neighbours: _Neighbours, stop: set[str]) -> None:
    """Add to `into` everything connected to `start` without passing through `stop` (accounts)."""
    queue = deque(n for n in start if n not in stop and n not in into)
    into.update(queue)
    while queue:
        for other in neighbours(queue.popleft()):
            if other not in into and other not in stop:
                into.add(other)
                queue.append(other)


@dataclass
class Reuse:
    """What the later audit may take from the earlier one, and the graph it re-checks."""

    old: Recorder
    dirty: set[str]  # nodes of the later graph in changed units
    part: Topology  # the changed units and the zone
    nodes: dict[str, Resource]  # the later graph's

    def _state(self, finding: Finding) -> tuple[bool, bool]:
        """(may be reused, touches a changed unit), from the nodes a finding names."""
        dirty, nodes = self.dirty, self.nodes
        reusable, touches_dirty = True, False
        for node in _touched(finding):
            if node in dirty:
                reusable, touches_dirty = False, True
            elif node not in nodes:
                reusable = False  # not in the later graph
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
    hubs = hubs_of(new_topo)
    if hubs != hubs_of(old.topology) or any(r in hubs for r in changed):
        return None  # an account or a backup store came, went or changed
    neighbours = _Neighbours(new_topo)

    # the zone: accounts, what they point at, what is granted on them, and all connected to those
    zone: set[str] = set()
    for hub in hubs:
        _spread((t for t, _ in _targets(new_nodes[hub])), zone, neighbours, hubs)
        _spread((cred for cred, _ in new_topo.granted_on.get(hub, ())), zone, neighbours, hubs)

    # seeds of change: changed nodes, what the earlier versions of changed and removed nodes
    # pointed at, and nodes whose label changes (their kind and name became (un)ambiguous)
    seeds = set(changed)
    for rid in (*changed, *removed):
        for target, grant in _targets(old_nodes.get(rid) or new_nodes[rid]):
            kept = new_nodes.get(target)
            if kept is None:
                continue
            if target in hubs:
                if grant:
                    return None  # a grant on an account came or went: the zone changed
                continue  # held by an account: that edge joins nothing
            seeds.add(target)
    # the earlier secret groups of changed and removed credentials: their other members
    earlier_groups = secret_groups(old.topology)
    for rid in (*changed, *removed):
        before = old_nodes.get(rid)
        if before is not None and (fingerprint := before.attrs.get("fingerprint")) is not None:
            seeds.update(m for m in earlier_groups.get(fingerprint, ()) if m in new_nodes)
    ambiguous, flipped = _relabelled(old_nodes, new_nodes, changed, removed)
    if flipped:
        seeds.update(
            rid for rid, key in zip(new_nodes, map(_NAME_KEY, new_nodes.values()), strict=True) if key in flipped
        )
    if seeds & zone:
        return None
    dirty: set[str] = set()
    _spread(seeds, dirty, neighbours, hubs)

    # a finding of the earlier audit that names a removed node or a changed unit is re-derived,
    # with every unit it names (the later graph's version of it may rest on all of them)
    earlier = [set(_touched(f)) for fs in recorder.by_check.values() for f in fs]
    gone = set(removed)
    grew = True
    while grew:
        grew = False
        for named in earlier:
            if not (named.isdisjoint(dirty) and named.isdisjoint(gone)):
                fresh = [n for n in named if n in new_nodes and n not in dirty and n not in hubs and n not in zone]
                if fresh:
                    _spread(fresh, dirty, neighbours, hubs)
                    grew = True
    if dirty & zone:
        return None
    part = PartTopology((r for rid, r in new_nodes.items() if rid in dirty or rid in zone or rid in hubs), ambiguous)
    return Reuse(recorder, dirty, part, new_nodes)


def load_pair(old: str | Path, new: str | Path) -> tuple[Source, Source]:
    """Load both files. Two snapshots: the later one takes the earlier one's Resource for every
    resource written with the same bytes (so the same value, types and key order included),
    instead of decoding, parsing and validating it again; references are still checked on the
    whole later list, and any input error is named as loading the file alone names it."""
    old_data, new_data = read_input(old), read_input(new)
    old_origin, new_origin = display_name(old), display_name(new)
    old_provider, new_provider = detect(old_data, old_origin), detect(new_data, new_origin)
    assert old_provider.load is not None and new_provider.load is not None
    if old_provider.load is not load_snapshot_bytes or new_provider.load is not load_snapshot_bytes:
        return old_provider.load(old_data, old_origin), new_provider.load(new_data, new_origin)
    known: dict[bytes, Resource] = {}
    before = load_snapshot_bytes(old_data, old_origin, known)
    del old_data
    return before, load_snapshot_bytes(new_data, new_origin, known)


def audit_pair(
    old_sources: list[Source],
    new_sources: list[Source],
    policy: Policy,
    *,
    old_now: datetime | None = None,
    new_now: datetime | None = None,
    registry: CheckRegistry | None = None,
) -> tuple[AuditResult, AuditResult]:
    """Both audits, equal to `audit` of each side — findings, their order, gaps and warnings;
    only the later one's `suppressed` may list its findings in another order. The later one
    reuses the earlier one's findings where it can. Unset clocks read the clock once, for both."""
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
