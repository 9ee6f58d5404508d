"""Severity levels, ordered from most to least severe."""

from __future__ import annotations

from auditor.core.schema import Severity

SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def rank(severity: str) -> int:
    """0 for critical … 4 for info; lower is worse."""
    return _RANK[severity]


def at_least(severity: str, threshold: str) -> bool:
    """True when `severity` is as bad as `threshold` or worse; threshold "none" matches nothing."""
    return _RANK[severity] <= _RANK.get(threshold, -1)
