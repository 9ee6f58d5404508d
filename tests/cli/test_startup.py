"""Start-up shortcuts change nothing a user sees: the saved help pages are typer's, byte for
byte; a command run with only its own command built prints and exits as the whole app does;
option values converted without pydantic equal typer's conversion; plugins are still found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import __version__
from auditor.cli import app
from auditor.cli.help_pages import commands, render
from auditor.engine import registry
from auditor.launcher import PAGES_FILE, help_fingerprint, saved_help, typer_version
from tests.conftest import ROOT, SAMPLES

POCKETOS = str(SAMPLES / "pocketos" / "inventory.yaml")
SAVED = json.loads(Path(PAGES_FILE).read_text(encoding="utf-8"))


def test_the_saved_help_pages_are_what_typer_prints_now() -> None:
    """Fails after a change to any command's options or docstring: run
    `python -m auditor.cli.help_pages` to save the pages again."""
    assert SAVED["blastscope"] == __version__
    assert SAVED["typer"] == typer_version() == typer.__version__
    assert SAVED["sources"] == help_fingerprint(), "the CLI changed: run python -m auditor.cli.help_pages"
    pages = {" ".join(words): words for words in commands()}
    assert sorted(SAVED["pages"]) == sorted(pages)
    for key, words in pages.items():
        for option in ("--help", "-h"):
            code, text = render(words, option)
            assert code == 0
            assert SAVED["pages"][key] == text, f"blastscope {key} {option}: run python -m auditor.cli.help_pages"


def test_saved_help_is_not_printed_for_other_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.launcher

    assert saved_help(["--help"]) is not None
    monkeypatch.setattr(auditor.launcher, "help_fingerprint", lambda: "edited")
    assert saved_help(["--help"]) is None


def test_saved_help_answers_only_help_requests() -> None:
    assert saved_help(["--help"]) == SAVED["pages"][""]
    assert saved_help(["baseline", "create", "-h"]) == SAVED["pages"]["baseline create"]
    for args in ([], ["scan"], ["scan", "x", "--help"], ["--no-color", "--help"], ["--help", "scan"], ["nope", "-h"]):
        assert saved_help(args) is None, args


def run(args: list[str], env: dict[str, str], full: bool) -> tuple[int, str, str]:
    """The installed entry point (`full=False`), or the whole typer app with every command and
    no saved pages (`full=True`)."""
    code = (
        "import sys; from auditor.cli import app; app(prog_name='blastscope')"
        if full
        else "from auditor.launcher import main; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "args, columns",
    [
        (["--help"], "80"),
        (["scan", "-h"], "120"),
        (["gate", "--help"], "60"),  # narrower than the saved pages: typer renders it
        (["scan", POCKETOS, "--now", "2026-11-24", "--fail-on", "HIGH"], "80"),
        (["scan", POCKETOS, "--no-such-option"], "80"),
        (["scan", POCKETOS, "--fail-on", "severe"], "80"),
        (["pull", "railway", "--timeout", "0"], "80"),
        (["baseline", "create"], "80"),
        (["no-such-command"], "80"),
    ],
)
def test_the_entry_point_prints_and_exits_as_the_whole_app_does(args: list[str], columns: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | {"COLUMNS": columns}
    assert run(args, env, full=False) == run(args, env, full=True)


# ---- option values without pydantic ---------------------------------------------------------


def _params() -> list[tuple[str, Any, Any]]:
    root = typer.main.get_command(app)
    out = []

    def walk(cmd: Any, path: str) -> None:
        for param in cmd.params:
            if hasattr(param, "type_descriptor"):
                out.append((f"{path} {param.name}", cmd, param))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(root, "")
    return out


PARAMS = _params()
VALUES = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"[ +-]?[0-9_]{0,6}(\.[0-9]{0,3})?[ eE]?[0-9]?", fullmatch=True),
    st.sampled_from(["", "0", "1", "007", "86400", "86401", "1.5", "high", "HIGH", "none", ".", "samples", POCKETOS]),
)


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the error a user would see is the outcome
        return type(exc).__name__, str(getattr(exc, "message", exc))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(PARAMS) - 1), value=VALUES, as_list=st.booleans())
def test_fast_option_conversion_equals_typers(index: int, value: str, as_list: bool) -> None:
    from typer import _coercion, core

    name, cmd, param = PARAMS[index]
    if param.multiple or param.nargs == -1:
        given_value: Any = (value, value) if as_list else value
    else:
        given_value = value
    ctx = cmd.make_context(cmd.name, [], resilient_parsing=True)
    fast = core.build_runtime_param(param.type_descriptor)
    slow = _coercion.build_runtime_param(param.type_descriptor)
    assert fast is not slow
    assert _outcome(fast, given_value, param, ctx) == _outcome(slow, given_value, param, ctx), name


# ---- plugins --------------------------------------------------------------------------------


def test_plugins_are_looked_up_only_where_a_distribution_declares_the_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib import metadata

    for group in (registry.CHECKS_GROUP, registry.PROVIDERS_GROUP, "console_scripts", "pytest11"):
        assert registry._may_declare(group) == bool(metadata.entry_points(group=group)), group
    dist = tmp_path / "demo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{registry.CHECKS_GROUP}]\ndemo = demo_plugin:CHECKS\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert registry._may_declare(registry.CHECKS_GROUP)
    assert [ep.name for ep in metadata.entry_points(group=registry.CHECKS_GROUP)] == ["demo"]
    assert not registry._may_declare(registry.PROVIDERS_GROUP)
