"""What changed between two audits: resources and relations added/removed/changed, findings
new/resolved/changed severity. Pure functions over resources and findings; the CLI (`diff`,
`scan --history --changes-only`) and alerts build on them.

Findings are matched by fingerprint (check + resource + evidence key), so a finding whose
message or evidence text changed but whose cause did not is the same finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditor.core.findings import Finding
from auditor.core.model import GRANTS, RELATIONS, Resource
from auditor.core.severity import rank
from auditor.io.resources import resource_to_dict

Edge = tuple[str, str, str]  # (source id, rel, target id); grants carry actions in rel: "grants:delete,read"


@dataclass
class ResourceDiff:
    added: list[Resource] = field(default_factory=list)
    removed: list[Resource] = field(default_factory=list)
    #: (old, new, names of the fields that differ) for resources present in both
    changed: list[tuple[Resource, Resource, list[str]]] = field(default_factory=list)
    relations_added: list[Edge] = field(default_factory=list)
    relations_removed: list[Edge] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.relations_added or self.relations_removed)


@dataclass
class FindingDiff:
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    #: gone from an incomplete newer audit: not re-checked, so never called resolved
    unverified: list[Finding] = field(default_factory=list)
    #: (old, new) for the same fingerprint with another severity
    severity_changed: list[tuple[Finding, Finding]] = field(default_factory=list)
    unchanged: int = 0

    def __bool__(self) -> bool:
        return bool(self.new or self.resolved or self.severity_changed)


@dataclass
class Diff:
    resources: ResourceDiff
    findings: FindingDiff
    old_label: str = "old"
    new_label: str = "new"
    #: "kind name" of the resources at either end of a changed relation (the later side's name)
    names: dict[str, str] = field(default_factory=dict)
    #: what each side could not read; a diff against an incomplete audit says so in every format
    old_gaps: list[str] = field(default_factory=list)
    new_gaps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.old_gaps and not self.new_gaps

    def __bool__(self) -> bool:
        return bool(self.resources or self.findings)


def edges(resources: Iterable[Resource]) -> set[Edge]:
    out: set[Edge] = set()
    for res in resources:
        for rel in RELATIONS:
            for target in res.relations.get(rel, ()):
                out.add((res.id, rel, target))
        for grant in res.grants:
            out.add((res.id, f"{GRANTS}:{','.join(sorted(grant.actions))}", grant.target))
    return out


def _fields(res: Resource) -> dict[str, Any]:
    """Comparable attributes (relations are compared as edges, not here)."""
    out = resource_to_dict(res)
    for rel in (*RELATIONS, GRANTS):
        out.pop(rel, None)
    return out


def diff_resources(old: Iterable[Resource], new: Iterable[Resource]) -> ResourceDiff:
    old_by_id = {r.id: r for r in old}
    new_by_id = {r.id: r for r in new}
    out = ResourceDiff()
    out.added = [new_by_id[i] for i in sorted(new_by_id.keys() - old_by_id.keys())]
    out.removed = [old_by_id[i] for i in sorted(old_by_id.keys() - new_by_id.keys())]
    # an edge belongs to its source resource: one that is equal on both sides has the same
    # edges on both sides, which cancel out, so only the others' edges are collected
    unequal = [r.id for r in out.added] + [r.id for r in out.removed]
    # the same object (a later snapshot reuses the earlier one's unchanged Resources), or equal
    # as values (relations too): no field can differ, skip the conversion
    unequal_both = [
        rid
        for rid, res in new_by_id.items()
        if (before := old_by_id.get(rid)) is not None and before is not res and before != res
    ]
    for rid in sorted(unequal_both):
        unequal.append(rid)
        a, b = _fields(old_by_id[rid]), _fields(new_by_id[rid])
        if a != b:
            keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            out.changed.append((old_by_id[rid], new_by_id[rid], keys))
    old_edges = edges(old_by_id[rid] for rid in unequal if rid in old_by_id)
    new_edges = edges(new_by_id[rid] for rid in unequal if rid in new_by_id)
    out.relations_added = sorted(new_edges - old_edges)
    out.relations_removed = sorted(old_edges - new_edges)
    return out


def diff_findings(old: Iterable[Finding], new: Iterable[Finding], *, new_complete: bool = True) -> FindingDiff:
    """Findings matched by fingerprint. When the newer audit is incomplete, a finding it no
    longer reports may rest on what it did not read: it is `unverified`, not resolved."""
    old_by_fp = {f.fingerprint: f for f in old}
    new_by_fp = {f.fingerprint: f for f in new}
    out = FindingDiff()
    for fp, finding in new_by_fp.items():
        before = old_by_fp.get(fp)
        if before is None:
            out.new.append(finding)
        elif before.severity != finding.severity:
            out.severity_changed.append((before, finding))
        else:
            out.unchanged += 1
    gone = [f for fp, f in old_by_fp.items() if fp not in new_by_fp]
    if new_complete:
        out.resolved = gone
    else:
        out.unverified = gone
    key = lambda f: (rank(f.severity), f.check_id, f.resource_id)  # noqa: E731
    out.new.sort(key=key)
    out.resolved.sort(key=key)
    out.unverified.sort(key=key)
    out.severity_changed.sort(key=lambda pair: key(pair[1]))
    return out


def diff(
    old_resources: Iterable[Resource],
    new_resources: Iterable[Resource],
    old_findings: Iterable[Finding],
    new_findings: Iterable[Finding],
    *,
    old_label: str = "old",
    new_label: str = "new",
    old_gaps: Iterable[str] = (),
    new_gaps: Iterable[str] = (),
) -> Diff:
    old_resources, new_resources = list(old_resources), list(new_resources)
    resources = diff_resources(old_resources, new_resources)
    # names are printed for the ends of changed relations only: named for those, the later side's first
    ends = {i for edge in (*resources.relations_added, *resources.relations_removed) for i in (edge[0], edge[2])}
    names = {r.id: f"{r.kind} {r.name}" for r in (*old_resources, *new_resources) if r.id in ends}
    new_gaps = list(new_gaps)
    return Diff(
        resources,
        diff_findings(old_findings, new_findings, new_complete=not new_gaps),
        old_label,
        new_label,
        names,
        list(old_gaps),
        new_gaps,
    )
