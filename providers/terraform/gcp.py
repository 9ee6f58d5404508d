"""Google Cloud resources → model.

- Cloud SQL: "all data on an instance, including backups, is permanently lost when that
  instance is deleted" unless backups are retained on delete — so automated backups are
  `stored_on` the instance by default. Deletion protection: `settings.deletion_protection_enabled`
  is the GCP-level switch; the top-level `deletion_protection` only stops `terraform destroy`,
  so on its own it is reported as unknown, not as protected.
- Persistent disks: scheduled snapshots (resource policies) live at project level and survive
  the disk: `stored_on` the project (account).
"""

from __future__ import annotations

from typing import Any

from providers.terraform.aws import Handler
from providers.terraform.builder import Builder
from providers.terraform.document import TfResource


def _first(value: Any) -> dict:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return value if isinstance(value, dict) else {}


def sql_instance(res: TfResource, b: Builder) -> None:
    v = res.values
    settings = _first(v.get("settings"))
    protected = settings.get("deletion_protection_enabled")
    db = b.resource(
        res,
        "database",
        v.get("name") or res.name,
        engine=v.get("database_version"),
        deletion_protection=protected if isinstance(protected, bool) else None,
        terraform_deletion_protection=v.get("deletion_protection")
        if isinstance(v.get("deletion_protection"), bool)
        else None,
    )
    b.remember("gcp-sql", v.get("name"), db["id"])
    backup = _first(settings.get("backup_configuration"))
    if backup.get("enabled") is True:
        retention = _first(backup.get("backup_retention_settings")).get("retained_backups")
        retained = v.get("retain_backups_on_delete") is True or settings.get("retain_backups_on_delete") is True
        b.add(
            {
                "id": f"{db['id']}#automated",
                "kind": "backup",
                "name": f"{db['name']} automated backups",
                "provider": "terraform",
                "backup_of": db["id"],
                "stored_on": db["parent"] if retained else db["id"],
                "continuous": bool(backup.get("point_in_time_recovery_enabled")),
                "status": "enabled",
                "address": res.address,
                **({"retention_days": retention} if isinstance(retention, int) else {}),
            }
        )


def compute_disk(res: TfResource, b: Builder) -> None:
    v = res.values
    disk = b.resource(
        res, "volume", v.get("name") or res.name, size_mb=v["size"] * 1024 if isinstance(v.get("size"), int) else None
    )
    b.remember("gcp-disk", v.get("name"), disk["id"])
    b.remember("gcp-disk", v.get("self_link"), disk["id"])
    for policy in v.get("resource_policies") or []:
        if isinstance(policy, str):
            b.pending_disk_policies.append((disk["id"], policy.rsplit("/", 1)[-1]))


def resource_policy(res: TfResource, b: Builder) -> None:
    schedule = _first(res.values.get("snapshot_schedule_policy"))
    if schedule:
        retention = _first(schedule.get("retention_policy")).get("max_retention_days")
        b.snapshot_policies[res.values.get("name") or res.name] = (res, retention)


def disk_policy_attachment(res: TfResource, b: Builder) -> None:
    disk = b.find("gcp-disk", res.values.get("disk"))
    if disk:
        b.pending_disk_policies.append((disk, str(res.values.get("name"))))


def storage_bucket(res: TfResource, b: Builder) -> None:
    v = res.values
    versioning = _first(v.get("versioning")).get("enabled")
    retention = _first(v.get("retention_policy"))
    b.resource(
        res,
        "bucket",
        v.get("name") or res.name,
        force_destroy=v.get("force_destroy") if isinstance(v.get("force_destroy"), bool) else None,
        versioning=versioning if isinstance(versioning, bool) else None,
        locked=True if retention.get("is_locked") is True else None,
        deletion_protection_supported=False,
    )  # GCS has no deletion protection switch


def resolve_snapshot_schedules(b: Builder) -> None:
    """Disk × snapshot-schedule policy → a scheduled snapshot series stored at project level."""
    for disk, policy_name in b.pending_disk_policies:
        found = b.snapshot_policies.get(policy_name)
        if not found:
            continue
        policy_res, retention = found
        b.add(
            {
                "id": f"{disk}#snapshots:{policy_name}",
                "kind": "backup",
                "name": f"scheduled snapshots ({policy_name})",
                "provider": "terraform",
                "backup_of": disk,
                "stored_on": b.nodes[disk]["parent"],
                "status": "enabled",
                "address": policy_res.address,
                **({"retention_days": retention} if isinstance(retention, int) else {}),
            }
        )


PRIMARY: dict[str, Handler] = {
    "google_sql_database_instance": sql_instance,
    "google_compute_disk": compute_disk,
    "google_compute_resource_policy": resource_policy,
    "google_storage_bucket": storage_bucket,
}
RELATIONAL: dict[str, Handler] = {
    "google_compute_disk_resource_policy_attachment": disk_policy_attachment,
}
ABSORBED: frozenset[str] = frozenset()
