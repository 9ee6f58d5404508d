"""Change checks: judged on a planned change (the prior graph plus the plan), not on one graph."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.core.checks import CheckContext, check
from auditor.core.findings import Finding
from auditor.core.model import DATA_KINDS
from checks._common import make_finding


@check(
    id="destructive-change", title="Planned change deletes or replaces a data holder", severity="critical",
    family="change",
    rationale="A plan that destroys a volume, database or bucket loses its data unless a copy survives elsewhere; "
    "a replace (delete then create) loses it just the same. This is the hard stop before a destructive operation.",
    remediation="Make sure a restorable copy exists outside what the plan destroys (take and verify a snapshot in "
    "another account first), or change the plan so it updates in place; protect the resource (deletion "
    "protection, lifecycle prevent_destroy).",
    references=("https://developer.hashicorp.com/terraform/internals/json-format",),
    severity_note="critical when the last copy of a dataset goes with the plan (the finding lists what is lost), "
    "high otherwise; reported by `blastscope gate` only",
    needs_plan=True,
)
def destructive_change(ctx: CheckContext) -> Iterator[Finding]:
    """Runs on the *prior* graph: what the plan's deletes take with them, and which datasets
    are left without any copy once every delete in the plan has happened."""
    if ctx.plan is None:
        return
    topo, an = ctx.topology, ctx.analysis
    deleted: dict[str, str] = {}  # node id -> "deleted" | "replaced"
    for change in ctx.plan.changes:
        if change.deletes and change.node is not None and change.node in topo.nodes and not change.deposed:
            deleted[change.node] = change.how
    if not deleted:
        return
    destroyed: dict[str, str] = {}  # everything the plan destroys -> the deleted node that takes it
    for node in sorted(deleted):
        for victim in an.destroyed_by(node):
            destroyed.setdefault(victim, node)
    lost_by: dict[str, list[str]] = {}
    for dataset in an.datasets():
        if all(c in destroyed for c in an.copies(dataset)):
            lost_by.setdefault(destroyed[dataset], []).append(dataset)
    for node, how in sorted(deleted.items()):
        res = topo.nodes[node]
        lost = sorted(lost_by.get(node, []))
        if not (res.kind in DATA_KINDS or res.kind == "backup" or lost):
            continue
        verb = "replaces" if how == "replaced" else "deletes"
        if lost:
            names = ", ".join(topo.label(d) for d in lost)
            message = (f"The plan {verb} {topo.label(node)}, which destroys the last copy of {names}: "
                       "no backup or replica survives the plan.")
            severity, evidence = "critical", [an.path_up(d, node) for d in lost]
        else:
            message = (f"The plan {verb} {topo.label(node)} (a {res.kind}); copies of its data survive elsewhere, "
                       "check they are restorable before applying.")
            severity, evidence = "high", []
        yield make_finding(
            an, destructive_change.id, severity, node, message, destructive_change.remediation,
            evidence=evidence, key=how, data={"action": how, "address": res.attrs.get("address"), "lost": lost},
        )
