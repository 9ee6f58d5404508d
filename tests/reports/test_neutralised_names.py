"""Names come from sources a user does not control (a Railway project, a Terraform tag): in the
text report, `history` and the Markdown report they are shown, never acted on — no terminal
escape sequence reaches the screen and no raw HTML reaches a pull-request comment."""

from __future__ import annotations

import json
import re
import shutil

from tests.conftest import SAMPLES, run_cli

EVIL = "pg\x1b]0;pwned\x07\x1b[2J<img src=x onerror=alert(1)>|`x`\u202e"


def evil_inventory(tmp_path):
    text = (SAMPLES / "pocketos" / "inventory.yaml").read_text()
    evil = 'name: "pg\\e]0;pwned\\a\\e[2J<img src=x onerror=alert(1)>|`x`\\u202e", parent: pocketos}'
    text = text.replace("name: pg-data, parent: pocketos}", evil)
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    return path


def test_the_text_report_never_prints_escape_sequences(tmp_path):
    run = run_cli("scan", str(evil_inventory(tmp_path)), "--now", "2026-11-25")
    assert run.returncode == 1, run.stderr
    assert "\\x1b]0;pwned" in run.stdout
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout and "\u202e" not in run.stdout


def test_the_markdown_report_never_embeds_raw_html(tmp_path):
    run = run_cli("scan", str(evil_inventory(tmp_path)), "--now", "2026-11-25", "-f", "markdown")
    assert run.returncode == 1, run.stderr
    outside_code = re.sub(r"`[^`\n]*`", "", run.stdout)  # code spans render no HTML
    assert "<img" not in outside_code and "&lt;img src=x" in outside_code
    assert "\x1b" not in run.stdout


def test_history_never_prints_escape_sequences_from_entries(tmp_path):
    history = tmp_path / "audits"
    first = run_cli("scan", str(SAMPLES / "pocketos" / "inventory.yaml"), "--history", str(history), "-q")
    assert first.returncode == 1
    [entry] = list(history.iterdir())
    evil = history / "20261125T000000Z\x1b[2J"
    shutil.copytree(entry, evil)
    doc = json.loads((evil / "run.json").read_text())
    doc["base"] = "\x1b]0;pwned\x07"
    (evil / "run.json").write_text(json.dumps(doc))
    run = run_cli("history", str(history))
    assert run.returncode == 0, run.stderr
    assert "\x1b" not in run.stdout + run.stderr and "\\x1b" in run.stdout
