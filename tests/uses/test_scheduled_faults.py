"""Scheduled runs always leave a trace, and one bad history entry never poisons later runs:
a run that fails at identity, network or parse still records an incomplete entry and alerts
with the reason; damaged entries are skipped with a warning; entries dated in the future are
never a base and never make `--keep` delete real runs; concurrent runs each land."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.uses.history import History
from providers.railway.emulator import EmulatorServer, incident_account
from tests.conftest import ROOT, SAMPLES, run_cli
from tests.webhook import WebhookReceiver

FAST = {
    "BLASTSCOPE_RAILWAY_BACKOFF": "0.01",
    "BLASTSCOPE_RAILWAY_TIMEOUT": "1",
    "BLASTSCOPE_RAILWAY_MAX_WAIT": "2",
    "BLASTSCOPE_RAILWAY_RETRIES": "1",
}
INVENTORY = SAMPLES / "pocketos" / "inventory.yaml"


def env_with(token: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAILWAY_")}
    env.update(FAST, RAILWAY_API_TOKEN=token, **extra)
    return env


def scheduled(history: Path, hook: WebhookReceiver, *sources: str, env: dict | None = None, extra: tuple = ()):
    env = {**(env or os.environ), "BLASTSCOPE_WEBHOOK": hook.url}
    return run_cli(
        "scan",
        *sources,
        "--history",
        str(history),
        "--notify",
        "env:BLASTSCOPE_WEBHOOK",
        "--notify-format",
        "json",
        "-f",
        "json",
        "--now",
        "2026-11-25",
        *extra,
        env=env,
    )


def only_entry(history: Path) -> dict:
    entries = History(history).entries()
    assert len(entries) == 1, [e.name for e in entries]
    return entries[0].run


def test_a_rejected_token_still_records_an_incomplete_entry_and_alerts(tmp_path):
    acct = incident_account()
    history = tmp_path / "audits"
    with EmulatorServer(acct) as srv, WebhookReceiver() as hook:
        run = scheduled(history, hook, "railway", "--endpoint", srv.url, env=env_with("not-a-real-token"))
    assert run.returncode == 3, run.stderr
    assert "not accepted" in run.stderr and "Traceback" not in run.stderr
    entry = only_entry(history)
    assert entry["complete"] is False and "not accepted" in entry["gaps"][0]
    [alert] = hook.received
    assert alert["reasons"] == ["incomplete"] and "not accepted" in alert["gaps"][0]


def test_an_unreachable_api_still_records_an_incomplete_entry_and_alerts(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    history = tmp_path / "audits"
    with WebhookReceiver() as hook:
        run = scheduled(
            history, hook, "railway", "--endpoint", f"http://127.0.0.1:{port}/graphql/v2", env=env_with("token")
        )
    assert run.returncode == 3, run.stderr
    assert only_entry(history)["complete"] is False
    assert hook.received and hook.received[0]["complete"] is False


def test_an_unparsable_inventory_still_records_an_entry_and_alerts_then_exits_2(tmp_path):
    bad = tmp_path / "inventory.yaml"
    bad.write_text("version: 1\nresources: [\n")
    history = tmp_path / "audits"
    with WebhookReceiver() as hook:
        run = scheduled(history, hook, str(bad))
    assert run.returncode == 2 and "invalid YAML" in run.stderr, run.stderr
    entry = only_entry(history)
    assert entry["complete"] is False and "invalid YAML" in entry["gaps"][0]
    assert hook.received and "invalid YAML" in hook.received[0]["gaps"][0]


def _good_run(history: Path, *extra: str):
    return run_cli("scan", str(INVENTORY), "--history", str(history), "--now", "2026-11-25", "-q", *extra)


@pytest.mark.parametrize(
    "damage",
    ["no report.json", "truncated snapshot", "report is not a report", "run.json is a FIFO", "run.json cut short"],
)
def test_one_damaged_entry_is_skipped_with_a_warning_never_fatal(tmp_path, damage):
    history = tmp_path / "audits"
    assert _good_run(history).returncode == 1
    [entry] = [p for p in history.iterdir() if not p.name.startswith(".")]
    if damage == "no report.json":
        (entry / "report.json").unlink()
    elif damage == "truncated snapshot":
        data = (entry / "snapshot.json").read_bytes()
        (entry / "snapshot.json").write_bytes(data[: len(data) // 2])
    elif damage == "report is not a report":
        (entry / "report.json").write_text("[1, 2, 3]")
    elif damage == "run.json is a FIFO":
        (entry / "run.json").unlink()
        os.mkfifo(entry / "run.json")
    else:
        (entry / "run.json").write_text('{"format": "blastscope-history-entry", "crea')
    run = _good_run(history, "--changes-only")
    assert run.returncode in (0, 1), run.stderr
    assert "warning: history:" in run.stderr and "Traceback" not in run.stderr
    listing = run_cli("history", str(history))
    assert listing.returncode == 0, listing.stderr


def test_an_entry_dated_in_the_future_is_never_the_base_and_keep_never_deletes_real_runs(tmp_path):
    history = tmp_path / "audits"
    assert _good_run(history).returncode == 1
    [real] = [p for p in history.iterdir() if not p.name.startswith(".")]
    # a copy of today's findings dated 2099; the real run lacked one critical finding, so this
    # run has a regression — which the 2099 entry, as a base, would hide as "0 new"
    future = history / "20990101T000000Z"
    shutil.copytree(real, future)
    doc = json.loads((future / "run.json").read_text())
    doc["created_at"] = "2099-01-01T00:00:00.000000Z"
    (future / "run.json").write_text(json.dumps(doc))
    report = json.loads((real / "report.json").read_text())
    report["findings"] = [f for f in report["findings"] if f["severity"] != "critical"]
    (real / "report.json").write_text(json.dumps(report))
    run = _good_run(history, "--changes-only", "-f", "json", "--keep", "1")
    assert run.returncode == 1, run.stderr
    assert "dated in the future" in run.stderr
    assert "3 new" in run.stdout
    entries = History(history).entries()
    latest = [e for e in entries if e.name != future.name][-1]
    assert latest.run["base"] == real.name
    # --keep 1 kept this run (and the 2099 entry is neither counted nor deleted)
    assert future.name in {e.name for e in entries}


def test_concurrent_runs_into_one_directory_each_land(tmp_path):
    history = tmp_path / "audits"
    history.mkdir()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "auditor",
                "scan",
                str(INVENTORY),
                "--history",
                str(history),
                "--now",
                "2026-11-25",
                "-q",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(6)
    ]
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [1] * 6, [p.stderr.read() for p in procs]
    assert len(History(history).entries()) == 6
    assert not [p for p in history.iterdir() if p.name.startswith(".")]
