"""What every report format is handed: the audit, its one verdict, and how to show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.core.findings import Finding
from auditor.core.policy import Policy
from auditor.core.verdict import Verdict
from auditor.engine.audit import AuditResult

if TYPE_CHECKING:  # a scan never imports the gate
    from auditor.uses.gate import GateResult

VERDICT_WORDS = {"pass": "pass", "fail": "FAIL", "incomplete": "INCOMPLETE"}


@dataclass(frozen=True)
class ReportContext:
    result: AuditResult
    verdict: Verdict
    policy: Policy | None = None
    verbose: bool = False
    color: bool = False
    #: set when the report is of a gate: the result is then the planned audit
    gate: GateResult | None = None

    @property
    def judged(self) -> list[Finding]:
        """The findings the verdict is about: all of a scan's, or what a change introduces."""
        return self.gate.introduced() if self.gate is not None else self.result.findings

    @property
    def gaps(self) -> list[str]:
        return self.gate.gaps if self.gate is not None else self.result.gaps

    @property
    def complete(self) -> bool:
        return not self.gaps

    def fails(self, finding: Finding) -> bool:
        return self.verdict.fails(finding)

    def baselined(self, finding: Finding) -> bool:
        return finding in self.verdict.baselined

    @property
    def verdict_word(self) -> str:
        return VERDICT_WORDS[self.verdict.status]
