"""Hook payloads → the call to judge. The kind is detected from the payload itself:

- Claude Code `PreToolUse`: `{"hook_event_name": "PreToolUse", "tool_name": "Bash",
  "tool_input": {"command": …}, "cwd": …}`; MCP tools are named `mcp__<server>__<tool>` and
  carry their arguments in `tool_input`.
- Cursor `beforeShellExecution`: `{"hook_event_name": "beforeShellExecution", "command": …,
  "cwd": …}`; `beforeMCPExecution`: `{"tool_name": …, "tool_input": <object or JSON text>}`.

Anything else is a malformed payload, and the guard denies (it cannot tell what would run).
"""

from __future__ import annotations

import json
import os
import re

from auditor.guard.operations import Findings, Operation
from auditor.guard.recognise import recognise_line
from auditor.guard.record import factory, record

CLAUDE, CURSOR, COMMAND = "claude", "cursor", "command"
#: hook payloads are small; anything larger is not one
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024


class PayloadError(ValueError):
    """Not a payload the guard understands."""


@record
class Call:
    kind: str  # claude | cursor | command
    event: str
    command: str | None = None
    tool_name: str | None = None
    tool_input: dict = factory(default_factory=dict)
    cwd: str | os.PathLike | None = None


def parse_payload(raw: bytes | str) -> Call:
    if isinstance(raw, bytes):
        if len(raw) > MAX_PAYLOAD_BYTES:
            raise PayloadError("the hook payload is larger than 4 MiB")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise PayloadError("the hook payload is not UTF-8 text") from None
    if not raw.strip():
        raise PayloadError("empty hook payload on standard input (or give --command)")
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"the hook payload is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict):
        raise PayloadError("the hook payload is not a JSON object")
    event = doc.get("hook_event_name")
    cwd = doc["cwd"] if isinstance(doc.get("cwd"), str) and doc["cwd"] else None
    if event in ("beforeShellExecution",) or (event is None and "command" in doc and "tool_name" not in doc):
        command = doc.get("command")
        if not isinstance(command, str):
            raise PayloadError("a beforeShellExecution payload without a 'command' string")
        return Call(CURSOR, "beforeShellExecution", command=command, cwd=cwd)
    if event == "beforeMCPExecution":
        return Call(CURSOR, event, tool_name=_tool_name(doc), tool_input=_tool_input(doc), cwd=cwd)
    if event in ("PreToolUse", None) and "tool_name" in doc:
        name = _tool_name(doc)
        tool_input = _tool_input(doc)
        if name == "Bash":
            command = tool_input.get("command")
            if not isinstance(command, str):
                raise PayloadError("a Bash tool call without a 'command' string in tool_input")
            return Call(CLAUDE, "PreToolUse", command=command, tool_name=name, tool_input=tool_input, cwd=cwd)
        return Call(CLAUDE, "PreToolUse", tool_name=name, tool_input=tool_input, cwd=cwd)
    raise PayloadError(
        f"not a Claude Code PreToolUse or Cursor beforeShellExecution/beforeMCPExecution payload "
        f"(hook_event_name {event!r})"
    )


def _tool_name(doc: dict) -> str:
    name = doc.get("tool_name")
    if not isinstance(name, str) or not name:
        raise PayloadError("the payload's 'tool_name' is missing or not a string")
    return name


def _tool_input(doc: dict) -> dict:
    value = doc.get("tool_input", {})
    if isinstance(value, str):  # Cursor sends MCP arguments as JSON text
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            raise PayloadError("the payload's 'tool_input' is text that is not JSON") from None
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise PayloadError("the payload's 'tool_input' is not an object")
    return value


# ------------------------------------------------------------------------------ what a call does
_DESTRUCTIVE_TOOL = re.compile(r"delete|destroy|remove|drop|purge|wipe|terminate|teardown", re.I)
_TARGET_KEYS = (
    "volumeId",
    "volume_id",
    "volume",
    "environmentId",
    "environment_id",
    "environment",
    "projectId",
    "project_id",
    "project",
    "serviceId",
    "service_id",
    "service",
    "bucketId",
    "bucket",
    "backupId",
    "volumeInstanceBackupId",
    "id",
    "name",
    "resource",
    "target",
)
_KIND_WORDS = (
    ("backup", "backup"),
    ("volume", "volume"),
    ("environment", "environment"),
    ("project", "project"),
    ("service", "service"),
    ("bucket", "bucket"),
    ("database", "database"),
    ("workspace", "account"),
)


def call_findings(call: Call) -> Findings:
    """The destructive operations a call would run: a shell line, or an MCP tool's arguments."""
    if call.command is not None:
        return recognise_line(call.command, call.cwd)
    tool = call.tool_name or ""
    args = call.tool_input
    found = Findings()
    if isinstance(args.get("command"), str):
        return recognise_line(args["command"], call.cwd)
    if isinstance(args.get("query"), str):
        from auditor.guard.graphql_ops import GraphQLDocumentError, body_operations

        variables = args.get("variables") if isinstance(args.get("variables"), dict) else {}
        try:
            found.operations.extend(
                body_operations(json.dumps({"query": args["query"], "variables": variables}), tool, True)
            )
        except GraphQLDocumentError as exc:
            found.operations.append(Operation(tool, "GraphQL request", (), None, fixed="ask", note=str(exc)))
        return found
    short = tool.rsplit("__", 1)[-1]
    if _DESTRUCTIVE_TOOL.search(short):
        targets = tuple(str(args[k]) for k in _TARGET_KEYS if isinstance(args.get(k), (str, int)) and str(args[k]))[:1]
        kinds = frozenset(kind for word, kind in _KIND_WORDS if word in short.lower()) or None
        found.operations.append(Operation(tool, short, targets, kinds, text=json.dumps(args)[:200]))
    return found
