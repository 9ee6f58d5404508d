"""`blastscope mcp` through the official SDK's client over stdio: the three tools are listed as
read-only and answer from the incident graph."""

from __future__ import annotations

import json
import sys

import anyio

from tests.conftest import ROOT


def call_server(source, calls):  # type: ignore[no-untyped-def]
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "auditor", "mcp", "--source", str(source)], cwd=str(ROOT)
    )

    async def main():  # type: ignore[no-untyped-def]
        async with Client(params) as client:
            tools = await client.list_tools()
            results = [await client.call_tool(name, args) for name, args in calls]
            return tools, results

    return anyio.run(main)


def payload(result) -> dict:  # type: ignore[no-untyped-def]
    if getattr(result, "structured_content", None):
        return result.structured_content
    return json.loads(result.content[0].text)


def test_mcp_tools_are_read_only_and_answer(incident_file):
    tools, (blast, check, allowed, findings, critical) = call_server(
        incident_file,
        [
            ("blast", {"node": "pg-data"}),
            ("check_command", {"command": "sh -c 'railway volume delete --volume pg-data'"}),
            ("check_command", {"command": "echo railway volume delete"}),
            ("findings", {}),
            ("findings", {"severity": "critical"}),
        ],
    )
    listed = {t.name: t for t in tools.tools}
    assert set(listed) == {"blast", "check_command", "findings"}
    assert all(t.annotations.read_only_hint is True for t in listed.values())
    [match] = payload(blast)["matches"]
    assert "pocketos-db" in match["lost"]
    decided = payload(check)
    assert decided["decision"] == "deny" and "no copy survives" in decided["reason"]
    assert payload(allowed)["decision"] == "allow"
    everything, worst = payload(findings), payload(critical)
    assert worst["count"] >= 1 and everything["count"] > worst["count"]
    assert {f["severity"] for f in worst["findings"]} == {"critical"}
    assert any(f["check_id"] == "backup-colocated" for f in worst["findings"])
