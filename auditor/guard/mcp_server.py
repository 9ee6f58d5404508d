"""`blastscope mcp`: a stdio Model Context Protocol server an agent can ask before it acts.

Three read-only tools (annotated `readOnlyHint: true`): `blast(node)` — what one delete of a
node destroys and which data loses every copy; `check_command(command)` — the guard's decision
on a shell command; `findings(severity?)` — the audit's findings. The graph is loaded once,
when the server starts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auditor.core.severity import SEVERITIES, at_least
from auditor.guard.judge import Graph
from auditor.guard.payload import COMMAND, Call, call_findings
from auditor.guard.run import GuardSettings, _policy, decide_findings


class GuardTools:
    """The tools' logic, apart from the protocol."""

    def __init__(self, settings: GuardSettings) -> None:
        from auditor.core.blast import analysis
        from auditor.core.errors import InputError
        from auditor.core.topology import Topology
        from auditor.engine.audit import merge_sources
        from auditor.guard.graph_source import load_audit_sources

        self.settings = settings
        self.policy, base = _policy(settings.policy, None)
        found = load_audit_sources(settings.sources, self.policy, base)
        if found is None:
            raise InputError("no graph to serve: give --source FILE, or set guard.history in the policy")
        self.sources, origin, created = found
        topo = Topology(merge_sources(self.sources))
        self.graph = Graph(
            analysis(topo, self.policy),
            origin,
            created,
            all(s.is_complete for s in self.sources),
            [g for s in self.sources for g in s.gaps],
        )
        self._findings: list[Any] | None = None

    def blast(self, node: str) -> dict[str, Any]:
        from auditor.uses.blast_query import blast_json, blast_report

        matches = self.graph.resolve(node, None)
        if not matches:
            return {
                "node": node,
                "error": f"no resource {node!r} (by id, provider-native id or name) in {self.graph.origin}",
            }
        an = self.graph.analysis
        return {"node": node, "matches": [blast_json(an, blast_report(an, m)) for m in matches]}

    def check_command(self, command: str) -> dict[str, Any]:
        try:
            found = call_findings(Call(COMMAND, "command", command=command))
            verdict = decide_findings(found, self.settings, loaded=(self.policy, self.graph))
        except Exception as exc:  # noqa: BLE001 - fail closed
            from auditor.guard.decision import failure

            verdict = failure(f"internal error: {type(exc).__name__}: {exc}")
        return verdict.to_json()

    def findings(self, severity: str | None = None) -> dict[str, Any]:
        if severity is not None and severity not in SEVERITIES:
            return {"error": f"severity must be one of {', '.join(SEVERITIES)}"}
        if self._findings is None:
            from auditor.engine.audit import audit

            now = self.settings.now or datetime.now(UTC)
            self._findings = list(audit(self.sources, self.policy, now=now).findings)
        chosen = [f for f in self._findings if severity is None or at_least(f.severity, severity)]
        return {
            "graph": self.graph.origin,
            "count": len(chosen),
            "findings": [
                {
                    "check_id": f.check_id,
                    "severity": f.severity,
                    "resource_id": f.resource_id,
                    "resource_name": f.resource_name,
                    "message": f.message,
                    "evidence": [str(p) for p in f.evidence[:3]],
                }
                for f in chosen
            ],
        }


def build_server(tools: GuardTools):  # type: ignore[no-untyped-def]
    from mcp.server.mcpserver import MCPServer
    from mcp.types import ToolAnnotations

    server = MCPServer(
        "blastscope",
        instructions="Ask before destroying infrastructure: check_command(command) says allow, ask or deny; "
        "blast(node) says what one delete destroys; findings() lists shared blast-radius problems.",
    )
    read_only = ToolAnnotations(
        read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
    )

    @server.tool(
        annotations=read_only,
        description="What one delete of NODE (id, provider-native id or name) "
        "destroys, and which datasets lose every copy.",
    )
    def blast(node: str) -> dict[str, Any]:
        return tools.blast(node)

    @server.tool(
        annotations=read_only,
        description="The blastscope guard's decision (allow, ask or deny) on a "
        "shell command, with the reason and what it would destroy.",
    )
    def check_command(command: str) -> dict[str, Any]:
        return tools.check_command(command)

    @server.tool(
        annotations=read_only,
        description="The audit's findings, optionally only those at or above "
        "a severity (critical, high, medium, low, info).",
    )
    def findings(severity: str | None = None) -> dict[str, Any]:
        return tools.findings(severity)

    return server


def serve_stdio(settings: GuardSettings) -> None:
    build_server(GuardTools(settings)).run("stdio")
