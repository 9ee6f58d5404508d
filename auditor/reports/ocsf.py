"""OCSF (`--format ocsf`): one Detection Finding (class 2004) per finding, as a JSON array.

OCSF is what SIEMs, security lakes and DefectDojo ingest (Prowler emits it too). The mapping:
severity → `severity_id`; the check → `finding_info.analytic` (a rule) and `finding_info.types`
(its family); the fingerprint → `finding_info.uid` (stable across runs, so a consumer updates
rather than duplicates); the resource → `resources[0]` with its environments and tiers as
labels; each evidence path → one `evidences[]` entry naming every resource on it; the fix →
`remediation`. Whether a finding fails the run comes from the one verdict: failing findings are
alerts (`is_alert`), baselined ones `Suppressed`, and a gate's fixed findings are `Close`d.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auditor import __version__
from auditor.core.findings import Finding
from auditor.engine.audit import AuditResult
from auditor.engine.registry import check_registry
from auditor.reports.context import ReportContext
from auditor.reports.json_text import dumps_indented

#: the OCSF release the output follows (and is validated against in tests)
OCSF_VERSION = "1.7.0"
CLASS_UID, CATEGORY_UID = 2004, 2
SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
SEVERITY_CAPTION = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
ACTIVITY = {1: "Create", 3: "Close"}
STATUS = {1: "New", 3: "Suppressed", 4: "Resolved"}


def _millis(when: datetime | None) -> int:
    when = when or datetime.now(UTC)
    return int(when.timestamp() * 1000)


class _Resources(dict[str, dict[str, Any]]):
    """Each resource's OCSF object, built once per report: paths name the same few resources
    over and over (the same object may appear many times in the output)."""

    def __init__(self, result: AuditResult) -> None:
        super().__init__()
        self.result = result

    def __missing__(self, node_id: str) -> dict[str, Any]:
        res = self.result.node(node_id)
        if res is None:
            out: dict[str, Any] = {"uid": node_id, "name": node_id}
        else:
            out = {"uid": res.id, "name": res.name, "type": res.kind}
            if res.provider:
                out["labels"] = [f"provider:{res.provider}"]
        self[node_id] = out
        return out


def _detection(f: Finding, ctx: ReportContext, resources: _Resources, time: int, closed: bool) -> dict[str, Any]:
    check = check_registry().get(f.check_id)
    severity_id = SEVERITY_ID[f.severity]
    activity_id = 3 if closed else 1
    status_id = 4 if closed else (3 if ctx.baselined(f) else 1)
    resource = dict(resources[f.resource_id])
    labels = [f"environment:{e}" for e in f.environments] + [f"tier:{t}" for t in f.tiers]
    if labels:
        resource["labels"] = [*resource.get("labels", []), *labels]
    label = resources.result.label
    if resources.result.previous is None:
        label = resources.result.topology.label  # the same answer without a look into a prior graph
    evidences = []
    for path in f.evidence:
        data = path.to_json(label)
        evidences.append({"name": data["text"], "resources": [resources[n] for n in path.nodes], "data": data})
    info: dict[str, Any] = {
        "uid": f.fingerprint,
        "title": check.title if check else f.check_id,
        "desc": f.message,
        "types": [check.family] if check else [],
        "analytic": {"uid": f.check_id, "name": f.check_id, "type_id": 1, "type": "Rule"},
        "created_time": time,
    }
    remediation: dict[str, Any] = {"desc": f.remediation or (check.remediation if check else "")}
    if check is not None and check.references:
        remediation["references"] = list(check.references)
    out: dict[str, Any] = {
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": activity_id,
        "activity_name": ACTIVITY[activity_id],
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"Detection Finding: {ACTIVITY[activity_id]}",
        "severity_id": severity_id,
        "severity": SEVERITY_CAPTION[severity_id],
        "status_id": status_id,
        "status": STATUS[status_id],
        "is_alert": (not closed) and ctx.fails(f),
        "time": time,
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            "log_name": "blastscope",
            "product": {"name": "blastscope", "vendor_name": "blastscope", "version": __version__},
        },
        "finding_info": info,
        "resources": [resource],
        "remediation": remediation,
        "unmapped": {
            "environments": f.environments,
            "tiers": f.tiers,
            "verdict": ctx.verdict.status,
            "fail_on": ctx.verdict.fail_on,
            **({"data": f.data} if f.data else {}),
        },
    }
    if evidences:
        out["evidences"] = evidences
    return out


def render(ctx: ReportContext) -> str:
    result, gate = ctx.result, ctx.gate
    time = _millis(result.now)
    resources = _Resources(result)
    if gate is None:
        findings = [_detection(f, ctx, resources, time, closed=False) for f in result.findings]
    else:  # what the change introduces (judged), what it keeps, and what it fixes (closed)
        introduced = gate.introduced()
        seen = {f.fingerprint for f in introduced}
        kept = [f for f in result.findings if f.fingerprint not in seen]
        findings = [_detection(f, ctx, resources, time, closed=False) for f in (*introduced, *kept)]
        prior = _Resources(gate.prior)
        findings += [_detection(f, ctx, prior, time, closed=True) for f in gate.fixed]
    return dumps_indented(findings) + "\n"
