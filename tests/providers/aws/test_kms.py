"""KMS keys that encrypt data stores, through `scan aws` against moto's server: one customer-managed
key under the data and all its copies is one delete away from losing them all; an AWS managed
key is not (customers cannot delete it); the same account described by Terraform agrees."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.providers.aws.conftest import ACCOUNT, REGION
from tests.providers.aws.helpers import findings, scan_aws

KEY_ONLY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["kms:ScheduleKeyDeletion", "kms:DescribeKey"], "Resource": "*"}],
}


def customer_key(aws, alias: str) -> str:  # noqa: ANN001
    kms = aws.client("kms")
    key = kms.create_key(Description=f"{alias} data key")["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key["KeyId"])
    return key["Arn"]


def aws_managed_key(aws, service: str = "rds") -> str:  # noqa: ANN001
    """The ARN of the AWS managed key aws/<service> (customers cannot schedule its deletion)."""
    alias = next(a for a in aws.client("kms").list_aliases()["Aliases"] if a["AliasName"] == f"alias/aws/{service}")
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{alias['TargetKeyId']}"


def encrypted_db(aws, name: str, key_arn: str, snapshots: int = 1) -> None:  # noqa: ANN001
    snaps = tuple(f"{name}-{i}" for i in range(snapshots))
    aws.rds_with_snapshots(name, snaps, StorageEncrypted=True, KmsKeyId=key_arn)


def key_admin(aws, name: str = "key-admin") -> None:  # noqa: ANN001
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="keys", PolicyDocument=json.dumps(KEY_ONLY_POLICY))
    iam.create_access_key(UserName=name)


def test_one_customer_key_under_the_data_and_every_copy_is_a_single_delete(aws) -> None:
    encrypted_db(aws, "orders-prod", customer_key(aws, "orders-data"))
    encrypted_db(aws, "billing-prod", aws_managed_key(aws))
    key_admin(aws)
    code, report, err = scan_aws(aws.endpoint)
    assert code == 1, err
    got = findings(report)
    # the database, its automated backups and its snapshot all need alias/orders-data: one key deletion loses them
    assert ("backup-colocated", "orders-prod", "critical") in got
    colocated = next(
        f for f in report["findings"] if f["check_id"] == "backup-colocated" and f["resource_name"] == "orders-prod"
    )
    assert "KMS key alias/orders-data" in colocated["message"]
    assert "encrypted with this key" in colocated["message"]
    assert "7 days at the earliest" in colocated["message"] and "not a copy" in colocated["message"]
    # a user who may only schedule key deletions can still lose that data for good
    assert ("credential-can-destroy-all-copies", "iam-user/key-admin access key", "critical") in got
    reach = [f for f in report["findings"] if f["resource_name"] == "iam-user/key-admin access key"]
    assert all("billing-prod" not in f["message"] for f in reach), reach
    # the AWS managed key (aws/rds) cannot be deleted by the customer: only the account-wide finding stays
    assert ("backup-colocated", "billing-prod", "medium") in got
    assert ("backup-colocated", "billing-prod", "critical") not in got
    assert report["complete"] is True


def test_a_key_already_scheduled_for_deletion_says_so(aws) -> None:
    key = customer_key(aws, "legacy")
    encrypted_db(aws, "legacy-prod", key, snapshots=1)
    aws.client("kms").schedule_key_deletion(KeyId=key.rsplit("/", 1)[1], PendingWindowInDays=10)
    code, report, err = scan_aws(aws.endpoint)
    assert code == 1, err
    finding = next(
        f for f in report["findings"] if f["check_id"] == "backup-colocated" and f["resource_name"] == "legacy-prod"
    )
    assert finding["severity"] == "critical"  # the window is said, not counted as a copy
    assert "already scheduled for 20" in finding["message"]


def terraform_state(key_arn: str, key_id: str) -> dict:
    def res(rtype: str, name: str, values: dict) -> dict:
        return {
            "address": f"{rtype}.{name}",
            "mode": "managed",
            "type": rtype,
            "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": values,
            "sensitive_values": {},
        }

    return {
        "format_version": "1.0",
        "terraform_version": "1.9.0",
        "values": {
            "root_module": {
                "resources": [
                    res("aws_kms_key", "orders", {"arn": key_arn, "key_id": key_id, "description": "orders data"}),
                    res(
                        "aws_db_instance",
                        "orders_prod",
                        {
                            "identifier": "orders-prod",
                            "arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders-prod",
                            "engine": "postgres",
                            "instance_class": "db.m6g.large",
                            "backup_retention_period": 7,
                            "deletion_protection": True,
                            "storage_encrypted": True,
                            "kms_key_id": key_arn,
                            "tags": {"env": "production"},
                        },
                    ),
                    res(
                        "aws_db_snapshot",
                        "nightly",
                        {
                            "db_instance_identifier": "orders-prod",
                            "db_snapshot_identifier": "orders-prod-0",
                            "db_snapshot_arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:orders-prod-0",
                        },
                    ),
                ]
            }
        },
    }


def test_terraform_and_live_agree_on_a_key_that_encrypts_every_copy(aws, tmp_path: Path) -> None:
    key_arn = customer_key(aws, "orders-data")
    encrypted_db(aws, "orders-prod", key_arn)
    state = tmp_path / "state.json"
    state.write_text(json.dumps(terraform_state(key_arn, key_arn.rsplit("/", 1)[1])))
    tf = run_cli("scan", str(state), "-f", "json", "--now", "2026-11-25")
    tf_findings = findings(json.loads(tf.stdout))
    assert ("backup-colocated", "orders-prod", "critical") in tf_findings, tf.stdout
    _, live, err = scan_aws(aws.endpoint)
    assert findings(live) == tf_findings, err


def test_the_least_privilege_policy_in_the_docs_covers_every_call_a_pull_makes(aws) -> None:
    """Every operation a pull sends (seen through the replay hook, which answers none) is an action
    of the policy docs/aws.md gives; a new call without a docs update fails here."""
    import re

    from providers.aws.fetch import IAM_ACTION
    from tests.conftest import ROOT
    from tests.providers.aws.helpers import pull

    sent: set[str] = set()

    def watch(service: str, operation: str, params: dict, region: str) -> None:
        sent.add(IAM_ACTION.get((service, operation), f"{service}:{operation}"))

    encrypted_db(aws, "orders-prod", customer_key(aws, "orders-data"))
    aws.bucket("shop-assets")
    key_admin(aws)
    pull(aws.endpoint, replay=watch)
    block = (ROOT / "docs/aws.md").read_text().split('"Action": [', 1)[1].split("]", 1)[0]
    documented = set(re.findall(r'"([a-z0-9-]+:[A-Za-z]+)"', block))
    assert sent and sent <= documented, sorted(sent - documented)


def test_a_key_policy_that_names_a_role_gives_it_the_keys_deletion(aws) -> None:
    """Key policies count as reach like bucket policies: the role named there may schedule the
    key's deletion though its own policies say nothing about KMS; the account's root statement
    only delegates to identity policies, so it gives the other role nothing."""
    describe_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "rds:Describe*", "Resource": "*"}],
    }
    aws.github_oidc_role("deployer", describe_only)
    aws.github_oidc_role("reader", describe_only)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/deployer"},
                "Action": "kms:ScheduleKeyDeletion",
                "Resource": "*",
            },
        ],
    }
    key = aws.client("kms").create_key(Description="orders data", Policy=json.dumps(policy))["KeyMetadata"]
    encrypted_db(aws, "orders-prod", key["Arn"])
    got = findings(scan_aws(aws.endpoint)[1])
    assert ("credential-can-destroy-all-copies", "iam-role/deployer", "critical") in got
    assert ("credential-can-destroy-all-copies", "iam-role/reader", "critical") not in got
