"""The CI gate on infrastructure changes (`blastscope gate PLAN.json`).

Audits the world before and after a planned change and judges the change only: a finding
fails the gate when the change introduces it (its fingerprint is not in the prior audit nor
in the baseline). Deletes are judged by the `destructive-change` check on the prior graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from auditor.core.errors import InputError
from auditor.core.findings import Finding
from auditor.core.policy import Policy
from auditor.core.severity import rank
from auditor.core.source import Source
from auditor.core.verdict import Verdict, judge
from auditor.engine.audit import NOTHING_AUDITED, AuditResult, audit

#: the check that lists deletes of resource types no mapping models
UNJUDGED_DELETE = "delete-not-judged"


@dataclass
class GateResult:
    prior: AuditResult
    planned: AuditResult
    new: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    destructive: list[Finding] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.gaps

    def introduced(self) -> list[Finding]:
        """What the change brings: destructive changes first, then new findings, worst first."""
        return sorted(self.destructive + self.new, key=lambda f: (rank(f.severity), f.check_id, f.resource_id))

    @property
    def unjudged_deletes(self) -> list[Finding]:
        """Deletes of resource types blastscope does not model (listed; `--strict` fails them)."""
        return [f for f in self.destructive if f.check_id == UNJUDGED_DELETE]

    def strict(self) -> None:
        """`gate --strict`: a delete that was not judged fails like a high finding."""
        self.destructive = [
            replace(f, severity="high") if f.check_id == UNJUDGED_DELETE else f for f in self.destructive
        ]

    def verdict(self, fail_on: str, baseline: set[str] | None = None, allow_partial: bool = False) -> Verdict:
        return judge(
            self.introduced(), fail_on=fail_on, baseline=baseline, complete=self.complete, allow_partial=allow_partial
        )


def gate(
    source: Source,
    policy: Policy,
    *,
    now: datetime | None = None,
    skip: list[str] | None = None,
    only: list[str] | None = None,
) -> GateResult:
    if source.plan is None:
        raise InputError(
            "not a plan: `gate` needs `terraform show -json PLANFILE` output (a state has no change to judge)",
            file=source.origin,
        )
    prior_source = Source(f"{source.origin} (prior state)", source.provider, source.plan.prior, meta=dict(source.meta))
    prior = audit([prior_source], policy, now=now, only=only, skip=skip)
    planned = audit([source], policy, now=now, only=only, skip=skip)
    planned.previous = prior.topology  # deleted resources are named from the prior graph
    # the change checks judge the prior graph: the same topology and blast analysis, built once
    changes = audit([prior_source], policy, now=now, plan=source.plan, skip=skip, topology=prior.topology)
    before = {f.fingerprint for f in prior.findings}
    after = {f.fingerprint for f in planned.findings}
    new = [f for f in planned.findings if f.fingerprint not in before]
    # a finding on a resource the plan removes is gone with it, not fixed
    fixed = [f for f in prior.findings if f.fingerprint not in after and f.resource_id in planned.topology.nodes]
    gaps = [g for g in prior.gaps + planned.gaps + changes.gaps if g != NOTHING_AUDITED]
    gaps = list(dict.fromkeys(gaps))
    if not prior.topology.nodes and not planned.topology.nodes and not source.plan.changes:
        gaps.append("nothing was judged: the plan holds no resource and no change")
    return GateResult(prior, planned, new, fixed, changes.findings, gaps)
