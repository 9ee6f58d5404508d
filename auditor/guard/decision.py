"""The guard's answer: allow, ask or deny, per operation and for the whole call, with the
reason a person or an agent reads."""

from __future__ import annotations

from auditor.guard.operations import Operation
from auditor.guard.record import factory, record

ALLOW, ASK, DENY = "allow", "ask", "deny"
_RANK = {ALLOW: 0, ASK: 1, DENY: 2}


def strictest(decisions: list[str]) -> str:
    return max(decisions, key=_RANK.__getitem__, default=ALLOW)


def at_least(decision: str, floor: str) -> str:
    return strictest([decision, floor])


@record
class OperationVerdict:
    operation: Operation
    decision: str
    reason: str
    resolved: list[str] = factory(default_factory=list)
    blast: dict = factory(default_factory=dict)

    def to_json(self) -> dict:
        op = self.operation
        return {
            "tool": op.tool,
            "operation": op.operation,
            "target": op.target_label() if op.targets else None,
            "resolved": self.resolved,
            "decision": self.decision,
            "reason": self.reason,
            "blast": self.blast,
        }


@record
class GuardVerdict:
    decision: str
    reason: str
    operations: list[OperationVerdict] = factory(default_factory=list)
    #: the guard itself could not run (bad payload, unreadable graph, crash): always deny
    failed: bool = False

    def to_json(self) -> dict:
        return {
            "decision": self.decision,
            "reason": self.reason,
            "operations": [o.to_json() for o in self.operations],
        }


def failure(why: str) -> GuardVerdict:
    """Fail closed: when the guard cannot judge, the call does not run."""
    return GuardVerdict(DENY, f"blastscope guard could not judge this call, so it is denied: {why}", failed=True)


def combine(verdicts: list[OperationVerdict], floor_reasons: list[str]) -> GuardVerdict:
    """The strictest decision wins; its reasons (and anything that raised the floor) are said."""
    if not verdicts and not floor_reasons:
        return GuardVerdict(ALLOW, "nothing destructive")
    decision = strictest([v.decision for v in verdicts] + ([ASK] if floor_reasons else []))
    reasons = [v.reason for v in verdicts if v.decision == decision]
    if decision != DENY:
        reasons += floor_reasons
    seen: list[str] = []
    for r in reasons:
        if r not in seen:
            seen.append(r)
    if not seen:
        seen = ["nothing destructive"]
    return GuardVerdict(decision, " ".join(seen), verdicts)
