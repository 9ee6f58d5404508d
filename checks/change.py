"""Change checks: judged on a planned change (the prior graph plus the plan), not on one graph."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.core.checks import CheckContext, check
from auditor.core.findings import Finding
from auditor.core.model import DATA_KINDS
from checks._common import make_finding


@check(
    id="destructive-change",
    title="Planned change deletes or replaces a data holder",
    severity="critical",
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
    all_lost = {d for group in lost_by.values() for d in group}
    for node, how in sorted(deleted.items()):
        res = topo.nodes[node]
        # its own data counts even when another delete in the plan (its resource group) is blamed first
        lost = sorted(set(lost_by.get(node, [])) | ({node} & all_lost))
        unmodelled_data = res.kind == "generic" and res.attrs.get("holds_data") is True
        if not (res.kind in DATA_KINDS or res.kind == "backup" or lost or unmodelled_data):
            continue
        verb = "replaces" if how == "replaced" else "deletes"
        if unmodelled_data and not lost:
            message = (
                f"The plan {verb} {res.attrs.get('address') or topo.label(node)} "
                f"({res.attrs.get('tf_type')}): type not modelled, treated as data — what it holds "
                "(keys, secrets, messages) is lost with it unless a copy exists."
            )
            severity, evidence = "high", []
        elif lost:
            names = ", ".join(topo.label(d) for d in lost)
            message = (
                f"The plan {verb} {topo.label(node)}, which destroys the last copy of {names}: "
                "no backup or replica survives the plan."
            )
            severity, evidence = "critical", [an.path_up(d, node) for d in lost]
        else:
            message = (
                f"The plan {verb} {topo.label(node)} (a {res.kind}); copies of its data survive elsewhere, "
                "check they are restorable before applying."
            )
            severity, evidence = "high", []
        yield make_finding(
            an,
            destructive_change.id,
            severity,
            node,
            message,
            destructive_change.remediation,
            evidence=evidence,
            key=how,
            data={"action": how, "address": res.attrs.get("address"), "lost": lost},
        )


@check(
    id="delete-not-judged",
    title="Planned delete of a resource type blastscope does not model",
    severity="low",
    family="change",
    rationale="A delete blastscope cannot judge is not a safe delete: it is listed and counted so that a "
    "reviewer sees what was not looked at; `blastscope gate --strict` fails on it.",
    remediation="Check what the resource holds before applying; if it holds data, tell the blastscope maintainers "
    "its type so it can be modelled.",
    references=("https://developer.hashicorp.com/terraform/internals/json-format",),
    severity_note="low (listed, not failing); `gate --strict` fails on it",
    needs_plan=True,
)
def delete_not_judged(ctx: CheckContext) -> Iterator[Finding]:
    """Deletes and replaces of resources whose type has no mapping and is not known to hold data."""
    if ctx.plan is None:
        return
    topo, an = ctx.topology, ctx.analysis
    for change in ctx.plan.changes:
        if not change.deletes or change.deposed:
            continue
        node = change.node if change.node in topo.nodes else None
        if node is not None:
            res = topo.nodes[node]
            if res.kind != "generic" or res.attrs.get("holds_data") is True:
                continue
            yield make_finding(
                an,
                delete_not_judged.id,
                delete_not_judged.severity,
                node,
                f"The plan {'replaces' if change.how == 'replaced' else 'deletes'} {change.address} ({change.type}), "
                "a type blastscope does not model: not judged.",
                delete_not_judged.remediation,
                key=change.how,
                data={"action": change.how, "address": change.address, "type": change.type},
            )
        elif change.unmodelled:
            yield Finding(
                check_id=delete_not_judged.id,
                severity=delete_not_judged.severity,
                resource_id=f"tf:{change.address}",
                resource_name=change.address,
                message=f"The plan {'replaces' if change.how == 'replaced' else 'deletes'} {change.address} "
                f"({change.type}), which is not in the plan's prior state: not judged.",
                remediation=delete_not_judged.remediation,
                evidence_key=change.how,
                data={"action": change.how, "address": change.address, "type": change.type},
            )
