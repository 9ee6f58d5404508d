"""Bucket policies and AWS Backup vault access policies as reach, through the shared IAM
evaluation: a Deny there protects against whoever cannot remove the policy; an Allow there gives
reach the identity's own policies do not. moto lacks GetBackupVaultAccessPolicy: recorded."""

from __future__ import annotations

import json

from tests.providers.aws.conftest import ACCOUNT
from tests.providers.aws.helpers import checks_of, pull
from tests.providers.aws.test_pull import recorded, seed_backup

CAN_DESTROY = "credential-can-destroy-all-copies"


def role(aws, name: str, actions: list[str]) -> None:  # noqa: ANN001
    aws.github_oidc_role(
        name, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    )


def without_vault_policy(service: str, operation: str, params: dict, region: str) -> dict | None:
    if operation == "GetBackupVaultAccessPolicy":
        return {"BackupVaultName": params["BackupVaultName"]}  # no policy on the vault
    return recorded(service, operation, params, region)


def test_a_vault_policy_denying_recovery_point_deletes_protects_against_who_cannot_change_it(aws) -> None:
    aws.rds_with_snapshots(snapshots=())
    seed_backup(aws, copy_to=None)
    deleter = ["rds:*", "backup:DeleteRecoveryPoint", "backup:DeleteBackupVault"]
    role(aws, "backup-cleaner", deleter)
    role(aws, "backup-admin", [*deleter, "backup:PutBackupVaultAccessPolicy"])
    got = checks_of(pull(aws.endpoint, replay=recorded))  # the vault denies DeleteRecoveryPoint to everyone
    assert (CAN_DESTROY, "iam-role/backup-cleaner", "critical") not in got
    assert (CAN_DESTROY, "iam-role/backup-admin", "critical") in got  # replaces the policy, then deletes
    open_vault = checks_of(pull(aws.endpoint, replay=without_vault_policy))
    assert (CAN_DESTROY, "iam-role/backup-cleaner", "critical") in open_vault


def test_a_bucket_policy_deny_protects_and_an_allow_gives_reach(aws) -> None:
    aws.bucket("shop-assets")
    aws.bucket("shop-assets-replica", region="us-east-1")
    aws.replicate("shop-assets", "shop-assets-replica")
    deletes = ["s3:DeleteBucket", "s3:DeleteObject", "s3:DeleteObjectVersion"]
    role(aws, "cleaner", deletes)
    aws.client("iam").create_role(RoleName="reporting", AssumeRolePolicyDocument=json.dumps({"Statement": []}))
    reporting = f"arn:aws:iam::{ACCOUNT}:role/reporting"
    for bucket, region in (("shop-assets", "eu-west-1"), ("shop-assets-replica", "us-east-1")):
        statements = [
            {  # nobody but the reporting role deletes anything here…
                "Effect": "Deny",
                "NotPrincipal": {"AWS": reporting},
                "Action": deletes,
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            },
            {  # …and it may delete objects, though its own policies give it nothing
                "Effect": "Allow",
                "Principal": {"AWS": reporting},
                "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                "Resource": f"arn:aws:s3:::{bucket}/*",
            },
        ]
        aws.client("s3", region).put_bucket_policy(
            Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements})
        )
    source = pull(aws.endpoint)
    assert source.complete, source.gaps
    grants = {r.name: {g.target: g.actions for g in r.grants} for r in source.resources if r.kind == "credential"}
    # the bucket policy gives the reporting role delete on both buckets' objects (its own policies give nothing)
    assert all("delete" in actions for actions in grants["iam-role/reporting"].values())
    assert len(grants["iam-role/reporting"]) == 2
    got = checks_of(source)
    assert (CAN_DESTROY, "iam-role/reporting", "critical") in got
    assert (CAN_DESTROY, "iam-role/cleaner", "critical") not in got  # denied, and cannot change the policy
