"""Data protection checks: is there a copy, does it survive, is it fresh and kept long enough."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from auditor.core.checks import CheckContext, check
from auditor.core.findings import Finding
from auditor.core.model import DATA_KINDS
from auditor.core.policy import format_duration
from auditor.core.topology import Topology
from checks._common import make_finding

LOSS_SEVERITY = {"holder": "critical", "scope": "high", "account": "medium"}


@check(
    id="backup-missing",
    title="Production data without any backup",
    severity="high",
    family="data-protection",
    rationale="A production dataset with no backup and no replica has no way back from deletion, corruption or "
    "ransomware.",
    remediation="Enable scheduled backups (or a replica) for this dataset and store them outside what can delete the "
    "dataset.",
    references=("https://docs.railway.com/volumes/backups",),
    local=True,
)
def backup_missing(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    for dataset in an.production_datasets():
        if len(an.copies(dataset)) != 1:
            continue
        where = an.unread(dataset, "backups")
        if where is not None:
            yield make_finding(
                an,
                backup_missing.id,
                backup_missing.severity,
                dataset,
                f"Unknown: the backups of {topo.label(where)} were not read, so whether {topo.label(dataset)} "
                "(production data) has a backup is unknown; none was seen.",
                backup_missing.remediation,
                key="unknown",
                data={"unknown": True, "unread": where},
            )
        else:
            yield make_finding(
                an,
                backup_missing.id,
                backup_missing.severity,
                dataset,
                f"{topo.label(dataset)} is production data with no backup and no replica: any loss is permanent.",
                backup_missing.remediation,
            )


@check(
    id="backup-colocated",
    title="Every copy destroyable by one delete",
    severity="critical",
    family="data-protection",
    rationale="Backups that live on the same volume, in the same project or in the same account as the data are "
    "deleted "
    "with it: one API call loses the data and every backup (the incident this tool exists for).",
    remediation="Keep at least one copy outside the dataset's blast radius: another volume and project, ideally "
    "another "
    "account or provider (export dumps to a separate bucket with its own credentials).",
    references=("https://docs.railway.com/volumes/backups",),
    severity_note="critical when one volume/database/data holder holds every copy, high when only an environment or "
    "project does, medium when only the account does",
    local=True,
)
def backup_colocated(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    for dataset in an.production_datasets():
        loss = an.single_action_loss(dataset)
        if loss is None:
            continue
        copies = len(an.copies(dataset)) - 1
        where = {
            "holder": "lives in the same data holder",
            "scope": f"lives in the same {topo.nodes[loss.destroyer].kind}",
            "account": "lives in the same account (no copy outside it)",
        }[loss.scope]
        key = an.is_key(loss.destroyer)
        if key:
            where = "is encrypted with this key: deleting it leaves them unreadable"
        yield make_finding(
            an,
            backup_colocated.id,
            LOSS_SEVERITY[loss.scope],
            dataset,
            f"One delete of {topo.label(loss.destroyer)} destroys {topo.label(dataset)} and "
            f"{'its only copy' if copies == 1 else f'all {copies} of its copies'}: every copy {where}."
            + (key_window_note(topo, loss.destroyer) if key else deletion_queue_note(topo, loss.destroyer)),
            backup_colocated.remediation,
            evidence=loss.paths,
            key=loss.destroyer,
            data={"destroyer": loss.destroyer, "scope": loss.scope, "copies": sorted(an.copies(dataset))},
        )


def deletion_queue_note(topo: Topology, node: str) -> str:
    """A provider's deletion queue (`deletion_queue_hours`) is a recovery window held by the same
    account that deletes, not an independent copy: said, never counted, severity unchanged."""
    hours = topo.nodes[node].attrs.get("deletion_queue_hours")
    if not isinstance(hours, (int, float)) or isinstance(hours, bool) or hours <= 0:
        return ""
    owner = topo.nodes[node].provider.capitalize() if topo.nodes[node].provider else "the provider"
    return (
        f" {topo.label(node)} stays recoverable from {owner}'s deletion queue for {hours:g} h after the delete — "
        "a window held by the same account, not a copy."
    )


def key_window_note(topo: Topology, node: str) -> str:
    """A key's deletion is scheduled and can be cancelled during its waiting period: like a
    deletion queue, a window held by the same account — said, never counted as a copy."""
    attrs = topo.nodes[node].attrs
    hours = attrs.get("deletion_queue_hours")
    days = f"{hours / 24:g} days" if isinstance(hours, (int, float)) and not isinstance(hours, bool) else "7 days"
    pending = ""
    if attrs.get("pending_deletion") is True:
        when = attrs.get("deletion_date")
        pending = " Its deletion is already scheduled" + (f" for {when:%Y-%m-%d %H:%M} UTC." if when else ".")
    return (
        f" Deleting a key is scheduled: it takes effect after a 7–30 day wait chosen by whoever schedules it "
        f"({days} at the earliest) and can be cancelled until then — a window held by the same account, "
        f"not a copy.{pending}"
    )


def _backups(an, dataset: str) -> list[str]:
    return [c for c in an.copies(dataset) if c != dataset and an.topo.nodes[c].kind == "backup"]


@check(
    id="backup-stale",
    title="Newest backup older than the RPO",
    severity="high",
    family="data-protection",
    rationale="A backup older than the recovery point objective means a restore loses more data than the business "
    "accepted.",
    remediation="Check that the backup schedule runs and succeeds; alert on failed backups; lower the interval to "
    "meet the RPO.",
    severity_note="low when no backup reports its creation time",
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_backing_up_data_periodic_backups_data.html",
    ),
    local=True,
)
def backup_stale(ctx: CheckContext) -> Iterator[Finding]:
    topo, policy, an = ctx.topology, ctx.policy, ctx.analysis
    now: datetime = ctx.now
    for dataset in an.production_datasets():
        backups = _backups(an, dataset)
        if not backups or an.unread(dataset, "backups") is not None:
            continue  # a newer backup may be among those not read: backup-missing/the gap says so
        if any(topo.nodes[b].attrs.get("continuous") for b in backups):
            continue  # point-in-time recovery keeps the newest copy current
        dated = [(topo.nodes[b].attrs["created_at"], b) for b in backups if topo.nodes[b].attrs.get("created_at")]
        if not dated:
            yield make_finding(
                an,
                backup_stale.id,
                "low",
                dataset,
                f"The age of every backup of {topo.label(dataset)} is unknown (the source did not report "
                f"creation times); cannot confirm the {format_duration(policy.rpo)} RPO.",
                backup_stale.remediation,
                key="unknown-age",
                evidence=(an.copy_path(dataset, b) for b in sorted(backups)),
            )
            continue
        newest_at, newest = max(dated)
        age = now - newest_at
        if age > policy.rpo:
            days = age.total_seconds() / 86400
            age_text = f"{days:.0f} days" if days >= 2 else f"{age.total_seconds() / 3600:.0f} hours"
            yield make_finding(
                an,
                backup_stale.id,
                backup_stale.severity,
                dataset,
                f"The newest backup of {topo.label(dataset)} ({topo.nodes[newest].name}, "
                f"{newest_at:%Y-%m-%d %H:%M} UTC) is {age_text} old; the RPO is {format_duration(policy.rpo)}.",
                backup_stale.remediation,
                evidence=[an.copy_path(dataset, newest)],
                data={"newest_backup": newest, "age_hours": round(age.total_seconds() / 3600, 1)},
            )


@check(
    id="backup-retention-short",
    title="Backup retention below policy minimum",
    severity="medium",
    family="data-protection",
    rationale="Short retention means corruption noticed late (a week after) can no longer be rolled back.",
    remediation="Raise retention (e.g. add a weekly or monthly schedule) to at least the policy minimum.",
    references=(
        "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_backing_up_data_periodic_backups_data.html",
    ),
    local=True,
)
def backup_retention_short(ctx: CheckContext) -> Iterator[Finding]:
    topo, policy, an = ctx.topology, ctx.policy, ctx.analysis
    minimum_days = policy.min_retention.total_seconds() / 86400
    for dataset in an.production_datasets():
        backups = _backups(an, dataset)
        retentions = [topo.nodes[b].attrs.get("retention_days") for b in backups]
        if not backups or any(r is None for r in retentions):
            continue  # unknown retention on any backup: no claim either way
        longest = max(r for r in retentions if r is not None)  # none is None (checked above)
        if longest < minimum_days:
            yield make_finding(
                an,
                backup_retention_short.id,
                backup_retention_short.severity,
                dataset,
                f"The longest-kept backup of {topo.label(dataset)} is retained {longest:g} days; "
                f"policy minimum is {minimum_days:g} days.",
                backup_retention_short.remediation,
                evidence=(an.copy_path(dataset, b) for b in sorted(backups)),
                data={"longest_retention_days": longest},
            )


@check(
    id="deletion-protection-off",
    title="Production data holder without deletion protection",
    severity="medium",
    family="data-protection",
    rationale="Deletion protection turns a single mistaken or malicious delete call into two deliberate steps.",
    remediation="Turn on deletion protection for production databases, volumes and buckets where the provider offers "
    "it.",
    severity_note="medium when known off, low when the source does not report it; skipped where the platform has no "
    "such "
    "switch (deletion_protection_supported: false)",
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection",
    ),
    local=True,
)
def deletion_protection_off(ctx: CheckContext) -> Iterator[Finding]:
    topo, _policy, an = ctx.topology, ctx.policy, ctx.analysis
    holders: dict[str, str] = {}  # holder -> a production dataset it holds
    for dataset in an.production_datasets():
        for node in an.ancestors(dataset):
            if topo.nodes[node].kind in DATA_KINDS:
                holders.setdefault(node, dataset)
    for holder in sorted(holders):
        attrs = topo.nodes[holder].attrs
        if attrs.get("deletion_protection_supported") is False:
            continue  # the platform offers no such switch; backup-colocated covers the risk
        protection = attrs.get("deletion_protection")
        if protection is True:
            continue
        held = holders[holder]
        evidence = [] if held == holder else [an.path_up(held, holder)]
        if protection is False:
            yield make_finding(
                an,
                deletion_protection_off.id,
                deletion_protection_off.severity,
                holder,
                f"{topo.label(holder)} holds production data and has deletion protection off.",
                deletion_protection_off.remediation,
                evidence=evidence,
                key="off",
            )
        else:
            yield make_finding(
                an,
                deletion_protection_off.id,
                "low",
                holder,
                f"{topo.label(holder)} holds production data and the source does not say whether "
                "deletion protection is on: treated as unknown, not as protected.",
                deletion_protection_off.remediation,
                evidence=evidence,
                key="unknown",
            )
