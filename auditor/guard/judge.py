"""Destructive operations × the audited graph → decisions (the decision table in docs/guard.md).

Targets are resolved by id, provider-native id (what follows the namespace prefix:
`railway:volume:<uuid>` → `<uuid>`) or name; an ambiguous name means every match. What one
delete destroys, and whether that is production data or a copy of it, is the blast engine's
answer (`BlastAnalysis.destroyed_by`, `copies`, `is_production`, `is_dataset`) — nothing here
re-derives it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from auditor.core.blast import BlastAnalysis
from auditor.core.policy import format_duration
from auditor.core.topology import Topology
from auditor.guard.decision import ALLOW, ASK, DENY, OperationVerdict
from auditor.guard.operations import Operation
from auditor.guard.shell import DYNAMIC
from auditor.uses.blast_query import DatasetOutcome, blast_report

#: kinds a Terraform-wide destroy cannot take with it (they are the graph's own scaffolding)
_SCAFFOLD_KINDS = frozenset({"environment", "account", "principal"})


@dataclass
class Graph:
    """The audited graph the guard judges by, and how fresh and whole it is."""

    analysis: BlastAnalysis
    origin: str
    created_at: datetime | None
    complete: bool = True
    gaps: list[str] = field(default_factory=list)
    _names: dict[str, list[str]] | None = None
    _natives: dict[str, list[str]] | None = None

    @property
    def topo(self) -> Topology:
        return self.analysis.topo

    def _index(self) -> None:
        names: dict[str, list[str]] = defaultdict(list)
        natives: dict[str, list[str]] = defaultdict(list)
        for rid, res in self.topo.nodes.items():
            names[res.name].append(rid)
            lowered = res.name.lower()
            if lowered != res.name:
                names[lowered].append(rid)
            parts = rid.split(":")
            if len(parts) >= 2:
                natives[":".join(parts[1:])].append(rid)
            if len(parts) >= 3:
                natives[":".join(parts[2:])].append(rid)
                natives[parts[2]].append(rid)  # railway:service:<service>:<environment> by service id
        self._names, self._natives = dict(names), dict(natives)

    def resolve(self, ref: str, kinds: frozenset[str] | None) -> list[str]:
        """Every node `ref` can mean: its id, else every provider-native id and name match."""
        if DYNAMIC in ref or not ref:
            return []
        nodes = self.topo.nodes

        def fits(rid: str) -> bool:
            return kinds is None or nodes[rid].kind in kinds

        if ref in nodes and fits(ref):
            return [ref]
        if self._names is None:
            self._index()
        assert self._names is not None and self._natives is not None
        found = dict.fromkeys(r for r in self._natives.get(ref, ()) if fits(r))
        found.update(dict.fromkeys(r for r in self._names.get(ref, ()) if fits(r)))
        if not found:
            found.update(dict.fromkeys(r for r in self._names.get(ref.lower(), ()) if fits(r)))
        return sorted(found)

    def age(self, now: datetime) -> timedelta | None:
        return None if self.created_at is None else now - self.created_at


def judge(op: Operation, graph: Graph | None, max_age: timedelta, now: datetime) -> OperationVerdict:
    """One operation's decision (see the decision table)."""
    what = f"{op.operation} on {op.target_label()}" if op.targets else f"{op.tool} {op.operation}"
    if op.plan_json:
        return _judge_plan(op, what, graph.analysis.policy if graph is not None else None)
    if op.fixed:
        return OperationVerdict(
            op, op.fixed, f"{what}: {op.note}." if op.note else f"{what} needs a person's approval."
        )
    if graph is None:
        return OperationVerdict(
            op,
            ASK,
            f"{what} is destructive and there is no audited graph to judge it by "
            "(give --source, or set guard.history in the policy).",
        )
    resolved, unresolved = _resolve(op, graph)
    if unresolved:
        shown = ", ".join(u.replace(DYNAMIC, "$…") for u in unresolved) if any(unresolved) else ""
        why = (
            op.note
            if (op.note and not op.targets)
            else (
                f"{shown!r} is not a resource in {graph.origin}"
                if shown and DYNAMIC not in "".join(unresolved)
                else "its target is only known when the command runs"
                if shown
                else "it names no target"
            )
        )
        return OperationVerdict(op, ASK, f"{what}: cannot tell what it destroys — {why}.", resolved)
    verdict = _blast_decision(op, what, resolved, graph.analysis)
    age = graph.age(now)
    if age is not None and age > max_age and verdict.decision == ALLOW:
        verdict.decision = ASK
        verdict.reason += (
            f" But the graph ({graph.origin}) is {format_duration(age - age % timedelta(minutes=1))} old, "
            f"older than guard.max_age {format_duration(max_age)}."
        )
    if not graph.complete and verdict.decision == ALLOW:
        verdict.decision = ASK
        verdict.reason += f" But the graph ({graph.origin}) is incomplete: {'; '.join(graph.gaps[:3])}."
    if op.note and verdict.decision != ALLOW:
        verdict.reason = verdict.reason.rstrip(".") + f" ({op.note})."
    return verdict


def _judge_plan(op: Operation, what: str, policy: Any) -> OperationVerdict:
    """`terraform apply PLAN` with the plan's JSON at hand: what the gate finds its deletes take.
    Production data deleted or replaced (copies or not) → deny; other data left with no copy, a
    delete the gate cannot judge, or a plan it cannot read whole → ask; nothing else → allow."""
    from auditor.core.errors import BlastscopeError
    from auditor.core.policy import Policy
    from auditor.engine.sources import load_file
    from auditor.uses.gate import gate

    assert op.plan_json is not None
    try:
        result = gate(load_file(op.plan_json), policy or Policy())
    except BlastscopeError as exc:
        return OperationVerdict(op, ASK, f"{what}: the plan's JSON could not be judged ({exc}).")
    an = BlastAnalysis(result.prior.topology, policy or Policy())
    deny: list[str] = []
    ask: list[str] = []
    for f in result.destructive:
        node = f.resource_id
        lost = list(f.data.get("lost") or [])
        known = node in result.prior.topology.nodes
        if f.check_id != "destructive-change" or not known:
            ask.append(f.message)
        elif an.is_production(node) or any(an.is_production(d) for d in lost):
            deny.append(f.message)
        elif lost:
            ask.append(f.message)
    if not result.complete:
        ask.append("the plan could not be read whole: " + "; ".join(result.gaps[:2]))
    resolved = sorted({f.resource_id for f in result.destructive})
    if deny:
        return OperationVerdict(op, DENY, f"{what} ({op.note}): " + " ".join(deny[:3]), resolved)
    if ask:
        return OperationVerdict(op, ASK, f"{what} ({op.note}): " + " ".join(ask[:3]), resolved)
    return OperationVerdict(
        op,
        ALLOW,
        f"{what} ({op.note}): it deletes no production data and every dataset it touches keeps a copy.",
        resolved,
    )


def _resolve(op: Operation, graph: Graph) -> tuple[list[str], list[str]]:
    if op.whole_state:
        ids = [
            rid for rid, res in graph.topo.nodes.items() if rid.startswith("tf:") and res.kind not in _SCAFFOLD_KINDS
        ]
        return (ids, []) if ids else ([], [""])
    if not op.targets:
        return [], [""]
    resolved: list[str] = []
    unresolved: list[str] = []
    refs = [f"tf:{t}" if op.tool in ("terraform", "tofu") else t for t in op.targets]
    for ref, shown in zip(refs, op.targets, strict=True):
        hits = graph.resolve(ref, op.kinds) or (graph.resolve(shown, op.kinds) if ref != shown else [])
        if hits:
            resolved.extend(h for h in hits if h not in resolved)
        else:
            unresolved.append(shown)
    if op.scope and resolved and DYNAMIC not in op.scope:
        envs = set(graph.resolve(op.scope, frozenset({"environment"})))
        if envs:
            an = graph.analysis
            resolved = [r for r in resolved if an.envs(r) & envs] or resolved
    return resolved, unresolved


def _blast_decision(op: Operation, what: str, nodes: list[str], an: BlastAnalysis) -> OperationVerdict:
    topo = an.topo
    label = topo.label
    destroyed: dict[str, Any] = {}
    production_data: list[str] = []
    other_production: list[str] = []
    lost_elsewhere: list[str] = []
    sentences_deny: list[str] = []
    sentences_ask: list[str] = []
    touched: dict[str, None] = {}
    for node in nodes:
        report = blast_report(an, node)
        for n in report.destroyed:
            destroyed.setdefault(n, None)
        touched.update(dict.fromkeys(o.dataset for o in report.datasets))
    # several targets (an ambiguous name, a whole Terraform state): judge each dataset once,
    # against everything the operation destroys together
    for dataset in touched:
        copies = sorted(an.copies(dataset))
        outcome = DatasetOutcome(
            dataset, copies, [c for c in copies if c in destroyed], [c for c in copies if c not in destroyed]
        )
        if an.is_production(dataset):
            production_data.append(dataset)
            sentences_deny.append(_data_sentence(an, outcome, production=True))
        elif outcome.lost:
            lost_elsewhere.append(dataset)
            sentences_ask.append(_data_sentence(an, outcome, production=False))
    data_nodes = {
        n
        for n in destroyed
        if an.is_dataset(n) or topo.nodes[n].relations.get("backup_of") or topo.nodes[n].relations.get("replica_of")
    }
    for n in destroyed:
        res = topo.nodes[n]
        if n in data_nodes or res.kind in ("backup",):
            continue
        if res.kind in ("principal",):
            continue
        if an.is_production(n):
            other_production.append(n)
    blast = {
        "destroyed": len(destroyed),
        "production_data": sorted(set(production_data)),
        "lost": sorted(set(lost_elsewhere) | {d for d in production_data if _lost(an, d, destroyed)}),
        "production_resources": sorted(other_production)[:20],
    }
    head = f"{what} destroys"
    if sentences_deny:
        return OperationVerdict(op, DENY, f"{head} {'; '.join(dict.fromkeys(sentences_deny))}.", nodes, blast)
    if other_production or sentences_ask:
        parts = []
        if other_production:
            shown = ", ".join(f"{label(n)}" for n in sorted(other_production)[:4])
            more = f" and {len(other_production) - 4} more" if len(other_production) > 4 else ""
            parts.append(f"production resources {shown}{more}")
        parts.extend(dict.fromkeys(sentences_ask))
        return OperationVerdict(op, ASK, f"{head} {'; '.join(parts)}.", nodes, blast)
    kept = (
        "every dataset it touches keeps a surviving copy"
        if any(an.is_dataset(n) or topo.nodes[n].kind == "backup" for n in destroyed)
        else "no data"
    )
    return OperationVerdict(
        op,
        ALLOW,
        f"{head} {len(destroyed)} non-production resource(s) ({', '.join(label(n) for n in list(destroyed)[:3])}"
        f"{', …' if len(destroyed) > 3 else ''}): {kept}.",
        nodes,
        blast,
    )


def _lost(an: BlastAnalysis, dataset: str, destroyed: dict[str, Any]) -> bool:
    return all(c in destroyed for c in an.copies(dataset))


def _tier_word(an: BlastAnalysis, node: str) -> str:
    tiers = sorted({an.tiers[e].tier for e in an.envs(node) if e in an.tiers})
    if not tiers:
        return "production: in no environment" if an.is_production(node) else "no environment"
    if tiers == ["unknown"]:
        return "environment tier unknown, treated as production"
    return "/".join(tiers)


def _data_sentence(an: BlastAnalysis, outcome, production: bool) -> str:  # type: ignore[no-untyped-def]
    topo = an.topo
    dataset = outcome.dataset
    res = topo.nodes[dataset]
    copies_besides = [c for c in outcome.copies if c != dataset]
    gone_copies = [c for c in outcome.destroyed if c != dataset]
    tier = _tier_word(an, dataset)
    name = f"{res.kind} {res.name}" if res.name.endswith(f"({tier})") else f"{res.kind} {res.name} ({tier})"
    if dataset in outcome.destroyed:
        if not copies_besides:
            return f"{name}, which has no backup or replica: no copy survives"
        if outcome.lost:
            return f"{name} and all {len(copies_besides)} of its {_copy_word(topo, copies_besides)}: no copy survives"
        kept = ", ".join(topo.label(c) for c in outcome.surviving[:3])
        verb = "survives" if len(outcome.surviving) == 1 else "survive"
        if not gone_copies:
            return f"{name} ({kept} {verb})"
        return f"{name} and {len(gone_copies)} of its {len(copies_besides)} copies ({kept} {verb})"
    shown = ", ".join(topo.label(c) for c in gone_copies[:3])
    tail = ": no copy survives" if outcome.lost else ""
    return f"{shown} — {'a copy' if len(gone_copies) == 1 else f'{len(gone_copies)} copies'} of {name}{tail}"


def _copy_word(topo: Topology, copies: list[str]) -> str:
    kinds = {topo.nodes[c].kind for c in copies}
    if kinds == {"backup"}:
        return "backup" if len(copies) == 1 else "backups"
    return "copy" if len(copies) == 1 else "copies"
