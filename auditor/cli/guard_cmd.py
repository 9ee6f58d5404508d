"""`blastscope guard …` and `blastscope mcp`.

`blastscope guard` is normally dispatched before typer is imported (auditor/launcher.py: the
hook must start fast); this registration lists it in `--help` and serves callers that go
through the typer app, with the same arguments."""

from __future__ import annotations

from pathlib import Path

import typer

from auditor.cli.app import app, handle_errors, parse_now


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def guard(ctx: typer.Context) -> None:
    """Judge a command or an agent's hook payload: allow, ask or deny (see `guard --help`)."""
    from auditor.guard.main import main as guard_main

    raise typer.Exit(guard_main(list(ctx.args)))


@app.command()
@handle_errors
def mcp(
    source: list[str] | None = typer.Option(
        None, "--source", "-s", help="Audit sources (default: the policy's guard.history)."
    ),
    policy_file: Path | None = typer.Option(None, "--policy", "-p", help="Policy file."),
    now: str | None = typer.Option(None, "--now", help="Pin the clock (ISO-8601)."),
) -> None:
    """Serve read-only tools over MCP (stdio): blast(node), check_command(command), findings(severity)."""
    from auditor.guard.mcp_server import serve_stdio
    from auditor.guard.run import GuardSettings

    serve_stdio(GuardSettings(list(source or []), str(policy_file) if policy_file else None, parse_now(now)))
