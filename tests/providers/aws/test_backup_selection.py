"""Tag-based AWS Backup selections: a resource is protected by a plan when its tags match the
selection's ListOfTags (any) and Conditions (all); a resource whose tags were not read is never
claimed protected. moto lacks the selection APIs: they are answered with recorded responses."""

from __future__ import annotations

from providers.aws.translate import translate
from tests.providers.aws.conftest import ACCOUNT, REGION
from tests.providers.aws.helpers import checks_of, pull
from tests.providers.aws.test_pull import OFFSITE, recorded, seed_backup

BY_TAG = {
    "SelectionName": "tagged",
    "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup",
    "Resources": [],
    "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}],
    "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "production"}]},
}


def by_tags(service: str, operation: str, params: dict, region: str) -> dict | None:
    if service == "backup" and operation == "GetBackupSelection":
        return {"BackupPlanId": params["BackupPlanId"], "SelectionId": "sel-prod", "BackupSelection": BY_TAG}
    if service == "backup" and operation == "ListRecoveryPointsByBackupVault":
        return {"RecoveryPoints": []}
    return recorded(service, operation, params, region)


def database(aws, name: str, tags: dict[str, str]) -> None:  # noqa: ANN001
    aws.rds_with_snapshots(name, (), tags=tags)


def test_resources_whose_tags_match_the_selection_get_the_plans_copies(aws) -> None:
    database(aws, "orders-prod", {"env": "production", "backup": "daily"})
    database(aws, "billing-prod", {"env": "production"})  # no backup tag: not selected
    database(aws, "audit-prod", {"env": "staging", "backup": "daily"})  # tag matches, condition does not
    seed_backup(aws, OFFSITE)  # the plan copies every selected resource to another account's vault
    source = pull(aws.endpoint, replay=by_tags)
    got = checks_of(source)
    colocated = {name: severity for check, name, severity in got if check == "backup-colocated"}
    assert "orders-prod" not in colocated  # its plan copy lives in the other account
    assert colocated.get("billing-prod") == "critical"  # only its automated backups, inside the instance
    # audit-prod is staging (not judged as production data); it must not have gained a plan copy
    audit = f"aws:rds:{ACCOUNT}:{REGION}:db:audit-prod"
    assert not [r for r in source.resources if audit in r.relations.get("backup_of", ()) and "backup-plan" in r.id]


def test_a_resource_whose_tags_were_not_read_is_not_claimed_protected() -> None:
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/events"
    plan = {
        "BackupPlanId": "p1",
        "BackupPlan": {"Rules": [{"RuleName": "daily", "TargetBackupVaultName": "v"}]},
        "Selections": [{**BY_TAG, "Conditions": {}}],
    }
    region = {
        "tables": [{"TableName": "events", "TableArn": table_arn}],  # DynamoDB tags are not read
        "db_instances": [
            {
                "DBInstanceIdentifier": "orders",
                "DBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders",
                "TagList": [{"Key": "backup", "Value": "daily"}],
            }
        ],
        "plans": [plan],
    }
    raw, _ = translate([{"id": ACCOUNT, "regions": {REGION: region}, "buckets": [], "iam": None}])
    protected = {n["backup_of"] for n in raw if n["kind"] == "backup" and "backup-plan" in n["id"]}
    assert protected == {f"aws:rds:{ACCOUNT}:{REGION}:db:orders"}
