"""SARIF 2.1.0 (`--format sarif`) for code-scanning UIs (GitHub, GitLab, Azure DevOps).

One rule per check (help text = rationale + remediation, level and `security-severity` from
its default severity), one result per finding with the file and line of the resource (the
plan's `"address"` or the inventory's `id:`), the resource address as logical location, the
evidence paths as related locations' text, and the fingerprint as a partial fingerprint so
code scanning tracks a finding across runs. From `gate`, `baselineState` says whether the
change introduced a finding (`new`), kept it (`unchanged`) or fixed it (`absent`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.core.findings import Finding
from auditor.engine.audit import AuditResult
from auditor.engine.registry import check_registry
from auditor.reports.context import ReportContext
from auditor.reports.json_text import dumps_indented
from auditor.reports.locate import line_of

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
#: GitHub code scanning reads `security-severity` (0–10) to bucket results
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def _rules() -> list[dict[str, Any]]:
    rules = []
    for check in check_registry():
        rules.append(
            {
                "id": check.id,
                "name": "".join(part.capitalize() for part in check.id.split("-")),
                "shortDescription": {"text": check.title},
                "fullDescription": {"text": check.rationale},
                "help": {
                    "text": f"{check.rationale}\n\nFix: {check.remediation}",
                    "markdown": f"{check.rationale}\n\n**Fix:** {check.remediation}"
                    + (f"\n\nSeverity: {check.severity_note}" if check.severity_note else ""),
                },
                "defaultConfiguration": {"level": LEVEL[check.severity]},
                "properties": {
                    "tags": ["security", "blast-radius", check.family],
                    "security-severity": SECURITY_SEVERITY[check.severity],
                    "problem.severity": "error" if check.severity in ("critical", "high") else "warning",
                },
                **(
                    {"helpUri": next((r for r in check.references if r.startswith("http")), None)}
                    if any(r.startswith("http") for r in check.references)
                    else {}
                ),
            }
        )
    return rules


def _origins(result: AuditResult) -> dict[str, str]:
    out: dict[str, str] = {}
    for source in result.sources:
        for res in source.resources:
            out.setdefault(res.id, source.origin)
    return out


def _uri(origin: str) -> str:
    path = Path(origin)
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix() if path.exists() else origin
    except ValueError:
        return path.as_posix()


class _Files:
    """uri and readability of each origin, asked once per file rather than once per finding."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, bool]] = {}

    def __call__(self, origin: str) -> tuple[str, bool]:
        known = self._seen.get(origin)
        if known is None:
            known = self._seen[origin] = (_uri(origin), bool(origin) and Path(origin).is_file())
        return known


def _result(
    f: Finding, result: AuditResult, origins: dict[str, str], state: str | None, files: _Files | None = None
) -> dict[str, Any]:
    node = result.node(f.resource_id)
    address = node.attrs.get("address") if node is not None else None
    origin = origins.get(f.resource_id) or (result.sources[0].origin if result.sources else "")
    if origin.endswith(" (prior state)"):
        origin = origin.removesuffix(" (prior state)")
    uri, readable = (files or _Files())(origin)
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    line = line_of(origin, f.resource_id, address) if readable else None
    if line:
        physical["region"] = {"startLine": line}
    check = check_registry().get(f.check_id)
    evidence = [p.text(result.label) for p in f.evidence]
    out: dict[str, Any] = {
        "ruleId": f.check_id,
        "level": LEVEL[f.severity],
        "message": {"text": f.message + ("".join(f"\nEvidence: {text}" for text in evidence[:3]))},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {"fullyQualifiedName": address or f.resource_id, "name": f.resource_name, "kind": "resource"}
                ],
            }
        ],
        "partialFingerprints": {"blastscope/v1": f.fingerprint},
        "properties": {
            "severity": f.severity,
            "security-severity": SECURITY_SEVERITY[f.severity],
            "resource_id": f.resource_id,
            "environments": f.environments,
            "evidence": evidence,
        },
    }
    if check is not None and check.severity != f.severity:
        out["properties"]["default_severity"] = check.severity
    if state:
        out["baselineState"] = state
    return out


def render(ctx: ReportContext) -> str:
    result, gate = ctx.result, ctx.gate
    origins = _origins(result)
    files = _Files()
    if gate is None:
        results = [_result(f, result, origins, None, files) for f in result.findings]
    else:
        introduced = {f.fingerprint for f in gate.introduced()}
        results = [_result(f, result, origins, "new", files) for f in gate.introduced()]
        results += [
            _result(f, result, origins, "unchanged", files) for f in result.findings if f.fingerprint not in introduced
        ]
        prior_origins = _origins(gate.prior)
        results += [_result(f, gate.prior, prior_origins, "absent", files) for f in gate.fixed]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "blastscope",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/blastscope/blastscope",
                "rules": _rules(),
            }
        },
        "results": results,
        "invocations": [
            {
                "executionSuccessful": ctx.complete,
                "toolExecutionNotifications": [{"level": "error", "message": {"text": g}} for g in ctx.gaps],
            }
        ],
        "properties": {
            "complete": ctx.complete,
            "verdict": ctx.verdict.status,
            "failOn": ctx.verdict.fail_on,
            "failing": len(ctx.verdict.failing),
            "exitCode": ctx.verdict.exit_code,
        },
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return dumps_indented(document) + "\n"
