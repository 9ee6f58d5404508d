"""Rendering a Diff (auditor/diff.py) as text, JSON (`blastscope-diff` v1) or Markdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.core.model import Resource
from auditor.reports.json_text import dumps_indented
from auditor.uses.diff import Diff, Edge
from auditor.uses.history import finding_summary

DIFF_FORMATS = ("text", "json", "markdown")
SCHEMA_NAME = "blastscope-diff"
SCHEMA_VERSION = 1
#: rows per section in text and Markdown; JSON always lists everything
LIMIT = 50


def _edge_text(edge: Edge, names: dict[str, str]) -> str:
    src, rel, dst = edge
    return f"{names.get(src, src)} —{rel.replace(':', ' ')}→ {names.get(dst, dst)}"


def _resource_json(r: Resource) -> dict[str, Any]:
    return {"id": r.id, "kind": r.kind, "name": r.name}


def diff_document(diff: Diff) -> dict[str, Any]:
    rd, fd = diff.resources, diff.findings
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "old": diff.old_label,
        "new": diff.new_label,
        "complete": diff.complete,
        "gaps": {"old": diff.old_gaps, "new": diff.new_gaps},
        "summary": {
            "resources_added": len(rd.added),
            "resources_removed": len(rd.removed),
            "resources_changed": len(rd.changed),
            "relations_added": len(rd.relations_added),
            "relations_removed": len(rd.relations_removed),
            "findings_new": len(fd.new),
            "findings_resolved": len(fd.resolved),
            "findings_unverified": len(fd.unverified),
            "findings_severity_changed": len(fd.severity_changed),
            "findings_unchanged": fd.unchanged,
        },
        "resources": {
            "added": [_resource_json(r) for r in rd.added],
            "removed": [_resource_json(r) for r in rd.removed],
            "changed": [{**_resource_json(new), "fields": fields} for _old, new, fields in rd.changed],
        },
        "relations": {
            "added": [{"source": s, "rel": r, "target": t} for s, r, t in rd.relations_added],
            "removed": [{"source": s, "rel": r, "target": t} for s, r, t in rd.relations_removed],
        },
        "findings": {
            "new": [finding_summary(f) for f in fd.new],
            "resolved": [finding_summary(f) for f in fd.resolved],
            "unverified": [finding_summary(f) for f in fd.unverified],
            "severity_changed": [
                {**finding_summary(new), "old_severity": old.severity} for old, new in fd.severity_changed
            ],
        },
    }


def summary_line(diff: Diff) -> str:
    rd, fd = diff.resources, diff.findings
    unverified = f", {len(fd.unverified)} not re-checked" if fd.unverified else ""
    incomplete = (
        ""
        if diff.complete
        else " · INCOMPLETE: "
        + (
            f"{diff.new_label} could not read everything"
            if diff.new_gaps
            else f"{diff.old_label} could not read everything"
        )
    )
    return (
        f"findings: {len(fd.new)} new, {len(fd.resolved)} resolved{unverified}, {len(fd.severity_changed)} changed "
        "severity · "
        f"resources: +{len(rd.added)} −{len(rd.removed)} ~{len(rd.changed)} · "
        f"relations: +{len(rd.relations_added)} −{len(rd.relations_removed)}{incomplete}"
    )


def _section(lines: list[str], title: str, items: list[Any], fmt: Callable[[Any], str], bullet: str) -> None:
    if not items:
        return
    lines.append(f"{title} ({len(items)})")
    for item in items[:LIMIT]:
        lines.append(f"{bullet}{fmt(item)}")
    if len(items) > LIMIT:
        lines.append(f"{bullet}… {len(items) - LIMIT} more (use --format json for all)")


def render_text(diff: Diff) -> str:
    names = diff.names
    rd, fd = diff.resources, diff.findings
    lines = [f"blastscope diff {diff.old_label} → {diff.new_label}", ""]
    if not diff:
        lines.append("no changes")
    sev = lambda f: f"{f.severity.upper():8} {f.check_id}  {f.resource_name} [{f.resource_id}]: {f.message}"  # noqa: E731
    _section(lines, "NEW findings", fd.new, sev, "  + ")
    _section(lines, "RESOLVED findings", fd.resolved, sev, "  - ")
    _section(lines, "NOT RE-CHECKED (the newer audit is incomplete)", fd.unverified, sev, "  ? ")
    for side, gaps in ((diff.old_label, diff.old_gaps), (diff.new_label, diff.new_gaps)):
        for gap in gaps[:LIMIT]:
            lines.append(f"  incomplete ({side}): {gap}")
    _section(
        lines,
        "CHANGED severity",
        fd.severity_changed,
        lambda p: f"{p[0].severity} → {p[1].severity}  {p[1].check_id}  {p[1].resource_name} [{p[1].resource_id}]",
        "  ~ ",
    )
    _section(lines, "Resources added", rd.added, lambda r: f"{r.kind} {r.name} [{r.id}]", "  + ")
    _section(lines, "Resources removed", rd.removed, lambda r: f"{r.kind} {r.name} [{r.id}]", "  - ")
    _section(
        lines,
        "Resources changed",
        rd.changed,
        lambda c: f"{c[1].kind} {c[1].name} [{c[1].id}]: {', '.join(c[2])}",
        "  ~ ",
    )
    _section(lines, "Relations added", rd.relations_added, lambda e: _edge_text(e, names), "  + ")
    _section(lines, "Relations removed", rd.relations_removed, lambda e: _edge_text(e, names), "  - ")
    lines += ["", summary_line(diff)]
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(diff: Diff) -> str:
    names = diff.names
    rd, fd = diff.resources, diff.findings
    out = [f"### blastscope: changes from `{diff.old_label}` to `{diff.new_label}`", "", summary_line(diff), ""]
    if not diff.complete:
        gaps = [f"{diff.old_label}: {g}" for g in diff.old_gaps] + [f"{diff.new_label}: {g}" for g in diff.new_gaps]
        out += ["> ⚠️ **Incomplete audit** — findings it did not re-check are not called resolved:", ""]
        out += [f"> - {_md_cell(g)}" for g in gaps[:20]] + [""]
    rows = [("🆕 new", f) for f in fd.new] + [("✅ resolved", f) for f in fd.resolved]
    rows += [("❔ not re-checked", f) for f in fd.unverified]
    rows += [(f"↕ {old.severity} → {new.severity}", new) for old, new in fd.severity_changed]
    if rows:
        out += ["| change | severity | check | resource | message |", "|---|---|---|---|---|"]
        for change, f in rows[:LIMIT]:
            out.append(
                f"| {change} | {f.severity} | `{f.check_id}` | {_md_cell(f.resource_name)} | {_md_cell(f.message)} |"
            )
        if len(rows) > LIMIT:
            out.append(f"\n… {len(rows) - LIMIT} more findings (see the JSON diff)")
        out.append("")
    changes = [f"+ {r.kind} {r.name}" for r in rd.added] + [f"- {r.kind} {r.name}" for r in rd.removed]
    changes += [f"~ {c[1].kind} {c[1].name}: {', '.join(c[2])}" for c in rd.changed]
    changes += [f"+ {_edge_text(e, names)}" for e in rd.relations_added]
    changes += [f"- {_edge_text(e, names)}" for e in rd.relations_removed]
    if changes:
        out += ["<details><summary>Topology changes</summary>", "", "```diff"]
        out += changes[: LIMIT * 2]
        out += ["```", "", "</details>", ""]
    return "\n".join(out)


def render_diff(diff: Diff, fmt: str) -> str:
    if fmt == "json":
        return dumps_indented(diff_document(diff)) + "\n"
    if fmt == "markdown":
        return render_markdown(diff)
    return render_text(diff)
