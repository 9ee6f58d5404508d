"""One guard decision, start to end: the call's operations, then (only if there is something
destructive) the policy and the graph, then the decision table. Any failure is a deny."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from auditor.guard.decision import GuardVerdict, combine, failure
from auditor.guard.operations import Findings
from auditor.guard.payload import Call, call_findings
from auditor.guard.record import factory, record


@record
class GuardSettings:
    sources: list[str] = factory(default_factory=list)
    policy: str | None = None
    now: datetime | None = None


def decide(call: Call, settings: GuardSettings) -> GuardVerdict:
    """The guard's verdict on a call; never raises (a failure is a deny that says why)."""
    try:
        found = call_findings(call)
        return decide_findings(found, settings, call.cwd)
    except Exception as exc:  # noqa: BLE001 - fail closed on anything
        return failure(_why(exc))


def decide_findings(
    found: Findings, settings: GuardSettings, cwd: str | os.PathLike | None = None, loaded: tuple | None = None
) -> GuardVerdict:
    """`loaded` is a (policy, graph) pair a long-running caller (the proxy, the MCP server) keeps."""
    floor = [f"The guard cannot see what runs in {b}." for b in found.blind_spots]
    if not found.operations:
        return combine([], floor)
    from auditor.guard.judge import judge

    if loaded is not None:
        policy, graph = loaded
    else:
        policy, graph = load(settings, cwd)
    now = settings.now or datetime.now(UTC)
    verdicts = [judge(op, graph, policy.guard.max_age, now) for op in found.operations]
    return combine(verdicts, floor)


def load(settings: GuardSettings, cwd: str | os.PathLike | None = None):  # type: ignore[no-untyped-def]
    """(policy, graph or None) as the settings name them."""
    policy, base = _policy(settings.policy, cwd)
    from auditor.guard.graph_source import load_graph

    graph = load_graph(settings.sources, policy, base)
    return policy, graph


def _policy(path: str | None, cwd: str | os.PathLike | None):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from auditor.core.policy import Policy
    from auditor.io.policy_file import discover_policy, load_policy

    if path is None:
        start = Path(cwd) if cwd is not None and os.path.isdir(cwd) else None
        found = discover_policy(start)
        return (load_policy(found) if found is not None else Policy()), (found.parent if found is not None else None)
    return load_policy(path), Path(path).parent


def _why(exc: Exception) -> str:
    from auditor.core.errors import BlastscopeError

    if isinstance(exc, BlastscopeError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"
