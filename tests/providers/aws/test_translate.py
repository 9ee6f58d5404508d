"""Translation of recorded AWS responses (the API's shape) for what moto cannot emulate:
a snapshot copied into another account, automated backups replicated to another region,
DynamoDB point-in-time recovery, a role trusted by another account and by EC2 instances."""

from __future__ import annotations

import json

from auditor.io.resources import parse_resources
from providers.aws.translate import translate

PROD, VAULT = "111111111111", "999999999999"


def account(account_id: str, regions: dict, **extra) -> dict:  # noqa: ANN003
    return {"id": account_id, "via": "test", "regions": regions, "buckets": [], "iam": None, "access_keys": {}, **extra}


def nodes(accounts: list[dict]) -> dict:
    raw, _ = translate(accounts)
    return {r.id: r for r in parse_resources(raw, "aws")}


DB = {
    "DBInstanceIdentifier": "orders",
    "DBInstanceArn": f"arn:aws:rds:eu-west-1:{PROD}:db:orders",
    "Engine": "postgres",
    "DbiResourceId": "db-ABC",
    "BackupRetentionPeriod": 7,
    "DeletionProtection": True,
    "TagList": [{"Key": "env", "Value": "production"}],
}
SNAP = {
    "DBSnapshotIdentifier": "orders-2026-11-24",
    "DBInstanceIdentifier": "orders",
    "SnapshotType": "manual",
    "DBSnapshotArn": f"arn:aws:rds:eu-west-1:{PROD}:snapshot:orders-2026-11-24",
    "Status": "available",
    "SnapshotCreateTime": "2026-11-24T03:00:00+00:00",
    "SharedWithAccounts": [VAULT],
}
COPY = {
    "DBSnapshotIdentifier": "orders-offsite",
    "DBInstanceIdentifier": "orders",
    "SnapshotType": "manual",
    "DBSnapshotArn": f"arn:aws:rds:eu-west-1:{VAULT}:snapshot:orders-offsite",
    "Status": "available",
    "SourceDBSnapshotIdentifier": SNAP["DBSnapshotArn"],
    "SnapshotCreateTime": "2026-11-24T05:00:00+00:00",
}


def test_a_snapshot_copied_into_another_account_is_a_copy_of_the_database_there() -> None:
    got = nodes(
        [
            account(PROD, {"eu-west-1": {"db_instances": [DB], "db_snapshots": [SNAP]}}),
            account(VAULT, {"eu-west-1": {"db_snapshots": [COPY]}}),
        ]
    )
    db = f"aws:rds:{PROD}:eu-west-1:db:orders"
    copy = got[f"aws:rds:{VAULT}:eu-west-1:snapshot:orders-offsite"]
    assert copy.relations["backup_of"] == (db,)
    assert copy.relations["stored_on"] == (f"aws:account:{VAULT}",)
    assert got[f"aws:rds:{PROD}:eu-west-1:snapshot:orders-2026-11-24"].attrs["shared_with"] == [VAULT]
    assert got[f"{db}#automated"].relations["stored_on"] == (db,)  # goes with the instance


def test_automated_backups_replicated_to_another_region_stay_in_the_account() -> None:
    replicated = {
        "DBInstanceArn": DB["DBInstanceArn"],
        "DbiResourceId": "db-ABC",
        "DBInstanceIdentifier": "orders",
        "Region": "eu-west-1",
        "Status": "replicating",
        "BackupRetentionPeriod": 7,
        "DBInstanceAutomatedBackupsArn": f"arn:aws:rds:eu-central-1:{PROD}:auto-backup:ab-xyz",
    }
    got = nodes(
        [account(PROD, {"eu-west-1": {"db_instances": [DB]}, "eu-central-1": {"automated_backups": [replicated]}})]
    )
    node = got[f"aws:rds:{PROD}:eu-central-1:automated-backup:db-ABC"]
    assert node.relations["backup_of"] == (f"aws:rds:{PROD}:eu-west-1:db:orders",)
    assert node.relations["stored_on"] == (f"aws:account:{PROD}",) and node.attrs["region"] == "eu-central-1"


def test_dynamodb_point_in_time_recovery_and_on_demand_backups() -> None:
    arn = f"arn:aws:dynamodb:eu-west-1:{PROD}:table/carts-prod"
    table = {
        "TableName": "carts-prod",
        "TableArn": arn,
        "DeletionProtectionEnabled": False,
        "ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": 35},
        },
    }
    backup = {
        "TableName": "carts-prod",
        "TableArn": arn,
        "BackupName": "before-migration",
        "BackupStatus": "AVAILABLE",
        "BackupArn": f"{arn}/backup/01700000000000-abcdef",
        "BackupCreationDateTime": "2026-11-20T10:00:00+00:00",
    }
    got = nodes([account(PROD, {"eu-west-1": {"tables": [table], "dynamodb_backups": [backup]}})])
    tid = f"aws:dynamodb:{PROD}:eu-west-1:table:carts-prod"
    assert got[tid].kind == "database" and got[tid].attrs["deletion_protection"] is False
    assert got[tid].relations["in_environment"] == ("env:prod",)
    assert got[f"{tid}#pitr"].relations["stored_on"] == (f"aws:account:{PROD}",)
    on_demand = [r for r in got.values() if r.name == "before-migration"]
    assert on_demand and on_demand[0].relations["backup_of"] == (tid,) and on_demand[0].attrs["status"] == "completed"


def test_role_trust_exposes_it_and_reach_is_per_resource() -> None:
    trust = json.dumps(
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VAULT}:root"}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            ]
        }
    )
    profile = f"arn:aws:iam::{PROD}:instance-profile/app"
    iam = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "Policies": [],
        "RoleDetailList": [
            {
                "RoleName": "app",
                "Path": "/",
                "AssumeRolePolicyDocument": trust.replace("{", "%7B")
                .replace("}", "%7D")
                .replace('"', "%22")
                .replace(":", "%3A"),
                "InstanceProfileList": [{"Arn": profile}],
                "RolePolicyList": [
                    {
                        "PolicyName": "db",
                        "PolicyDocument": {
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["rds:DeleteDBInstance", "rds:ModifyDBInstance"],
                                    "Resource": DB["DBInstanceArn"],
                                }
                            ]
                        },
                    }
                ],
            }
        ],
    }
    instance = {
        "InstanceId": "i-1",
        "State": {"Name": "running"},
        "IamInstanceProfile": {"Arn": profile},
        "Tags": [{"Key": "Name", "Value": "api"}],
    }
    got = nodes([account(PROD, {"eu-west-1": {"db_instances": [DB], "instances": [instance]}}, iam=iam)])
    role = got[f"aws:iam:{PROD}:role:app"]
    assert set(role.relations["exposed_to"]) == {
        f"aws:ec2:{PROD}:eu-west-1:instance:i-1",
        f"aws:principal:AWS account {VAULT} (root)",
    }
    targets = {g.target: g.actions for g in role.grants}
    # deletion protection is on, but ModifyDBInstance can switch it off: the role can delete it
    assert "delete" in targets[f"aws:rds:{PROD}:eu-west-1:db:orders"]
    assert f"aws:account:{PROD}" not in targets  # one database, not the account
