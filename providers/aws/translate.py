"""Raw AWS responses → blastscope resources (pure: no I/O, no clock).

The blast semantics and relations are the Terraform provider's (providers/terraform/aws.py), so
an account described by a Terraform state and pulled live gives the same findings:
- RDS automated backups go with the instance (`stored_on` it); manual snapshots, EBS snapshots,
  DynamoDB backups and AWS Backup recovery points live in the account (`stored_on` the account,
  or the vault they are in); only a copy in another account's vault or a bucket replicated to
  another account is outside the account.
- Credentials (access keys of IAM users, IAM roles) carry grants computed by the shared IAM
  evaluation (providers/awsiam); exposure comes from role trust policies (GitHub OIDC, other
  accounts, services) and instance profiles.
Ids: `aws:account:<id>`, `aws:s3:<bucket>`, `aws:backup-vault:<account>:<region>:<name>` and
`aws:principal:<name>` are the ids the Terraform provider gives things it sees from outside;
everything else is `aws:<service>:<account>:<region>:<type>:<name>`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any, cast
from urllib.parse import unquote

from auditor.io.resources import add_relation
from providers.awsiam import (
    PolicyDocument,
    PolicyError,
    ResourceRef,
    access_levels,
    applicable,
    ci_user_reason,
    levels_with,
    managed_policy,
)
from providers.terraform.aws import KEY_DELETION_WINDOW_HOURS, inherit_keys
from providers.terraform.aws import _principals as principals_of_trust
from providers.terraform.context import _TOKEN, ENV_KEYS, looks_like_environment, parse_arn

PROVIDER = "aws"
DONE = {
    "available": "completed",
    "completed": "completed",
    "failed": "failed",
    "error": "failed",
    "deleting": "deleting",
    "deleted": "deleted",
    "expired": "expired",
    "partial": "incomplete",
}


class Graph:
    """Node dicts in inventory shape, and lookups by ARN / name for relating them."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.by: dict[tuple[str, str], str] = {}
        self.reach_index: dict[str, dict[str, list[tuple[str, str, str, bool | None]]]] = {}
        #: snapshot node id → the ARN of the snapshot it was copied from
        self.copies: dict[str, str] = {}
        #: (node id, account, ARN, service, resource type, deletion protection) of what credentials may reach
        self.reachable: list[tuple[str, str, str, str, str, bool | None]] = []
        #: data holder id → its tags, where the source reported them (tag-based backup selections)
        self.tags: dict[str, dict[str, str]] = {}
        #: node id → (its holder's resource policy, the holder's IAM view, what must be emptied first)
        self.resource_policies: dict[str, tuple[Any, ResourceRef, ResourceRef | None]] = {}

    def tagged(self, nid: str, item: dict[str, Any], key: str) -> None:
        if isinstance(item.get(key), (list, dict)):
            self.tags[nid] = tags_of(item, key)

    def add(self, node: dict[str, Any]) -> str:
        node = {k: v for k, v in node.items() if v is not None}
        existing = self.nodes.get(node["id"])
        if existing is None:
            self.nodes[node["id"]] = node
        else:
            for key, value in node.items():
                existing.setdefault(key, value)
        return node["id"]

    def remember(self, key: str, value: Any, nid: str) -> None:
        if isinstance(value, str) and value:
            self.by[(key, value)] = nid

    def find(self, key: str, value: Any) -> str | None:
        return self.by.get((key, value)) if isinstance(value, str) else None

    def account(self, account: str) -> str:
        return self.add(
            {
                "id": f"aws:account:{account}",
                "kind": "account",
                "name": f"AWS account {account}",
                "provider": PROVIDER,
                "cloud": "aws",
                "account_id": account,
            }
        )

    def environment(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.add({"id": f"env:{name}", "kind": "environment", "name": name, "provider": PROVIDER})

    def relate(self, nid: str, rel: str, target: str) -> None:
        add_relation(self.nodes[nid], rel, target)


def tags_of(item: dict[str, Any], key: str = "TagList") -> dict[str, str]:
    tags = item.get(key) or []
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    # AWS tags always carry a string Key and Value; the filter drops entries without a Key
    return {cast(str, t.get("Key")): cast(str, t.get("Value")) for t in tags if isinstance(t, dict) and t.get("Key")}


def environment_of(tags: dict[str, str], *names: Any) -> str | None:
    """Tags first (env, environment, stage, tier), then a name token that looks like an
    environment — the same reading the Terraform provider gives a resource."""
    for key, value in tags.items():
        if key.lower() in ENV_KEYS and isinstance(value, str) and value:
            return value
    for candidate in names:
        if isinstance(candidate, str):
            for token in _TOKEN.split(candidate.lower()):
                if token and looks_like_environment(token):
                    return token
    return None


def _resource(
    g: Graph, nid: str, kind: str, name: str, account: str, region: str | None, env: str | None, **attrs: Any
) -> dict[str, Any]:
    node = {
        "id": nid,
        "kind": kind,
        "name": name,
        "provider": PROVIDER,
        "region": region,
        "parent": g.account(account),
        "in_environment": g.environment(env),
        **attrs,
    }
    g.add(node)
    return g.nodes[nid]


def _reach(g: Graph, nid: str, arn: Any, service: str, rtype: str, protection: bool | None = None) -> None:
    if isinstance(arn, str):
        node = g.nodes[nid]
        home = str(node.get("parent") or node.get("stored_on") or "")
        owner = home.split(":")[2] if home.startswith(("aws:account:", "aws:backup-vault:")) else ""
        g.reachable.append((nid, owner, arn, service, rtype, protection))
        g.remember("arn", arn, nid)


# ------------------------------------------------------------------------------ KMS keys
def kms_keys(g: Graph, account: str, region: str, raw: dict[str, Any]) -> None:
    """Customer-managed keys become `generic` nodes data is `encrypted_with`; AWS managed keys
    (aws/rds, aws/ebs, …) are only remembered: customers cannot delete them."""
    aliases: dict[str, list[str]] = {}
    for alias in raw.get("kms_aliases") or []:
        if isinstance(alias.get("TargetKeyId"), str):
            aliases.setdefault(alias["TargetKeyId"], []).append(str(alias.get("AliasName")))
        for ref in (alias.get("AliasName"), alias.get("AliasArn")):
            g.remember("kms-alias", f"{account}:{region}:{ref}", str(alias.get("TargetKeyId")))
        if str(alias.get("AliasName", "")).startswith("alias/aws/") and isinstance(alias.get("TargetKeyId"), str):
            g.remember("kms-aws", f"{account}:{region}:{alias['TargetKeyId']}", alias["TargetKeyId"])  # AWS managed
    for meta in raw.get("kms_keys") or []:
        key_id = meta["KeyId"]
        arn = meta.get("Arn") or f"arn:aws:kms:{region}:{account}:key/{key_id}"
        refs = [arn, f"{account}:{region}:{key_id}"]
        if meta.get("KeyManager") == "AWS":
            for ref in refs:
                g.remember("kms-aws", ref, arn)
            continue
        names = sorted(a for a in aliases.get(key_id, []) if a.startswith("alias/"))
        pending = meta.get("KeyState") == "PendingDeletion"
        nid = _resource(
            g,
            f"aws:kms:{account}:{region}:key:{key_id}",
            "generic",
            f"KMS key {names[0] if names else (meta.get('Description') or key_id)}"[:200],
            account,
            region,
            None,
            arn=arn,
            native_id=key_id,
            holds_data=True,
            key_manager="customer" if meta.get("KeyManager") == "CUSTOMER" else None,
            status=str(meta["KeyState"]).lower() if isinstance(meta.get("KeyState"), str) else None,
            pending_deletion=True if pending else None,
            deletion_date=meta.get("DeletionDate") if pending else None,
            deletion_queue_hours=KEY_DELETION_WINDOW_HOURS,
        )["id"]
        for ref in refs:
            g.remember("kms", ref, nid)
        _reach(g, nid, arn, "kms", "key")
        if meta.get("Policy"):
            g.resource_policies[nid] = (_doc(meta["Policy"]), ResourceRef("kms", "key", arn), None)


def _encrypted(g: Graph, nid: str, account: str, region: str | None, ref: Any) -> None:
    """`nid —encrypted_with→ key` when `ref` (a key ARN, id, alias or alias ARN) names a key whose
    deletion the customer controls. A key not pulled (another account's, or unreadable) is
    assumed customer-managed: unknown is never read as "cannot be deleted"."""
    if not isinstance(ref, str) or not ref:
        return
    arn = parse_arn(ref)
    owner = arn.account if arn and arn.account else account
    where = arn.region if arn and arn.region else (region or "")
    local = ref.split("/", 1)[1] if arn and arn.resource.startswith("key/") else ref
    target = g.find("kms-alias", f"{owner}:{where}:{ref}")
    if target is not None:
        local = target
    alias = ref if ref.startswith("alias/") else (arn.resource if arn and arn.resource.startswith("alias/") else "")
    if alias.startswith("alias/aws/"):
        return  # an AWS managed key, named by its alias
    for candidate in (ref, f"{owner}:{where}:{local}", f"arn:aws:kms:{where}:{owner}:key/{local}"):
        if g.find("kms-aws", candidate):
            return
        key = g.find("kms", candidate)
        if key:
            g.relate(nid, "encrypted_with", key)
            return
    if alias and target is None:
        name, key_nid = alias, f"aws:kms:{owner}:{where}:{alias}"
    else:
        name, key_nid = local, f"aws:kms:{owner}:{where}:key:{local}"
    g.add(
        {
            "id": key_nid,
            "kind": "generic",
            "name": f"KMS key {name} (not read)",
            "provider": PROVIDER,
            "region": where or None,
            "parent": g.account(owner),
            "holds_data": True,
            "unread": ["key"],
        }
    )
    g.relate(nid, "encrypted_with", key_nid)


# ------------------------------------------------------------------------------ data holders
def _rds_database(
    g: Graph, nid: str, name: str, account: str, region: str, raw: dict[str, Any], arn: Any, arn_kind: str
) -> None:
    """An RDS cluster or stand-alone instance as a database: the two answers share these keys."""
    protected = _bool(raw.get("DeletionProtection"))
    env = environment_of(tags_of(raw), name)
    engine = raw.get("Engine")
    db = _resource(g, nid, "database", name, account, region, env, engine=engine, deletion_protection=protected)
    g.tagged(nid, raw, "TagList")
    _encrypted(g, nid, account, region, raw.get("KmsKeyId"))
    _reach(g, nid, arn, "rds", arn_kind, protected)
    _automated(g, db, raw.get("BackupRetentionPeriod"))


def rds(g: Graph, account: str, region: str, raw: dict[str, Any]) -> None:
    for c in raw.get("db_clusters") or []:
        name = c["DBClusterIdentifier"]
        nid = f"aws:rds:{account}:{region}:cluster:{name}"
        g.remember("rds-cluster", f"{account}:{region}:{name}", nid)
        _rds_database(g, nid, name, account, region, c, c.get("DBClusterArn"), "cluster")
    for i in raw.get("db_instances") or []:
        name = i["DBInstanceIdentifier"]
        nid = f"aws:rds:{account}:{region}:db:{name}"
        cluster = g.find("rds-cluster", f"{account}:{region}:{i.get('DBClusterIdentifier')}")
        if cluster:  # an Aurora member: compute attached to the cluster's storage, as in Terraform
            svc = _resource(g, nid, "service", name, account, region, environment_of(tags_of(i), name))
            g.relate(svc["id"], "attached_to", cluster)
            continue
        g.remember("rds", f"{account}:{region}:{name}", nid)
        g.remember("rds-resource", i.get("DbiResourceId"), nid)
        _rds_database(g, nid, name, account, region, i, i.get("DBInstanceArn"), "db")


def _automated(g: Graph, db: dict[str, Any], retention: Any) -> None:
    """Automated backups (point-in-time recovery) are deleted with the instance by default."""
    if not isinstance(retention, int) or retention <= 0:
        return
    g.add(
        {
            "id": f"{db['id']}#automated",
            "kind": "backup",
            "name": f"{db['name']} automated backups (PITR {retention} d)",
            "provider": PROVIDER,
            "backup_of": db["id"],
            "stored_on": db["id"],
            "retention_days": retention,
            "continuous": True,
            "status": "enabled",
            "region": db.get("region"),
        }
    )


def rds_copies(g: Graph, account: str, region: str, raw: dict[str, Any]) -> None:
    for s in raw.get("db_snapshots") or []:
        name = s["DBSnapshotIdentifier"]
        target = g.find("rds", f"{account}:{region}:{s.get('DBInstanceIdentifier')}") or _source_of_copy(
            g, s.get("SourceDBSnapshotIdentifier")
        )
        _snapshot(
            g,
            f"aws:rds:{account}:{region}:snapshot:{name}",
            name,
            account,
            region,
            target,
            s.get("SnapshotCreateTime"),
            s.get("Status"),
            shared_with=s.get("SharedWithAccounts") or None,
        )
        if isinstance(s.get("SourceDBSnapshotIdentifier"), str):
            g.copies[f"aws:rds:{account}:{region}:snapshot:{name}"] = s["SourceDBSnapshotIdentifier"]
        _reach(g, f"aws:rds:{account}:{region}:snapshot:{name}", s.get("DBSnapshotArn"), "rds", "snapshot")
        _encrypted(g, f"aws:rds:{account}:{region}:snapshot:{name}", account, region, s.get("KmsKeyId"))
    for s in raw.get("db_cluster_snapshots") or []:
        name = s["DBClusterSnapshotIdentifier"]
        target = g.find("rds-cluster", f"{account}:{region}:{s.get('DBClusterIdentifier')}")
        _snapshot(
            g,
            f"aws:rds:{account}:{region}:cluster-snapshot:{name}",
            name,
            account,
            region,
            target,
            s.get("SnapshotCreateTime"),
            s.get("Status"),
        )
        _reach(
            g,
            f"aws:rds:{account}:{region}:cluster-snapshot:{name}",
            s.get("DBClusterSnapshotArn"),
            "rds",
            "cluster-snapshot",
        )
        _encrypted(g, f"aws:rds:{account}:{region}:cluster-snapshot:{name}", account, region, s.get("KmsKeyId"))
    for a in raw.get("automated_backups") or []:
        source = parse_arn(a.get("DBInstanceArn"))
        if source is None or source.region == region:
            continue  # the instance's own automated backups: already `<db>#automated`
        nid = f"aws:rds:{account}:{region}:automated-backup:{a.get('DbiResourceId') or a.get('DBInstanceIdentifier')}"
        origin = g.find("arn", a.get("DBInstanceArn"))
        g.add(
            {
                "id": nid,
                "kind": "backup",
                "name": f"replicated automated backups of {a.get('DBInstanceIdentifier')} in {region}",
                "provider": PROVIDER,
                "stored_on": g.account(account),
                "backup_of": origin,
                "continuous": True,
                "retention_days": a.get("BackupRetentionPeriod"),
                "region": region,
                "status": "enabled" if a.get("Status") in ("replicating", "active", "retained") else a.get("Status"),
            }
        )
        _encrypted(g, nid, account, region, a.get("KmsKeyId"))


def _source_of_copy(g: Graph, source: Any) -> str | None:
    """A snapshot copied from another (possibly another account's) snapshot copies its database."""
    origin = g.find("arn", source)
    if origin is None:
        return None
    backup_of = g.nodes[origin].get("backup_of")
    return backup_of if isinstance(backup_of, str) else None


def _snapshot(
    g: Graph,
    nid: str,
    name: str,
    account: str,
    region: str,
    target: str | None,
    created: Any,
    status: Any,
    **attrs: Any,
) -> None:
    g.add(
        {
            "id": nid,
            "kind": "backup",
            "name": name,
            "provider": PROVIDER,
            "region": region,
            "stored_on": g.account(account),
            "backup_of": target,
            "created_at": created if isinstance(created, str) else None,
            "status": DONE.get(str(status).lower(), str(status).lower()) if status else None,
            **attrs,
        }
    )


def ec2(g: Graph, account: str, region: str, raw: dict[str, Any]) -> None:
    for v in raw.get("volumes") or []:
        vid = v["VolumeId"]
        tags = tags_of(v, "Tags")
        nid = f"aws:ec2:{account}:{region}:volume:{vid}"
        size = v.get("Size")
        _resource(
            g,
            nid,
            "volume",
            tags.get("Name") or vid,
            account,
            region,
            environment_of(tags, tags.get("Name")),
            size_mb=size * 1024 if isinstance(size, int) else None,
            encrypted=_bool(v.get("Encrypted")),
            deletion_protection_supported=False,  # EBS volumes have no deletion protection switch
        )
        g.remember("ebs", vid, nid)
        g.tagged(nid, v, "Tags")
        _encrypted(g, nid, account, region, v.get("KmsKeyId"))
        _reach(g, nid, f"arn:aws:ec2:{region}:{account}:volume/{vid}", "ec2", "volume")
    for i in raw.get("instances") or []:
        if (i.get("State") or {}).get("Name") == "terminated":
            continue
        iid = i["InstanceId"]
        tags = tags_of(i, "Tags")
        nid = f"aws:ec2:{account}:{region}:instance:{iid}"
        _resource(
            g,
            nid,
            "service",
            tags.get("Name") or iid,
            account,
            region,
            environment_of(tags, tags.get("Name")),
            instance_type=i.get("InstanceType"),
        )
        for mapping in i.get("BlockDeviceMappings") or []:
            vol = g.find("ebs", (mapping.get("Ebs") or {}).get("VolumeId"))
            if vol:
                g.relate(nid, "attached_to", vol)
        profile = (i.get("IamInstanceProfile") or {}).get("Arn")
        if isinstance(profile, str):
            g.by.setdefault(("profile-instances", profile), "")
            g.by[("profile-instances", profile)] = " ".join(filter(None, [g.by[("profile-instances", profile)], nid]))
    for s in raw.get("ebs_snapshots") or []:
        sid = s["SnapshotId"]
        tags = tags_of(s, "Tags")
        nid = f"aws:ec2:{account}:{region}:snapshot:{sid}"
        _snapshot(
            g,
            nid,
            tags.get("Name") or sid,
            account,
            region,
            g.find("ebs", s.get("VolumeId")),
            s.get("StartTime"),
            s.get("State"),
        )
        _reach(g, nid, f"arn:aws:ec2:{region}::snapshot/{sid}", "ec2", "snapshot")
        _encrypted(g, nid, account, region, s.get("KmsKeyId"))


def dynamodb(g: Graph, account: str, region: str, raw: dict[str, Any]) -> None:
    for t in raw.get("tables") or []:
        name = t["TableName"]
        nid = f"aws:dynamodb:{account}:{region}:table:{name}"
        protection = _bool(t.get("DeletionProtectionEnabled"))
        _resource(
            g,
            nid,
            "database",
            name,
            account,
            region,
            environment_of({}, name),
            engine="dynamodb",
            deletion_protection=protection,
        )
        g.remember("arn", t.get("TableArn"), nid)
        _reach(g, nid, t.get("TableArn"), "dynamodb", "table", protection)
        sse = t.get("SSEDescription") or {}
        if sse.get("SSEType") == "KMS" and sse.get("Status") in (None, "ENABLED", "UPDATING"):
            _encrypted(g, nid, account, region, sse.get("KMSMasterKeyArn"))
        pitr = (t.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription") or {}
        if pitr.get("PointInTimeRecoveryStatus") == "ENABLED":
            # a table deleted with PITR on leaves a system backup in the account for 35 days
            g.add(
                {
                    "id": f"{nid}#pitr",
                    "kind": "backup",
                    "name": f"{name} point-in-time recovery",
                    "provider": PROVIDER,
                    "backup_of": nid,
                    "stored_on": g.account(account),
                    "continuous": True,
                    "status": "enabled",
                    "retention_days": pitr.get("RecoveryPeriodInDays") or 35,
                    "region": region,
                }
            )
    for b in raw.get("dynamodb_backups") or []:
        target = g.find("arn", b.get("TableArn"))
        backup_id = (b.get("BackupArn") or "").rsplit("/", 1)[-1]
        nid = f"aws:dynamodb:{account}:{region}:backup:{b.get('BackupName')}:{backup_id}"
        _snapshot(
            g,
            nid,
            b.get("BackupName") or nid,
            account,
            region,
            target,
            b.get("BackupCreationDateTime"),
            b.get("BackupStatus"),
        )
        _reach(g, nid, b.get("BackupArn"), "dynamodb", "backup")


def efs(g: Graph, account: str, region: str, raw: dict[str, Any]) -> None:
    for fs in raw.get("file_systems") or []:
        fid = fs["FileSystemId"]
        tags = tags_of(fs, "Tags")
        nid = f"aws:efs:{account}:{region}:file-system:{fid}"
        _resource(
            g,
            nid,
            "database",
            fs.get("Name") or tags.get("Name") or fid,
            account,
            region,
            environment_of(tags, fs.get("Name")),
            engine="efs",
            encrypted=_bool(fs.get("Encrypted")),
        )
        _reach(g, nid, fs.get("FileSystemArn"), "elasticfilesystem", "file-system")
        g.tagged(nid, fs, "Tags")
        _encrypted(g, nid, account, region, fs.get("KmsKeyId"))


def buckets(g: Graph, account: str, items: list[dict[str, Any]]) -> None:
    for b in items:
        name = b["Name"]
        tags = tags_of(b, "TagSet") if "TagSet" in b else tags_of(b, "Tags")
        lock = b.get("ObjectLock")
        nid = f"aws:s3:{name}"
        _resource(
            g,
            nid,
            "bucket",
            name,
            account,
            b.get("Region"),
            environment_of(tags, name),
            versioning=b.get("Versioning") == "Enabled" if "Versioning" in b else None,
            locked=True if _locked(lock) else None,
            object_lock=_lock_mode(lock),
            deletion_protection_supported=False,  # S3 has no deletion protection switch
        )
        g.nodes[nid].pop("external", None)
        g.remember("s3", name, nid)
        g.remember("s3", f"arn:aws:s3:::{name}", nid)
        g.tagged(nid, b, "TagSet" if "TagSet" in b else "Tags")
        if b.get("Policy"):
            g.resource_policies[nid] = (_doc(b["Policy"]), ResourceRef("s3", "bucket", f"arn:aws:s3:::{name}"), None)
        _reach(g, nid, f"arn:aws:s3:::{name}", "s3", "bucket")
        for rule in (b.get("Encryption") or {}).get("Rules") or []:
            default = rule.get("ApplyServerSideEncryptionByDefault") or {}
            if str(default.get("SSEAlgorithm", "")).startswith("aws:kms"):
                # no key named: the AWS managed aws/s3 key, which customers cannot delete
                _encrypted(g, nid, account, b.get("Region"), default.get("KMSMasterKeyID"))


def _locked(lock: Any) -> bool:
    return isinstance(lock, dict) and lock.get("ObjectLockEnabled") == "Enabled"


def _lock_mode(lock: Any) -> str | None:
    """Object lock's default retention mode (GOVERNANCE or COMPLIANCE), when there is one."""
    if not _locked(lock):
        return None
    mode = ((lock.get("Rule") or {}).get("DefaultRetention") or {}).get("Mode")
    return mode if isinstance(mode, str) else None


def bucket_replication(g: Graph, account: str, items: list[dict[str, Any]]) -> None:
    for b in items:
        source = g.find("s3", b["Name"])
        for rule in (b.get("Replication") or {}).get("Rules") or []:
            if rule.get("Status") not in (None, "Enabled"):
                continue
            dest = rule.get("Destination") or {}
            arn = dest.get("Bucket")
            replica = g.find("s3", arn)
            if replica is None and isinstance(arn, str):
                # a bucket outside what was pulled: in the account the rule names, else ours (fail safe)
                name = arn.rsplit(":", 1)[-1]
                replica = g.add(
                    {
                        "id": f"aws:s3:{name}",
                        "kind": "bucket",
                        "provider": PROVIDER,
                        "name": name,
                        "parent": g.account(str(dest.get("Account") or account)),
                        "external": True,
                    }
                )
                g.remember("s3", arn, replica)
            if source and replica and replica != source:
                g.relate(replica, "replica_of", source)


def lock_mode(vault: dict[str, Any], now: datetime | None) -> str | None:
    """AWS Backup Vault Lock: COMPLIANCE once its LockDate (the end of the ChangeableForDays grace
    time) has passed — then nobody, root included, can delete a recovery point early or remove the
    lock. Before that, or without a LockDate (governance mode), a principal allowed
    backup:DeleteBackupVaultLockConfiguration can remove the lock: GOVERNANCE, no protection."""
    if vault.get("Locked") is not True:
        return None
    try:
        lock_date = datetime.fromisoformat(str(vault.get("LockDate")))
    except ValueError:
        return "GOVERNANCE"
    if lock_date.tzinfo is None:
        lock_date = lock_date.replace(tzinfo=UTC)
    return "COMPLIANCE" if now is not None and lock_date <= now else "GOVERNANCE"


def backup_vaults(g: Graph, account: str, region: str, raw: dict[str, Any], now: datetime | None = None) -> None:
    for v in raw.get("vaults") or []:
        name = v["BackupVaultName"]
        nid = f"aws:backup-vault:{account}:{region}:{name}"
        g.add(
            {
                "id": nid,
                "kind": "bucket",
                "name": f"backup vault {name}",
                "provider": PROVIDER,
                "parent": g.account(account),
                "region": region,
                "backup_store": True,
                "locked": _bool(v.get("Locked")),
                "object_lock": lock_mode(v, now),
            }
        )
        g.nodes[nid].pop("external", None)
        g.remember("vault", f"{account}:{region}:{name}", nid)
        if v.get("AccessPolicy"):
            vault_ref = ResourceRef("backup", "backupVault", v.get("BackupVaultArn"))
            # a vault holding recovery points cannot be deleted before they are
            g.resource_policies[nid] = (_doc(v["AccessPolicy"]), vault_ref, ResourceRef("backup", "recoveryPoint"))
        g.remember("vault-arn", v.get("BackupVaultArn"), nid)
        _reach(g, nid, v.get("BackupVaultArn"), "backup", "backupVault")


def recovery_points(g: Graph, account: str, region: str, raw: dict[str, Any]) -> None:
    for v in raw.get("vaults") or []:
        vault = g.find("vault", f"{account}:{region}:{v['BackupVaultName']}")
        for rp in v.get("RecoveryPoints") or []:
            arn = rp.get("RecoveryPointArn") or ""
            nid = f"aws:backup:{account}:{region}:recovery-point:{arn.rsplit(':', 1)[-1] or arn}"
            target = g.find("arn", rp.get("ResourceArn")) or g.find("s3", rp.get("ResourceArn"))
            lifecycle = rp.get("Lifecycle") or {}
            g.add(
                {
                    "id": nid,
                    "kind": "backup",
                    "name": f"recovery point of {rp.get('ResourceArn', '?').rsplit(':', 1)[-1]}"
                    f" in {v['BackupVaultName']}",
                    "provider": PROVIDER,
                    "stored_on": vault,
                    "backup_of": target,
                    "created_at": rp.get("CreationDate"),
                    "region": region,
                    "status": DONE.get(str(rp.get("Status", "")).lower(), str(rp.get("Status", "")).lower() or None),
                    "locked": (g.nodes[vault].get("locked") or None) if vault else None,
                    "object_lock": g.nodes[vault].get("object_lock") if vault else None,
                    "retention_days": lifecycle.get("DeleteAfterDays"),
                }
            )
            _reach(g, nid, arn or None, "backup", "recoveryPoint")
            if vault in g.resource_policies:
                g.resource_policies[nid] = (g.resource_policies[vault][0], g.resource_policies[vault][1], None)
            _encrypted(g, nid, account, region, rp.get("EncryptionKeyArn"))


def backup_plans(g: Graph, account: str, region: str, raw: dict[str, Any]) -> None:
    """selection → plan → rules: each protected resource gets a copy in the rule's vault and one
    per copy action's destination vault (as Terraform's aws_backup_selection mapping)."""
    for plan in raw.get("plans") or []:
        body = plan.get("BackupPlan") or {}
        targets: list[str] = []
        for sel in plan.get("Selections") or []:
            targets += _selected(g, sel, account)
        for rule in body.get("Rules") or []:
            rule_name = rule.get("RuleName") or "rule"
            retention = (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
            stores = [
                (
                    g.find("vault", f"{account}:{region}:{rule.get('TargetBackupVaultName')}")
                    or _external_vault(g, None, rule.get("TargetBackupVaultName"), account, region),
                    "",
                )
            ]
            for copy in rule.get("CopyActions") or []:
                dest = copy.get("DestinationBackupVaultArn")
                stores.append((g.find("vault-arn", dest) or _external_vault(g, dest, None, account, region), " copy"))
            for target in dict.fromkeys(targets):
                for store, suffix in stores:
                    g.add(
                        {
                            "id": f"aws:backup-plan:{plan['BackupPlanId']}#{rule_name}{suffix.strip()}"
                            f"@{target}@{store}",
                            "kind": "backup",
                            "name": f"AWS Backup {rule_name}{suffix} of {g.nodes[target]['name']}",
                            "provider": PROVIDER,
                            "backup_of": target,
                            "stored_on": store,
                            "retention_days": retention,
                            "continuous": True if rule.get("EnableContinuousBackup") else None,
                            "locked": g.nodes[store].get("locked") or None,
                            "object_lock": g.nodes[store].get("object_lock"),
                        }
                    )


def _selected(g: Graph, selection: dict[str, Any], account: str) -> list[str]:
    """The pulled data holders a backup selection assigns to its plan, read as AWS Backup does:
    (listed in Resources — ARNs, `*` wildcards — or carrying any tag of ListOfTags) and every
    Condition holds, and not in NotResources. A holder whose tags were not read never matches a
    tag: it is not claimed protected on a guess (fail closed)."""
    listed = [r for r in selection.get("Resources") or [] if isinstance(r, str)]
    excluded = [r for r in selection.get("NotResources") or [] if isinstance(r, str)]
    by_tags = [
        (t.get("ConditionKey"), t.get("ConditionValue"))
        for t in selection.get("ListOfTags") or []
        if str(t.get("ConditionType", "STRINGEQUALS")).upper() == "STRINGEQUALS"
    ]
    conditions = selection.get("Conditions") or {}
    out = []
    for nid, arn in _holders(g, account):
        node_tags = g.tags.get(nid)
        chosen = any(_arn_matches(pattern, arn) for pattern in listed) or (
            node_tags is not None and any(node_tags.get(str(k)) == v for k, v in by_tags)
        )
        if not chosen or any(_arn_matches(pattern, arn) for pattern in excluded):
            continue
        if conditions and (node_tags is None or not _conditions_hold(conditions, node_tags)):
            continue
        out.append(nid)
    return out


def _holders(g: Graph, account: str) -> list[tuple[str, str]]:
    """(node id, ARN) of the account's own data holders a backup plan can protect."""
    out = []
    for nid, owner, arn, *_ in g.reachable:
        n = g.nodes[nid]
        if (
            owner == account
            and n["kind"] in ("database", "volume", "bucket")
            and not n.get("backup_store")
            and not n.get("external")
        ):
            out.append((nid, arn))
    return out


def _arn_matches(pattern: str, arn: str) -> bool:
    return pattern == "*" or fnmatchcase(arn, pattern)


def _conditions_hold(conditions: dict[str, Any], tags: dict[str, str]) -> bool:
    """Every condition (AND): StringEquals / StringNotEquals / StringLike / StringNotLike on
    `aws:ResourceTag/<key>`. An operator blastscope does not know fails the match."""
    tests = {
        "StringEquals": lambda value, want: value == want,
        "StringNotEquals": lambda value, want: value != want,
        "StringLike": lambda value, want: value is not None and fnmatchcase(value, want),
        "StringNotLike": lambda value, want: value is None or not fnmatchcase(value, want),
    }
    for operator, entries in conditions.items():
        if not entries:
            continue
        test = tests.get(operator)
        if test is None:
            return False
        for entry in entries:
            key = str(entry.get("ConditionKey", ""))
            if not key.startswith("aws:ResourceTag/"):
                return False
            if not test(tags.get(key.removeprefix("aws:ResourceTag/")), str(entry.get("ConditionValue"))):
                return False
    return True


def _external_vault(g: Graph, arn_text: Any, name: Any, account: str, region: str) -> str:
    arn = parse_arn(arn_text)
    owner = arn.account if arn and arn.account else account
    label = arn.resource.split(":")[-1] if arn else str(name or "vault")
    where = arn.region if arn and arn.region else region
    return g.add(
        {
            "id": f"aws:backup-vault:{owner}:{where}:{label}",
            "kind": "bucket",
            "name": f"backup vault {label}",
            "provider": PROVIDER,
            "parent": g.account(owner),
            "external": True,
            "backup_store": True,
            "region": where,
        }
    )


# ----------------------------------------------------------------------------------- IAM
def _doc(text: Any) -> Any:
    """Policy documents arrive URL-encoded from GetAccountAuthorizationDetails."""
    if isinstance(text, str):
        try:
            return json.loads(unquote(text) if text.lstrip().startswith("%") else text)
        except ValueError:
            return None
    return text


def _policies(
    entity: dict[str, Any], managed: dict[str, Any], groups: dict[str, list[Any]], list_key: str
) -> tuple[list[PolicyDocument], list[str]]:
    """The entity's identity policies, and the managed policies whose text is not known (reach unknown)."""
    docs: list[Any] = [p.get("PolicyDocument") for p in entity.get(list_key) or []]
    unknown: list[str] = []
    for att in entity.get("AttachedManagedPolicies") or []:
        arn = att.get("PolicyArn")
        doc = managed.get(arn)
        if doc is None:
            known = managed_policy(arn) if isinstance(arn, str) else None
            if known is None:
                unknown.append(str(arn))
                continue
            docs.append(known)
            continue
        docs.append(doc)
    for group in entity.get("GroupList") or []:
        docs += groups.get(group, [])
    parsed: list[PolicyDocument] = []
    for doc in docs:
        if isinstance(doc, PolicyDocument):
            parsed.append(doc)
            continue
        try:
            parsed.append(PolicyDocument.parse(_doc(doc)))
        except PolicyError:
            unknown.append("an unreadable policy document")
    return parsed, unknown


def _grants(
    g: Graph, account: str, policies: list[PolicyDocument], identity: str | None = None
) -> list[dict[str, Any]]:
    """Per-resource access from the IAM evaluation; everything on everything (or IAM itself,
    which can grant everything) reaches the whole account."""
    whole = any(
        s.effect == "Allow"
        and not s.conditional
        and s.resources == ("*",)
        and (s.matches_action("iam:PutRolePolicy") or s.matches_action("iam:AttachUserPolicy"))
        for p in policies
        for s in p.statements
    )
    if whole:
        return [{"target": g.account(account), "actions": ["admin", "delete", "read", "write"]}]
    out = []
    statements = [s for p in policies for s in p.statements]
    for service, reachable in _reachable_by_service(g, account).items():
        relevant = [s for s in statements if _may_touch(s, service)]
        if not any(s.effect == "Allow" for s in relevant):
            continue
        # when every statement that can act on this service names all resources, the answer is
        # the same for every resource of a type: evaluate once per type
        uniform = all(s.resources == ("*",) for s in relevant)
        cache: dict[tuple[str, bool | None], frozenset[str]] = {}
        for nid, arn, rtype, protection in reachable:
            ref = ResourceRef(service, rtype, arn, protection)
            if uniform:
                if (rtype, protection) not in cache:
                    cache[(rtype, protection)] = access_levels(policies, ref)
                levels = cache[(rtype, protection)]
            else:
                levels = access_levels(policies, ref)
            if levels:
                out.append({"target": nid, "actions": sorted(levels)})
    return _with_resource_policies(g, account, policies, identity, out)


def _with_resource_policies(
    g: Graph, account: str, policies: list[PolicyDocument], identity: str | None, grants: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Grants on resources with a bucket or vault access policy, judged again under that policy."""
    by_target = {grant["target"]: grant for grant in grants}
    for nid, _arn, rtype, protection in (
        entry for entries in _reachable_by_service(g, account).values() for entry in entries
    ):
        if nid not in g.resource_policies:
            continue
        document, holder, empty_first = g.resource_policies[nid]
        try:
            allows, denies = applicable(document, identity, account)
        except (PolicyError, ValueError, TypeError):
            continue  # unreadable: identity reach stands (a resource policy cannot be assumed to deny)
        service = holder.service
        ref = ResourceRef(service, rtype, _arn, protection)
        levels = levels_with(policies, ref, holder, allows, denies, empty_first)
        if levels:
            by_target[nid] = {"target": nid, "actions": sorted(levels)}
        else:
            by_target.pop(nid, None)
    return list(by_target.values())


def _reachable_by_service(g: Graph, account: str) -> dict[str, list[tuple[str, str, str, bool | None]]]:
    """What an identity policy of `account` may act on, by service (identity policies act in their
    own account; cross-account trust is exposure, not reach). Built once per account."""
    if account not in g.reach_index:
        index: dict[str, list[tuple[str, str, str, bool | None]]] = {}
        for nid, owner, arn, service, rtype, protection in g.reachable:
            if owner == account:
                index.setdefault(service, []).append((nid, arn, rtype, protection))
        g.reach_index[account] = index
    return g.reach_index[account]


def _may_touch(statement: Any, service: str) -> bool:
    """Could this statement's actions name anything in `service`? (NotAction: assume yes.)"""
    if statement.actions is None:
        return True
    prefix = service.lower() + ":"
    return any(
        a == "*" or a.lower().startswith(prefix) or (a.endswith("*") and prefix.startswith(a[:-1].lower()))
        for a in statement.actions
    )


def _ci_principal(g: Graph, account: str, user: dict[str, Any]) -> str | None:
    """A CI principal the user's active keys are exposed to, when the user looks like a CI user
    (providers/awsiam/exposure.py says how narrowly)."""
    policy_names = [p.get("PolicyName") for p in user.get("AttachedManagedPolicies") or []] + [
        p.get("PolicyName") for p in user.get("UserPolicyList") or []
    ]
    reason = ci_user_reason(
        user["UserName"], str(user.get("Path") or "/"), tags_of(user, "Tags"), [p for p in policy_names if p]
    )
    if reason is None:
        return None
    return g.add(
        {
            "id": f"aws:principal:ci-user:{account}:{user['UserName']}",
            "kind": "principal",
            "name": f"CI using IAM user {user['UserName']} (by its {reason})",
            "type": "ci",
            "provider": PROVIDER,
        }
    )


def iam(g: Graph, account: str, details: dict[str, Any] | None, keys: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Credentials with reach and exposure; returns notes on reach that could not be judged."""
    if details is None:
        return []
    notes: list[str] = []
    managed = {}
    for p in details.get("Policies") or []:
        default = next((v for v in p.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")), None)
        if default is not None:
            managed[p.get("Arn")] = default.get("Document")
    groups = {
        grp.get("GroupName"): [p.get("PolicyDocument") for p in grp.get("GroupPolicyList") or []]
        + [
            managed.get(a.get("PolicyArn")) or managed_policy(a.get("PolicyArn") or "")
            for a in grp.get("AttachedManagedPolicies") or []
        ]
        for grp in details.get("GroupDetailList") or []
    }
    groups = {k: [d for d in v if d is not None] for k, v in groups.items()}
    for user in details.get("UserDetailList") or []:
        name = user["UserName"]
        user_keys = keys.get(name) or []
        if not user_keys:
            continue
        policies, unknown = _policies(user, managed, groups, "UserPolicyList")
        grants = _grants(g, account, policies, user.get("Arn"))
        ci = _ci_principal(g, account, user)
        for key in user_keys:
            kid = key.get("AccessKeyId", "?")
            g.add(
                {
                    "id": f"aws:iam:{account}:access-key:{kid}",
                    "kind": "credential",
                    "name": f"iam-user/{name} access key",
                    "provider": PROVIDER,
                    "token_kind": "access_key",
                    "iam_user": name,
                    "status": key.get("Status"),
                    "created_at": key.get("CreateDate"),
                    "grants": grants or None,
                    "reach_unknown": True if unknown else None,
                    "parent": g.account(account),
                    "exposed_to": ci if ci and key.get("Status", "Active") == "Active" else None,
                }
            )
        if unknown:
            notes.append(
                f"iam-user/{name}: managed policies not known to blastscope, reach may be wider: {', '.join(unknown)}"
            )
    for role in details.get("RoleDetailList") or []:
        name = role["RoleName"]
        if str(role.get("Path", "")).startswith("/aws-service-role/"):
            continue  # service-linked roles: only the AWS service can use them
        policies, unknown = _policies(role, managed, groups, "RolePolicyList")
        exposed: list[str] = []
        for p in principals_of_trust(_doc(role.get("AssumeRolePolicyDocument"))):
            if p.get("service") == "ec2.amazonaws.com":
                for profile in role.get("InstanceProfileList") or []:
                    exposed += [i for i in g.by.get(("profile-instances", profile.get("Arn")), "").split() if i]
                continue
            exposed.append(
                g.add(
                    {
                        "id": f"aws:principal:{p['name']}",
                        "kind": "principal",
                        "name": p["name"],
                        "type": p["type"],
                        "provider": PROVIDER,
                    }
                )
            )
        g.add(
            {
                "id": f"aws:iam:{account}:role:{name}",
                "kind": "credential",
                "name": f"iam-role/{name}",
                "provider": PROVIDER,
                "token_kind": "role",
                "short_lived": True,
                "parent": g.account(account),
                "grants": _grants(g, account, policies, role.get("Arn")) or None,
                "exposed_to": sorted(set(exposed)) or None,
                "reach_unknown": True if unknown else None,
            }
        )
        if unknown:
            notes.append(
                f"iam-role/{name}: managed policies not known to blastscope, reach may be wider: {', '.join(unknown)}"
            )
    return notes


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def translate(accounts: list[dict[str, Any]], now: datetime | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Inventory-shaped resource dicts for every pulled account, and notes on what reach could not be
    judged. `now` is when the account was read (whether a vault lock's grace time is over)."""
    g = Graph()
    for acct in accounts:
        g.account(acct["id"])
    for acct in accounts:  # keys first: every data holder may be encrypted with one
        for region, raw in sorted((acct.get("regions") or {}).items()):
            kms_keys(g, acct["id"], region, raw)
    for acct in accounts:  # data holders first, in every account: copies may point across accounts
        buckets(g, acct["id"], acct.get("buckets") or [])
        for region, raw in sorted((acct.get("regions") or {}).items()):
            rds(g, acct["id"], region, raw)
            ec2(g, acct["id"], region, raw)
            dynamodb(g, acct["id"], region, raw)
            efs(g, acct["id"], region, raw)
            backup_vaults(g, acct["id"], region, raw, now)
    for acct in accounts:
        bucket_replication(g, acct["id"], acct.get("buckets") or [])
        for region, raw in sorted((acct.get("regions") or {}).items()):
            rds_copies(g, acct["id"], region, raw)
            recovery_points(g, acct["id"], region, raw)
            backup_plans(g, acct["id"], region, raw)
    for node in g.nodes.values():  # copies of copies: a snapshot copied from one pulled later
        if node["kind"] == "backup" and "backup_of" not in node and node["id"] in g.copies:
            source = _source_of_copy(g, g.copies[node["id"]])
            if source:
                node["backup_of"] = source
    inherit_keys(g.nodes)
    notes: list[str] = []
    for acct in accounts:
        notes += iam(g, acct["id"], acct.get("iam"), acct.get("access_keys") or {})
    return list(g.nodes.values()), notes
