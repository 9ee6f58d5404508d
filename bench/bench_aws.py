"""AWS pull benchmark: a seeded account of ~2,000 resources across 3 regions, served by moto's
server in a separate process (so its CPU work does not share our interpreter lock), pulled the
way `blastscope scan aws` pulls it. Prints resources, requests and the median wall time.

    python bench/bench_aws.py                        # 3 regions, scale 1 (~2,000 resources), 3 runs
    python bench/bench_aws.py --scale 0.2 --runs 1   # a quick look
    python bench/bench_aws.py --concurrency 1        # the same pull, one request at a time
    python bench/bench_aws.py --quick                # scale 0.2, 1 run: under a minute
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, endpoint
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("moto_server did not start")


def seed(endpoint: str, scale: float) -> dict[str, int]:
    """Per region: volumes, their snapshots, RDS instances with manual snapshots, DynamoDB tables
    (half with point-in-time recovery), EFS file systems, two customer-managed KMS keys (one in four
    volumes and databases encrypted with the first); globally: buckets, IAM users with keys, roles."""
    import boto3

    n = {
        "volumes": int(250 * scale),
        "rds": int(40 * scale),
        "tables": int(60 * scale),
        "efs": int(15 * scale),
        "buckets": int(60 * scale),
        "users": int(30 * scale),
        "roles": int(20 * scale),
    }

    def client(service: str, region: str = "eu-west-1"):  # noqa: ANN202
        return boto3.client(service, region_name=region, endpoint_url=endpoint)

    def region_seed(region: str) -> None:
        ec2, rds, ddb, efs = (
            client("ec2", region),
            client("rds", region),
            client("dynamodb", region),
            client("efs", region),
        )
        env = ("prod", "staging")
        kms = client("kms", region)
        keys = [kms.create_key(Description=f"bench {k}")["KeyMetadata"]["Arn"] for k in ("data", "spare")]
        encrypted = {"Encrypted": True, "KmsKeyId": keys[0]}
        for i in range(n["volumes"]):
            vol = ec2.create_volume(
                AvailabilityZone=f"{region}a",
                Size=20,
                **(encrypted if i % 4 == 0 else {}),
                TagSpecifications=[
                    {
                        "ResourceType": "volume",
                        "Tags": [{"Key": "Name", "Value": f"data-{i}"}, {"Key": "env", "Value": env[i % 2]}],
                    }
                ],
            )
            ec2.create_snapshot(VolumeId=vol["VolumeId"])
        for i in range(n["rds"]):
            rds.create_db_instance(
                DBInstanceIdentifier=f"db-{i}",
                Engine="postgres",
                DBInstanceClass="db.t3.micro",
                AllocatedStorage=20,
                MasterUsername="app",
                MasterUserPassword="not-a-secret-1",
                BackupRetentionPeriod=7,
                Tags=[{"Key": "env", "Value": env[i % 2]}],
                **({"StorageEncrypted": True, "KmsKeyId": keys[0]} if i % 4 == 0 else {}),
            )
            rds.create_db_snapshot(DBInstanceIdentifier=f"db-{i}", DBSnapshotIdentifier=f"db-{i}-manual")
        for i in range(n["tables"]):
            ddb.create_table(
                TableName=f"table-{i}",
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            )
            if i % 2:
                ddb.update_continuous_backups(
                    TableName=f"table-{i}", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
                )
        for i in range(n["efs"]):
            efs.create_file_system(CreationToken=f"fs-{i}", Tags=[{"Key": "Name", "Value": f"shared-{i}"}])

    with ThreadPoolExecutor(max_workers=len(REGIONS)) as pool:
        list(pool.map(region_seed, REGIONS))
    s3, iam = client("s3"), client("iam")
    for i in range(n["buckets"]):
        s3.create_bucket(Bucket=f"bench-bucket-{i}", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:*", "rds:Describe*"], "Resource": "*"}],
        }
    )
    for i in range(n["users"]):
        iam.create_user(UserName=f"user-{i}")
        iam.put_user_policy(UserName=f"user-{i}", PolicyName="p", PolicyDocument=policy)
        iam.create_access_key(UserName=f"user-{i}")
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
            ],
        }
    )
    for i in range(n["roles"]):
        iam.create_role(RoleName=f"role-{i}", AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName=f"role-{i}", PolicyName="p", PolicyDocument=policy)
    return n


def pull_once(endpoint: str, concurrency: int) -> tuple[float, int, int, int]:
    from auditor.cli.live import LiveFlags, live_settings
    from providers.aws import AWS, pull_source

    flags = LiveFlags(endpoint=endpoint, regions=list(REGIONS), tuning={"concurrency": concurrency})
    started, cpu = time.perf_counter(), time.process_time()
    source = pull_source(live_settings(AWS, flags, env={}))
    seconds = time.perf_counter() - started
    print(
        f"pull: {seconds:.2f} s, of which fetching {source.meta['aws']['fetch_seconds']:.2f} s; "
        f"client CPU {time.process_time() - cpu:.2f} s; "
        f"{sum(1 for r in source.resources if r.relations.get('encrypted_with'))} resources encrypted_with a key",
        file=sys.stderr,
    )
    return seconds, source.meta["requests"], len(source.resources), len(source.gaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="scale 0.2, one run (under a minute)")
    args = parser.parse_args()
    if args.quick:
        args.scale, args.runs = 0.2, 1
    os.environ.update(ENV)
    proc, endpoint = start_moto()
    try:
        t = time.perf_counter()
        counts = seed(endpoint, args.scale)
        print(
            f"seeded {counts} per region × {len(REGIONS)} (buckets/users/roles once) "
            f"in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )
        results = [pull_once(endpoint, args.concurrency) for _ in range(args.runs)]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    seconds = statistics.median(r[0] for r in results)
    _, requests, resources, gaps = results[-1]
    print("| regions | resources | requests | concurrency | median wall (s) | runs | gaps |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {len(REGIONS)} | {resources} | {requests} | {args.concurrency} | {seconds:.2f} "
        f"| {', '.join(f'{r[0]:.2f}' for r in results)} | {gaps} |"
    )


if __name__ == "__main__":
    main()
