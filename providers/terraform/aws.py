"""AWS resources → model, one small function per resource family.

Blast semantics (terraform-provider-aws docs, ../shared/terraform-notes.md):
- RDS automated backups are deleted with the instance unless `delete_automated_backups` is
  false: they are `stored_on` the instance. Manual snapshots outlive it but stay in the same
  account and region: `stored_on` the account.
- EBS snapshots and AWS Backup recovery points live in the account (a vault) they belong to;
  only a `copy_action` to another account's vault, or replication to a bucket owned by another
  account, puts a copy outside the account.
- IAM users' access keys are credentials whose reach comes from their policies: `*` or a
  service's delete actions on `*` reach the whole account.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from auditor.io.resources import add_relation
from providers.awsiam import ci_user_reason
from providers.terraform import aws_iam
from providers.terraform.builder import Builder, node_id
from providers.terraform.context import parse_arn
from providers.terraform.document import TfResource

Handler = Callable[[TfResource, Builder], None]


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


# ------------------------------------------------------------------------------ data holders
def _rds(res: TfResource, b: Builder, identifier_key: str, lookup: str) -> None:
    """An RDS instance or Aurora cluster: the database, and its automated backups."""
    v = res.values
    db = b.resource(
        res,
        "database",
        v.get(identifier_key) or res.name,
        engine=v.get("engine"),
        deletion_protection=_bool(v.get("deletion_protection")),
        skip_final_snapshot=_bool(v.get("skip_final_snapshot")),
    )
    b.remember(lookup, v.get(identifier_key), db["id"])
    b.remember("arn", v.get("arn"), db["id"])
    _automated_backups(res, b, db, v.get("backup_retention_period"), v.get("delete_automated_backups"))


def db_instance(res: TfResource, b: Builder) -> None:
    _rds(res, b, "identifier", "rds")


def rds_cluster(res: TfResource, b: Builder) -> None:
    _rds(res, b, "cluster_identifier", "rds-cluster")


def _automated_backups(res: TfResource, b: Builder, db: dict, retention: Any, delete_with_instance: Any) -> None:
    if retention is None:  # known only after apply (or not reported): unknown, never "no backup"
        db["unread"] = ["backups"]
        return
    if not isinstance(retention, int) or retention <= 0:
        return  # backups off (0): backup-missing is the check's call
    on_instance = delete_with_instance is not False  # default true: they go with the instance
    b.add(
        {
            "id": f"{db['id']}#automated",
            "kind": "backup",
            "name": f"{db['name']} automated backups (PITR {retention} d)",
            "provider": "terraform",
            "backup_of": db["id"],
            "stored_on": db["id"] if on_instance else db["parent"],
            "retention_days": retention,
            "continuous": True,
            "status": "enabled",
            "address": res.address,
            **({"region": db["region"]} if "region" in db else {}),
        }
    )


def ebs_volume(res: TfResource, b: Builder) -> None:
    v = res.values
    raw_tags = v.get("tags")
    tags: dict[str, Any] = raw_tags if isinstance(raw_tags, dict) else {}
    vol = b.resource(
        res,
        "volume",
        tags.get("Name") or res.name,
        size_mb=v["size"] * 1024 if isinstance(v.get("size"), int) else None,
        encrypted=_bool(v.get("encrypted")),
        deletion_protection_supported=False,
    )  # EBS volumes have no deletion protection switch
    b.remember("ebs", v.get("id"), vol["id"])


def s3_bucket(res: TfResource, b: Builder) -> None:
    v = res.values
    inline = v.get("versioning")  # provider v3's inline block
    versioning = (
        inline[0].get("enabled") if isinstance(inline, list) and inline and isinstance(inline[0], dict) else None
    )
    bucket = b.resource(
        res,
        "bucket",
        v.get("bucket") or res.name,
        force_destroy=_bool(v.get("force_destroy")),
        locked=True if v.get("object_lock_enabled") is True else None,
        versioning=_bool(versioning),
        deletion_protection_supported=False,
    )  # S3 has no deletion protection switch
    b.remember("s3", v.get("bucket"), bucket["id"])
    b.remember("s3", f"arn:aws:s3:::{v.get('bucket')}", bucket["id"])


def backup_vault(res: TfResource, b: Builder) -> None:
    v = res.values
    vault = b.resource(res, "bucket", f"backup vault {v.get('name') or res.name}", backup_store=True)
    b.remember("vault", v.get("name"), vault["id"])
    b.remember("vault-arn", v.get("arn"), vault["id"])


def instance(res: TfResource, b: Builder) -> None:
    v = res.values
    raw_tags = v.get("tags")
    tags: dict[str, Any] = raw_tags if isinstance(raw_tags, dict) else {}
    svc = b.resource(res, "service", tags.get("Name") or res.name, instance_type=v.get("instance_type"))
    b.remember("ec2", v.get("id"), svc["id"])


def rds_cluster_instance(res: TfResource, b: Builder) -> None:
    svc = b.resource(res, "service", res.values.get("identifier") or res.name)
    b.remember("pending-cluster-member", res.address, svc["id"])


def iam_user(res: TfResource, b: Builder) -> None:
    b.remember("iam-user", res.values.get("name"), node_id(res))


# ------------------------------------------------------------------------- relations / copies
def cluster_member(res: TfResource, b: Builder) -> None:
    cluster = b.find("rds-cluster", res.values.get("cluster_identifier"))
    if cluster:
        b.relate(node_id(res), "attached_to", cluster)


def db_snapshot(res: TfResource, b: Builder) -> None:
    v = res.values
    target = (
        b.find("rds", v.get("db_instance_identifier"))
        or b.find("rds-cluster", v.get("db_cluster_identifier"))
        or _referenced_node(res, b, "db_instance_identifier", "aws_db_instance.")
        or _referenced_node(res, b, "db_cluster_identifier", "aws_rds_cluster.")
    )
    _snapshot(
        res,
        b,
        v.get("db_snapshot_identifier") or v.get("db_cluster_snapshot_identifier"),
        target,
        v.get("snapshot_create_time") or v.get("cluster_snapshot_create_time"),
    )


def ebs_snapshot(res: TfResource, b: Builder) -> None:
    _snapshot(
        res,
        b,
        (res.values.get("tags") or {}).get("Name") if isinstance(res.values.get("tags"), dict) else None,
        b.find("ebs", res.values.get("volume_id")) or _referenced_node(res, b, "volume_id", "aws_ebs_volume."),
        None,
    )


def _referenced_node(res: TfResource, b: Builder, attribute: str, prefix: str) -> str | None:
    """A resource created in the same plan has no id yet: follow the configuration reference."""
    ref = b.ctx.referenced(res.address, attribute, prefix)
    if ref is None:
        return None
    full = f"{res.module}.{ref}" if res.module else ref  # references inside a module are relative to it
    index = res.address[len(res.address.rstrip("]").rsplit("[", 1)[0]) :] if res.address.endswith("]") else ""
    for candidate in (f"tf:{full}", f"tf:{full}{index}", f"tf:{full}[0]"):
        if candidate in b.nodes:
            return candidate
    return None


def _snapshot(res: TfResource, b: Builder, name: Any, target: str | None, created: Any) -> None:
    snap = b.resource(res, "backup", name or res.address, created_at=created if isinstance(created, str) else None)
    snap["stored_on"] = snap.pop("parent")  # a snapshot lives in its account's storage, not inside it as a child
    if target:
        snap["backup_of"] = target


def automated_backups_replication(res: TfResource, b: Builder) -> None:
    """Cross-region copy of automated backups: another region, same account (the ARN says which)."""
    v = res.values
    source = b.find("arn", v.get("source_db_instance_arn"))
    arn = parse_arn(v.get("source_db_instance_arn"))
    account = b.account("aws", arn.account if arn and arn.account else b.ctx.default_account.get("aws", "unknown"))
    node = {
        "id": node_id(res),
        "kind": "backup",
        "name": f"replicated automated backups ({res.address})",
        "provider": "terraform",
        "stored_on": account,
        "continuous": True,
        "retention_days": v.get("retention_period") or 7,
        "address": res.address,
        "region": b.ctx.default_region.get("aws"),
    }
    if source:
        node["backup_of"] = source
    b.add({k: val for k, val in node.items() if val is not None})


def volume_attachment(res: TfResource, b: Builder) -> None:
    svc = b.find("ec2", res.values.get("instance_id")) or _referenced_node(res, b, "instance_id", "aws_instance.")
    vol = b.find("ebs", res.values.get("volume_id")) or _referenced_node(res, b, "volume_id", "aws_ebs_volume.")
    if svc and vol:
        b.relate(svc, "attached_to", vol)


def s3_replication(res: TfResource, b: Builder) -> None:
    v = res.values
    source = b.find("s3", v.get("bucket"))
    if not source:
        return
    for rule in v.get("rule") or []:
        if not isinstance(rule, dict) or (rule.get("status") not in (None, "Enabled")):
            continue
        for dest in rule.get("destination") or []:
            if not isinstance(dest, dict):
                continue
            dest_arn = dest.get("bucket")
            replica = b.find("s3", dest_arn)
            if replica is None and isinstance(dest_arn, str):
                # a bucket outside this configuration: in the account the rule names, else (unknown) ours
                account = dest.get("account") or b.ctx.default_account.get("aws", "unknown")
                replica = b.add(
                    {
                        "id": f"aws:s3:{dest_arn.rsplit(':', 1)[-1]}",
                        "kind": "bucket",
                        "provider": "terraform",
                        "name": dest_arn.rsplit(":", 1)[-1],
                        "parent": b.account("aws", str(account)),
                        "external": True,
                    }
                )
            if replica and replica != source:
                b.relate(replica, "replica_of", source)


def s3_versioning(res: TfResource, b: Builder) -> None:
    bucket = b.find("s3", res.values.get("bucket"))
    conf = res.values.get("versioning_configuration")
    status = conf[0].get("status") if isinstance(conf, list) and conf and isinstance(conf[0], dict) else None
    if bucket:
        states: dict[str | None, bool] = {"Enabled": True, "Suspended": False, "Disabled": False}
        b.nodes[bucket]["versioning"] = states.get(status)


def s3_object_lock(res: TfResource, b: Builder) -> None:
    """Object lock's default retention: objects cannot be deleted before it runs out."""
    bucket = b.find("s3", res.values.get("bucket"))
    if not bucket:
        return
    b.nodes[bucket]["locked"] = True
    for rule in res.values.get("rule") or []:
        for retention in (rule.get("default_retention") or []) if isinstance(rule, dict) else []:
            if isinstance(retention, dict) and retention.get("mode") in ("GOVERNANCE", "COMPLIANCE"):
                b.nodes[bucket]["object_lock"] = retention["mode"]


#: a key's scheduled deletion waits 7 to 30 days, and whoever schedules it picks: 7 days at least
KEY_DELETION_WINDOW_HOURS = 7 * 24


def kms_key(res: TfResource, b: Builder) -> None:
    """A customer-managed KMS key: not a data holder itself, but every copy encrypted with it is
    lost with it (after the 7–30 day deletion window): encrypted data is `encrypted_with` its key."""
    v = res.values
    node = b.resource(
        res,
        "generic",
        "KMS key " + (v.get("description") or res.address)[:200],
        holds_data=True,
        key_manager="customer",
        deletion_queue_hours=KEY_DELETION_WINDOW_HOURS,
    )
    for key in ("arn", "key_id", "id"):
        b.remember("kms", v.get(key), node["id"])


KMS_ATTRIBUTES = ("kms_key_id", "kms_key_arn", "kms_master_key_id", "kms_key")


def _kms_value(values: Any, depth: int = 0) -> tuple[str, Any] | None:
    """(attribute, value) of the first KMS key reference in a resource's values (nested blocks included)."""
    if depth > 4:
        return None
    if isinstance(values, dict):
        for key in KMS_ATTRIBUTES:
            if key in values:
                return key, values[key]
        for value in values.values():
            found = _kms_value(value, depth + 1) if isinstance(value, (dict, list)) else None
            if found:
                return found
    elif isinstance(values, list):
        for value in values:
            found = _kms_value(value, depth + 1)
            if found:
                return found
    return None


def link_kms_keys(resources: list[TfResource], b: Builder) -> None:
    """Data encrypted with a KMS key in this document is `stored_on` that key as well."""
    for res in resources:
        target = node_id(res)
        if res.type == "aws_s3_bucket_server_side_encryption_configuration":
            target = (
                b.find("s3", res.values.get("bucket")) or _referenced_node(res, b, "bucket", "aws_s3_bucket.") or ""
            )
        node = b.nodes.get(target)
        if node is None or node["kind"] not in ("database", "volume", "bucket", "backup"):
            continue
        found = _kms_value(res.values)
        if found is None:
            continue
        attribute, value = found
        key = b.find("kms", value) or _referenced_node(res, b, attribute, "aws_kms_key.")
        if key is None and res.type == "aws_s3_bucket_server_side_encryption_configuration":
            ref = b.ctx.referenced(res.address, "rule", "aws_kms_key.")
            key = f"tf:{ref}" if ref and f"tf:{ref}" in b.nodes else None
        if key and b.nodes[key].get("tf_type") == "aws_kms_key":
            b.relate(target, "encrypted_with", key)
    inherit_keys(b.nodes)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]


def account_of(nodes: dict[str, dict[str, Any]], nid: str) -> str | None:
    """The account node a node lives in (up its parent / stored_on chain), if any."""
    seen: set[str] = set()
    current: str | None = nid
    while current and current not in seen and current in nodes:
        seen.add(current)
        node = nodes[current]
        if node.get("kind") == "account":
            return current
        current = next(iter(_as_list(node.get("parent")) + _as_list(node.get("stored_on"))), None)
    return None


def inherit_keys(nodes: dict[str, dict[str, Any]]) -> None:
    """A backup whose own key the source does not report (a snapshot in a plan, a DynamoDB backup,
    a recovery point AWS Backup will make) is encrypted with its source's customer-managed keys
    when it stays in the keys' account: AWS encrypts RDS, EBS and DynamoDB snapshots with the
    source's key. A copy into another account is re-encrypted with that account's key."""
    for node in nodes.values():
        if node.get("kind") != "backup" or node.get("encrypted_with") or node.get("external"):
            continue
        home = account_of(nodes, node["id"])
        for source in _as_list(node.get("backup_of")):
            for key in _as_list(nodes.get(source, {}).get("encrypted_with")):
                if home is not None and account_of(nodes, key) == home:
                    add_relation(node, "encrypted_with", key)


def backup_plan(res: TfResource, b: Builder) -> None:
    b.remember("backup-plan", res.values.get("id") or res.address, res.address)
    b.remember("backup-plan-address", res.address, res.address)


def backup_selection(res: TfResource, b: Builder) -> None:
    """selection → plan → rules: each protected resource gets a recovery point in the rule's
    vault, plus one per copy_action destination."""
    v = res.values
    plan = b.plans.get(v.get("plan_id"))
    if plan is None:  # created in the same apply: the configuration says which plan
        plan = b.plans.get(b.ctx.referenced(res.address, "plan_id", "aws_backup_plan.") or "")
    distinct = {id(p): p for p in b.plans.values()}
    if plan is None and len(distinct) == 1:
        plan = next(iter(distinct.values()))
    if plan is None:
        return
    targets = _selected(v, b)
    for rule in plan.values.get("rule") or []:
        if not isinstance(rule, dict):
            continue
        rule_name = rule.get("rule_name") or "rule"
        retention = None
        for lifecycle in rule.get("lifecycle") or []:
            if isinstance(lifecycle, dict) and isinstance(lifecycle.get("delete_after"), int):
                retention = lifecycle["delete_after"]
        vault = b.find("vault", rule.get("target_vault_name")) or _external_vault(
            b, None, rule.get("target_vault_name")
        )
        stores = [(vault, "")]
        for copy in rule.get("copy_action") or []:
            if isinstance(copy, dict):
                stores.append(
                    (
                        b.find("vault-arn", copy.get("destination_vault_arn"))
                        or _external_vault(b, copy.get("destination_vault_arn"), None),
                        " copy",
                    )
                )
        for target in targets:
            for store, suffix in stores:
                b.add(
                    {
                        "id": f"tf:{res.address}#{rule_name}{suffix.strip()}@{target}@{store}",
                        "kind": "backup",
                        "name": f"AWS Backup {rule_name}{suffix} of {b.nodes[target]['name']}",
                        "provider": "terraform",
                        "backup_of": target,
                        "stored_on": store,
                        "address": res.address,
                        **({"retention_days": retention} if retention else {}),
                        **({"continuous": True} if rule.get("enable_continuous_backup") else {}),
                    }
                )


def _selected(v: dict, b: Builder) -> list[str]:
    resources = v.get("resources") or []
    protectable = [
        nid
        for nid, n in b.nodes.items()
        if n["kind"] in ("database", "volume") or (n["kind"] == "bucket" and n.get("tf_type") != "aws_backup_vault")
    ]
    out = []
    for text in resources:
        if text == "*":
            return protectable
        hit = b.find("arn", text) or b.find("s3", text) or _by_arn_name(b, text)
        if hit:
            out.append(hit)
    return out


def _by_arn_name(b: Builder, text: Any) -> str | None:
    """A resource created in this same plan has no ARN yet: match the name inside the ARN."""
    arn = parse_arn(text)
    if arn is None:
        return None
    kind, _, name = arn.resource.replace("/", ":").partition(":")
    lookup = {("rds", "db"): "rds", ("rds", "cluster"): "rds-cluster", ("ec2", "volume"): "ebs"}.get(
        (arn.service, kind)
    )
    return b.find(lookup, name) if lookup else None


def _external_vault(b: Builder, arn_text: Any, name: Any) -> str:
    arn = parse_arn(arn_text)
    account = arn.account if arn and arn.account else b.ctx.default_account.get("aws", "unknown")
    label = arn.resource.split(":")[-1] if arn else str(name or "vault")
    region = arn.region if arn else b.ctx.default_region.get("aws")
    return b.add(
        {
            "id": f"aws:backup-vault:{account}:{region}:{label}",
            "kind": "bucket",
            "name": f"backup vault {label}",
            "provider": "terraform",
            "parent": b.account("aws", account),
            "external": True,
            "backup_store": True,
            **({"region": region} if region else {}),
        }
    )


# ----------------------------------------------------------------------------------- IAM
def _reach(node: dict[str, Any], attached: aws_iam.Attached, b: Builder) -> None:
    grants = aws_iam.grants_for(attached, b)
    if grants:
        node["grants"] = grants
    if attached.unknown:
        node["reach_unknown"] = True  # some attached policy could not be read: reach may be wider


def access_key(res: TfResource, b: Builder) -> None:
    v = res.values
    user = v.get("user")
    attached = b.iam.of_user(user) if isinstance(user, str) else aws_iam.Attached()
    node = {
        "id": node_id(res),
        "kind": "credential",
        "name": f"iam-user/{user} access key",
        "provider": "terraform",
        "token_kind": "access_key",
        "address": res.address,
        "iam_user": user,
        "status": v.get("status"),
    }
    reason = ci_user_reason(user) if isinstance(user, str) else None
    if reason and v.get("status", "Active") in (None, "Active"):
        account = b.ctx.default_account.get("aws", "unknown")
        node["exposed_to"] = b.add(
            {
                "id": f"aws:principal:ci-user:{account}:{user}",
                "kind": "principal",
                "name": f"CI using IAM user {user} (by its {reason})",
                "type": "ci",
                "provider": "terraform",
            }
        )
    _reach(node, attached, b)
    b.add({k: val for k, val in node.items() if val is not None})


def _principals(trust: Any) -> list[dict[str, Any]]:
    """Who may assume a role, from its trust (assume-role) policy: CI through GitHub's OIDC
    provider, AWS services, other accounts."""
    if isinstance(trust, str):
        try:
            trust = json.loads(trust)
        except ValueError:
            return []
    statements = trust.get("Statement") if isinstance(trust, dict) else None
    out = []
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict) or st.get("Effect") != "Allow" or not isinstance(st.get("Principal"), dict):
            continue
        principal = st["Principal"]
        federated = principal.get("Federated")
        for fed in federated if isinstance(federated, list) else [federated]:
            if isinstance(fed, str) and "token.actions.githubusercontent.com" in fed:
                conditions = json.dumps(st.get("Condition") or {})
                repos = sorted(set(part.split('"')[0] for part in conditions.split("repo:")[1:]))
                out.append(
                    {
                        "type": "ci",
                        "name": "GitHub Actions"
                        + (f" ({', '.join(r.rstrip(':*') for r in repos)})" if repos else " (any repository)"),
                    }
                )
            elif isinstance(fed, str):
                out.append({"type": "ci", "name": f"federated {fed.rsplit('/', 1)[-1]}"})
        services = principal.get("Service")
        for svc in services if isinstance(services, list) else [services]:
            if isinstance(svc, str):
                out.append({"type": "workload", "name": svc, "service": svc})
        accounts = principal.get("AWS")
        for acct in accounts if isinstance(accounts, list) else [accounts]:
            arn = parse_arn(acct)
            if arn:
                out.append({"type": "human", "name": f"AWS account {arn.account} ({arn.resource})"})
    return out


def iam_role(res: TfResource, b: Builder) -> None:
    """An IAM role is a credential issued per session: reach from its policies, exposure from
    who may assume it (a CI pipeline through OIDC, EC2 instances through instance profiles)."""
    v = res.values
    name = v.get("name") or res.name
    attached = b.iam.roles.get(name, aws_iam.Attached())
    exposed: list[str] = []
    for p in _principals(v.get("assume_role_policy")):
        if p.get("service") == "ec2.amazonaws.com":
            exposed += b.instances_with_role.get(name, [])
            continue
        pid = b.add(
            {
                "id": f"aws:principal:{p['name']}",
                "kind": "principal",
                "name": p["name"],
                "type": p["type"],
                "provider": "terraform",
            }
        )
        exposed.append(pid)
    node = {
        "id": node_id(res),
        "kind": "credential",
        "name": f"iam-role/{name}",
        "provider": "terraform",
        "token_kind": "role",
        "short_lived": True,
        "address": res.address,
    }
    _reach(node, attached, b)
    if exposed:
        node["exposed_to"] = sorted(set(exposed))
    b.add(node)


def collect_role_links(resources: list[TfResource], b: Builder) -> None:
    """role name → policy documents; role name → instances that run with it (instance profiles)."""
    managed = {r.values.get("arn"): r.values.get("policy") for r in resources if r.type == "aws_iam_policy"}
    b.role_policies = {}
    profiles: dict[str, str | None] = {}
    for r in resources:
        if r.type == "aws_iam_role_policy":
            b.role_policies.setdefault(r.values.get("role"), []).append(r.values.get("policy"))
        elif r.type == "aws_iam_role_policy_attachment":
            arn = r.values.get("policy_arn")
            doc = managed.get(arn) or (MANAGED_ADMIN.get(arn) if isinstance(arn, str) else None)
            if doc is not None:
                b.role_policies.setdefault(r.values.get("role"), []).append(doc)
        elif r.type == "aws_iam_instance_profile" and isinstance(r.values.get("name"), str):
            profiles[r.values["name"]] = r.values.get("role")
    b.instances_with_role = {}
    for r in resources:
        if r.type == "aws_instance" and r.values.get("iam_instance_profile") in profiles:
            b.instances_with_role.setdefault(profiles[r.values["iam_instance_profile"]], []).append(node_id(r))


MANAGED_ADMIN = {
    "arn:aws:iam::aws:policy/AdministratorAccess": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    "arn:aws:iam::aws:policy/PowerUserAccess": {
        "Statement": [{"Effect": "Allow", "Action": ["rds:*", "s3:*", "ec2:*", "backup:*"], "Resource": "*"}]
    },
}


def collect_user_policies(resources: list[TfResource], b: Builder) -> None:
    """user name → policy documents (inline, and attached managed policies defined here or well known)."""
    managed = {r.values.get("arn"): r.values.get("policy") for r in resources if r.type == "aws_iam_policy"}
    managed.update({f"tf:{r.address}": r.values.get("policy") for r in resources if r.type == "aws_iam_policy"})
    b.user_policies = {}
    for r in resources:
        if r.type == "aws_iam_user_policy":
            b.user_policies.setdefault(r.values.get("user"), []).append(r.values.get("policy"))
        elif r.type == "aws_iam_user_policy_attachment":
            arn = r.values.get("policy_arn")
            doc = managed.get(arn) or (MANAGED_ADMIN.get(arn) if isinstance(arn, str) else None)
            if doc is not None:
                b.user_policies.setdefault(r.values.get("user"), []).append(doc)


PRIMARY: dict[str, Handler] = {
    "aws_kms_key": kms_key,
    "aws_db_instance": db_instance,
    "aws_rds_cluster": rds_cluster,
    "aws_rds_cluster_instance": rds_cluster_instance,
    "aws_ebs_volume": ebs_volume,
    "aws_instance": instance,
    "aws_s3_bucket": s3_bucket,
    "aws_backup_vault": backup_vault,
}
RELATIONAL: dict[str, Handler] = {
    "aws_rds_cluster_instance": cluster_member,
    "aws_db_snapshot": db_snapshot,
    "aws_db_cluster_snapshot": db_snapshot,
    "aws_db_instance_automated_backups_replication": automated_backups_replication,
    "aws_ebs_snapshot": ebs_snapshot,
    "aws_volume_attachment": volume_attachment,
    "aws_s3_bucket_replication_configuration": s3_replication,
    "aws_s3_bucket_versioning": s3_versioning,
    "aws_s3_bucket_object_lock_configuration": s3_object_lock,
    "aws_backup_selection": backup_selection,
    "aws_iam_access_key": access_key,
    "aws_iam_role": iam_role,
}
#: understood, but not nodes of their own (their effect lands on other nodes)
ABSORBED = frozenset(
    {
        "aws_backup_plan",
        "aws_iam_user",
        "aws_iam_user_policy",
        "aws_iam_user_policy_attachment",
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_instance_profile",
        "aws_iam_openid_connect_provider",
        "aws_iam_policy_attachment",
        "aws_iam_group",
        "aws_iam_group_policy",
        "aws_iam_group_policy_attachment",
        "aws_iam_user_group_membership",
        "aws_iam_group_membership",
    }
)
