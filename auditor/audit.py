"""Run the checks over one or more sources: merge, build the topology, apply the policy
(severity overrides, suppressions) and collect everything a report needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from auditor.errors import InputError
from auditor.findings import Finding
from auditor.graph import Topology
from auditor.model import Resource
from auditor.policy import Policy, utcnow
from auditor.severity import at_least, rank
from auditor.source import Source
from checks import Check, all_checks, get_check


@dataclass
class AuditResult:
    sources: list[Source]
    topology: Topology
    findings: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)
    now: datetime | None = None
    #: where to find nodes this graph lacks — a gate's prior graph, for resources the plan deletes
    previous: Topology | None = None

    @property
    def complete(self) -> bool:
        return not self.gaps

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    def failing(self, threshold: str) -> list[Finding]:
        return [f for f in self.findings if at_least(f.severity, threshold)]

    def label(self, node_id: str) -> str:
        if self.previous is not None and node_id not in self.topology.nodes:
            return self.previous.label(node_id)
        return self.topology.label(node_id)

    def node(self, node_id: str) -> Resource | None:
        found = self.topology.nodes.get(node_id)
        if found is None and self.previous is not None:
            found = self.previous.nodes.get(node_id)
        return found


def merge_sources(sources: list[Source]) -> list[Resource]:
    """All resources of all sources; the same id from two sources is an input error."""
    if len(sources) == 1:
        return sources[0].resources
    seen: dict[str, str] = {}
    merged: list[Resource] = []
    for source in sources:
        for res in source.resources:
            if res.id in seen:
                raise InputError(f"id also defined in {seen[res.id]}", file=source.origin, resource=res.id, field="id")
            seen[res.id] = source.origin
            merged.append(res)
    return merged


def combine_sources(sources: list[Source]) -> Source:
    """One Source standing for several (for snapshots and history): resources merged (duplicate
    ids are an input error), completeness and gaps of every part kept."""
    if len(sources) == 1:
        return sources[0]
    return Source(
        origin="+".join(s.origin for s in sources),
        provider="+".join(sorted({s.provider for s in sources})),
        resources=merge_sources(sources),
        complete=all(s.complete for s in sources),
        gaps=[g for s in sources for g in s.gaps],
        meta={"sources": {s.origin: s.meta for s in sources}},
    )


def validate_policy_checks(policy: Policy) -> None:
    """Severity overrides and suppressions must name checks that exist."""
    for check_id in policy.severity:
        if get_check(check_id) is None:
            raise InputError("unknown check id", file=policy.origin, field=f"severity.{check_id}")
    for i, sup in enumerate(policy.suppressions):
        if sup.check != "*" and get_check(sup.check) is None:
            raise InputError(f"unknown check id {sup.check!r}", file=policy.origin, field=f"suppressions[{i}].check")


def run_checks(topo: Topology, policy: Policy, checks: Iterable[Check]) -> tuple[list[Finding], list[str]]:
    """Findings of every check; a check that crashes becomes a gap (fail closed), not a traceback."""
    findings: list[Finding] = []
    gaps: list[str] = []
    for check in checks:
        try:
            produced = list(check.run(topo, policy))
        except Exception as exc:  # noqa: BLE001 - a broken (plugin) check must not pass silently
            gaps.append(f"check {check.id} failed: {type(exc).__name__}: {exc}")
            continue
        override = policy.severity.get(check.id)
        for finding in produced:
            if override:
                finding.severity = override
            findings.append(finding)
    return findings, gaps


def apply_suppressions(findings: list[Finding], policy: Policy, now: datetime) -> tuple[list[Finding], list[Finding], list[str]]:
    """(active, suppressed, warnings). Expired suppressions stop applying and are reported."""
    active: list[Finding] = []
    suppressed: list[Finding] = []
    warnings: list[str] = []
    today = now.date()
    expired_used: set[int] = set()
    for finding in findings:
        fp = finding.fingerprint
        match = None
        for i, sup in enumerate(policy.suppressions):
            if sup.matches(finding.check_id, finding.resource_id, fp):
                if sup.expired(today):
                    expired_used.add(i)
                    continue
                match = sup
                break
        if match is not None:
            finding.suppressed_by = match.describe()
            suppressed.append(finding)
        else:
            active.append(finding)
    for i, sup in enumerate(policy.suppressions):
        if sup.expired(today):
            state = "its findings are reported again" if i in expired_used else "it matches nothing now"
            warnings.append(f"suppression {sup.check} on {sup.resource} expired on {sup.expires.isoformat()}; {state}")
    return active, suppressed, warnings


def sort_key(f: Finding) -> tuple:
    return (rank(f.severity), f.check_id, f.resource_id, f.evidence_key)


def audit(
    sources: list[Source],
    policy: Policy,
    *,
    now: datetime | None = None,
    only: Iterable[str] | None = None,
) -> AuditResult:
    now = now or utcnow()
    policy.now = now  # checks read "today" from the policy
    validate_policy_checks(policy)
    topo = Topology(merge_sources(sources))
    checks = [c for c in all_checks() if not c.needs_plan]
    if only:
        wanted = set(only)
        checks = [c for c in checks if c.id in wanted]
    findings, check_gaps = run_checks(topo, policy, checks)
    active, suppressed, warnings = apply_suppressions(findings, policy, now)
    active.sort(key=sort_key)
    gaps = [g for s in sources for g in s.gaps] + check_gaps
    for s in sources:
        if not s.complete and not s.gaps:
            gaps.append(f"{s.origin}: source reported incomplete")
    return AuditResult(sources, topo, active, suppressed, warnings, gaps, [c.id for c in checks], now)
