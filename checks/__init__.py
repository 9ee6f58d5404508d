"""Check registry (SPEC §5).

A check is a pure function `(topology, policy) -> Iterable[Finding]` plus metadata. Built-in
families live in this package, one module each; plugins register more through the
`blastscope.checks` entry-point group, each entry point naming a `Check` or a list of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Callable, Iterable

from auditor.errors import InputError
from auditor.severity import SEVERITIES

if TYPE_CHECKING:
    from auditor.findings import Finding
    from auditor.graph import Topology
    from auditor.policy import Policy

ENTRY_POINT_GROUP = "blastscope.checks"


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    severity: str  # default; some checks grade per finding (documented in `severity_note`)
    family: str
    rationale: str
    remediation: str
    run: Callable[["Topology", "Policy"], Iterable["Finding"]] = field(compare=False, repr=False)
    references: tuple[str, ...] = ()
    severity_note: str = ""
    #: judged on a planned change by `gate`, not on one graph by `scan`
    needs_plan: bool = False


_REGISTRY: dict[str, Check] = {}
_LOADED = False


def register(check: Check) -> Check:
    if check.severity not in SEVERITIES:
        raise ValueError(f"check {check.id}: unknown severity {check.severity!r}")
    if check.id in _REGISTRY and _REGISTRY[check.id] is not check:
        raise ValueError(f"check id {check.id!r} registered twice")
    _REGISTRY[check.id] = check
    return check


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from checks import change, credentials, data_protection, isolation  # noqa: F401  (register built-ins)

    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin is an input problem, not a crash
            raise InputError(f"cannot load check plugin {ep.name!r} ({ep.value}): {exc}") from None
        for check in obj if isinstance(obj, (list, tuple)) else [obj]:
            if not isinstance(check, Check):
                raise InputError(f"check plugin {ep.name!r} does not provide a checks.Check")
            register(check)


def all_checks() -> list[Check]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda c: (c.family, c.id))


def get_check(check_id: str) -> Check | None:
    _load()
    return _REGISTRY.get(check_id)
