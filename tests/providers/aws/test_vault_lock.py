"""AWS Backup Vault Lock as immutability: recovery points in a vault locked in compliance mode,
past its grace time, survive every credential; a lock still in its grace time (or in governance
mode) can be removed, so it protects nothing; and no lock protects against deleting the key the
copies are encrypted with."""

from __future__ import annotations

from tests.providers.aws.conftest import ACCOUNT, REGION
from tests.providers.aws.helpers import checks_of, pull
from tests.providers.aws.test_kms import customer_key, encrypted_db, key_admin
from tests.providers.aws.test_pull import recorded, seed_backup

ADMIN = ("credential-can-destroy-all-copies", "iam-user/ci-deploy access key", "critical")


def past_grace(key_arn: str | None = None):  # noqa: ANN201
    """moto's vaults, with the lock date moved into the past (the emulator cannot wait three days),
    and the recovery points encrypted with `key_arn` when given."""

    def replay(service: str, operation: str, params: dict, region: str) -> dict | None:
        if service == "backup" and operation == "ListBackupVaults":
            return {
                "BackupVaultList": [
                    {
                        "BackupVaultName": "prod-vault",
                        "BackupVaultArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:prod-vault",
                        "CreationDate": "2026-01-01T00:00:00Z",
                        "NumberOfRecoveryPoints": 1,
                        "Locked": True,
                        "MinRetentionDays": 7,
                        "LockDate": "2026-01-04T00:00:00Z",
                    }
                ]
            }
        answer = recorded(service, operation, params, region)
        if answer and operation == "ListRecoveryPointsByBackupVault" and key_arn:
            for point in answer["RecoveryPoints"]:
                point["EncryptionKeyArn"] = key_arn
        return answer

    return replay


def seed(aws) -> None:  # noqa: ANN001
    aws.rds_with_snapshots(snapshots=())  # the instance and its automated backups; the vault holds the rest
    aws.ci_user_with_admin()
    seed_backup(aws, copy_to=None)


def test_a_compliance_lock_past_its_grace_time_keeps_a_copy_no_credential_can_delete(aws) -> None:
    seed(aws)
    locked = pull(aws.endpoint, replay=past_grace())
    assert locked.complete, locked.gaps
    vault = next(r for r in locked.resources if r.id.endswith(":prod-vault"))
    assert vault.attrs["object_lock"] == "COMPLIANCE"
    got = checks_of(locked)
    assert ADMIN not in got  # the locked recovery point survives even the admin key
    assert ("backup-colocated", "orders-prod", "medium") in got  # closing the account is still one action
    # moto's own lock is still in its three-day grace time: removable, so it protects nothing
    grace = pull(aws.endpoint, replay=recorded)
    assert next(r for r in grace.resources if r.id.endswith(":prod-vault")).attrs["object_lock"] == "GOVERNANCE"
    assert ADMIN in checks_of(grace)


def test_a_lock_does_not_protect_copies_from_losing_their_key(aws) -> None:
    key = customer_key(aws, "orders-data")
    encrypted_db(aws, "orders-prod", key, snapshots=0)
    key_admin(aws)
    seed_backup(aws, copy_to=None)
    got = checks_of(pull(aws.endpoint, replay=past_grace(key)))
    assert ("credential-can-destroy-all-copies", "iam-user/key-admin access key", "critical") in got
    assert ("backup-colocated", "orders-prod", "critical") in got
