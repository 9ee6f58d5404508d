"""IAM in a Terraform document → which policies each user and role has, judged by `awsiam`.

Every way Terraform attaches a policy is followed: `aws_iam_role_policy`, a role's
`inline_policy` blocks and `managed_policy_arns`, `aws_iam_role_policy_attachment`,
`aws_iam_policy_attachment` (roles, users and groups), user and group policies and attachments,
and group membership. A policy ARN not known until apply is followed through the configuration
reference to the `aws_iam_policy` it names; AWS managed policies are known by name. A policy
that cannot be known (unknown ARN, unknown managed policy, document known only after apply)
makes the principal's reach *unknown* (`reach_unknown`), never empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from providers.awsiam import PolicyDocument, PolicyError, ResourceRef, access_levels, managed_policy
from providers.terraform.builder import Builder
from providers.terraform.document import TfResource


@dataclass
class Attached:
    policies: list[PolicyDocument] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # why some reach cannot be known


@dataclass
class IamIndex:
    # keyed by the names Terraform wrote: None when a name is known only after apply
    roles: dict[str | None, Attached] = field(default_factory=dict)
    users: dict[str | None, Attached] = field(default_factory=dict)
    groups: dict[str | None, Attached] = field(default_factory=dict)
    user_groups: dict[str | None, set[str | None]] = field(default_factory=dict)

    def of_user(self, user: str) -> Attached:
        out = Attached(list(self.users.get(user, Attached()).policies), list(self.users.get(user, Attached()).unknown))
        # a group name known only after apply is None: sorting it with names fails, as an unexpected shape
        groups: set[Any] = self.user_groups.get(user, set())
        for group in sorted(groups):
            g = self.groups.get(group, Attached())
            out.policies += g.policies
            out.unknown += g.unknown
        return out


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _add_document(into: Attached, document: Any, what: str) -> None:
    if document is None:
        into.unknown.append(f"{what}: policy known only after apply")
        return
    try:
        into.policies.append(PolicyDocument.parse(document))
    except PolicyError as exc:
        into.unknown.append(f"{what}: {exc}")


def build_index(resources: list[TfResource], b: Builder) -> IamIndex:
    index = IamIndex()
    by_arn: dict[str, Any] = {}
    by_address: dict[str, Any] = {}
    for r in resources:
        if r.type == "aws_iam_policy":
            if isinstance(r.values.get("arn"), str):
                by_arn[r.values["arn"]] = r.values.get("policy")
            by_address[r.address] = r.values.get("policy")
            by_address[r.address.split("[")[0]] = r.values.get("policy")

    def resolve(r: TfResource, arn: Any, into: Attached) -> None:
        if isinstance(arn, str) and arn in by_arn:
            _add_document(into, by_arn[arn], arn)
            return
        if isinstance(arn, str) and arn.startswith("arn:") and ":iam::aws:policy/" in arn:
            doc = managed_policy(arn)
            if doc is None:
                into.unknown.append(f"AWS managed policy {arn.rsplit('/', 1)[-1]} is not known to blastscope")
            else:
                into.policies.append(doc)
            return
        ref = b.ctx.referenced(r.address, "policy_arn", "aws_iam_policy.")
        if ref and ref in by_address:
            _add_document(into, by_address[ref], ref)
            return
        into.unknown.append(
            f"{r.address}: policy {arn if isinstance(arn, str) else '(known after apply)'} not in this document"
        )

    for r in resources:
        v = r.values
        if r.type == "aws_iam_role":
            name = v.get("name") or r.name
            att = index.roles.setdefault(name, Attached())
            for block in v.get("inline_policy") or []:
                if isinstance(block, dict) and block.get("policy"):
                    _add_document(att, block["policy"], f"{r.address} inline_policy")
            for arn in _names(v.get("managed_policy_arns")):
                resolve(r, arn, att)
        elif r.type == "aws_iam_role_policy":
            _add_document(index.roles.setdefault(v.get("role"), Attached()), v.get("policy"), r.address)
        elif r.type == "aws_iam_user_policy":
            _add_document(index.users.setdefault(v.get("user"), Attached()), v.get("policy"), r.address)
        elif r.type == "aws_iam_group_policy":
            _add_document(index.groups.setdefault(v.get("group"), Attached()), v.get("policy"), r.address)
        elif r.type == "aws_iam_role_policy_attachment":
            resolve(r, v.get("policy_arn"), index.roles.setdefault(v.get("role"), Attached()))
        elif r.type == "aws_iam_user_policy_attachment":
            resolve(r, v.get("policy_arn"), index.users.setdefault(v.get("user"), Attached()))
        elif r.type == "aws_iam_group_policy_attachment":
            resolve(r, v.get("policy_arn"), index.groups.setdefault(v.get("group"), Attached()))
        elif r.type == "aws_iam_policy_attachment":
            for key, table in (("roles", index.roles), ("users", index.users), ("groups", index.groups)):
                for name in _names(v.get(key)):
                    resolve(r, v.get("policy_arn"), table.setdefault(name, Attached()))
        elif r.type == "aws_iam_user_group_membership":
            index.user_groups.setdefault(v.get("user"), set()).update(_names(v.get("groups")))
        elif r.type == "aws_iam_group_membership":
            for user in _names(v.get("users")):
                index.user_groups.setdefault(user, set()).add(v.get("group"))
    return index


#: Terraform type → (IAM service, IAM resource type, how to build the ARN from the node)
IAM_TYPES: dict[str, tuple[str, str]] = {
    "aws_db_instance": ("rds", "db"),
    "aws_rds_cluster": ("rds", "cluster"),
    "aws_docdb_cluster": ("rds", "cluster"),
    "aws_neptune_cluster": ("rds", "cluster"),
    "aws_db_snapshot": ("rds", "snapshot"),
    "aws_db_cluster_snapshot": ("rds", "cluster-snapshot"),
    "aws_neptune_cluster_snapshot": ("rds", "cluster-snapshot"),
    "aws_s3_bucket": ("s3", "bucket"),
    "aws_ebs_volume": ("ec2", "volume"),
    "aws_ebs_snapshot": ("ec2", "snapshot"),
    "aws_dynamodb_table": ("dynamodb", "table"),
    "aws_backup_vault": ("backup", "backupVault"),
    "aws_backup_selection": ("backup", "recoveryPoint"),
    "aws_efs_file_system": ("elasticfilesystem", "file-system"),
    "aws_redshift_cluster": ("redshift", "cluster"),
    "aws_elasticache_replication_group": ("elasticache", "replicationgroup"),
    "aws_elasticache_cluster": ("elasticache", "cluster"),
    "aws_elasticsearch_domain": ("es", "domain"),
    "aws_opensearch_domain": ("es", "domain"),
    "aws_ecr_repository": ("ecr", "repository"),
    "aws_secretsmanager_secret": ("secretsmanager", "Secret"),
    "aws_instance": ("ec2", "instance"),
    "aws_kms_key": ("kms", "key"),
}
_ARN_SHAPES = {
    ("rds", "db"): "arn:aws:rds:{region}:{account}:db:{name}",
    ("rds", "cluster"): "arn:aws:rds:{region}:{account}:cluster:{name}",
    ("s3", "bucket"): "arn:aws:s3:::{name}",
    ("dynamodb", "table"): "arn:aws:dynamodb:{region}:{account}:table/{name}",
    ("ecr", "repository"): "arn:aws:ecr:{region}:{account}:repository/{name}",
    ("es", "domain"): "arn:aws:es:{region}:{account}:domain/{name}",
}


def resource_ref(node: dict[str, Any], b: Builder) -> ResourceRef | None:
    """The IAM view of one node; its ARN from the plan, or built from name/region/account when those are known."""
    if node.get("external") and node.get("backup_store"):
        return ResourceRef("backup", "backupVault", None)
    pair = IAM_TYPES.get(str(node.get("tf_type")))
    if node.get("kind") == "backup" and str(node.get("id", "")).endswith("#automated"):
        pair = ("rds", "auto-backup")
    if pair is None:
        return None
    arn = node.get("arn")
    if not isinstance(arn, str):
        shape = _ARN_SHAPES.get(pair)
        account = (
            str(node.get("parent", "")).rsplit(":", 1)[-1]
            if str(node.get("parent", "")).startswith("aws:account:")
            else None
        )
        region, name = node.get("region"), node.get("name")
        if shape and name and (pair == ("s3", "bucket") or (region and account and account != "unknown")):
            arn = shape.format(region=region, account=account, name=name)
        else:
            arn = None
    return ResourceRef(pair[0], pair[1], arn, node.get("deletion_protection"))


def grants_for(attached: Attached, b: Builder) -> list[dict[str, Any]]:
    """Grants on every node whose IAM resource the policies reach, with blastscope's action words."""
    if not attached.policies:
        return []
    out = []
    for nid, node in sorted(b.nodes.items()):
        # grants never target credentials
        if (
            node.get("kind") not in ("database", "bucket", "volume", "backup", "service")
            and node.get("tf_type") != "aws_kms_key"
        ):
            continue  # a KMS key is generic, but scheduling its deletion loses what it encrypts
        ref = b.iam_refs.get(nid) if nid in b.iam_refs else b.iam_refs.setdefault(nid, resource_ref(node, b))
        if ref is None:
            continue
        levels = access_levels(attached.policies, ref)
        if levels:
            out.append({"target": nid, "actions": sorted(levels)})
    return out
