"""IAM evaluation: service, action and resource decide reach; Deny, NotAction, NotResource and
deletion protection are honoured; unknown ARNs never read as "no access"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.awsiam import (
    PolicyDocument,
    PolicyError,
    ResourceRef,
    access_levels,
    can_delete,
    deleting_actions,
    evaluate,
    kind_of,
    kinds_deleted_by,
    managed_policy,
    resource_ref_for_arn,
)
from providers.awsiam.policy import arn_matches

DB = ResourceRef("rds", "db", "arn:aws:rds:eu-west-1:111122223333:db:house-price-airflow-db")
BUCKET = ResourceRef("s3", "bucket", "arn:aws:s3:::prod-data")
TABLE = ResourceRef("dynamodb", "table", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders")


def doc(*statements: dict) -> PolicyDocument:
    return PolicyDocument.parse({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_another_services_wildcard_does_not_reach_a_database() -> None:
    role = doc(allow(["sagemaker:*", "s3:*", "ssm:*"]))
    assert not can_delete([role], DB)
    assert evaluate([role], DB) == frozenset()
    assert can_delete([role], BUCKET)


def test_the_deleting_actions_come_from_the_catalogue() -> None:
    assert deleting_actions("rds", "db") == {"rds:DeleteDBInstance"}
    assert "s3:DeleteBucket" in deleting_actions("s3", "bucket")
    assert "s3:DeleteBucketPolicy" not in deleting_actions("s3", "bucket")
    assert deleting_actions("s3", "object") == {"s3:DeleteObject", "s3:DeleteObjectVersion"}
    assert deleting_actions("ec2", "volume") == {"ec2:DeleteVolume"}
    assert deleting_actions("ec2", "snapshot") == {"ec2:DeleteSnapshot"}
    assert deleting_actions("dynamodb", "table") == {"dynamodb:DeleteTable"}
    assert "kms:ScheduleKeyDeletion" in deleting_actions("kms", "key")
    assert deleting_actions("backup", "recoveryPoint") == {"backup:DeleteRecoveryPoint"}
    assert "backup:DeleteBackupVault" in deleting_actions("backup", "backupVault")


def test_kinds_an_action_deletes() -> None:
    assert kinds_deleted_by("ec2:DeleteVolume") == {"volume"}
    assert kinds_deleted_by("rds:deletedbcluster") == {"database"}
    assert kinds_deleted_by("s3:DeleteObject") == {"bucket"}
    assert kinds_deleted_by("s3:DeleteBucketPolicy") == frozenset()
    assert kinds_deleted_by("ec2:DeleteSnapshot") == {"backup"}
    assert kinds_deleted_by("nosuch:Thing") == frozenset()
    assert kind_of("dynamodb", "table") == "database"


def test_resource_patterns_are_matched_against_the_arn() -> None:
    scoped = doc(allow("rds:Delete*", "arn:aws:rds:*:*:db:staging-*"))
    assert not can_delete([scoped], DB)
    assert can_delete([scoped], ResourceRef("rds", "db", "arn:aws:rds:eu-west-1:1:db:staging-main"))


def test_object_actions_reach_the_bucket_through_its_object_arns() -> None:
    assert can_delete([doc(allow("s3:DeleteObject", "arn:aws:s3:::prod-data/*"))], BUCKET)
    assert can_delete([doc(allow("s3:DeleteObject", "arn:aws:s3:::prod-data/logs/*"))], BUCKET)
    assert not can_delete([doc(allow("s3:DeleteObject", "arn:aws:s3:::other/*"))], BUCKET)
    # the bucket ARN alone does not cover its objects, and GetObject never deletes
    assert not can_delete([doc(allow("s3:DeleteObject", "arn:aws:s3:::prod-data"))], BUCKET)
    assert access_levels([doc(allow("s3:GetObject", "arn:aws:s3:::prod-data/*"))], BUCKET) == {"read"}


def test_deny_wins_and_a_conditional_deny_does_not() -> None:
    everything = allow("*")
    assert not can_delete([doc(everything, {"Effect": "Deny", "Action": "rds:DeleteDBInstance", "Resource": "*"})], DB)
    conditional = {
        "Effect": "Deny",
        "Action": "rds:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
    }
    assert can_delete([doc(everything, conditional)], DB)


def test_not_action_and_not_resource() -> None:
    power_user = doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    assert can_delete([power_user], DB)
    no_rds = doc({"Effect": "Allow", "NotAction": "rds:*", "Resource": "*"})
    assert not can_delete([no_rds], DB)
    not_here = doc({"Effect": "Allow", "Action": "rds:*", "NotResource": "arn:aws:rds:*:*:db:house-*"})
    assert not can_delete([not_here], DB)
    assert can_delete([not_here], ResourceRef("rds", "db", "arn:aws:rds:eu-west-1:1:db:other"))


def test_deletion_protection_needs_the_modify_action_too() -> None:
    protected = ResourceRef("rds", "db", DB.arn, deletion_protection=True)
    assert not can_delete([doc(allow("rds:DeleteDBInstance"))], protected)
    assert can_delete([doc(allow(["rds:DeleteDBInstance", "rds:ModifyDBInstance"]))], protected)
    assert can_delete([doc(allow("rds:DeleteDBInstance"))], ResourceRef("rds", "db", DB.arn, deletion_protection=None))
    table = ResourceRef("dynamodb", "table", TABLE.arn, deletion_protection=True)
    assert not can_delete([doc(allow("dynamodb:DeleteTable"))], table)
    assert can_delete([doc(allow("dynamodb:*"))], table)


def test_unknown_arn_fails_safe() -> None:
    unknown = ResourceRef("rds", "db", None)
    assert can_delete([doc(allow("rds:DeleteDBInstance", "arn:aws:rds:*:*:db:prod"))], unknown)
    # a specific Deny may not cover the unknown resource: it does not remove the reach
    denied_elsewhere = doc(
        allow("rds:*"), {"Effect": "Deny", "Action": "rds:*", "Resource": "arn:aws:rds:*:*:db:other"}
    )
    assert can_delete([denied_elsewhere], unknown)
    assert not can_delete([doc(allow("rds:*"), {"Effect": "Deny", "Action": "rds:*", "Resource": "*"})], unknown)


def test_managed_policies_by_name_and_arn() -> None:
    admin = managed_policy("arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin is not None and can_delete([admin], DB)
    s3_only = managed_policy("AmazonS3FullAccess")
    assert s3_only is not None and can_delete([s3_only], BUCKET) and not can_delete([s3_only], DB)
    read_only = managed_policy("arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert read_only is not None and not can_delete([read_only], BUCKET) and access_levels([read_only], DB) == {"read"}
    assert managed_policy("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole") is not None
    assert managed_policy("arn:aws:iam::111122223333:policy/Custom") is None
    assert managed_policy("SomethingNew") is None


def test_arn_recognition() -> None:
    assert resource_ref_for_arn("arn:aws:s3:::b") == ResourceRef("s3", "bucket", "arn:aws:s3:::b")
    assert resource_ref_for_arn("arn:aws:s3:::b/k/x").resource_type == "object"
    assert resource_ref_for_arn("arn:aws:rds:us-east-1:1:db:x").resource_type == "db"
    assert resource_ref_for_arn("arn:aws:dynamodb:us-east-1:1:table/t").resource_type == "table"
    assert resource_ref_for_arn("not-an-arn") is None


@pytest.mark.parametrize(
    "bad",
    [
        "{",
        [],
        {"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]},
        {"Statement": [{"Effect": "Allow", "Resource": "*"}]},
        {"Version": "2012-10-17"},
        {"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]},
    ],
)
def test_malformed_policies_are_refused(bad) -> None:
    with pytest.raises(PolicyError):
        PolicyDocument.parse(bad)


def test_a_json_string_is_parsed_and_a_single_statement_object_is_accepted() -> None:
    parsed = PolicyDocument.parse('{"Statement": {"Effect": "Allow", "Action": "rds:*", "Resource": "*"}}')
    assert can_delete([parsed], DB)


segment = st.text(alphabet="ab/-", max_size=6)


@given(prefix=segment, rest=segment, pattern=st.text(alphabet="ab/-*?", max_size=8))
def test_open_tail_matching_agrees_with_trying_completions(prefix: str, rest: str, pattern: str) -> None:
    """If some completion matches, the prefix matcher says so (no false "cannot reach")."""
    if arn_matches(pattern, prefix + rest):
        assert arn_matches(pattern, prefix, open_tail=True)
