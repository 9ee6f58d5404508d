"""Run an audit: merge the sources, build the topology, run the checks, apply the policy
(severity overrides, suppressions) and collect everything a report needs.

Fail closed: an unknown check id (selected, skipped or named by the policy) is a usage error,
a suppression that matches nothing is a warning, and an audit that saw no resource at all is
incomplete, never a pass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from auditor.core.checks import Check, CheckContext, CheckRegistry
from auditor.core.errors import InputError
from auditor.core.findings import Finding
from auditor.core.model import Resource
from auditor.core.policy import Policy
from auditor.core.severity import rank
from auditor.core.source import Plan, Source
from auditor.core.text import suggest
from auditor.core.topology import Topology
from auditor.engine.registry import check_registry

NOTHING_AUDITED = "nothing was audited: the sources hold no resource"


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

    @property
    def empty(self) -> bool:
        return len(self.topology) == 0

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

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


def validate_policy_checks(policy: Policy, registry: CheckRegistry) -> None:
    """Severity overrides and suppressions must name checks that exist."""
    for check_id in policy.severity:
        if check_id not in registry:
            raise InputError(
                f"unknown check id{suggest(check_id, registry.ids())}", file=policy.origin, field=f"severity.{check_id}"
            )
    for i, sup in enumerate(policy.suppressions):
        if sup.check != "*" and sup.check not in registry:
            raise InputError(
                f"unknown check id {sup.check!r}{suggest(sup.check, registry.ids())}",
                file=policy.origin,
                field=f"suppressions[{i}].check",
            )


def select_checks(
    registry: CheckRegistry,
    only: Iterable[str] | None = None,
    skip: Iterable[str] | None = None,
    *,
    needs_plan: bool = False,
) -> list[Check]:
    """The checks a run uses: all (of the right kind), or --check ones, minus --skip-check ones."""
    chosen = [c for c in registry if c.needs_plan == needs_plan]
    only, skip = list(only or []), list(skip or [])
    if only:
        wanted = {c.id for c in registry.resolve(only, "--check")}
        chosen = [c for c in chosen if c.id in wanted]
    if skip:
        unwanted = {c.id for c in registry.resolve(skip, "--skip-check")}
        chosen = [c for c in chosen if c.id not in unwanted]
    return chosen


def run_checks(ctx: CheckContext, checks: Iterable[Check]) -> tuple[list[Finding], list[str]]:
    """Findings of every check (severity overrides applied); a check that crashes becomes a
    gap (fail closed), not a traceback."""
    findings: list[Finding] = []
    gaps: list[str] = []
    for check in checks:
        try:
            produced = list(check.run(ctx))
        except Exception as exc:  # noqa: BLE001 - a broken (plugin) check must not pass silently
            gaps.append(f"check {check.id} failed: {type(exc).__name__}: {exc}")
            continue
        override = ctx.policy.severity.get(check.id)
        if override:
            produced = [dataclasses.replace(f, severity=override) for f in produced]
        findings.extend(produced)
    return findings, gaps


def apply_suppressions(
    findings: list[Finding], policy: Policy, now: datetime
) -> tuple[list[Finding], list[Finding], list[str]]:
    """(active, suppressed, warnings). Expired suppressions stop applying and are reported;
    a suppression that matches nothing is reported too (it may hide a typo)."""
    if not policy.suppressions:
        return list(findings), [], []  # nothing to match: no fingerprint needs working out here
    active: list[Finding] = []
    suppressed: list[Finding] = []
    today = now.date()
    used: set[int] = set()
    for finding in findings:
        fp = finding.fingerprint
        match = None
        for i, sup in enumerate(policy.suppressions):
            if sup.matches(finding.check_id, finding.resource_id, fp):
                used.add(i)
                if sup.expired(today):
                    continue
                match = sup
                break
        if match is not None:
            suppressed.append(dataclasses.replace(finding, suppressed_by=match.describe()))
        else:
            active.append(finding)
    warnings: list[str] = []
    for i, sup in enumerate(policy.suppressions):
        if sup.expired(today):
            state = "its findings are reported again" if i in used else "it matches nothing now"
            warnings.append(f"suppression {sup.check} on {sup.resource} expired on {sup.expires.isoformat()}; {state}")
        elif i not in used:
            warnings.append(
                f"suppression {sup.check} on {sup.resource} matches no finding (check the check id and "
                "resource id, or remove it)"
            )
    return active, suppressed, warnings


def sort_key(f: Finding) -> tuple[int, str, str, str]:
    return (rank(f.severity), f.check_id, f.resource_id, f.evidence_key)


def audit(
    sources: list[Source],
    policy: Policy,
    *,
    now: datetime | None = None,
    only: Iterable[str] | None = None,
    skip: Iterable[str] | None = None,
    plan: Plan | None = None,
    registry: CheckRegistry | None = None,
    topology: Topology | None = None,
    run: Callable[[CheckContext, list[Check]], tuple[list[Finding], list[str]]] = run_checks,
) -> AuditResult:
    """Judge the merged sources. With `plan`, the sources are the *prior* graph and the
    change checks run (what `gate` does) instead of the graph checks. `topology` reuses a graph
    already built from the same sources (and with it the memoised blast analysis). `run` produces
    the checks' findings (`diff` passes one that reuses an earlier audit's, engine/incremental.py)."""
    now = now or datetime.now(UTC)
    registry = registry or check_registry()
    validate_policy_checks(policy, registry)
    topo = topology if topology is not None else Topology(merge_sources(sources))
    checks = select_checks(registry, only, skip, needs_plan=plan is not None)
    ctx = CheckContext(topo, policy, now, plan)
    findings, check_gaps = run(ctx, checks)
    active, suppressed, warnings = apply_suppressions(findings, policy, now)
    active.sort(key=sort_key)
    gaps = [g for s in sources for g in s.gaps] + check_gaps
    for s in sources:
        if not s.complete and not s.gaps:
            gaps.append(f"{s.origin}: source reported incomplete")
    if not topo.nodes and plan is None:
        gaps.append(NOTHING_AUDITED)
    return AuditResult(sources, topo, active, suppressed, warnings, gaps, [c.id for c in checks], now)
