"""Which AWS actions destroy which resources, and what blastscope calls those resources.

The catalogue (`catalog.py`) says which actions exist and what they can be scoped to; this
module adds the one judgement the data does not carry: an action *destroys* a resource when its
verb destroys (Delete, Terminate, Purge, Destroy) and its noun is that resource
(`DeleteBucket` destroys a bucket, `DeleteBucketPolicy` does not). The few actions whose names
do not follow that pattern (`rds:DeleteDBInstance` on resource type `db`,
`kms:ScheduleKeyDeletion`) are listed by hand in `EXTRA_DELETERS`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from providers.awsiam.catalog import action_info, actions_for

#: (IAM service prefix, IAM resource type key) → blastscope kind
KIND_OF: dict[tuple[str, str], str] = {
    ("rds", "db"): "database",
    ("rds", "cluster"): "database",  # Aurora, DocumentDB and Neptune clusters are rds: resources
    ("rds", "snapshot"): "backup",
    ("rds", "cluster-snapshot"): "backup",
    ("rds", "auto-backup"): "backup",
    ("rds", "cluster-auto-backup"): "backup",
    ("dynamodb", "table"): "database",
    ("dynamodb", "backup"): "backup",
    ("s3", "bucket"): "bucket",
    ("s3", "object"): "bucket",  # a bucket's data is its objects
    ("ec2", "volume"): "volume",
    ("ec2", "snapshot"): "backup",
    ("ec2", "instance"): "service",
    ("elasticfilesystem", "file-system"): "volume",
    ("fsx", "file-system"): "volume",
    ("fsx", "volume"): "volume",
    ("fsx", "backup"): "backup",
    ("backup", "backupVault"): "bucket",
    ("backup", "recoveryPoint"): "backup",
    ("redshift", "cluster"): "database",
    ("redshift", "snapshot"): "backup",
    ("elasticache", "cluster"): "database",
    ("elasticache", "replicationgroup"): "database",
    ("elasticache", "serverlesscache"): "database",
    ("elasticache", "snapshot"): "backup",
    ("elasticache", "serverlesscachesnapshot"): "backup",
    ("es", "domain"): "database",
    ("ecr", "repository"): "bucket",
    ("glacier", "vault"): "bucket",
    ("secretsmanager", "Secret"): "credential",
    ("ssm", "parameter"): "credential",
    ("kinesis", "stream"): "database",
    ("sqs", "queue"): "database",
    ("kms", "key"): "key",  # not a node kind of its own: the data it encrypts is lost with it
}

DESTROY_VERBS = ("Delete", "Terminate", "Purge", "Destroy")
#: destroying actions whose noun is not their resource type's name
EXTRA_DELETERS: dict[tuple[str, str], frozenset[str]] = {
    ("rds", "db"): frozenset({"DeleteDBInstance"}),
    ("rds", "auto-backup"): frozenset({"DeleteDBInstanceAutomatedBackup"}),
    ("rds", "cluster-auto-backup"): frozenset({"DeleteDBClusterAutomatedBackup"}),
    ("s3", "object"): frozenset({"DeleteObjectVersion"}),
    ("kms", "key"): frozenset({"ScheduleKeyDeletion", "DeleteImportedKeyMaterial"}),
    ("es", "domain"): frozenset({"DeleteIndex"}),
}
#: actions that switch a resource's deletion protection off (needed before a protected delete)
PROTECTION_SWITCHES: dict[tuple[str, str], frozenset[str]] = {
    ("rds", "db"): frozenset({"ModifyDBInstance"}),
    ("rds", "cluster"): frozenset({"ModifyDBCluster"}),
    ("dynamodb", "table"): frozenset({"UpdateTable"}),
    ("ec2", "instance"): frozenset({"ModifyInstanceAttribute"}),
    ("elasticfilesystem", "file-system"): frozenset({"UpdateFileSystemProtection"}),
    ("secretsmanager", "Secret"): frozenset(),
}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _noun_is(noun: str, resource_type: str) -> bool:
    noun, rtype = _norm(noun), _norm(resource_type)
    return noun.removesuffix("s").endswith(rtype) or noun.endswith(rtype)


@lru_cache(maxsize=1024)
def deleting_actions(service: str, resource_type: str) -> frozenset[str]:
    """Qualified actions (`"s3:DeleteBucket"`) that destroy a resource of this type."""
    service = service.lower()
    extra = EXTRA_DELETERS.get((service, resource_type), frozenset())
    out = set()
    for info in actions_for(service, resource_type):
        verb = next((v for v in DESTROY_VERBS if info.name.startswith(v)), None)
        if info.name in extra or (
            verb and info.access_level == "Write" and _noun_is(info.name[len(verb) :], resource_type)
        ):
            out.add(info.qualified)
    return frozenset(out)


def protection_switches(service: str, resource_type: str) -> frozenset[str]:
    """Qualified actions that can turn this type's deletion protection off; empty when it has none."""
    service = service.lower()
    return frozenset(f"{service}:{name}" for name in PROTECTION_SWITCHES.get((service, resource_type), ()))


def has_deletion_protection(service: str, resource_type: str) -> bool:
    return bool(PROTECTION_SWITCHES.get((service.lower(), resource_type)))


def kind_of(service: str, resource_type: str) -> str | None:
    return KIND_OF.get((service.lower(), resource_type))


@lru_cache(maxsize=4096)
def kinds_deleted_by(action: str) -> frozenset[str]:
    """Blastscope kinds one concrete action can destroy (`"ec2:DeleteVolume"` → {"volume"})."""
    info = action_info(action)
    if info is None:
        return frozenset()
    return frozenset(
        kind
        for rtype in info.resource_types
        if (kind := KIND_OF.get((info.service, rtype))) and info.qualified in deleting_actions(info.service, rtype)
    )
