"""`blastscope guard …`: the hook command, `guard install`, `guard proxy`.

The hook runs before every shell command an agent issues, so it must start fast: it is parsed
with argparse here (not typer/rich, whose import alone costs more than the guard's budget) and
`blastscope guard` is dispatched to it before the rest of the CLI is imported. Like the CLI,
this is the only guard module that reads argv, stdin or the environment.
"""

from __future__ import annotations

import os
import sys

from auditor.guard.answer import FORMATS, render
from auditor.guard.decision import failure

#: the proxy's own token for Railway, and the separate token its local clients present
UPSTREAM_TOKEN_ENV = "RAILWAY_API_TOKEN"
CLIENT_TOKEN_ENV = "BLASTSCOPE_GUARD_CLIENT_TOKEN"


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        return _install(argv[1:])
    if argv[:1] == ["proxy"]:
        return _proxy(argv[1:])
    return _hook(argv)


_HOOK_VALUE_FLAGS = {
    "--command": "command",
    "-c": "command",
    "--policy": "policy",
    "-p": "policy",
    "--now": "now",
    "--format": "format",
    "-f": "format",
}
_HOOK_LIST_FLAGS = ("--source", "-s")


def _fast_args(argv: list[str]) -> dict | None:
    """The hook's own arguments without argparse (whose import costs a good part of the budget);
    None for anything unusual (help, a typo), which argparse then handles and explains."""
    out: dict = {"command": None, "policy": None, "now": None, "format": None, "source": []}
    i = 0
    listing = False
    while i < len(argv):
        word = argv[i]
        key, eq, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if key in _HOOK_VALUE_FLAGS:
            value = inline if eq else (argv[i + 1] if i + 1 < len(argv) else None)
            if value is None:
                return None
            out[_HOOK_VALUE_FLAGS[key]] = value
            i += 1 if eq else 2
            listing = False
        elif key in _HOOK_LIST_FLAGS:
            if eq:
                out["source"].append(inline)
            listing = True
            i += 1
        elif listing and not word.startswith("-"):
            out["source"].append(word)
            i += 1
        else:
            return None
    if out["format"] is not None and out["format"] not in FORMATS:
        return None
    return out


def _hook(argv: list[str]) -> int:
    fast = _fast_args(argv)
    if fast is not None:
        return _judge(fast["command"], fast["source"], fast["policy"], fast["now"], fast["format"])
    import argparse

    ap = argparse.ArgumentParser(
        prog="blastscope guard",
        description="Judge a command (or an agent's hook payload on stdin) against the audited graph: "
        "allow, ask or deny. "
        "Subcommands: `guard install claude|cursor`, `guard proxy`.",
    )
    ap.add_argument("--command", "-c", help="The shell command to judge (default: a hook payload on stdin).")
    ap.add_argument(
        "--source",
        "-s",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="Audit sources (snapshot, inventory, state). Default: the newest complete entry of the "
        "policy's guard.history.",
    )
    ap.add_argument("--policy", "-p", help="Policy file (default: .blastscope.yaml found from the working directory).")
    ap.add_argument("--now", help="Pin the clock (ISO-8601) when judging the graph's age.")
    ap.add_argument("--format", "-f", choices=FORMATS, help="Answer format (default: the payload's agent, or text).")
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    return _judge(args.command, list(args.source), args.policy, args.now, args.format)


def _judge(command: str | None, sources: list[str], policy: str | None, now_text: str | None, fmt: str | None) -> int:
    from auditor.guard.payload import COMMAND, Call, PayloadError, parse_payload
    from auditor.guard.run import GuardSettings, decide

    now = None
    if now_text:
        from auditor.io.resources import to_utc

        try:
            now = to_utc(now_text)
        except ValueError:
            return _emit(failure(f"--now: not an ISO-8601 date or time: {now_text!r}"), fmt or "text")
    settings = GuardSettings(sources, policy, now)
    if command is not None:
        call = Call(COMMAND, "command", command=command, cwd=None)
    else:
        try:
            call = parse_payload(sys.stdin.buffer.read())
        except (PayloadError, OSError) as exc:
            return _emit(failure(str(exc)), fmt or "claude")
    return _emit(decide(call, settings), fmt or (call.kind if call.kind != COMMAND else "text"))


def _emit(verdict, fmt: str) -> int:  # type: ignore[no-untyped-def]
    out, err, code = render(verdict, fmt)
    sys.stdout.write(out)
    if err:
        sys.stderr.write("blastscope guard: " + err)
    sys.stdout.flush()
    return code


def _install(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="blastscope guard install",
        description="Install the guard as a Claude Code or Cursor hook, keeping the settings already there.",
    )
    ap.add_argument("agent", choices=["claude", "cursor"])
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="~/.claude/settings.json or ~/.cursor/hooks.json")
    where.add_argument(
        "--project", action="store_true", help="./.claude/settings.json or ./.cursor/hooks.json (default)"
    )
    ap.add_argument("--dry-run", action="store_true", help="Print the merged file instead of writing it.")
    ap.add_argument(
        "--source",
        "-s",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="Audit sources the hook judges by (default: the policy's guard.history).",
    )
    ap.add_argument("--policy", "-p", help="Policy file the hook uses.")
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    from pathlib import Path

    from auditor.core.errors import BlastscopeError
    from auditor.guard.install import install

    try:
        path, text = install(
            args.agent,
            user=args.user,
            home=Path.home(),
            project=Path.cwd(),
            sources=args.source,
            policy=args.policy,
            dry_run=args.dry_run,
        )
    except BlastscopeError as exc:
        sys.stderr.write(f"blastscope: error: {exc}\n")
        return 2
    if args.dry_run:
        sys.stdout.write(f"# {path}\n{text}")
    else:
        sys.stdout.write(f"installed the blastscope guard hook in {path}\n")
    return 0


def _proxy(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="blastscope guard proxy",
        description="A local Railway GraphQL proxy that judges every mutation before forwarding it.",
    )
    ap.add_argument("--source", "-s", nargs="+", action="extend", default=[], metavar="FILE")
    ap.add_argument("--policy", "-p")
    ap.add_argument(
        "--listen", default="127.0.0.1:8787", help="HOST:PORT to listen on (loopback only; port 0: any free one)"
    )
    ap.add_argument("--upstream", default="https://backboard.railway.com/graphql/v2")
    ap.add_argument(
        "--allow-ask", action="store_true", help="Forward mutations whose decision is ask (default: refuse)."
    )
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    from auditor.core.errors import BlastscopeError
    from auditor.guard.proxy import ProxySettings, serve

    host, _, port = args.listen.rpartition(":")
    if host not in ("127.0.0.1", "localhost", "::1", "[::1]") or not port.isdigit():
        sys.stderr.write("blastscope: error: --listen: give 127.0.0.1:PORT (the proxy only listens on loopback)\n")
        return 2
    upstream_token = os.environ.get(UPSTREAM_TOKEN_ENV) or None
    client_token = os.environ.get(CLIENT_TOKEN_ENV) or None
    if upstream_token and not client_token:
        sys.stderr.write(
            f"blastscope: error: the proxy holds {UPSTREAM_TOKEN_ENV}; set {CLIENT_TOKEN_ENV} to the "
            "separate token local clients must present\n"
        )
        return 2
    settings = ProxySettings(
        sources=list(args.source),
        policy=args.policy,
        upstream=args.upstream,
        allow_ask=args.allow_ask,
        upstream_token=upstream_token,
        client_token=client_token,
        host=host.strip("[]"),
        port=int(port),
    )
    try:
        return serve(settings)
    except BlastscopeError as exc:
        sys.stderr.write(f"blastscope: error: {exc}\n")
        return exc.exit_code
