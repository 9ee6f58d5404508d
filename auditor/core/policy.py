"""The policy file (SPEC §8): tier name patterns, backup objectives, severity overrides,
suppressions. Pure: validates an already-decoded document (the file is found and read in io).
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from auditor.core.errors import InputError
from auditor.core.model import TIERS
from auditor.core.severity import SEVERITIES

DEFAULT_ENVIRONMENT_PATTERNS: dict[str, tuple[str, ...]] = {
    "production": ("prod*", "live", "main"),
    "staging": ("stag*", "uat", "preprod"),
    "development": ("dev*", "test*"),
    "preview": ("pr-*", "preview*"),
}

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_MAX_DURATION = 3650 * 86400


def parse_duration(value: Any) -> timedelta:
    """'24h', '7d', '90m', '2w' (a bare number is hours)."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    seconds: float | None = None
    if isinstance(value, (int, float)):
        seconds = float(value) * 3600 if abs(value) < 1e12 else math.inf
    elif isinstance(value, str):
        m = _DURATION.match(value[:40])
        if m and len(value) <= 40:
            seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    if seconds is None:
        raise ValueError(f"not a duration like 24h, 7d or 2w: {str(value)[:40]!r}")
    # NaN, infinite, negative or beyond ten years would silence the checks that use it
    if not (math.isfinite(seconds) and 0 < seconds <= _MAX_DURATION):
        raise ValueError(f"expected a duration above 0 and at most 10 years (3650d): {str(value)[:40]!r}")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds and seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds // 86400}d"
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class Suppression:
    check: str
    resource: str
    reason: str
    expires: date
    fingerprint: str | None = None

    def matches(self, check_id: str, resource_id: str, fingerprint: str) -> bool:
        if self.fingerprint and self.fingerprint != fingerprint:
            return False
        return (self.check in ("*", check_id)) and fnmatch.fnmatchcase(resource_id, self.resource)

    def expired(self, today: date) -> bool:
        return today > self.expires

    def describe(self) -> str:
        return f"{self.check} on {self.resource} (until {self.expires.isoformat()}: {self.reason})"


@dataclass(frozen=True)
class GuardPolicy:
    """The agent guard's settings: where scheduled runs keep their history (the graph the guard
    judges by, relative to the policy file) and how old that graph may be before the guard asks."""

    history: str | None = None
    max_age: timedelta = timedelta(hours=24)


@dataclass
class Policy:
    environment_patterns: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_ENVIRONMENT_PATTERNS))
    rpo: timedelta = timedelta(hours=24)
    min_retention: timedelta = timedelta(days=7)
    severity: dict[str, str] = field(default_factory=dict)
    suppressions: list[Suppression] = field(default_factory=list)
    guard: GuardPolicy = field(default_factory=GuardPolicy)
    origin: str | None = None
    #: railway.project_tokens_can_delete: Railway's docs say project tokens only deploy; an
    #: account where they are known to delete volumes says so here.
    railway_project_tokens_can_delete: bool = False

    def tier_from_name(self, name: str) -> tuple[str, str] | None:
        """(tier, pattern) for the first pattern the environment name matches, case-insensitively."""
        lowered = name.lower()
        for tier, patterns in self.environment_patterns.items():
            for pattern in patterns:
                if fnmatch.fnmatchcase(lowered, pattern.lower()):
                    return tier, pattern
        return None


def parse_policy(document: Any, file: str) -> Policy:
    """Validate a decoded policy document; every problem is an InputError naming the field."""
    if document is None:
        return Policy(origin=file)
    if not isinstance(document, Mapping):
        raise InputError("a policy file is a mapping", file=file)
    known = {"environments", "backups", "severity", "suppressions", "guard", "version", "railway"}
    for key in document:
        if key not in known:
            raise InputError(
                f"unknown policy section (expected one of {', '.join(sorted(known))})", file=file, field=str(key)
            )
    version = document.get("version", 1)
    if type(version) is not int or version != 1:  # `version: true` is not 1
        raise InputError(f"unsupported version {str(version)[:20]!r} (expected 1)", file=file, field="version")
    policy = Policy(origin=file)

    envs = document.get("environments")
    if envs is not None:
        if not isinstance(envs, Mapping):
            raise InputError("expected a mapping of tier to name patterns", file=file, field="environments")
        # a tier listed replaces that tier's default patterns; tiers not listed keep theirs
        patterns: dict[str, tuple[str, ...]] = dict(DEFAULT_ENVIRONMENT_PATTERNS)
        for tier, pats in envs.items():
            if tier not in TIERS or tier == "unknown":
                raise InputError(f"unknown tier {tier!r}", file=file, field=f"environments.{tier}")
            if isinstance(pats, str):
                pats = [pats]
            if not isinstance(pats, list) or not all(isinstance(p, str) and p for p in pats):
                raise InputError("expected a list of name patterns", file=file, field=f"environments.{tier}")
            patterns[tier] = tuple(pats)
        # production patterns are matched first, so a name matching two tiers fails safe
        policy.environment_patterns = dict(sorted(patterns.items(), key=lambda kv: TIERS.index(kv[0])))

    backups = document.get("backups")
    if backups is not None:
        if not isinstance(backups, Mapping):
            raise InputError("expected a mapping with rpo and min_retention", file=file, field="backups")
        for key, value in backups.items():
            if key not in ("rpo", "min_retention"):
                raise InputError("unknown key (expected rpo, min_retention)", file=file, field=f"backups.{key}")
            try:
                setattr(policy, key, parse_duration(value))
            except ValueError as exc:
                raise InputError(str(exc), file=file, field=f"backups.{key}") from None

    severity = document.get("severity")
    if severity is not None:
        if not isinstance(severity, Mapping):
            raise InputError("expected a mapping of check id to severity", file=file, field="severity")
        for check_id, sev in severity.items():
            if sev not in SEVERITIES:
                raise InputError(
                    f"{sev!r} is not one of {', '.join(SEVERITIES)}", file=file, field=f"severity.{check_id}"
                )
            policy.severity[str(check_id)] = sev

    railway = document.get("railway")
    if railway is not None:
        if not isinstance(railway, Mapping):
            raise InputError("expected a mapping (project_tokens_can_delete: true|false)", file=file, field="railway")
        for key, value in railway.items():
            if key != "project_tokens_can_delete":
                raise InputError("unknown key (expected project_tokens_can_delete)", file=file, field=f"railway.{key}")
            if not isinstance(value, bool):
                raise InputError("expected true or false", file=file, field=f"railway.{key}")
            policy.railway_project_tokens_can_delete = value

    sups = document.get("suppressions")
    if sups is not None:
        if not isinstance(sups, list):
            raise InputError("expected a list", file=file, field="suppressions")
        for i, item in enumerate(sups):
            policy.suppressions.append(_suppression(item, f"suppressions[{i}]", file))

    if document.get("guard") is not None:
        policy.guard = _guard(document["guard"], file)
    return policy


def _guard(section: Any, file: str) -> GuardPolicy:
    if not isinstance(section, Mapping):
        raise InputError("expected a mapping with history and max_age", file=file, field="guard")
    for key in section:
        if key not in ("history", "max_age"):
            raise InputError("unknown key (expected history, max_age)", file=file, field=f"guard.{key}")
    history = section.get("history")
    if history is not None and (not isinstance(history, str) or not history.strip()):
        raise InputError("expected a directory path", file=file, field="guard.history")
    max_age = timedelta(hours=24)
    if section.get("max_age") is not None:
        try:
            max_age = parse_duration(section["max_age"])
        except ValueError as exc:
            raise InputError(str(exc), file=file, field="guard.max_age") from None
        if max_age <= timedelta(0):
            raise InputError("must be longer than zero", file=file, field="guard.max_age")
    return GuardPolicy(history.strip() if history else None, max_age)


def _suppression(item: Any, where: str, file: str) -> Suppression:
    if not isinstance(item, Mapping):
        raise InputError("expected a mapping with check, resource, reason, expires", file=file, field=where)
    for key in item:
        if key not in ("check", "resource", "reason", "expires", "fingerprint"):
            raise InputError("unknown key", file=file, field=f"{where}.{key}")
    check = item.get("check")
    resource = item.get("resource", "*")
    reason = item.get("reason")
    expires = item.get("expires")
    if not isinstance(check, str) or not check:
        raise InputError("a suppression names a check (or '*')", file=file, field=f"{where}.check")
    if not isinstance(resource, str) or not resource:
        raise InputError("expected a resource id or glob", file=file, field=f"{where}.resource")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("a suppression needs a reason", file=file, field=f"{where}.reason")
    if expires is None:
        raise InputError("a suppression needs an expiry date", file=file, field=f"{where}.expires")
    if isinstance(expires, datetime):
        expires = expires.date()
    elif isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires.strip())
        except ValueError:
            raise InputError(f"not a date (YYYY-MM-DD): {expires!r}", file=file, field=f"{where}.expires") from None
    if not isinstance(expires, date):
        raise InputError(f"not a date (YYYY-MM-DD): {expires!r}", file=file, field=f"{where}.expires")
    fingerprint = item.get("fingerprint")
    if fingerprint is not None and not isinstance(fingerprint, str):
        raise InputError("expected a string", file=file, field=f"{where}.fingerprint")
    return Suppression(check, resource, reason.strip(), expires, fingerprint)


def utcnow() -> datetime:
    return datetime.now(UTC)
