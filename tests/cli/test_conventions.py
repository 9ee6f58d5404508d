"""CLI habits users of other scanners expect: several reports in one run, case-insensitive
choices, readable help, checks as JSON, a page per check, --no-color, shell completion."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer.main

from auditor.cli import app
from tests.conftest import ROOT, SAMPLES, invoke, run_cli

POCKETOS = str(SAMPLES / "pocketos" / "inventory.yaml")
NOW = "2026-07-01"


def commands() -> list[tuple[str, object]]:
    root = typer.main.get_command(app)
    out = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        if sub:
            out += [(f"{name} {n}", c) for n, c in sub.items()]
        else:
            out.append((name, cmd))
    return out


def test_every_option_and_argument_is_described_without_python_types() -> None:
    undescribed, typed = [], []
    for name, _cmd in commands():
        proc = invoke(*name.split(), "--help")
        assert proc.returncode == 0, proc.stderr
        if re.search(r"<(list|str|int|path|float)\b[^>]*>|int range", proc.stdout):
            typed.append(name)
        for param in _cmd.params:  # type: ignore[attr-defined]
            if not getattr(param, "help", None) and param.name not in ("help",):
                undescribed.append(f"{name}: {param.name}")
    assert not typed, typed
    assert not undescribed, undescribed


def test_the_command_list_is_whole() -> None:
    proc = invoke("--help")
    listing = proc.stdout.split("Commands:")[1]
    assert "..." not in listing and "…" not in listing
    for name in ("scan", "gate", "render", "export", "checks", "explain", "blast", "baseline"):
        assert re.search(rf"^  {name}\s", listing, re.M), name
    assert "--install-completion" in proc.stdout  # shell completion is on


def test_several_reports_in_one_run_share_one_verdict(tmp_path: Path) -> None:
    proc = invoke(
        "scan",
        POCKETOS,
        "--now",
        NOW,
        "-f",
        "JSON",
        "-o",
        str(tmp_path / "r.json"),
        "-f",
        "sarif",
        "-o",
        str(tmp_path / "r.sarif"),
        "-f",
        "ocsf",
        "-o",
        str(tmp_path / "r.ocsf.json"),
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    ocsf = json.loads((tmp_path / "r.ocsf.json").read_text())
    assert report["summary"]["verdict"] == sarif["runs"][0]["properties"]["verdict"] == "fail"
    assert len(report["findings"]) == len(sarif["runs"][0]["results"]) == len(ocsf)
    single = invoke("scan", POCKETOS, "--now", NOW, "-f", "json")
    assert json.loads(single.stdout)["findings"] == report["findings"]


def test_several_formats_need_an_output_each(tmp_path: Path) -> None:
    proc = invoke("scan", POCKETOS, "-f", "json", "-f", "sarif", "-o", str(tmp_path / "only-one.json"))
    assert proc.returncode == 2 and "one --output per --format" in proc.stderr
    proc = invoke("scan", POCKETOS, "-f", "yaml")
    assert proc.returncode == 2 and "unknown format 'yaml'" in proc.stderr


def test_gate_writes_several_reports(tmp_path: Path) -> None:
    plan = str(SAMPLES / "terraform" / "delete-last-copy.plan.json")
    proc = invoke(
        "gate",
        plan,
        "-f",
        "Markdown",
        "-o",
        str(tmp_path / "c.md"),
        "-f",
        "sarif",
        "-o",
        str(tmp_path / "g.sarif"),
        "-q",
    )
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "c.md").read_text().strip() and json.loads((tmp_path / "g.sarif").read_text())[
        "version"
    ] == "2.1.0"


def test_choices_are_case_insensitive() -> None:
    assert invoke("scan", POCKETOS, "--now", NOW, "--format", "JSON", "--fail-on", "CRITICAL").returncode == 1
    assert invoke("blast", POCKETOS, "pg-data-production", "--format", "Json").returncode == 1
    assert json.loads(invoke("checks", "--format", "JSON").stdout)
    hardened = str(SAMPLES / "pocketos-hardened" / "inventory.yaml")
    assert json.loads(invoke("diff", POCKETOS, hardened, "--format", "JSON").stdout)["schema"] == "blastscope-diff"


def test_checks_as_json_carry_every_field() -> None:
    checks = json.loads(invoke("checks", "--format", "json").stdout)
    ids = [c["id"] for c in checks]
    assert "backup-colocated" in ids and len(ids) == len(set(ids))
    for check in checks:
        assert check["title"] and check["rationale"] and check["remediation"]
        assert check["severity"] in ("critical", "high", "medium", "low", "info")
        assert all(r.startswith("https://") for r in check["references"])


def test_no_color_and_skip_check_and_directory_source(tmp_path: Path) -> None:
    proc = run_cli("--no-color", "scan", POCKETOS, "--now", NOW, "--skip-check", "backup-colocated", "-f", "json")
    assert proc.returncode == 1 and "\x1b[" not in proc.stdout + proc.stderr
    assert "backup-colocated" not in {f["check_id"] for f in json.loads(proc.stdout)["findings"]}
    proc = run_cli("scan", POCKETOS, "--now", NOW, "--no-color")
    assert "\x1b[" not in proc.stdout
    folder = tmp_path / "accounts"
    folder.mkdir()
    (folder / "a.yaml").write_text(Path(POCKETOS).read_text())
    by_dir = invoke("scan", str(folder), "--now", NOW, "-f", "json")
    assert by_dir.returncode == 1, by_dir.stderr
    assert len(json.loads(by_dir.stdout)["findings"]) == len(
        json.loads(invoke("scan", POCKETOS, "--now", NOW, "-f", "json").stdout)["findings"]
    )


def test_gate_has_quiet_verbose_and_check() -> None:
    plan = str(SAMPLES / "terraform" / "delete-last-copy.plan.json")
    quiet = invoke("gate", plan, "-q")
    assert quiet.returncode == 1 and len(quiet.stdout.strip().splitlines()) == 1
    only = invoke("gate", plan, "--check", "destructive-change", "-f", "json", "-v")
    assert only.returncode == 1
    assert invoke("gate", plan, "--check", "no-such-check").returncode == 2


@pytest.mark.parametrize("now", ["2026-07-01", "2027-07-01"])
def test_render_is_pinned_by_now(now: str) -> None:
    first = invoke("render", POCKETOS, "--format", "DOT", "--now", now)
    second = invoke("render", POCKETOS, "--format", "dot", "--now", now)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


def test_check_pages_are_in_sync_with_the_metadata() -> None:
    from auditor.cli.check_docs import check_pages

    pages = check_pages()
    folder = ROOT / "docs" / "checks"
    stale = [
        name
        for name, text in pages.items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text
    ]
    extra = sorted({p.name for p in folder.glob("*.md")} - set(pages))
    assert not stale and not extra, f"regenerate with `python -m auditor.cli.check_docs`: stale {stale}, extra {extra}"
