"""`blastscope guard install claude|cursor`: merge the guard's hook into the agent's settings,
keeping every other setting and hook, and replacing an earlier blastscope entry.

Claude Code: `.claude/settings.json` → `hooks.PreToolUse`, matchers `Bash` and `mcp__.*`, with a
timeout; the command ends in `|| exit 2` so that a guard that cannot even start blocks the call
(Claude Code treats exit code 2 as "block" and other failures as non-blocking).
Cursor: `.cursor/hooks.json` → `hooks.beforeShellExecution` and `hooks.beforeMCPExecution`, each
with `failClosed: true`.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from auditor.core.errors import InputError
from auditor.io.files import write_atomic

HOOK_TIMEOUT_SECONDS = 15
_MARKERS = ("blastscope guard", "auditor guard")


def guard_command(agent: str, sources: list[str], policy: str | None) -> str:
    """The command the agent runs: this installation's blastscope, absolute paths throughout."""
    exe = shutil.which("blastscope")
    here = Path(sys.executable).parent / "blastscope"
    if here.is_file():
        exe = str(here)
    parts = [exe] if exe else [sys.executable, "-m", "auditor"]
    parts += ["guard", "--format", agent]
    for src in sources:
        parts += ["--source", str(Path(src).resolve())]
    if policy:
        parts += ["--policy", str(Path(policy).resolve())]
    return " ".join(shlex.quote(p) for p in parts)


def settings_path(agent: str, user: bool, home: Path, project: Path) -> Path:
    root = home if user else project
    return root / (".claude/settings.json" if agent == "claude" else ".cursor/hooks.json")


def merge(agent: str, existing: dict[str, Any], command: str) -> dict[str, Any]:
    doc = dict(existing)
    hooks = dict(doc.get("hooks") or {})
    if not isinstance(doc.get("hooks", {}), dict):
        raise InputError("'hooks' is not an object; fix it by hand before installing", field="hooks")
    if agent == "claude":
        entries = [e for e in hooks.get("PreToolUse", []) if not _ours_claude(e)]
        for matcher in ("Bash", "mcp__.*"):
            entries.append(
                {
                    "matcher": matcher,
                    "hooks": [{"type": "command", "command": f"{command} || exit 2", "timeout": HOOK_TIMEOUT_SECONDS}],
                }
            )
        hooks["PreToolUse"] = entries
    else:
        doc.setdefault("version", 1)
        for event in ("beforeShellExecution", "beforeMCPExecution"):
            entries = [e for e in hooks.get(event, []) if not _ours(e.get("command") if isinstance(e, dict) else None)]
            entries.append({"command": command, "failClosed": True, "timeout": HOOK_TIMEOUT_SECONDS})
            hooks[event] = entries
    doc["hooks"] = hooks
    return doc


def _ours(command: object) -> bool:
    return isinstance(command, str) and any(m in command for m in _MARKERS)


def _ours_claude(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    return any(_ours(h.get("command")) for h in entry.get("hooks", []) if isinstance(h, dict))


def install(
    agent: str, *, user: bool, home: Path, project: Path, sources: list[str], policy: str | None, dry_run: bool
) -> tuple[Path, str]:
    path = settings_path(agent, user, home, project)
    existing: dict[str, Any] = {}
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8") or "{}")
        except ValueError as exc:
            raise InputError(f"not valid JSON ({exc}); fix it by hand before installing", file=str(path)) from None
        if not isinstance(existing, dict):
            raise InputError("expected a JSON object", file=str(path))
    try:
        merged = merge(agent, existing, guard_command(agent, sources, policy))
    except InputError as exc:
        raise InputError(exc.detail, file=str(path), field=exc.field) from None
    text = json.dumps(merged, indent=2) + "\n"
    if not dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return path, text
