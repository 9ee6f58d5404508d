"""The verdict in each agent's hook protocol, and the exit code that goes with it.

Claude Code (PreToolUse): JSON `hookSpecificOutput` with `permissionDecision` on stdout, exit 0.
Cursor (beforeShellExecution / beforeMCPExecution): `{"permission", "user_message",
"agent_message"}` on stdout, exit 0. When the guard itself failed it still prints a deny, also
writes the reason on stderr and exits 2 — the code both agents read as "block".
"""

from __future__ import annotations

import json

from auditor.guard.decision import GuardVerdict

FORMATS = ("json", "text", "claude", "cursor")


def render(verdict: GuardVerdict, fmt: str) -> tuple[str, str, int]:
    """(stdout, stderr, exit code)."""
    code = 2 if verdict.failed else 0
    err = (verdict.reason + "\n") if verdict.failed else ""
    if fmt == "claude":
        claude: dict[str, object] = {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": verdict.decision,
                "permissionDecisionReason": verdict.reason,
            }
        }
        return json.dumps(claude) + "\n", err, code
    if fmt == "cursor":
        out: dict[str, object] = {
            "permission": verdict.decision,
            "user_message": verdict.reason,
            "agent_message": _agent_text(verdict),
        }
        return json.dumps(out) + "\n", err, code
    if fmt == "json":
        return json.dumps(verdict.to_json(), indent=2) + "\n", err, code
    lines = [f"{verdict.decision.upper()}: {verdict.reason}"]
    for op in verdict.operations:
        lines.append(
            f"  - {op.operation.tool} {op.operation.operation} {op.operation.target_label()}: {op.decision}"
            + (f" (resolved: {', '.join(op.resolved[:5])})" if op.resolved else "")
        )
    return "\n".join(lines) + "\n", err, code


def _agent_text(verdict: GuardVerdict) -> str:
    if verdict.decision == "deny":
        return verdict.reason + " Do not retry this call another way; ask the user."
    return verdict.reason
