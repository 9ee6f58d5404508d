"""The check contract: a pure function over one audited graph, plus metadata a user reads.

A check is declared with `@check(...)` on a function `(ctx: CheckContext) -> Iterable[Finding]`.
Its metadata is validated when it is declared (slug id, short title, known severity, non-empty
rationale and remediation, references a user can open), so a plugin with a broken check fails
at load time with one clear line instead of producing odd reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from auditor.core.severity import SEVERITIES

if TYPE_CHECKING:
    from auditor.core.blast import BlastAnalysis
    from auditor.core.findings import Finding
    from auditor.core.policy import Policy
    from auditor.core.source import Plan
    from auditor.core.topology import Topology

_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_TITLE = 80


@dataclass
class CheckContext:
    """Everything a check may read: the graph, the policy, the audit's clock, and (for
    checks that judge a change) the plan. The blast analysis is memoised on the topology, so
    every check — and every audit of the same graph under the same policy — shares one."""

    topology: Topology
    policy: Policy
    now: datetime
    plan: Plan | None = None

    @property
    def analysis(self) -> BlastAnalysis:
        from auditor.core.blast import analysis

        return analysis(self.topology, self.policy)


CheckFunction = Callable[[CheckContext], Iterable["Finding"]]


class CheckDefinitionError(ValueError):
    """A check's metadata does not meet the contract."""


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    severity: str  # default; some checks grade per finding (documented in `severity_note`)
    family: str
    rationale: str
    remediation: str
    run: CheckFunction = field(compare=False, repr=False)
    references: tuple[str, ...] = ()
    severity_note: str = ""
    #: judged on a planned change by `gate`, not on one graph by `scan`
    needs_plan: bool = False
    #: its findings about one part of the graph depend on that part only (see
    #: auditor/engine/incremental.py): `diff` may reuse them where nothing in the part changed.
    #: A check that does not say is global and always re-run on the whole graph (fail closed).
    local: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not _SLUG.match(self.id):
            problems.append("id must be a lowercase slug like 'backup-missing'")
        if not self.title or len(self.title) > MAX_TITLE:
            problems.append(f"title must be 1..{MAX_TITLE} characters")
        if self.severity not in SEVERITIES:
            problems.append(f"severity must be one of {', '.join(SEVERITIES)}")
        if not self.family or not _SLUG.match(self.family):
            problems.append("family must be a lowercase slug")
        if not self.rationale.strip():
            problems.append("rationale is empty")
        if not self.remediation.strip():
            problems.append("remediation is empty")
        for ref in self.references:
            if not ref.startswith("https://"):
                problems.append(f"reference {ref!r} is not a link a user can open (https://…)")
        if problems:
            raise CheckDefinitionError(f"check {self.id!r}: " + "; ".join(problems))


def check(
    *,
    id: str,  # noqa: A002 - the check's id is its public name
    title: str,
    severity: str,
    family: str,
    rationale: str,
    remediation: str,
    references: tuple[str, ...] = (),
    severity_note: str = "",
    needs_plan: bool = False,
    local: bool = False,
) -> Callable[[CheckFunction], Check]:
    """Declare a check: the decorated function becomes a validated `Check`."""

    def declare(func: CheckFunction) -> Check:
        return Check(
            id, title, severity, family, rationale, remediation, func, references, severity_note, needs_plan, local
        )

    return declare


class CheckRegistry:
    """An immutable set of checks, looked up by id; built once per run."""

    def __init__(self, checks: Iterable[Check]) -> None:
        by_id: dict[str, Check] = {}
        for c in checks:
            if c.id in by_id and by_id[c.id] is not c:
                raise CheckDefinitionError(f"check id {c.id!r} is declared twice")
            by_id[c.id] = c
        self._by_id: Mapping[str, Check] = dict(sorted(by_id.items()))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._by_id.values(), key=lambda c: (c.family, c.id)))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._by_id

    def get(self, check_id: str) -> Check | None:
        return self._by_id.get(check_id)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def resolve(self, check_ids: Iterable[str], where: str) -> list[Check]:
        """Checks by id; an unknown id is an input error with a suggestion (fail closed)."""
        from auditor.core.errors import UsageError
        from auditor.core.text import suggest

        out = []
        for cid in check_ids:
            found = self._by_id.get(cid)
            if found is None:
                raise UsageError(f"{where}: unknown check id {cid!r}{suggest(cid, self._by_id)}")
            out.append(found)
        return out
