"""Claude Code and Cursor payloads, end to end through the hook command `guard install` writes:
the installed command is run the way the agent runs it (through a shell, payload on stdin)."""

from __future__ import annotations

import json
import subprocess

import pytest

from auditor.guard.install import install
from tests.guard.conftest import PG_VOLUME


def installed_command(agent: str, project, sources) -> tuple[str, dict]:
    path, _ = install(
        agent,
        user=False,
        home=project / "home",
        project=project,
        sources=[str(s) for s in sources],
        policy=None,
        dry_run=False,
    )
    doc = json.loads(path.read_text())
    if agent == "claude":
        entry = next(e for e in doc["hooks"]["PreToolUse"] if e["matcher"] == "Bash")
        return entry["hooks"][0]["command"], doc
    return doc["hooks"]["beforeShellExecution"][-1]["command"], doc


def run_hook(command: str, payload: str | dict, cwd) -> subprocess.CompletedProcess:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run(["sh", "-c", command], input=text, capture_output=True, text=True, cwd=cwd, timeout=60)


def claude_bash(command: str, cwd) -> dict:
    return {
        "session_id": "s1",
        "transcript_path": "/tmp/t.jsonl",
        "cwd": str(cwd),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "run it"},
        "tool_use_id": "toolu_1",
    }


def test_claude_install_keeps_existing_settings_and_is_idempotent(tmp_path):
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(
        json.dumps(
            {
                "model": "opus",
                "hooks": {"PreToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "lint.sh"}]}]},
            }
        )
    )
    installed_command("claude", tmp_path, [])
    command, doc = installed_command("claude", tmp_path, [])  # twice: replaced, not duplicated
    assert doc["model"] == "opus"
    matchers = [e["matcher"] for e in doc["hooks"]["PreToolUse"]]
    assert matchers == ["Write", "Bash", "mcp__.*"]
    hook = doc["hooks"]["PreToolUse"][1]["hooks"][0]
    assert hook["type"] == "command" and hook["timeout"] > 0 and hook["command"].endswith("|| exit 2")


def test_cursor_install_fails_closed_and_keeps_other_hooks(tmp_path):
    hooks = tmp_path / ".cursor" / "hooks.json"
    hooks.parent.mkdir()
    hooks.write_text(json.dumps({"version": 1, "hooks": {"afterFileEdit": [{"command": "fmt.sh"}]}}))
    _, doc = installed_command("cursor", tmp_path, [])
    assert doc["hooks"]["afterFileEdit"] == [{"command": "fmt.sh"}]
    for event in ("beforeShellExecution", "beforeMCPExecution"):
        [entry] = doc["hooks"][event]
        assert entry["failClosed"] is True and "guard --format cursor" in entry["command"]


def test_dry_run_prints_and_writes_nothing(tmp_path):
    from tests.conftest import run_cli

    r = run_cli("guard", "install", "claude", "--project", "--dry-run", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert '"PreToolUse"' in r.stdout and "guard --format claude" in r.stdout
    assert not (tmp_path / ".claude").exists()


@pytest.mark.parametrize(
    "command, decision",
    [
        ("sh -c 'railway volume delete --volume pg-data'", "deny"),
        ("railway environment delete staging", "ask"),
        ("echo 'railway volume delete --volume pg-data' && git status", "allow"),
    ],
)
def test_claude_code_bash_payloads_end_to_end(tmp_path, incident_file, command, decision):
    hook, _ = installed_command("claude", tmp_path, [incident_file])
    r = run_hook(hook, claude_bash(command, tmp_path), tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "PreToolUse"
    assert out["permissionDecision"] == decision
    if decision == "deny":
        assert "pocketos-db (production) and all 3 of its backups: no copy survives" in out["permissionDecisionReason"]


def test_claude_code_mcp_tool_payload(tmp_path, railway_snapshot):
    hook, _ = installed_command("claude", tmp_path, [railway_snapshot])
    payload = {
        "hook_event_name": "PreToolUse",
        "cwd": str(tmp_path),
        "tool_name": "mcp__railway__volume_delete",
        "tool_input": {"volumeId": PG_VOLUME},
    }
    out = json.loads(run_hook(hook, payload, tmp_path).stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny"
    assert "no copy survives" in out["permissionDecisionReason"]
    graphql = {
        "hook_event_name": "PreToolUse",
        "cwd": str(tmp_path),
        "tool_name": "mcp__railway__graphql",
        "tool_input": {"query": "mutation($v: String!) { volumeDelete(volumeId: $v) }", "variables": {"v": PG_VOLUME}},
    }
    out = json.loads(run_hook(hook, graphql, tmp_path).stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny"
    assert f"volumeDelete on {PG_VOLUME} destroys database Postgres (production)" in out["permissionDecisionReason"]
    harmless = {
        "hook_event_name": "PreToolUse",
        "cwd": str(tmp_path),
        "tool_name": "mcp__railway__list_projects",
        "tool_input": {},
    }
    assert json.loads(run_hook(hook, harmless, tmp_path).stdout)["hookSpecificOutput"]["permissionDecision"] == "allow"


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "not json",
        "[1, 2]",
        '{"hook_event_name": "PreToolUse", "tool_name": "Bash"}',
        '{"hook_event_name": "SomethingElse"}',
    ],
)
def test_a_malformed_payload_is_denied_and_blocks(tmp_path, incident_file, payload):
    hook, _ = installed_command("claude", tmp_path, [incident_file])
    r = run_hook(hook, payload, tmp_path)
    assert r.returncode == 2  # Claude Code blocks on exit code 2
    assert json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "could not judge" in r.stderr


def test_a_hook_that_cannot_start_still_blocks(tmp_path):
    # the installed command's `|| exit 2` turns "guard missing or crashed" into Claude Code's block
    r = run_hook("blastscope-not-installed guard --format claude || exit 2", "{}", tmp_path)
    assert r.returncode == 2


@pytest.mark.parametrize(
    "command, permission",
    [
        ("bash -lc 'cd app && railway volume delete --volume pg-data -y'", "deny"),
        ("railway service delete --service worker", "ask"),
        ("grep -rn volumeDelete .", "allow"),
    ],
)
def test_cursor_shell_payloads_end_to_end(tmp_path, incident_file, command, permission):
    hook, _ = installed_command("cursor", tmp_path, [incident_file])
    payload = {
        "conversation_id": "c1",
        "generation_id": "g1",
        "hook_event_name": "beforeShellExecution",
        "command": command,
        "cwd": str(tmp_path),
        "workspace_roots": [str(tmp_path)],
    }
    r = run_hook(hook, payload, tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["permission"] == permission
    assert out["user_message"] and out["agent_message"]


def test_cursor_mcp_payload_with_json_text_arguments(tmp_path, railway_snapshot):
    hook, _ = installed_command("cursor", tmp_path, [railway_snapshot])
    payload = {
        "hook_event_name": "beforeMCPExecution",
        "tool_name": "volume_delete",
        "cwd": str(tmp_path),
        "tool_input": json.dumps({"volumeId": PG_VOLUME}),
    }
    assert json.loads(run_hook(hook, payload, tmp_path).stdout)["permission"] == "deny"
    bad = {"hook_event_name": "beforeMCPExecution", "tool_name": "volume_delete", "tool_input": "{not json"}
    r = run_hook(hook, bad, tmp_path)
    assert r.returncode == 2 and json.loads(r.stdout)["permission"] == "deny"
