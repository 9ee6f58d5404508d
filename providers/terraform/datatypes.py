"""The maintained table of Terraform resource types that hold data, for AWS, GCP and Azure.

Two tiers:
- `DATA_TYPES`: types mapped to a blastscope kind (database, bucket, volume, backup, credential),
  each with where its name, deletion protection and backup settings live. One generic handler
  builds their nodes; richer per-type mappings (aws.py, gcp.py) take precedence.
- `HOLDS_DATA`: types that hold data blastscope does not model as a kind (KMS keys — data
  encrypted with a key is lost with it —, key vaults, queues and streams with retention). They
  stay `generic` nodes marked `holds_data`, and a plan that deletes one is a finding
  ("type not modelled, treated as data").

Azure resource groups are scopes (`project`): everything whose `resource_group_name` names one
is its child, so deleting the group destroys them; a management lock (CanNotDelete/ReadOnly) is
deletion protection for its scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from providers.terraform.builder import Builder, node_id
from providers.terraform.document import TfResource


@dataclass(frozen=True)
class DataType:
    kind: str
    names: tuple[str, ...] = ("name",)
    #: attribute holding the type's deletion protection switch; None: the type has no such switch
    protection: str | None = None
    #: attribute holding backup retention in days (0 = off), when the type has one
    retention: str | None = None
    #: value inside `protection` meaning protected when it is not a bool (e.g. Azure's lock level)
    backup_store: bool = False


DATA_TYPES: dict[str, DataType] = {
    # ---- AWS
    "aws_dynamodb_table": DataType("database", protection="deletion_protection_enabled"),
    "aws_docdb_cluster": DataType(
        "database", ("cluster_identifier",), "deletion_protection", "backup_retention_period"
    ),
    "aws_neptune_cluster": DataType(
        "database", ("cluster_identifier",), "deletion_protection", "backup_retention_period"
    ),
    "aws_redshift_cluster": DataType("database", ("cluster_identifier",), None, "automated_snapshot_retention_period"),
    "aws_redshiftserverless_namespace": DataType("database", ("namespace_name",)),
    "aws_elasticache_replication_group": DataType(
        "database", ("replication_group_id",), None, "snapshot_retention_limit"
    ),
    "aws_elasticache_cluster": DataType("database", ("cluster_id",), None, "snapshot_retention_limit"),
    "aws_elasticache_serverless_cache": DataType("database", ("name",), None, "daily_snapshot_retention_limit"),
    "aws_memorydb_cluster": DataType("database", ("name",), None, "snapshot_retention_limit"),
    "aws_elasticsearch_domain": DataType("database", ("domain_name",)),
    "aws_opensearch_domain": DataType("database", ("domain_name",)),
    "aws_timestream_table": DataType("database", ("table_name",)),
    "aws_qldb_ledger": DataType("database", ("name",), "deletion_protection"),
    "aws_keyspaces_table": DataType("database", ("table_name",)),
    "aws_efs_file_system": DataType("volume", ("creation_token",), None),
    "aws_fsx_lustre_file_system": DataType("volume", ("id",), None, "automatic_backup_retention_days"),
    "aws_fsx_windows_file_system": DataType("volume", ("id",), None, "automatic_backup_retention_days"),
    "aws_fsx_ontap_file_system": DataType("volume", ("id",), None, "automatic_backup_retention_days"),
    "aws_fsx_openzfs_file_system": DataType("volume", ("id",), None, "automatic_backup_retention_days"),
    "aws_ecr_repository": DataType("bucket", ("name",)),
    "aws_glacier_vault": DataType("bucket", ("name",)),
    "aws_neptune_cluster_snapshot": DataType("backup", ("db_cluster_snapshot_identifier",)),
    "aws_docdb_cluster_snapshot": DataType("backup", ("db_cluster_snapshot_identifier",)),
    "aws_redshift_snapshot_copy": DataType("backup", ("cluster_identifier",)),
    "aws_elasticache_snapshot": DataType("backup", ("snapshot_name",)),
    "aws_secretsmanager_secret": DataType("credential", ("name",)),
    "aws_ssm_parameter": DataType("credential", ("name",)),  # SecureString only (see handler_types)
    "aws_lightsail_database": DataType("database", ("relational_database_name",)),
    "aws_lightsail_disk": DataType("volume", ("name",)),
    # ---- GCP
    "google_bigquery_dataset": DataType("database", ("dataset_id",), "delete_contents_on_destroy"),
    "google_bigquery_table": DataType("database", ("table_id",), "deletion_protection"),
    "google_spanner_instance": DataType("database", ("name",)),
    "google_spanner_database": DataType("database", ("name",), "deletion_protection"),
    "google_firestore_database": DataType("database", ("name",), "delete_protection_state"),
    "google_bigtable_instance": DataType("database", ("name",), "deletion_protection"),
    "google_bigtable_table": DataType("database", ("name",), "deletion_protection"),
    "google_sql_database": DataType("database", ("name",)),
    "google_redis_instance": DataType("database", ("name",)),
    "google_alloydb_cluster": DataType("database", ("cluster_id",), "deletion_protection"),
    "google_filestore_instance": DataType("volume", ("name",), "deletion_protection_enabled"),
    "google_compute_region_disk": DataType("volume", ("name",)),
    "google_compute_snapshot": DataType("backup", ("name",)),
    "google_compute_image": DataType("backup", ("name",)),
    "google_artifact_registry_repository": DataType("bucket", ("repository_id",)),
    "google_secret_manager_secret": DataType("credential", ("secret_id",)),
    "google_vertex_ai_dataset": DataType("database", ("display_name",)),
    # ---- Azure
    "azurerm_storage_account": DataType("bucket"),
    "azurerm_storage_container": DataType("bucket"),
    "azurerm_storage_share": DataType("volume"),
    "azurerm_managed_disk": DataType("volume"),
    "azurerm_snapshot": DataType("backup"),
    "azurerm_mssql_database": DataType("database"),
    "azurerm_sql_database": DataType("database"),
    "azurerm_mssql_server": DataType("database"),
    "azurerm_sql_server": DataType("database"),
    "azurerm_postgresql_server": DataType("database", retention="backup_retention_days"),
    "azurerm_postgresql_flexible_server": DataType("database", retention="backup_retention_days"),
    "azurerm_postgresql_database": DataType("database"),
    "azurerm_mysql_server": DataType("database", retention="backup_retention_days"),
    "azurerm_mysql_flexible_server": DataType("database", retention="backup_retention_days"),
    "azurerm_mariadb_server": DataType("database", retention="backup_retention_days"),
    "azurerm_cosmosdb_account": DataType("database"),
    "azurerm_cosmosdb_sql_database": DataType("database"),
    "azurerm_redis_cache": DataType("database"),
    "azurerm_search_service": DataType("database"),
    "azurerm_container_registry": DataType("bucket"),
    "azurerm_recovery_services_vault": DataType("bucket", backup_store=True),
    "azurerm_data_protection_backup_vault": DataType("bucket", backup_store=True),
    "azurerm_key_vault_secret": DataType("credential"),
    # a store of secrets, keys and certificates; purge protection keeps deleted contents for the
    # soft-delete window, so it is the vault's deletion protection
    "azurerm_key_vault": DataType("bucket", protection="purge_protection_enabled"),
    # ---- OCI
    "oci_objectstorage_bucket": DataType("bucket"),
    "oci_database_autonomous_database": DataType("database", ("db_name",)),
    "oci_core_volume": DataType("volume", ("display_name",)),
}

#: hold data, not modelled as a kind: deleting one is judged as losing data
HOLDS_DATA: frozenset[str] = frozenset(
    {
        "aws_kms_key",
        "aws_sqs_queue",
        "aws_kinesis_stream",
        "aws_msk_cluster",
        "aws_ssm_parameter",
        "google_kms_crypto_key",
        "google_pubsub_topic",
        "google_pubsub_subscription",
        "azurerm_key_vault_key",
        "azurerm_app_configuration",
        "azurerm_eventhub",
        "azurerm_servicebus_queue",
        "azurerm_log_analytics_workspace",
        "oci_kms_key",
        "oci_kms_vault",
    }
)

#: understood as scopes or protections of other resources
SCOPE_TYPES: frozenset[str] = frozenset({"azurerm_resource_group", "azurerm_management_lock"})

#: azapi_resource `type` (before the @version) → the azurerm type it is
AZAPI_TYPES: dict[str, str] = {
    "Microsoft.DocumentDB/databaseAccounts": "azurerm_cosmosdb_account",
    "Microsoft.Storage/storageAccounts": "azurerm_storage_account",
    "Microsoft.Compute/disks": "azurerm_managed_disk",
    "Microsoft.Compute/snapshots": "azurerm_snapshot",
    "Microsoft.Sql/servers": "azurerm_mssql_server",
    "Microsoft.Sql/servers/databases": "azurerm_mssql_database",
    "Microsoft.DBforPostgreSQL/flexibleServers": "azurerm_postgresql_flexible_server",
    "Microsoft.DBforMySQL/flexibleServers": "azurerm_mysql_flexible_server",
    "Microsoft.Cache/redis": "azurerm_redis_cache",
    "Microsoft.Search/searchServices": "azurerm_search_service",
    "Microsoft.ContainerRegistry/registries": "azurerm_container_registry",
    "Microsoft.RecoveryServices/vaults": "azurerm_recovery_services_vault",
    "Microsoft.KeyVault/vaults": "azurerm_key_vault",
    "Microsoft.AppConfiguration/configurationStores": "azurerm_app_configuration",
    "Microsoft.Resources/resourceGroups": "azurerm_resource_group",
}


def effective_type(res: TfResource) -> str:
    """The type to judge: an `azapi_resource` is the Azure type its `type` attribute names."""
    if res.type == "azapi_resource" and isinstance(res.values.get("type"), str):
        return AZAPI_TYPES.get(res.values["type"].split("@", 1)[0], res.type)
    return res.type


def holds_data(res: TfResource) -> bool:
    rtype = effective_type(res)
    if rtype == "aws_ssm_parameter":  # a SecureString is a credential node; an unknown type may be one
        return res.values.get("type") is None
    return rtype in HOLDS_DATA or rtype in DATA_TYPES


def _first(values: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if isinstance(values.get(key), str) and values[key]:
            return values[key]
    return None


def _bool_at(values: dict[str, Any], key: str | None) -> bool | None:
    if key is None:
        return None
    value = values.get(key)
    if key == "delete_protection_state":
        states: dict[str | None, bool] = {"DELETE_PROTECTION_ENABLED": True, "DELETE_PROTECTION_DISABLED": False}
        return states.get(value)
    if key == "delete_contents_on_destroy":  # protection is the opposite: contents kept unless told
        return (not value) if isinstance(value, bool) else None
    return value if isinstance(value, bool) else None


def _resource_group(res: TfResource) -> str | None:
    name = res.values.get("resource_group_name")
    if isinstance(name, str):
        return name
    parent = res.values.get("parent_id")
    if isinstance(parent, str) and "/resourceGroups/" in parent:
        return parent.split("/resourceGroups/", 1)[1].split("/", 1)[0]
    return None


def place_in_resource_group(res: TfResource, b: Builder, node: dict[str, Any]) -> None:
    group = b.find("azure-rg", _resource_group(res))
    if group and group != node["id"]:
        node["parent"] = group


def data_holder(res: TfResource, b: Builder) -> None:
    rtype = effective_type(res)
    spec = DATA_TYPES[rtype]
    v = res.values
    attrs: dict[str, Any] = {}
    if spec.protection is None:
        if spec.kind in ("volume", "database", "bucket"):
            attrs["deletion_protection_supported"] = False
    else:
        attrs["deletion_protection"] = _bool_at(v, spec.protection)
    retention = v.get(spec.retention) if spec.retention else None
    if spec.backup_store:
        attrs["backup_store"] = True
    if rtype == "azurerm_key_vault":
        days = v.get("soft_delete_retention_days")
        attrs["deletion_queue_hours"] = (days if isinstance(days, int) and not isinstance(days, bool) else 90) * 24
    if rtype == "aws_dynamodb_table":
        pitr = v.get("point_in_time_recovery")
        attrs["pitr"] = (
            pitr[0].get("enabled") if isinstance(pitr, list) and pitr and isinstance(pitr[0], dict) else None
        )
    node = b.resource(res, spec.kind, _first(v, spec.names) or _first(v, ("name", "id")) or res.name, **attrs)
    if rtype != res.type:
        node["tf_type"] = rtype
    place_in_resource_group(res, b, node)
    b.remember("arn", v.get("arn"), node["id"])
    b.remember("azure-id", v.get("id"), node["id"])
    if spec.retention and retention is None and spec.kind == "database":
        node["unread"] = ["backups"]  # known only after apply: unknown, never "no backup"
    if isinstance(retention, int) and not isinstance(retention, bool) and retention > 0:
        # the service's own automated backups: a continuous copy that goes with the resource
        b.add(
            {
                "id": f"{node['id']}#automated",
                "kind": "backup",
                "provider": node["provider"],
                "name": f"{node['name']} automated backups ({retention} d)",
                "backup_of": node["id"],
                "stored_on": node["id"],
                "retention_days": retention,
                "continuous": True,
                "address": res.address,
                **({"region": node["region"]} if "region" in node else {}),
            }
        )


def resource_group(res: TfResource, b: Builder) -> None:
    node = b.resource(res, "project", res.values.get("name") or res.name)
    b.remember("azure-rg", res.values.get("name"), node["id"])
    b.remember("azure-id", res.values.get("id"), node["id"])


def management_lock(res: TfResource, b: Builder) -> None:
    """CanNotDelete / ReadOnly on a scope: the scope (and for a group, everything in it) is protected."""
    scope = b.find("azure-id", res.values.get("scope"))
    if scope is None or res.values.get("lock_level") not in ("CanNotDelete", "ReadOnly"):
        return
    protected = [scope] + [nid for nid, n in b.nodes.items() if n.get("parent") == scope]
    for nid in protected:
        if b.nodes[nid]["kind"] in ("database", "bucket", "volume", "backup", "project"):
            b.nodes[nid]["deletion_protection"] = True
            b.nodes[nid].pop("deletion_protection_supported", None)


def handler_types(resources: list[TfResource]) -> dict[str, list[TfResource]]:
    """Resources the generic data handler builds, by effective type (azapi resources included)."""
    out: dict[str, list[TfResource]] = {}
    for res in resources:
        rtype = effective_type(res)
        if rtype == "aws_ssm_parameter" and res.values.get("type") != "SecureString":
            continue  # plain String/StringList parameters hold configuration, not secrets
        if rtype in DATA_TYPES or rtype == "azurerm_resource_group":
            out.setdefault(rtype, []).append(res)
    return out


def attach(res: TfResource, b: Builder) -> None:
    """Snapshots and other copies created from a source in the same document."""
    v = res.values
    nid = node_id(res)
    if nid not in b.nodes:
        return
    source = b.find("azure-id", v.get("source_resource_id") or v.get("source_uri"))
    if source is None and res.type == "google_compute_snapshot":
        disk = v.get("source_disk")
        source = b.find("gcp-disk", disk.rsplit("/", 1)[-1] if isinstance(disk, str) else None)
        if source is None:
            ref = b.ctx.referenced(res.address, "source_disk", "google_compute_disk.")
            source = f"tf:{ref}" if ref and f"tf:{ref}" in b.nodes else None
    if source:
        node = b.nodes[nid]
        node["backup_of"] = source
        if "parent" in node and node["kind"] == "backup":
            node["stored_on"] = node.pop("parent")
