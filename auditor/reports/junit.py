"""JUnit XML (`--format junit`) for CI systems that show test reports (GitLab, Jenkins, Azure).

One test suite per check family, one test case per check; a check with findings at or above
`--fail-on` is a failing case listing them (with evidence), findings below it are reported in
the case's system-out so nothing is hidden. An incomplete audit adds an errored case naming
the gaps. From `gate`, only findings the change introduces fail.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor.core.findings import Finding
from auditor.engine.audit import AuditResult
from auditor.engine.registry import check_registry
from auditor.reports.context import ReportContext


def _describe(f: Finding, result: AuditResult) -> str:
    lines = [f"[{f.severity}] {f.resource_name} ({f.resource_id}): {f.message}"]
    lines += [f"    evidence: {p.text(result.label)}" for p in f.evidence]
    return "\n".join(lines)


def render(ctx: ReportContext) -> str:
    result, gate, fail_on = ctx.result, ctx.gate, ctx.verdict.fail_on
    judged = ctx.judged
    by_check: dict[str, list[Finding]] = {}
    for f in judged:
        by_check.setdefault(f.check_id, []).append(f)
    ran = set(result.checks_run) | ({"destructive-change", "delete-not-judged"} if gate is not None else set())
    root = ET.Element("testsuites", name="blastscope")
    total_tests = total_failures = total_errors = 0
    families: dict[str, list] = {}
    for check in check_registry():
        if check.id in ran:
            families.setdefault(check.family, []).append(check)
    for family, checks in families.items():
        suite = ET.SubElement(root, "testsuite", name=f"blastscope.{family}")
        failures = 0
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=f"blastscope.{family}", name=check.id)
            found = by_check.get(check.id, [])
            failing = [f for f in found if ctx.fails(f)]
            if failing:
                failures += 1
                node = ET.SubElement(
                    case,
                    "failure",
                    type=failing[0].severity,
                    message=f"{len(failing)} finding(s) at or above {fail_on}: {check.title}",
                )
                node.text = "\n\n".join(_describe(f, result) for f in failing)
            below = [f for f in found if not ctx.fails(f)]
            if below:
                ET.SubElement(case, "system-out").text = "\n\n".join(_describe(f, result) for f in below)
        suite.set("tests", str(len(checks)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_tests += len(checks)
        total_failures += failures
    if not ctx.complete and not ctx.verdict.allow_partial:
        suite = ET.SubElement(root, "testsuite", name="blastscope.completeness", tests="1", failures="0", errors="1")
        case = ET.SubElement(suite, "testcase", classname="blastscope.completeness", name="audit-complete")
        ET.SubElement(case, "error", type="incomplete", message="the audit could not read everything").text = "\n".join(
            ctx.gaps
        )
        total_tests += 1
        total_errors += 1
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(total_errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
