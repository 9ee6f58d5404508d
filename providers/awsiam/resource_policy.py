"""Resource-based policies (S3 bucket policies, AWS Backup vault access policies, KMS key
policies) as reach.

Within one account, an action is allowed when the identity's policies or the resource's policy
allow it, and denied when either denies it (Deny wins). A resource policy's Deny only holds
against someone who cannot remove or replace that policy (s3:PutBucketPolicy,
backup:DeleteBackupVaultAccessPolicy, …): they would delete the policy first.

Only statements whose Principal names the identity apply: `*`, the identity's ARN, or (for a
Deny) its account (`123456789012`, `arn:aws:iam::123456789012:root`) — an Allow to the account
only delegates to the identity's own policies; `NotPrincipal` applies to everyone it does not
name. Service and federated principals are not identities of the account. Conditions
are treated as everywhere in this package: an Allow may hold, a Deny may not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from providers.awsiam.evaluate import ResourceRef, access_levels, can_delete, evaluate
from providers.awsiam.policy import PolicyDocument, PolicyError, Statement

#: (service, resource type) → the actions that remove or replace the resource's own policy
POLICY_REMOVERS: dict[tuple[str, str], frozenset[str]] = {
    ("s3", "bucket"): frozenset({"s3:DeleteBucketPolicy", "s3:PutBucketPolicy"}),
    ("kms", "key"): frozenset({"kms:PutKeyPolicy"}),
    ("backup", "backupVault"): frozenset({"backup:DeleteBackupVaultAccessPolicy", "backup:PutBackupVaultAccessPolicy"}),
}


def _names(principal: Any) -> list[str] | None:
    """The AWS principals a Principal element names; None for `*` (everyone)."""
    if principal == "*":
        return None
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        values = aws if isinstance(aws, list) else [aws] if aws is not None else []
        if "*" in values:
            return None
        return [v for v in values if isinstance(v, str)]
    return []


def _names_identity(names: list[str] | None, identity: str | None, account: str, *, whole_account: bool) -> bool:
    """Does a Principal naming `names` cover the identity? The account itself (`123456789012`,
    `…:root`) covers every identity of it in a Deny; in an Allow it only delegates to the
    identity's own policies (which are evaluated anyway), so it adds nothing."""
    if names is None:
        return True
    own = {account, f"arn:aws:iam::{account}:root", identity} if whole_account else {identity}
    return any(n in own for n in names)


def applicable(document: Any, identity: str | None, account: str) -> tuple[PolicyDocument, PolicyDocument]:
    """(allows, denies) of a resource policy that apply to the identity; raises PolicyError."""
    if isinstance(document, PolicyDocument):
        raise PolicyError("a resource policy needs its Principal elements: pass the decoded document")
    parsed = PolicyDocument.parse(document)
    raw = json.loads(document) if isinstance(document, str) else document
    raws = raw.get("Statement")
    raws = raws if isinstance(raws, list) else [raws]
    allows: list[Statement] = []
    denies: list[Statement] = []
    for statement, source in zip(parsed.statements, raws, strict=True):
        deny = statement.effect == "Deny"
        if "NotPrincipal" in source:
            applies = not _names_identity(_names(source["NotPrincipal"]), identity, account, whole_account=True)
        else:
            applies = _names_identity(_names(source.get("Principal")), identity, account, whole_account=deny)
        if applies:
            (allows if statement.effect == "Allow" else denies).append(statement)
    return PolicyDocument(tuple(allows)), PolicyDocument(tuple(denies))


def levels_with(
    identity_policies: Iterable[PolicyDocument],
    resource: ResourceRef,
    holder: ResourceRef,
    allows: PolicyDocument,
    denies: PolicyDocument,
    empty_first: ResourceRef | None = None,
) -> frozenset[str]:
    """access_levels on `resource` under its holder's resource policy (`holder`: the bucket or
    vault whose policy it is). `empty_first`: the holder cannot be deleted until it is empty, so
    delete on it needs delete on that contained resource too (a vault's recovery points)."""
    policies = [*identity_policies, allows]
    removers = POLICY_REMOVERS.get((holder.service, holder.resource_type), frozenset())
    if denies.statements and not (evaluate([*policies, denies], holder) & removers):
        policies.append(denies)
    levels = access_levels(policies, resource)
    if empty_first is not None and "delete" in levels and not can_delete(policies, empty_first):
        levels = levels - {"delete"}
    return levels
