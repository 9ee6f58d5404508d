"""Which actions a set of identity policies allows on one resource.

IAM's order: an explicit Deny wins over any Allow; with no Allow there is no access. A statement
covers an action when its Action (or everything outside its NotAction) matches, and the
resource when its Resource (or everything outside its NotResource) matches the ARN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from providers.awsiam.catalog import ActionInfo, actions_for, resource_arn_templates
from providers.awsiam.kinds import deleting_actions, protection_switches
from providers.awsiam.policy import PolicyDocument, Statement


@dataclass(frozen=True)
class ResourceRef:
    """One resource in IAM's terms: service prefix, resource type key (as AWS's Service
    Authorization Reference names it) and its ARN when known."""

    service: str  # "rds"
    resource_type: str  # "db"
    arn: str | None = None
    #: True/False when known; None (unknown) is judged as off — the fail-safe reading
    deletion_protection: bool | None = None


#: child resource types whose ARNs extend the parent's (a bucket's objects: `<bucket arn>/<key>`)
CHILDREN: dict[tuple[str, str], tuple[str, ...]] = {("s3", "bucket"): ("object",)}


def _candidates(resource: ResourceRef) -> list[tuple[ActionInfo, bool]]:
    """(action, is-on-a-child) pairs that can act on this resource or its children."""
    out = [(a, False) for a in actions_for(resource.service, resource.resource_type)]
    for child in CHILDREN.get((resource.service.lower(), resource.resource_type), ()):
        seen = {a.qualified for a, _ in out}
        out += [(a, True) for a in actions_for(resource.service, child) if a.qualified not in seen]
    return out


def _covers(statement: Statement, action: str, arn: str | None, child: bool, deny: bool) -> bool:
    if not statement.matches_action(action):
        return False
    if deny and statement.conditional:
        return False  # a conditional Deny may not apply: never let it hide access
    target = f"{arn}/" if (child and arn is not None) else arn
    hit = statement.matches_arn(target, open_tail=child)
    if hit is None:  # unknown ARN, specific patterns: an Allow may reach it, a Deny may miss it
        return not deny
    return hit


def evaluate(policies: Iterable[PolicyDocument], resource: ResourceRef) -> frozenset[str]:
    """The qualified actions (`"rds:DeleteDBInstance"`) the policies allow on `resource`."""
    statements = [s for p in policies for s in p.statements]
    allows = [s for s in statements if s.effect == "Allow"]
    denies = [s for s in statements if s.effect == "Deny"]
    if not allows:
        return frozenset()
    granted = set()
    for info, child in _candidates(resource):
        action = info.qualified
        if any(_covers(s, action, resource.arn, child, False) for s in allows) and not any(
            _covers(s, action, resource.arn, child, True) for s in denies
        ):
            granted.add(action)
    return frozenset(granted)


def _deletes(granted: frozenset[str], resource: ResourceRef) -> bool:
    types = (resource.resource_type, *CHILDREN.get((resource.service.lower(), resource.resource_type), ()))
    if not any(granted & deleting_actions(resource.service, t) for t in types):
        return False
    switches = protection_switches(resource.service, resource.resource_type)
    if resource.deletion_protection is True and switches:
        return bool(granted & switches)
    return True


def can_delete(policies: Iterable[PolicyDocument], resource: ResourceRef) -> bool:
    """Can these policies destroy the resource (switching its deletion protection off first if needed)?"""
    return _deletes(evaluate(policies, resource), resource)


LEVELS = {"Read": "read", "List": "read", "Write": "write", "Tagging": "write", "Permissions management": "admin"}


def access_levels(policies: Iterable[PolicyDocument], resource: ResourceRef) -> frozenset[str]:
    """Blastscope's action words for what the policies allow on the resource."""
    granted = evaluate(policies, resource)
    if not granted:
        return frozenset()
    by_name = {a.qualified: a for a, _ in _candidates(resource)}
    levels = {LEVELS.get(by_name[a].access_level, "write") for a in granted if a in by_name}
    if _deletes(granted, resource):
        levels.add("delete")
    return frozenset(levels)


def resource_ref_for_arn(arn: str, deletion_protection: bool | None = None) -> ResourceRef | None:
    """Recognise an ARN's resource type from the catalogue's ARN templates; None if no template fits.
    Templates whose placeholders hold single path segments are tried first (a bucket before its objects)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    templates = resource_arn_templates(parts[2])
    for greedy_tail in (False, True):
        fits = [
            (len(_PLACEHOLDER.sub("", t)), rtype)
            for rtype, t in templates
            if _template_regex(t, greedy_tail).fullmatch(arn)
        ]
        if fits:  # the most specific template: the one with the most literal text
            return ResourceRef(parts[2], max(fits)[1], arn, deletion_protection)
    return None


_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def _template_regex(template: str, greedy_tail: bool) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(template)
    out = [re.escape(pieces[0])]
    for i, piece in enumerate(pieces[1:], start=1):
        last = i == len(pieces) - 1
        # partition/region/account may be empty in some ARNs (s3, iam); names may not
        out.append(".+" if (last and greedy_tail) else "[^:/]*")
        out.append(re.escape(piece))
    return re.compile("".join(out))
