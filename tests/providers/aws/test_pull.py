"""The AWS pull in-process against moto's server: read-only by construction, secrets never read,
AWS Backup (plans, copy actions, a locked vault) and parity with the Terraform provider."""

from __future__ import annotations

import json

import pytest

from auditor.cli.live import LiveFlags, live_settings
from providers.aws import AWS, pull_source
from providers.aws.clients import Clients, ClientSettings, RequestCounter
from providers.aws.guard import ReadOnlyViolation, is_allowed
from tests.conftest import ROOT, run_cli
from tests.providers.aws.conftest import ACCOUNT, OTHER, REGION
from tests.providers.aws.helpers import checks_of, findings, pull

DB_ARN = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders-prod"
OFFSITE = f"arn:aws:backup:eu-central-1:{OTHER}:backup-vault:offsite"


# ------------------------------------------------------------------------------ read-only
@pytest.mark.parametrize(
    ("service", "operation", "allowed"),
    [
        ("rds", "DescribeDBInstances", True),
        ("s3", "ListBuckets", True),
        ("iam", "GetAccountAuthorizationDetails", True),
        ("sts", "AssumeRole", True),
        ("rds", "DeleteDBInstance", False),
        ("s3", "PutBucketPolicy", False),
        ("ec2", "CreateSnapshot", False),
        ("secretsmanager", "GetSecretValue", False),
        ("ssm", "GetParameters", False),
        ("s3", "GetObject", False),
        ("iam", "AssumeRole", False),
        ("backup", "StartBackupJob", False),
    ],
)
def test_only_reads_are_allowed(service: str, operation: str, allowed: bool) -> None:
    assert is_allowed(service, operation) is allowed


def test_a_delete_is_refused_before_it_is_sent(aws) -> None:
    aws.rds_with_snapshots()
    counter = RequestCounter()
    clients = Clients(ClientSettings(endpoint=aws.endpoint, max_attempts=1), counter)
    rds = clients.client("", "rds", REGION)
    with pytest.raises(ReadOnlyViolation, match="rds:DeleteDBInstance"):
        rds.delete_db_instance(DBInstanceIdentifier="orders-prod", SkipFinalSnapshot=True)
    with pytest.raises(ReadOnlyViolation):
        clients.client("", "secretsmanager", REGION).get_secret_value(SecretId="prod/db")
    assert counter.count == 0  # nothing left the process
    assert [d["DBInstanceIdentifier"] for d in aws.client("rds").describe_db_instances()["DBInstances"]] == [
        "orders-prod"
    ]
    rds.describe_db_instances()
    assert counter.count == 1


# ------------------------------------------------------------------ AWS Backup, locked vault
def recorded(service: str, operation: str, params: dict, region: str) -> dict | None:
    """AWS Backup responses moto does not implement (ListBackupSelections, GetBackupSelection,
    ListRecoveryPointsByBackupVault, GetBackupVaultAccessPolicy), recorded in the API's shape."""
    if service != "backup":
        return None
    if operation == "ListBackupSelections":
        return {
            "BackupSelectionsList": [
                {
                    "SelectionId": "sel-prod",
                    "SelectionName": "prod-databases",
                    "BackupPlanId": params["BackupPlanId"],
                    "CreationDate": "2026-11-01T00:00:00Z",
                    "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup",
                }
            ]
        }
    if operation == "GetBackupSelection":
        return {
            "BackupPlanId": params["BackupPlanId"],
            "SelectionId": "sel-prod",
            "BackupSelection": {
                "SelectionName": "prod-databases",
                "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup",
                "Resources": [DB_ARN],
            },
        }
    if operation == "ListRecoveryPointsByBackupVault":
        return {
            "RecoveryPoints": [
                {
                    "RecoveryPointArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:awsbackup:job-0f3c",
                    "BackupVaultName": "prod-vault",
                    "BackupVaultArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:prod-vault",
                    "ResourceArn": DB_ARN,
                    "ResourceType": "RDS",
                    "CreationDate": "2026-11-24T03:00:00Z",
                    "Status": "COMPLETED",
                    "Lifecycle": {"DeleteAfterDays": 35},
                }
            ]
        }
    if operation == "GetBackupVaultAccessPolicy":
        return {
            "BackupVaultName": params["BackupVaultName"],
            "Policy": json.dumps(
                {
                    "Statement": [
                        {"Effect": "Deny", "Principal": "*", "Action": "backup:DeleteRecoveryPoint", "Resource": "*"}
                    ]
                }
            ),
        }
    return None


def seed_backup(aws, copy_to: str | None) -> None:  # noqa: ANN001
    backup = aws.client("backup")
    backup.create_backup_vault(BackupVaultName="prod-vault")
    backup.put_backup_vault_lock_configuration(BackupVaultName="prod-vault", MinRetentionDays=7, ChangeableForDays=3)
    rule = {"RuleName": "daily", "TargetBackupVaultName": "prod-vault", "Lifecycle": {"DeleteAfterDays": 35}}
    if copy_to:
        rule["CopyActions"] = [{"DestinationBackupVaultArn": copy_to, "Lifecycle": {"DeleteAfterDays": 90}}]
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "nightly", "Rules": [rule]})


def test_a_copy_action_to_another_accounts_vault_and_a_locked_vault(aws) -> None:
    aws.rds_with_snapshots()
    aws.ci_user_with_admin()
    seed_backup(aws, OFFSITE)
    # moto lacks part of AWS Backup: against it alone those calls are gaps, and the audit is incomplete
    missing = " ".join(pull(aws.endpoint).gaps)
    for action in ("backup:ListBackupSelections", "backup:ListRecoveryPointsByBackupVault"):
        assert action in missing
    source = pull(aws.endpoint, replay=recorded)
    assert source.complete, source.gaps
    by_id = {r.id: r for r in source.resources}
    vault = by_id[f"aws:backup-vault:{ACCOUNT}:{REGION}:prod-vault"]
    assert vault.attrs["locked"] is True
    offsite = by_id[f"aws:backup-vault:{OTHER}:eu-central-1:offsite"]
    assert offsite.relations["parent"] == (f"aws:account:{OTHER}",)
    db = f"aws:rds:{ACCOUNT}:{REGION}:db:orders-prod"
    copies = {r.id for r in source.resources if db in r.relations.get("backup_of", ())}
    assert any(offsite.id in by_id[c].relations.get("stored_on", ()) for c in copies)
    got = checks_of(source)
    # one copy lives in another account: neither closing this account nor its admin key loses the data
    assert not {c for c in got if c[1] == "orders-prod" and c[0] == "backup-colocated"}
    assert not {c for c in got if c[0] == "credential-can-destroy-all-copies" and "orders-prod" in c[1]}
    # without the copy action, every copy is in this account again
    aws.client("backup").delete_backup_plan(
        BackupPlanId=aws.client("backup").list_backup_plans()["BackupPlansList"][0]["BackupPlanId"]
    )
    seed_plan_only = aws.client("backup")
    seed_plan_only.create_backup_plan(
        BackupPlan={"BackupPlanName": "local", "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "prod-vault"}]}
    )
    assert ("backup-colocated", "orders-prod", "medium") in checks_of(pull(aws.endpoint, replay=recorded))


# ------------------------------------------------------------------------ Terraform parity
def test_the_same_account_from_terraform_and_live_gives_the_same_findings(aws) -> None:
    """samples/terraform/rds-same-account-snapshots.plan.json, built for real in the emulator."""
    plan = json.loads((ROOT / "samples/terraform/rds-same-account-snapshots.plan.json").read_text())
    values = {r["type"]: r["values"] for r in plan["planned_values"]["root_module"]["resources"]}
    db, snap = values["aws_db_instance"], values["aws_db_snapshot"]
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier=db["identifier"],
        Engine=db["engine"],
        DBInstanceClass=db["instance_class"],
        AllocatedStorage=db["allocated_storage"],
        MasterUsername="app",
        MasterUserPassword="x" * 12,
        BackupRetentionPeriod=db["backup_retention_period"],
        DeletionProtection=db["deletion_protection"],
        Tags=[{"Key": k, "Value": v} for k, v in db["tags"].items()],
    )
    aws.client("rds").create_db_snapshot(
        DBInstanceIdentifier=db["identifier"], DBSnapshotIdentifier=snap["db_snapshot_identifier"]
    )
    tf = run_cli(
        "scan",
        str(ROOT / "samples/terraform/rds-same-account-snapshots.plan.json"),
        "-f",
        "json",
        "--now",
        "2026-11-25",
    )
    live = run_cli("scan", "aws", "--endpoint", aws.endpoint, "--region", REGION, "-f", "json", "--now", "2026-11-25")
    tf_findings, live_findings = findings(json.loads(tf.stdout)), findings(json.loads(live.stdout))
    assert tf_findings, tf.stderr
    assert live_findings == tf_findings


# ------------------------------------------------------------------- accounts and profiles
def test_org_role_audits_every_account_of_the_organization(aws) -> None:
    org = aws.client("organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    org.create_account(AccountName="backups", Email="backups@example.com")
    member = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Id"] != ACCOUNT)
    aws.account(member).bucket("org-member-bucket")
    source = pull(aws.endpoint, org_role="OrganizationAccountAccessRole")
    assert set(source.meta["aws"]["accounts"]) == {ACCOUNT, member}
    bucket = next(r for r in source.resources if r.name == "org-member-bucket")
    assert bucket.relations["parent"] == (f"aws:account:{member}",)


def test_an_unknown_profile_is_a_usage_error() -> None:
    from auditor.core.errors import UsageError

    with pytest.raises(UsageError, match="no such profile"):
        pull("http://127.0.0.1:9", profile="no-such-profile")


def test_the_request_budget_stops_the_pull_and_says_so(aws) -> None:
    aws.rds_with_snapshots()
    flags = LiveFlags(endpoint=aws.endpoint, regions=[REGION], max_requests=4, tuning={"max_attempts": 1})
    source = pull_source(live_settings(AWS, flags, env={}))
    assert not source.complete
    assert source.meta["requests"] == 4
    assert any("request budget of 4 (--max-requests) used up" in g for g in source.gaps)
