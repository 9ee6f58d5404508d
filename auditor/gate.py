"""The CI gate on infrastructure changes (`blastscope gate PLAN.json`).

Audits the world before and after a planned change and judges the change only: a finding
fails the gate when the change introduces it (its fingerprint is not in the prior audit nor
in the baseline). Every planned delete or replace of a data holder is a `destructive-change`
finding — critical when, after every delete in the plan, some dataset has no copy left
(the hard stop the incident lacked), high otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.audit import AuditResult, audit
from auditor.blast import BlastAnalysis, analysis
from auditor.errors import InputError
from auditor.findings import Finding
from auditor.model import DATA_KINDS
from auditor.policy import Policy
from auditor.severity import at_least, rank
from auditor.source import Source
from checks.change import DESTRUCTIVE

@dataclass
class GateResult:
    prior: AuditResult
    planned: AuditResult
    new: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    destructive: list[Finding] = field(default_factory=list)
    baselined: int = 0

    @property
    def complete(self) -> bool:
        return self.prior.complete and self.planned.complete

    def introduced(self) -> list[Finding]:
        """What the change brings: destructive changes first, then new findings, worst first."""
        return sorted(self.destructive + self.new, key=lambda f: (rank(f.severity), f.check_id, f.resource_id))

    def failing(self, fail_on: str) -> list[Finding]:
        return [f for f in self.introduced() if at_least(f.severity, fail_on)]


def destructive_changes(source: Source, prior: AuditResult, policy: Policy) -> list[Finding]:
    plan = source.plan
    an: BlastAnalysis = analysis(prior.topology, policy)
    deleted: dict[str, str] = {}  # node id -> change description
    for change in plan.changes:
        node = plan.node_of.get(change.address)
        if change.deletes and node is not None:
            deleted[node] = "replaced" if "create" in change.actions else "deleted"
    if not deleted:
        return []
    destroyed: dict[str, str] = {}  # everything the plan destroys -> the deleted node that takes it
    for node in deleted:
        for victim in an.destroyed_by(node):
            destroyed.setdefault(victim, node)
    lost_by: dict[str, list[str]] = {}
    for dataset in an.datasets():
        copies = an.copies(dataset)
        if all(c in destroyed for c in copies):
            lost_by.setdefault(destroyed[dataset], []).append(dataset)
    findings = []
    label = prior.topology.label
    for node, how in sorted(deleted.items()):
        res = prior.topology.nodes[node]
        lost = sorted(lost_by.get(node, []))
        takes_data = res.kind in DATA_KINDS or res.kind == "backup" or lost
        if not takes_data:
            continue
        if lost:
            names = ", ".join(label(d) for d in lost)
            message = (f"The plan {'replaces' if how == 'replaced' else 'deletes'} {label(node)}, which destroys the last copy of "
                       f"{names}: no backup or replica survives the plan.")
            severity = "critical"
            evidence = [an.path_up(d, node) for d in lost[:6]]
        else:
            message = (f"The plan {'replaces' if how == 'replaced' else 'deletes'} {label(node)} (a {res.kind}); "
                       "copies of its data survive elsewhere, check they are restorable before applying.")
            severity = "high"
            evidence = []
        findings.append(Finding(
            check_id=DESTRUCTIVE.id, severity=severity, resource_id=node, resource_name=res.name, message=message,
            evidence=evidence, remediation=DESTRUCTIVE.remediation, evidence_key=how,
            data={"action": how, "address": res.attrs.get("address"), "lost": lost},
        ))
    return findings


def gate(source: Source, policy: Policy, *, now=None, baseline: set[str] | None = None) -> GateResult:
    if source.plan is None:
        raise InputError("not a plan: `gate` needs `terraform show -json PLANFILE` output (a state has no change to judge)",
                         file=source.origin)
    prior_source = Source(f"{source.origin} (prior state)", source.provider, source.plan.prior, meta=dict(source.meta))
    prior = audit([prior_source], policy, now=now)
    planned = audit([source], policy, now=now)
    planned.previous = prior.topology  # deleted resources are named from the prior graph
    before = {f.fingerprint for f in prior.findings}
    after = {f.fingerprint for f in planned.findings}
    accepted = baseline or set()
    new = [f for f in planned.findings if f.fingerprint not in before and f.fingerprint not in accepted]
    baselined = sum(1 for f in planned.findings if f.fingerprint not in before and f.fingerprint in accepted)
    # a finding on a resource the plan removes is gone with it, not fixed
    fixed = [f for f in prior.findings if f.fingerprint not in after and f.resource_id in planned.topology.nodes]
    destructive = [f for f in destructive_changes(source, prior, policy) if f.fingerprint not in accepted]
    return GateResult(prior, planned, new, fixed, destructive, baselined)
