"""Fetch the raw account: every API response the translation needs, as plain JSON-able data in
the shape boto3 returns it (datetimes as ISO strings), plus the gaps — what could not be read.

Work is a queue of small tasks (one listing per account, region and service; one follow-up per
bucket, table, snapshot or plan) run on a bounded thread pool; a task may queue follow-ups, so
no task ever waits on another. Every listing pages to the end. An AccessDenied answer becomes a
gap naming the IAM permission that was missing, so the audit is incomplete, never silently
smaller. Secret values are never requested (the read-only guard refuses those calls too).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from providers.aws.clients import BudgetExhausted, Clients

DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "AuthorizationErrorException",
        "UnauthorizedAccess",
        "AccessDeniedFault",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
    }
)
#: IAM action names that differ from `<endpoint prefix>:<operation>`
IAM_ACTION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetBucketTagging"): "s3:GetBucketTagging",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketPolicy"): "s3:GetBucketPolicy",
}
#: error codes that mean "not configured" for that call, not a failure
ABSENT = {
    "GetBucketReplication": {"ReplicationConfigurationNotFoundError"},
    "GetObjectLockConfiguration": {"ObjectLockConfigurationNotFoundError"},
    "GetBucketTagging": {"NoSuchTagSet", "NoSuchTagSetError"},
    "GetBucketEncryption": {"ServerSideEncryptionConfigurationNotFoundError"},
    "GetBucketPolicy": {"NoSuchBucketPolicy"},
    "GetBackupVaultAccessPolicy": {"ResourceNotFoundException"},
    "ListTagsForResource": {"ResourceNotFoundException"},
}


def plain(value: Any) -> Any:
    """boto3 values → JSON-able values (datetimes as ISO-8601 strings, bytes dropped)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata" and not isinstance(v, bytes)}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@dataclass
class Scope:
    """What to pull: sessions (by key: "" for the base credentials, else a role ARN) and regions."""

    roles: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    org_role: str | None = None
    concurrency: int = 16


class Failed(Exception):
    """A call that did not answer; the gap text is already recorded."""


class Fetcher:
    def __init__(self, clients: Clients, scope: Scope) -> None:
        self.clients = clients
        self.scope = scope
        self.gaps: list[str] = []
        self.accounts: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._queue: list[tuple[Callable[..., Any], tuple]] = []

    # ------------------------------------------------------------------ calls
    def gap(self, text: str) -> None:
        with self._lock:
            self.gaps.append(f"aws: {text}")

    def call(self, where: tuple[str, str], service: str, operation: str, **params: Any) -> dict | None:
        """One API call; None when the thing is not configured. Raises Failed after recording a gap."""
        from botocore.exceptions import BotoCoreError, ClientError

        session, region = where
        client = self.clients.client(session, service, region)
        method = getattr(client, _snake(operation))
        try:
            return plain(method(**params))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ABSENT.get(operation, ()):
                return None
            self._failed(where, client, operation, code, exc.response.get("Error", {}).get("Message", ""))
        except (BotoCoreError, BudgetExhausted) as exc:
            self.gap(
                f"{self._label(where)}: {_prefix(client)}:{operation} failed: {type(exc).__name__}: {str(exc)[:160]}"
            )
        raise Failed(operation)

    def pages(self, where: tuple[str, str], service: str, operation: str, key: str, **params: Any) -> list[dict]:
        """Every item of a listing, page after page. Raises Failed after recording a gap."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.clients.client(where[0], service, where[1])
        name = _snake(operation)
        items: list[dict] = []
        try:
            if client.can_paginate(name):
                for page in client.get_paginator(name).paginate(**params):
                    items += plain(page.get(key) or [])
            else:
                page = getattr(client, name)(**params)
                items += plain(page.get(key) or [])
                if any(page.get(k) for k in ("NextToken", "Marker", "NextMarker")):
                    self.gap(
                        f"{self._label(where)}: {_prefix(client)}:{operation}: more pages than this client "
                        f"can follow; {len(items)} items read"
                    )
            return items
        except ClientError as exc:
            error = exc.response.get("Error", {})
            self._failed(where, client, operation, error.get("Code", ""), error.get("Message", ""))
        except (BotoCoreError, BudgetExhausted) as exc:
            self.gap(
                f"{self._label(where)}: {_prefix(client)}:{operation} failed: {type(exc).__name__}: {str(exc)[:160]}"
            )
        raise Failed(operation)

    def _failed(self, where: tuple[str, str], client: Any, operation: str, code: str, message: str) -> None:
        prefix = _prefix(client)
        action = IAM_ACTION.get((prefix, operation), f"{prefix}:{operation}")
        if code in DENIED:
            self.gap(
                f"{self._label(where)}: access denied to {action} ({code}); grant {action} to audit it "
                "(see the least-privilege policy in docs/aws.md)"
            )
        else:
            said = "" if message.lstrip().startswith("<") else f": {message[:160]}"  # an HTML error page says nothing
            self.gap(f"{self._label(where)}: {action} failed: {code or 'error'}{said}")

    def _label(self, where: tuple[str, str]) -> str:
        session, region = where
        account = self.accounts.get(session, {}).get("id") or (session or "default credentials")
        return f"account {account} {region}"

    # ------------------------------------------------------------------ the run
    def run(self) -> list[dict[str, Any]]:
        from auditor.core.errors import IncompleteAudit

        home = self.clients.default_region
        sessions = [""]
        for arn in self.scope.roles:
            try:
                sessions.append(self.clients.assume(arn))
            except Exception as exc:  # noqa: BLE001 - any failure to assume is a gap, not a crash
                code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
                self.gap(f"cannot assume {arn} ({code}): that account is not audited; it needs sts:AssumeRole on it")
        for key in sessions:
            try:
                ident = self.call((key, home), "sts", "GetCallerIdentity")
            except Failed:
                if key == "":
                    raise IncompleteAudit(
                        "aws: the credentials were not accepted (sts:GetCallerIdentity): " + "; ".join(self.gaps)
                    ) from None
                continue
            self.accounts[key] = {
                "id": (ident or {}).get("Account"),
                "via": key or "default credentials",
                "regions": {},
                "buckets": [],
                "iam": None,
                "access_keys": {},
            }
        if self.scope.org_role:
            self._org_accounts(home)
        for key, account in list(self.accounts.items()):
            regions = self.scope.regions or self._enabled_regions(key, home)
            for region in regions:
                account["regions"][region] = {}
                for task in REGIONAL:
                    self._queue.append((task, (self, key, region)))
            self._queue.append((iam, (self, key, home)))
            self._queue.append((s3_buckets, (self, key, home)))
        self._drain()
        return [self.accounts[k] for k in self.accounts]

    def _org_accounts(self, home: str) -> None:
        try:
            listed = self.pages(("", home), "organizations", "ListAccounts", "Accounts")
        except Failed:
            return
        known = {a["id"] for a in self.accounts.values()}
        for entry in listed:
            if entry.get("Status") not in (None, "ACTIVE") or entry.get("Id") in known:
                continue
            arn = f"arn:aws:iam::{entry['Id']}:role/{self.scope.org_role}"
            try:
                key = self.clients.assume(arn)
                ident = self.call((key, home), "sts", "GetCallerIdentity")
            except Failed:
                continue
            except Exception as exc:  # noqa: BLE001
                code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
                self.gap(f"cannot assume {arn} ({code}): account {entry['Id']} is not audited")
                continue
            self.accounts[key] = {
                "id": (ident or {}).get("Account"),
                "via": arn,
                "regions": {},
                "buckets": [],
                "iam": None,
                "access_keys": {},
            }

    def _enabled_regions(self, key: str, home: str) -> list[str]:
        try:
            regions = self.pages((key, home), "ec2", "DescribeRegions", "Regions", AllRegions=False)
        except Failed:
            return [home]
        return sorted(
            r["RegionName"] for r in regions if r.get("OptInStatus") in (None, "opt-in-not-required", "opted-in")
        )

    def submit(self, task: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            self._queue.append((task, (self, *args)))

    def _drain(self) -> None:
        with ThreadPoolExecutor(max_workers=max(1, self.scope.concurrency), thread_name_prefix="aws-pull") as pool:
            running: set[Future] = set()
            while True:
                with self._lock:
                    queued, self._queue = self._queue, []
                running |= {pool.submit(_guarded, task, args) for task, args in queued}
                if not running:
                    break
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()  # _guarded never raises Failed; anything else is a bug: surface it

    def region(self, key: str, region: str) -> dict[str, Any]:
        return self.accounts[key]["regions"][region]

    def put(self, key: str, region: str, name: str, value: Any) -> None:
        with self._lock:
            self.accounts[key]["regions"][region][name] = value


def _guarded(task: Callable[..., Any], args: tuple) -> None:
    # a Failed call's gap is recorded; the task's data stays absent (None), never empty
    with contextlib.suppress(Failed):
        task(*args)


def _snake(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)


def _prefix(client: Any) -> str:
    return client.meta.service_model.endpoint_prefix


# ---------------------------------------------------------------------------------- tasks
def rds(f: Fetcher, key: str, region: str) -> None:
    w = (key, region)
    f.put(key, region, "db_instances", f.pages(w, "rds", "DescribeDBInstances", "DBInstances"))
    f.put(key, region, "db_clusters", f.pages(w, "rds", "DescribeDBClusters", "DBClusters"))
    snapshots = f.pages(w, "rds", "DescribeDBSnapshots", "DBSnapshots", SnapshotType="manual")
    f.put(key, region, "db_snapshots", snapshots)
    for snap in snapshots:
        f.submit(rds_snapshot_attributes, key, region, snap)
    f.put(
        key,
        region,
        "db_cluster_snapshots",
        f.pages(w, "rds", "DescribeDBClusterSnapshots", "DBClusterSnapshots", SnapshotType="manual"),
    )


def rds_automated(f: Fetcher, key: str, region: str) -> None:
    """Retained and cross-region replicated automated backups (the replicas live in this region)."""
    f.put(
        key,
        region,
        "automated_backups",
        f.pages((key, region), "rds", "DescribeDBInstanceAutomatedBackups", "DBInstanceAutomatedBackups"),
    )


def rds_snapshot_attributes(f: Fetcher, key: str, region: str, snap: dict) -> None:
    """Which accounts may restore (copy) a manual snapshot: the `restore` attribute."""
    result = f.call(
        (key, region), "rds", "DescribeDBSnapshotAttributes", DBSnapshotIdentifier=snap["DBSnapshotIdentifier"]
    )
    attrs = ((result or {}).get("DBSnapshotAttributesResult") or {}).get("DBSnapshotAttributes") or []
    restore = [a.get("AttributeValues") or [] for a in attrs if a.get("AttributeName") == "restore"]
    with f._lock:
        snap["SharedWithAccounts"] = sorted({v for values in restore for v in values})


def ec2(f: Fetcher, key: str, region: str) -> None:
    w = (key, region)
    f.put(key, region, "volumes", f.pages(w, "ec2", "DescribeVolumes", "Volumes"))
    f.put(
        key,
        region,
        "instances",
        [i for r in f.pages(w, "ec2", "DescribeInstances", "Reservations") for i in r.get("Instances") or []],
    )


def ebs_snapshots(f: Fetcher, key: str, region: str) -> None:
    f.put(
        key, region, "ebs_snapshots", f.pages((key, region), "ec2", "DescribeSnapshots", "Snapshots", OwnerIds=["self"])
    )


def dynamodb(f: Fetcher, key: str, region: str) -> None:
    names = f.pages((key, region), "dynamodb", "ListTables", "TableNames")
    f.put(key, region, "tables", [])
    f.put(key, region, "dynamodb_backups", f.pages((key, region), "dynamodb", "ListBackups", "BackupSummaries"))
    for name in names:
        f.submit(dynamodb_table, key, region, name)


def dynamodb_table(f: Fetcher, key: str, region: str, name: str) -> None:
    w = (key, region)
    table = (f.call(w, "dynamodb", "DescribeTable", TableName=name) or {}).get("Table") or {"TableName": name}
    continuous = f.call(w, "dynamodb", "DescribeContinuousBackups", TableName=name)
    table["ContinuousBackupsDescription"] = (continuous or {}).get("ContinuousBackupsDescription")
    with f._lock:
        f.region(key, region)["tables"].append(table)


def efs(f: Fetcher, key: str, region: str) -> None:
    f.put(key, region, "file_systems", f.pages((key, region), "efs", "DescribeFileSystems", "FileSystems"))


def backup(f: Fetcher, key: str, region: str) -> None:
    w = (key, region)
    vaults = f.pages(w, "backup", "ListBackupVaults", "BackupVaultList")
    f.put(key, region, "vaults", vaults)
    f.put(key, region, "plans", [])
    for vault in vaults:
        f.submit(backup_vault, key, region, vault)
    for plan in f.pages(w, "backup", "ListBackupPlans", "BackupPlansList"):
        f.submit(backup_plan, key, region, plan["BackupPlanId"])


def backup_vault(f: Fetcher, key: str, region: str, vault: dict) -> None:
    f.submit(backup_vault_policy, key, region, vault)
    points = f.pages(
        (key, region),
        "backup",
        "ListRecoveryPointsByBackupVault",
        "RecoveryPoints",
        BackupVaultName=vault["BackupVaultName"],
    )
    with f._lock:
        vault["RecoveryPoints"] = points


def backup_vault_policy(f: Fetcher, key: str, region: str, vault: dict) -> None:
    """Who else may act on the vault (another account could delete its recovery points)."""
    policy = f.call((key, region), "backup", "GetBackupVaultAccessPolicy", BackupVaultName=vault["BackupVaultName"])
    with f._lock:
        vault["AccessPolicy"] = (policy or {}).get("Policy")


def backup_plan(f: Fetcher, key: str, region: str, plan_id: str) -> None:
    w = (key, region)
    plan = f.call(w, "backup", "GetBackupPlan", BackupPlanId=plan_id) or {}
    selections = []
    for sel in f.pages(w, "backup", "ListBackupSelections", "BackupSelectionsList", BackupPlanId=plan_id):
        got = f.call(w, "backup", "GetBackupSelection", BackupPlanId=plan_id, SelectionId=sel["SelectionId"]) or {}
        selections.append(got.get("BackupSelection") or {})
    with f._lock:
        f.region(key, region)["plans"].append(
            {"BackupPlanId": plan_id, "BackupPlan": plan.get("BackupPlan") or {}, "Selections": selections}
        )


def kms(f: Fetcher, key: str, region: str) -> None:
    """Customer-managed keys (their deletion makes what they encrypt unreadable) and aliases
    (S3 names its key by alias). DescribeKey says who manages a key; AWS managed keys (aws/rds,
    …) cannot be deleted by customers and need no policy read."""
    w = (key, region)
    f.put(key, region, "kms_aliases", f.pages(w, "kms", "ListAliases", "Aliases"))
    f.put(key, region, "kms_keys", [])
    for entry in f.pages(w, "kms", "ListKeys", "Keys"):
        f.submit(kms_key, key, region, entry["KeyId"])


def kms_key(f: Fetcher, key: str, region: str, key_id: str) -> None:
    w = (key, region)
    meta = (f.call(w, "kms", "DescribeKey", KeyId=key_id) or {}).get("KeyMetadata") or {"KeyId": key_id}
    with f._lock:
        f.region(key, region)["kms_keys"].append(meta)
    if meta.get("KeyManager") != "AWS":
        policy = f.call(w, "kms", "GetKeyPolicy", KeyId=key_id, PolicyName="default")
        with f._lock:
            meta["Policy"] = (policy or {}).get("Policy")


REGIONAL = (rds, rds_automated, ec2, ebs_snapshots, dynamodb, efs, backup, kms)


def iam(f: Fetcher, key: str, region: str) -> None:
    """One paginated call gives users, groups, roles and policies with their documents."""
    w = (key, region)
    details: dict[str, list] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    client = f.clients.client(key, "iam", region)
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        for page in client.get_paginator("get_account_authorization_details").paginate():
            for name in details:
                details[name] += plain(page.get(name) or [])
    except ClientError as exc:
        error = exc.response.get("Error", {})
        f._failed(w, client, "GetAccountAuthorizationDetails", error.get("Code", ""), error.get("Message", ""))
        return
    except (BotoCoreError, BudgetExhausted) as exc:
        f.gap(f"{f._label(w)}: iam:GetAccountAuthorizationDetails failed: {type(exc).__name__}")
        return
    with f._lock:
        f.accounts[key]["iam"] = details
    for user in details["UserDetailList"]:
        f.submit(access_keys, key, region, user["UserName"])


def access_keys(f: Fetcher, key: str, region: str, user: str) -> None:
    keys = f.pages((key, region), "iam", "ListAccessKeys", "AccessKeyMetadata", UserName=user)
    with f._lock:
        f.accounts[key]["access_keys"][user] = keys


def s3_buckets(f: Fetcher, key: str, region: str) -> None:
    buckets = f.pages((key, region), "s3", "ListBuckets", "Buckets")
    with f._lock:
        f.accounts[key]["buckets"] = [
            {"Name": b["Name"], "CreationDate": b.get("CreationDate"), "BucketRegion": b.get("BucketRegion")}
            for b in buckets
        ]
        entries = list(f.accounts[key]["buckets"])
    for entry in entries:
        f.submit(s3_bucket, key, region, entry)


def s3_bucket(f: Fetcher, key: str, region: str, entry: dict) -> None:
    w, name = (key, region), entry["Name"]
    found: dict[str, Any] = {}
    if entry.get("BucketRegion"):  # ListBuckets says where it is (AWS does; some emulators do not)
        found["Region"] = entry["BucketRegion"]
    else:
        location = f.call(w, "s3", "GetBucketLocation", Bucket=name) or {}
        found["Region"] = location.get("LocationConstraint") or "us-east-1"
    found["Versioning"] = (f.call(w, "s3", "GetBucketVersioning", Bucket=name) or {}).get("Status")
    lock = f.call(w, "s3", "GetObjectLockConfiguration", Bucket=name)
    found["ObjectLock"] = (lock or {}).get("ObjectLockConfiguration")
    replication = f.call(w, "s3", "GetBucketReplication", Bucket=name)
    found["Replication"] = (replication or {}).get("ReplicationConfiguration")
    found["Tags"] = (f.call(w, "s3", "GetBucketTagging", Bucket=name) or {}).get("TagSet") or []
    encryption = f.call(w, "s3", "GetBucketEncryption", Bucket=name)
    found["Encryption"] = (encryption or {}).get("ServerSideEncryptionConfiguration")
    found["Policy"] = (f.call(w, "s3", "GetBucketPolicy", Bucket=name) or {}).get("Policy")
    with f._lock:
        entry.update(found)
