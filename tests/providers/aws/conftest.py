"""One moto server (AWS's APIs, emulated) on 127.0.0.1 for the whole test session; each test
starts from an empty emulator and seeds it through boto3, as a real account would be set up."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3", reason="the AWS provider's tests need boto3 (pip install -e '.[test]')")
moto_server = pytest.importorskip("moto.server", reason="the AWS provider's tests need moto[server]")

ACCOUNT = "123456789012"  # moto's default account: the credentials' own
OTHER = "222222222222"  # a second account, reached by assuming a role
REGION = "eu-west-1"
ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every AWS test on one xdist worker (`--dist loadgroup`): the emulator imports each AWS
    service's model on first use (seconds), so one warm server beats one cold server per worker."""
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.xdist_group("aws"))


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)
    os.environ.pop("AWS_PROFILE", None)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def post(url: str, body: bytes = b"") -> None:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request, timeout=10).read()


@pytest.fixture
def aws(moto_endpoint: str) -> Iterator[Seeder]:
    """An empty emulated AWS, and a seeder for it."""
    post(f"{moto_endpoint}/moto-api/reset")
    yield Seeder(moto_endpoint)
    post(f"{moto_endpoint}/moto-api/reset-auth", b"inf")


class Seeder:
    def __init__(self, endpoint: str, credentials: dict | None = None) -> None:
        self.endpoint = endpoint
        self.credentials = credentials or {}
        self._clients: dict[tuple[str, str], object] = {}

    def client(self, service: str, region: str = REGION):  # noqa: ANN201
        """One client per service and region (making a boto3 client costs more than a seeding call)."""
        if (service, region) not in self._clients:
            self._clients[(service, region)] = boto3.client(
                service, region_name=region, endpoint_url=self.endpoint, **self.credentials
            )
        return self._clients[(service, region)]

    def account(self, account_id: str) -> Seeder:
        """A seeder acting in another account (moto ties assumed-role credentials to the role's account)."""
        creds = self.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/seed", RoleSessionName="seed")[
            "Credentials"
        ]
        return Seeder(
            self.endpoint,
            {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            },
        )

    # ------------------------------------------------------------------ scenario pieces
    def rds_with_snapshots(
        self,
        name: str = "orders-prod",
        snapshots: tuple[str, ...] = ("orders-prod-2026-11-23",),
        env: str = "production",
        tags: dict[str, str] | None = None,
        **settings: Any,
    ) -> None:
        """A protected Postgres instance tagged `env` (or `tags`), with manual snapshots;
        `settings` go to CreateDBInstance as they are (encryption, a key)."""
        rds = self.client("rds")
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            Engine="postgres",
            DBInstanceClass="db.m6g.large",
            AllocatedStorage=200,
            MasterUsername="app",
            MasterUserPassword="hunter2-never-copied",
            BackupRetentionPeriod=7,
            DeletionProtection=True,
            Tags=[{"Key": k, "Value": v} for k, v in (tags if tags is not None else {"env": env}).items()],
            **settings,
        )
        for snap in snapshots:
            rds.create_db_snapshot(DBInstanceIdentifier=name, DBSnapshotIdentifier=snap)

    def bucket(self, name: str, region: str = REGION, versioned: bool = True) -> None:
        s3 = self.client("s3", region)
        if region == "us-east-1":  # the one region that takes no location constraint
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        if versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})

    def replicate(self, source: str, dest: str, dest_account: str | None = None) -> None:
        destination = {"Bucket": f"arn:aws:s3:::{dest}", **({"Account": dest_account} if dest_account else {})}
        self.client("s3").put_bucket_replication(
            Bucket=source,
            ReplicationConfiguration={
                "Role": f"arn:aws:iam::{ACCOUNT}:role/replication",
                "Rules": [
                    {
                        "ID": "all",
                        "Status": "Enabled",
                        "Priority": 1,
                        "Filter": {"Prefix": ""},
                        "DeleteMarkerReplication": {"Status": "Disabled"},
                        "Destination": destination,
                    }
                ],
            },
        )

    def ci_user_with_admin(self, name: str = "ci-deploy") -> None:
        iam = self.client("iam")
        iam.create_user(UserName=name)
        admin = iam.create_policy(
            PolicyName=f"{name}-admin",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            ),
        )
        iam.attach_user_policy(UserName=name, PolicyArn=admin["Policy"]["Arn"])
        iam.create_access_key(UserName=name)

    def github_oidc_role(self, name: str = "gha-deploy", policy: dict | None = None, repo: str = "shop/app") -> None:
        iam = self.client("iam")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
                    },
                    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": f"repo:{repo}:*"}},
                }
            ],
        }
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(
            RoleName=name,
            PolicyName="deploy",
            PolicyDocument=json.dumps(
                policy
                or {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": ["rds:*", "s3:*"], "Resource": "*"}],
                }
            ),
        )
