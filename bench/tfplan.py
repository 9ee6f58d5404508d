"""Build `terraform show -json` plan documents (format_version 1.2, the shape Terraform 1.x
prints: planned_values, resource_changes with before/after/after_unknown/after_sensitive,
prior_state, configuration.provider_config) — for the samples under samples/terraform/ and
for benchmark plans of any size.

    python bench/tfplan.py --resources 10000 -o bench/out/plan-10k.json     # realistic AWS estate
    python bench/tfplan.py --samples samples/terraform                      # regenerate the samples

The AWS provider cannot be downloaded on the reference machine, so these documents are
written from the JSON format's specification rather than by `terraform show`; the one real
Terraform output in the repository is tests/fixtures/terraform/real-terraform-data.plan.json.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

AWS = "registry.terraform.io/hashicorp/aws"
ACCOUNT = "123456789012"
BACKUP_ACCOUNT = "210987654321"
REGION = "eu-west-1"


def mask(value: Any, marked: tuple[str, ...] = ()) -> Any:
    """A mask shaped as `terraform show -json` writes `sensitive_values` / `after_unknown`: every
    map, list and block of the value mirrored as a container (scalars left out), `true` on the
    marked top-level attributes. Real masks are truthy even when they mark nothing."""
    if isinstance(value, dict):
        out: dict[str, Any] = {k: mask(v) for k, v in value.items() if isinstance(v, (dict, list))}
        out.update({k: True for k in marked})
        return out
    if isinstance(value, list):
        return [mask(v) for v in value if isinstance(v, (dict, list))]
    return False


def res(address: str, values: dict[str, Any], provider: str = AWS, sensitive: tuple[str, ...] = ()) -> dict[str, Any]:
    rtype, name = address.split(".")[-2], address.split(".")[-1]
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name.split("[")[0],
        "provider_name": provider,
        "schema_version": 0,
        "values": values,
        "sensitive_values": mask(values, sensitive),
        "_module": address.rsplit(f".{rtype}.", 1)[0] if address.startswith("module.") else "",
    }


def _module_tree(resources: list[dict[str, Any]]) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": []}
    children: dict[str, dict[str, Any]] = {}
    for r in resources:
        clean = {k: v for k, v in r.items() if not k.startswith("_")}
        module = r.get("_module", "")
        if not module:
            root["resources"].append(clean)
        else:
            children.setdefault(module, {"address": module, "resources": []})["resources"].append(clean)
    if children:
        root["child_modules"] = list(children.values())
    return root


def plan_document(
    prior: list[dict[str, Any]],
    planned: list[dict[str, Any]],
    replace: frozenset[str] = frozenset(),
    terraform_version: str = "1.11.4",
    references: dict[str, dict[str, list[str]]] | None = None,
) -> dict[str, Any]:
    before = {r["address"]: r for r in prior}
    after = {r["address"]: r for r in planned}
    changes = []
    for address in list(before) + [a for a in after if a not in before]:
        b, a = before.get(address), after.get(address)
        r = a or b
        if b and a:
            actions = (
                ["delete", "create"]
                if address in replace
                else (["no-op"] if b["values"] == a["values"] else ["update"])
            )
        elif a:
            actions = ["create"]
        else:
            actions = ["delete"]
        changes.append(
            {
                "address": address,
                "mode": "managed",
                "type": r["type"],
                "name": r["name"],
                "provider_name": r["provider_name"],
                **({"module_address": r["_module"]} if r.get("_module") else {}),
                "change": {
                    "actions": actions,
                    "before": b["values"] if b else None,
                    "after": a["values"] if a else None,
                    "after_unknown": {
                        **mask(a["values"]),
                        **({"id": True, "arn": True} if actions == ["create"] else {}),
                    }
                    if a
                    else {},
                    "before_sensitive": b["sensitive_values"] if b else False,
                    "after_sensitive": a["sensitive_values"] if a else False,
                },
                **({"action_reason": "replace_because_cannot_update"} if address in replace else {}),
            }
        )
    planned_clean = []
    for r in planned:
        values = dict(r["values"])
        if r["address"] not in before:  # unknown until apply: absent from planned_values
            values.pop("id", None)
            values.pop("arn", None)
        planned_clean.append({**r, "values": values})
    return {
        "format_version": "1.2",
        "terraform_version": terraform_version,
        "planned_values": {"root_module": _module_tree(planned_clean)},
        "resource_changes": changes,
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": terraform_version,
            "values": {"root_module": _module_tree(prior)},
        },
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "full_name": AWS, "expressions": {"region": {"constant_value": REGION}}}
            },
            "root_module": {
                "resources": [
                    {
                        "address": addr,
                        "mode": "managed",
                        "type": addr.split(".")[0],
                        "name": addr.split(".")[1],
                        "provider_config_key": "aws",
                        "expressions": {attr: {"references": refs} for attr, refs in attrs.items()},
                    }
                    for addr, attrs in (references or {}).items()
                ]
            },
        },
        "timestamp": "2026-11-24T10:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def arn(service: str, resource: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


# ----------------------------------------------------------------------------- samples
def rds(name: str, env: str, **extra: Any) -> dict[str, Any]:
    values = {
        "identifier": name,
        "engine": "postgres",
        "engine_version": "16.4",
        "instance_class": "db.m6g.large",
        "allocated_storage": 200,
        "backup_retention_period": 7,
        "delete_automated_backups": True,
        "deletion_protection": True,
        "skip_final_snapshot": False,
        "final_snapshot_identifier": f"{name}-final",
        "storage_encrypted": True,
        "password": "hunter2-never-copied",
        "id": f"db-{name.upper()}",
        "arn": arn("rds", f"db:{name}"),
        "tags": {"env": env},
        "tags_all": {"env": env},
    }
    values.update(extra)
    return res(f"aws_db_instance.{name.replace('-', '_')}", values, sensitive=("password",))


def samples() -> dict[str, dict[str, Any]]:
    orders = rds("orders-prod", "production")
    snapshot = res(
        "aws_db_snapshot.orders_nightly",
        {
            "db_instance_identifier": "orders-prod",
            "db_snapshot_identifier": "orders-prod-2026-11-23",
            "db_snapshot_arn": arn("rds", "snapshot:orders-prod-2026-11-23"),
            "id": "orders-prod-2026-11-23",
            "snapshot_create_time": "2026-11-23T03:00:00Z",
            "tags": {"env": "production"},
        },
    )
    same_account = [orders, snapshot]

    vault = res(
        "aws_backup_vault.primary", {"name": "primary", "arn": arn("backup", "backup-vault:primary"), "id": "primary"}
    )
    plan = res(
        "aws_backup_plan.daily",
        {
            "id": "plan-0001",
            "name": "daily",
            "arn": arn("backup", "backup-plan:plan-0001"),
            "rule": [
                {
                    "rule_name": "daily",
                    "target_vault_name": "primary",
                    "schedule": "cron(0 3 * * ? *)",
                    "enable_continuous_backup": False,
                    "lifecycle": [{"delete_after": 35, "cold_storage_after": None}],
                    "copy_action": [
                        {
                            "destination_vault_arn": arn(
                                "backup", "backup-vault:offsite", BACKUP_ACCOUNT, "eu-central-1"
                            ),
                            "lifecycle": [{"delete_after": 90}],
                        }
                    ],
                }
            ],
        },
    )
    selection = res(
        "aws_backup_selection.databases",
        {
            "plan_id": None,
            "name": "databases",
            "iam_role_arn": f"arn:aws:iam::{ACCOUNT}:role/backup",
            "resources": [arn("rds", "db:orders-prod")],
        },
    )
    cross_account = [orders, vault, plan, selection]

    data = res(
        "aws_ebs_volume.reports_data",
        {
            "id": "vol-0abc",
            "arn": arn("ec2", "volume/vol-0abc"),
            "size": 500,
            "availability_zone": "eu-west-1a",
            "encrypted": True,
            "tags": {"Name": "reports-data", "env": "production"},
        },
    )
    box = res(
        "aws_instance.reports",
        {
            "id": "i-0abc",
            "arn": arn("ec2", "instance/i-0abc"),
            "instance_type": "m6i.large",
            "tags": {"Name": "reports", "env": "production"},
        },
    )
    attach = res(
        "aws_volume_attachment.reports", {"device_name": "/dev/sdf", "instance_id": "i-0abc", "volume_id": "vol-0abc"}
    )
    prior_delete = [data, box, attach]
    planned_delete = [box]

    old = rds("billing-prod", "production", deletion_protection=False, backup_retention_period=0)
    retagged = json.loads(json.dumps(old))
    retagged["values"]["tags"] = {"env": "production", "owner": "billing-team"}
    retagged["values"]["tags_all"] = dict(retagged["values"]["tags"])
    return {
        "rds-same-account-snapshots.plan.json": plan_document([], same_account),
        "rds-cross-account-backup.plan.json": plan_document(
            [],
            cross_account,
            references={
                "aws_backup_selection.databases": {"plan_id": ["aws_backup_plan.daily.id", "aws_backup_plan.daily"]}
            },
        ),
        "delete-last-copy.plan.json": plan_document(prior_delete, planned_delete),
        "tag-only.plan.json": plan_document([old], [retagged]),
    }


# ---------------------------------------------------------------------------- benchmark
def estate(count: int, seed: int = 11) -> dict[str, Any]:
    """A realistic AWS estate of about `count` resources, as a plan that creates 5% of it."""
    rng = random.Random(seed)
    resources: list[dict[str, Any]] = []
    i = 0
    while len(resources) < count:
        env = rng.choice(["production", "staging", "development"])
        module = f"module.svc{i}"
        name = f"svc{i}-{env}"
        resources.append(
            {
                **rds(name, env, backup_retention_period=rng.choice([0, 1, 7, 14])),
                "address": f"{module}.aws_db_instance.main",
                "_module": module,
                "name": "main",
            }
        )
        if rng.random() < 0.5:
            resources.append(
                {
                    **res(
                        "aws_db_snapshot.manual",
                        {
                            "db_instance_identifier": name,
                            "db_snapshot_identifier": f"{name}-manual",
                            "id": f"{name}-manual",
                            "db_snapshot_arn": arn("rds", f"snapshot:{name}-manual"),
                        },
                    ),
                    "address": f"{module}.aws_db_snapshot.manual",
                    "_module": module,
                }
            )
        bucket = f"{name}-assets"
        resources.append(
            {
                **res(
                    "aws_s3_bucket.assets",
                    {
                        "bucket": bucket,
                        "id": bucket,
                        "arn": f"arn:aws:s3:::{bucket}",
                        "force_destroy": False,
                        "tags": {"env": env},
                    },
                ),
                "address": f"{module}.aws_s3_bucket.assets",
                "_module": module,
            }
        )
        resources.append(
            {
                **res(
                    "aws_s3_bucket_versioning.assets",
                    {"bucket": bucket, "versioning_configuration": [{"status": "Enabled"}]},
                ),
                "address": f"{module}.aws_s3_bucket_versioning.assets",
                "_module": module,
            }
        )
        for k in range(rng.randint(1, 3)):
            vid = f"vol-{i:06d}{k}"
            resources.append(
                {
                    **res(
                        "aws_ebs_volume.data",
                        {
                            "id": vid,
                            "arn": arn("ec2", f"volume/{vid}"),
                            "size": 100,
                            "availability_zone": "eu-west-1a",
                            "tags": {"Name": f"{name}-data{k}", "env": env},
                        },
                    ),
                    "address": f"{module}.aws_ebs_volume.data[{k}]",
                    "_module": module,
                    "name": "data",
                }
            )
            resources.append(
                {
                    **res(
                        "aws_instance.app",
                        {
                            "id": f"i-{i:06d}{k}",
                            "instance_type": "m6i.large",
                            "ami": "ami-0abc",
                            "tags": {"Name": f"{name}-app{k}", "env": env},
                        },
                    ),
                    "address": f"{module}.aws_instance.app[{k}]",
                    "_module": module,
                    "name": "app",
                }
            )
            resources.append(
                {
                    **res(
                        "aws_volume_attachment.data",
                        {"instance_id": f"i-{i:06d}{k}", "volume_id": vid, "device_name": "/dev/sdf"},
                    ),
                    "address": f"{module}.aws_volume_attachment.data[{k}]",
                    "_module": module,
                    "name": "data",
                }
            )
        for k in range(rng.randint(2, 6)):  # the long tail Checkov also reads: security groups, IAM roles…
            rtype = rng.choice(
                ["aws_security_group", "aws_iam_role", "aws_cloudwatch_log_group", "aws_lb_target_group"]
            )
            resources.append(
                {
                    **res(f"{rtype}.r{k}", {"name": f"{name}-{k}", "tags": {"env": env}}),
                    "address": f"{module}.{rtype}.r{k}",
                    "_module": module,
                    "name": f"r{k}",
                }
            )
        i += 1
    resources = resources[:count]
    cut = int(len(resources) * 0.95)
    return plan_document(resources[:cut], resources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--samples", type=Path, help="write the sample plans into this directory")
    args = parser.parse_args()
    if args.samples:
        args.samples.mkdir(parents=True, exist_ok=True)
        for name, doc in samples().items():
            (args.samples / name).write_text(json.dumps(doc, indent=2) + "\n")
            print(args.samples / name)
    if args.resources:
        doc = estate(args.resources)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(doc, indent=2))
        print(f"{args.output}: {args.resources} resources, {args.output.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
