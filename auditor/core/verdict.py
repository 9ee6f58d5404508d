"""The one verdict of a run: which findings fail it and what the exit code is.

Computed once from --fail-on, the baseline, suppressions (already applied: suppressed findings
never reach here) and completeness, then handed to every report format, so text, JSON, SARIF,
JUnit, Markdown, HTML and webhook payloads cannot disagree with each other or with the exit code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.core.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_PASS
from auditor.core.findings import Finding
from auditor.core.severity import at_least


@dataclass(frozen=True)
class Verdict:
    fail_on: str
    #: findings at or above fail_on that are not accepted in the baseline
    failing: tuple[Finding, ...]
    #: findings accepted by the baseline (any severity)
    baselined: tuple[Finding, ...]
    complete: bool
    allow_partial: bool
    #: the audit looked at nothing: never a pass
    empty: bool = False

    @property
    def status(self) -> str:
        """'incomplete', 'fail' or 'pass' — the word every format prints."""
        if (not self.complete or self.empty) and not self.allow_partial:
            return "incomplete"
        return "fail" if self.failing else "pass"

    @property
    def exit_code(self) -> int:
        return {"incomplete": EXIT_INCOMPLETE, "fail": EXIT_FINDINGS, "pass": EXIT_PASS}[self.status]

    @functools.cached_property
    def failing_fingerprints(self) -> frozenset[str]:
        """Built once: reports ask `fails(f)` for every finding."""
        return frozenset(f.fingerprint for f in self.failing)

    def fails(self, finding: Finding) -> bool:
        return finding.fingerprint in self.failing_fingerprints


def judge(
    findings: Iterable[Finding],
    *,
    fail_on: str,
    baseline: frozenset[str] | set[str] | None = None,
    complete: bool = True,
    allow_partial: bool = False,
    empty: bool = False,
) -> Verdict:
    accepted = baseline or frozenset()
    failing: list[Finding] = []
    baselined: list[Finding] = []
    for f in findings:
        if f.fingerprint in accepted:
            baselined.append(f)
        elif fail_on != "none" and at_least(f.severity, fail_on):
            failing.append(f)
    return Verdict(fail_on, tuple(failing), tuple(baselined), complete, allow_partial, empty)
