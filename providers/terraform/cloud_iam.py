"""GCP IAM bindings and Azure role assignments as grants.

A grant covers its target's whole cascade, so a role over everything (GCP `owner`/`editor`,
Azure `Owner`/`Contributor`) is one grant on the project or scope; a role limited to one service
(`roles/storage.admin`, `Storage Blob Data Contributor`) is a grant on each data holder of that
service inside the scope. Only service accounts and Azure principals get credential nodes:
they are what pipelines and workloads hold.
"""

from __future__ import annotations

from typing import Any

from providers.terraform.builder import Builder
from providers.terraform.document import TfResource

FULL = ("read", "write", "delete")
#: GCP role → (actions, Terraform type prefixes it reaches; () = everything in the project)
GCP_ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "roles/owner": (FULL + ("admin",), ()),
    "roles/editor": (FULL, ()),
    "roles/viewer": (("read",), ()),
    "roles/storage.admin": (FULL + ("admin",), ("google_storage_bucket",)),
    "roles/storage.objectAdmin": (FULL, ("google_storage_bucket",)),
    "roles/storage.objectViewer": (("read",), ("google_storage_bucket",)),
    "roles/cloudsql.admin": (FULL + ("admin",), ("google_sql_",)),
    "roles/cloudsql.editor": (("read", "write"), ("google_sql_",)),
    "roles/compute.admin": (FULL + ("admin",), ("google_compute_",)),
    "roles/compute.storageAdmin": (
        FULL,
        ("google_compute_disk", "google_compute_snapshot", "google_compute_region_disk"),
    ),
    "roles/bigquery.admin": (FULL + ("admin",), ("google_bigquery_",)),
    "roles/bigquery.dataEditor": (FULL, ("google_bigquery_",)),
    "roles/spanner.admin": (FULL + ("admin",), ("google_spanner_",)),
    "roles/datastore.owner": (FULL, ("google_firestore_",)),
    "roles/bigtable.admin": (FULL + ("admin",), ("google_bigtable_",)),
    "roles/secretmanager.admin": (FULL + ("admin",), ("google_secret_manager_",)),
}
AZURE_ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Owner": (FULL + ("admin",), ()),
    "Contributor": (FULL, ()),
    "Reader": (("read",), ()),
    "Storage Account Contributor": (FULL, ("azurerm_storage_",)),
    "Storage Blob Data Owner": (FULL, ("azurerm_storage_",)),
    "Storage Blob Data Contributor": (FULL, ("azurerm_storage_",)),
    "Storage Blob Data Reader": (("read",), ("azurerm_storage_",)),
    "Key Vault Administrator": (FULL + ("admin",), ("azurerm_key_vault",)),
    "Key Vault Secrets Officer": (FULL, ("azurerm_key_vault",)),
    "Key Vault Secrets User": (("read",), ("azurerm_key_vault",)),
    "SQL DB Contributor": (FULL, ("azurerm_mssql_", "azurerm_sql_")),
    "SQL Server Contributor": (FULL, ("azurerm_mssql_", "azurerm_sql_")),
    "DocumentDB Account Contributor": (FULL, ("azurerm_cosmosdb_",)),
    "Cosmos DB Operator": (("read", "write"), ("azurerm_cosmosdb_",)),
    "Disk Snapshot Contributor": (FULL, ("azurerm_snapshot", "azurerm_managed_disk")),
    "Backup Contributor": (FULL, ("azurerm_recovery_services_vault",)),
}
DATA = ("database", "bucket", "volume", "backup")


def _holders(b: Builder, scope: str | None, prefixes: tuple[str, ...]) -> list[str]:
    """Data holders inside `scope` (a node id; None: anywhere) whose type starts with a prefix."""
    out = []
    for nid, node in b.nodes.items():
        if node["kind"] not in DATA or not str(node.get("tf_type", "")).startswith(prefixes):
            continue
        if scope is None or nid == scope or node.get("parent") == scope or node.get("stored_on") == scope:
            out.append(nid)
    return out


def _grant(b: Builder, cred: str, targets: list[str], actions: tuple[str, ...]) -> None:
    node = b.nodes[cred]
    grants = {g["target"]: set(g["actions"]) for g in node.get("grants", [])}
    for target in targets:
        grants.setdefault(target, set()).update(actions)
    node["grants"] = [{"target": t, "actions": sorted(a)} for t, a in sorted(grants.items())]


def _credential(b: Builder, nid: str, name: str, token_kind: str, scope: str) -> str:
    # an identity that gets short-lived tokens (workload identity, managed identity); a long-lived
    # key of it (google_service_account_key) is not modelled here
    return b.add(
        {
            "id": nid,
            "kind": "credential",
            "name": name,
            "provider": "terraform",
            "token_kind": token_kind,
            "parent": scope,
            "short_lived": True,
        }
    )


def gcp_binding(res: TfResource, b: Builder) -> None:
    v = res.values
    role = GCP_ROLES.get(str(v.get("role")))
    if role is None:
        return
    raw_members = v.get("members")
    members: list[Any] = raw_members if isinstance(raw_members, list) else [v.get("member")]
    if res.type.startswith("google_storage_bucket_iam"):
        bucket = next(
            (
                nid
                for nid, n in b.nodes.items()
                if n.get("tf_type") == "google_storage_bucket" and n.get("name") == v.get("bucket")
            ),
            None,
        )
        targets = [bucket] if bucket else []
        project = b.nodes[bucket]["parent"] if bucket else b.account("gcp", b.ctx.account(res))
    else:
        project = b.account("gcp", str(v.get("project") or b.ctx.account(res)))
        targets = [project] if not role[1] else _holders(b, project, role[1])
    if not targets:
        return
    for member in members:
        if isinstance(member, str) and member.startswith("serviceAccount:"):
            email = member.split(":", 1)[1]
            cred = _credential(
                b, f"gcp:service-account:{email}", f"service account {email}", "service_account", project
            )
            _grant(b, cred, targets, role[0])


def azure_role_assignment(res: TfResource, b: Builder) -> None:
    v = res.values
    role = AZURE_ROLES.get(str(v.get("role_definition_name")))
    principal = v.get("principal_id")
    if role is None or not isinstance(principal, str):
        return
    scope_id = v.get("scope")
    scope = b.find("azure-id", scope_id)
    if scope is None and isinstance(scope_id, str) and scope_id.count("/") <= 2:
        scope = b.account("azure", scope_id.rsplit("/", 1)[-1])  # a whole subscription
    if scope is None:
        ref = b.ctx.referenced(res.address, "scope", "azurerm_")
        scope = f"tf:{ref}" if ref and f"tf:{ref}" in b.nodes else None
    if scope is None:
        return
    targets = [scope] if not role[1] else _holders(b, scope, role[1])
    if targets:
        cred = _credential(b, f"azure:principal:{principal}", f"Azure principal {principal}", "azure_principal", scope)
        _grant(b, cred, targets, role[0])


RELATIONAL = {
    "google_project_iam_member": gcp_binding,
    "google_project_iam_binding": gcp_binding,
    "google_storage_bucket_iam_member": gcp_binding,
    "google_storage_bucket_iam_binding": gcp_binding,
    "azurerm_role_assignment": azure_role_assignment,
}
PRIMARY: dict = {}
ABSORBED: frozenset[str] = frozenset()
