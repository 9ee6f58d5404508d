"""What one delete of a node takes with it (`blastscope blast`): pure computation over the
blast engine, shared by the CLI, renderers and the gate."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from auditor.core.blast import BlastAnalysis
from auditor.core.errors import UsageError
from auditor.core.model import DESTRUCTIVE_ACTIONS
from auditor.core.topology import Topology


@dataclass
class DatasetOutcome:
    dataset: str
    copies: list[str]
    destroyed: list[str]
    surviving: list[str]

    @property
    def lost(self) -> bool:
        return not self.surviving


@dataclass
class BlastReport:
    node: str
    destroyed: dict[str, tuple[str, str] | None]  # node -> (rel, holder it cascaded from)
    datasets: list[DatasetOutcome] = field(default_factory=list)
    credentials: list[tuple[str, str]] = field(default_factory=list)  # (credential, granted target)

    @property
    def lost(self) -> list[DatasetOutcome]:
        return [d for d in self.datasets if d.lost]


def resolve_node(topo: Topology, ref: str) -> str:
    """A node by exact id, unique name, or unique id suffix after ':'."""
    if ref in topo.nodes:
        return ref
    by_name = [r.id for r in topo.nodes.values() if r.name == ref]
    if len(by_name) == 1:
        return by_name[0]
    by_suffix = [i for i in topo.nodes if i.endswith(":" + ref)]
    candidates = by_name or by_suffix
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise UsageError(f"{ref!r} is ambiguous: {', '.join(sorted(candidates)[:5])}")
    near = difflib.get_close_matches(ref, list(topo.nodes), n=1) if len(topo.nodes) < 50_000 else []
    raise UsageError(f"no resource {ref!r} in the sources" + (f" (did you mean {near[0]!r}?)" if near else ""))


def blast_report(an: BlastAnalysis, node: str) -> BlastReport:
    destroyed = an.destroyed_by(node)
    touched: set[str] = set()
    for n in destroyed:
        if an.is_dataset(n):
            touched.add(n)
        for rel in ("backup_of", "replica_of"):
            for of in an.topo.nodes[n].relations.get(rel, ()):
                # the dataset this copy protects (walk copies of copies to the root dataset)
                touched.update(d for d in _datasets_of(an, of))
    outcomes = []
    for d in sorted(touched):
        copies = sorted(an.copies(d))
        gone = [c for c in copies if c in destroyed]
        if not gone:
            continue
        outcomes.append(DatasetOutcome(d, copies, gone, [c for c in copies if c not in destroyed]))
    creds = sorted(
        {
            (cred, holder)
            for holder in an.ancestors(node)
            for cred, g in an.topo.granted_on.get(holder, ())
            if g.actions & DESTRUCTIVE_ACTIONS
        }
    )
    return BlastReport(node, destroyed, outcomes, creds)


def _datasets_of(an: BlastAnalysis, node: str) -> list[str]:
    seen, stack, out = {node}, [node], []
    while stack:
        n = stack.pop()
        if an.is_dataset(n):
            out.append(n)
        for rel in ("backup_of", "replica_of"):
            for of in an.topo.nodes[n].relations.get(rel, ()):
                if of not in seen:
                    seen.add(of)
                    stack.append(of)
    return out


def blast_text(an: BlastAnalysis, report: BlastReport) -> str:
    topo = an.topo
    label = topo.label
    lines = [f"One delete of {label(report.node)} [{report.node}] destroys {len(report.destroyed)} resource(s):"]
    for n, how in report.destroyed.items():
        lines.append(f"  - {label(n)}" + (f"  ({how[0]} {label(how[1])})" if how else ""))
    if report.datasets:
        lines.append("")
        lines.append("Data:")
        for d in report.datasets:
            if d.lost:
                lines.append(
                    f"  LOST  {label(d.dataset)}: no copy survives ({len(d.destroyed)} of {len(d.copies)} destroyed: "
                    + ", ".join(topo.nodes[c].name for c in d.destroyed)
                    + ")"
                )
            else:
                lines.append(
                    f"  ok    {label(d.dataset)}: {len(d.surviving)} copy(ies) survive: "
                    + ", ".join(label(c) for c in d.surviving)
                )
    else:
        lines.append("No dataset or copy is destroyed.")
    if report.credentials:
        lines.append("")
        lines.append("Credentials that can make this delete:")
        for cred, holder in report.credentials:
            lines.append(f"  - {label(cred)} (delete on {label(holder)})")
    hours = topo.nodes[report.node].attrs.get("deletion_queue_hours")
    if isinstance(hours, (int, float)) and not isinstance(hours, bool) and hours > 0 and report.datasets:
        owner = (topo.nodes[report.node].provider or "the provider").capitalize()
        lines.append("")
        lines.append(
            f"{label(report.node)} stays recoverable from {owner}'s deletion queue for {hours:g} h after the "
            "delete — a window held by the same account, not counted as a copy."
        )
    lines.append("")
    lost = report.lost
    lines.append(
        f"{len(lost)} dataset(s) lost for good"
        if lost
        else "Every destroyed dataset keeps a copy elsewhere"
        if report.datasets
        else "No data at risk"
    )
    return "\n".join(lines) + "\n"


def blast_json(an: BlastAnalysis, report: BlastReport) -> dict[str, Any]:
    return {
        "node": report.node,
        "destroyed": [
            {
                "id": n,
                "kind": an.topo.nodes[n].kind,
                "name": an.topo.nodes[n].name,
                **({"via": how[0], "from": how[1]} if how else {}),
            }
            for n, how in report.destroyed.items()
        ],
        "datasets": [
            {
                "dataset": d.dataset,
                "copies": d.copies,
                "destroyed": d.destroyed,
                "surviving": d.surviving,
                "lost": d.lost,
            }
            for d in report.datasets
        ],
        "credentials": [{"credential": c, "via": h} for c, h in report.credentials],
        "lost": [d.dataset for d in report.lost],
        "deletion_queue_hours": an.topo.nodes[report.node].attrs.get("deletion_queue_hours"),
    }
