"""`blastscope scan aws` against moto's server: the scenarios give the findings a reader expects."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.providers.aws.conftest import ACCOUNT, OTHER, post
from tests.providers.aws.helpers import checks_of, findings, pull, scan_aws


def test_same_account_snapshots_and_an_over_broad_ci_role(aws, tmp_path) -> None:
    aws.rds_with_snapshots()  # its master password is planted: "hunter2-never-copied"
    aws.bucket("shop-assets")
    aws.bucket("shop-assets-replica", region="us-east-1")
    aws.replicate("shop-assets", "shop-assets-replica")
    aws.ci_user_with_admin()
    aws.github_oidc_role()
    planted = plant_secrets(aws)
    code, report, err = scan_aws(aws.endpoint, "--verbose")
    assert code == 1, err
    got = findings(report)
    # every copy of the database is in its account: closing or compromising it loses them all
    assert ("backup-colocated", "orders-prod", "medium") in got
    # the CI user's key (AdministratorAccess) can delete the database and every copy
    assert ("credential-can-destroy-all-copies", "iam-user/ci-deploy access key", "critical") in got
    # the GitHub Actions role (rds:* and s3:* on *) can too, and CI holds it
    assert ("credential-can-destroy-all-copies", "iam-role/gha-deploy", "critical") in got
    exposed = [f for f in report["findings"] if f["check_id"] == "credential-exposed-outside-scope"]
    assert any("GitHub Actions (shop/app)" in f["message"] for f in exposed), report["findings"]
    # the CI user's long-lived key sits in a CI secret store: exposed to CI (its name says so)
    assert ("credential-exposed-outside-scope", "iam-user/ci-deploy access key", "high") in got
    assert any("IAM user ci-deploy (by its name 'ci-deploy')" in f["message"] for f in exposed)
    assert report["complete"] is True
    # the planted secrets never show up: not in the report, not on stderr, not in a snapshot
    snap = tmp_path / "snap.json"
    pulled = run_cli("pull", "aws", "--endpoint", aws.endpoint, "--region", "eu-west-1", "-v", "-o", str(snap))
    assert pulled.returncode == 0, pulled.stderr
    blob = "\n".join([json.dumps(report), err, pulled.stderr, snap.read_text()])
    assert "iam-user/ci-deploy access key" in blob  # the key is audited…
    for secret in planted:
        assert secret not in blob, f"secret leaked: {secret[:6]}…"  # …its secret, and every other, is not


def plant_secrets(aws) -> set[str]:  # noqa: ANN001
    key = aws.client("iam").create_access_key(UserName="ci-deploy")["AccessKey"]["SecretAccessKey"]
    aws.client("secretsmanager").create_secret(Name="prod/db", SecretString="pg-prod-password-DO-NOT-LEAK")
    aws.client("ssm").put_parameter(Name="/prod/api-key", Value="ssm-secret-DO-NOT-LEAK", Type="SecureString")
    aws.client("s3").put_object(Bucket="shop-assets", Key="customers.csv", Body=b"object-body-DO-NOT-LEAK")
    return {
        "hunter2-never-copied",
        key,
        "pg-prod-password-DO-NOT-LEAK",
        "ssm-secret-DO-NOT-LEAK",
        "object-body-DO-NOT-LEAK",
    }


def test_a_copy_replicated_to_another_account_is_outside_the_blast_radius(aws) -> None:
    aws.bucket("shop-assets")
    other = aws.account(OTHER)
    other.bucket("shop-assets-vault")
    aws.replicate("shop-assets", "shop-assets-vault", dest_account=OTHER)
    code, report, err = scan_aws(aws.endpoint, "--assume-role", f"arn:aws:iam::{OTHER}:role/audit")
    assert code in (0, 1), err
    names = {(f["check_id"], f["resource_name"]) for f in report["findings"]}
    assert ("backup-colocated", "shop-assets") not in names
    assert ("backup-missing", "shop-assets") not in names
    accounts = {s.get("provider") for s in report["sources"]}
    assert accounts == {"aws"}
    # the same bucket replicated inside the account instead: colocated
    aws.bucket("shop-assets-2")
    aws.bucket("shop-assets-2-replica", region="us-east-1")
    aws.replicate("shop-assets-2", "shop-assets-2-replica")
    assert ("backup-colocated", "shop-assets-2", "medium") in checks_of(pull(aws.endpoint))


def test_access_denied_is_a_gap_naming_the_permission_and_exits_3(aws, monkeypatch) -> None:
    aws.rds_with_snapshots()
    iam = aws.client("iam")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(
        UserName="auditor",
        PolicyName="audit",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "rds:DescribeDBSnapshots", "Resource": "*"},
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    # from now on the emulator checks every request against the caller's IAM policies
    post(f"{aws.endpoint}/moto-api/reset-auth", b"0")
    code, report, err = scan_aws(aws.endpoint)
    assert code == 3, err
    assert report["complete"] is False
    assert any(
        "access denied to rds:DescribeDBSnapshots" in g and "grant rds:DescribeDBSnapshots" in g for g in report["gaps"]
    ), report["gaps"]
    code, report, _ = scan_aws(aws.endpoint, "--allow-partial")
    assert code == 1  # judged by its findings: the database is still there, the audit says it is incomplete
    assert ACCOUNT in str(report["gaps"])


def test_an_unreachable_api_is_one_line_and_exit_3(aws, monkeypatch) -> None:
    monkeypatch.setenv("BLASTSCOPE_AWS_MAX_ATTEMPTS", "1")
    code, out, err = scan_aws("http://127.0.0.1:9", fmt="text")  # nothing listens there
    assert code == 3
    assert "Traceback" not in err and "sts:GetCallerIdentity" in err
