"""Scheduled audits end to end (issue: history, drift, alerts, fail-closed): real CLI runs
against the Railway emulator, history on disk, webhooks received by a local HTTP server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from auditor.uses.history import History
from providers.railway.emulator import EmulatorServer, incident_account
from tests.conftest import ROOT, run_cli
from tests.webhook import WebhookReceiver

FAST = {"BLASTSCOPE_RAILWAY_BACKOFF": "0.01", "BLASTSCOPE_RAILWAY_TIMEOUT": "1", "BLASTSCOPE_RAILWAY_MAX_WAIT": "3"}


def env_with(token: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAILWAY_")}
    env.update(FAST, RAILWAY_API_TOKEN=token, **extra)
    return env


def nightly(srv: EmulatorServer, token: str, history: Path, hook: WebhookReceiver, *extra: str):
    """What the cron line runs (docs/scheduled.md), with the webhook URL kept out of argv."""
    return run_cli(
        "scan",
        "railway",
        "--endpoint",
        srv.url,
        "--history",
        str(history),
        "--changes-only",
        "--notify",
        "env:BLASTSCOPE_WEBHOOK",
        "--notify-format",
        "json",
        "--format",
        "json",
        "--now",
        "2026-11-25",
        *extra,
        env=env_with(token, BLASTSCOPE_WEBHOOK=hook.url),
    )


def test_three_nightly_runs_report_and_alert_only_what_changed(tmp_path: Path) -> None:
    acct = incident_account()
    history = tmp_path / "audits"
    with EmulatorServer(acct) as srv, WebhookReceiver() as hook:
        # night 1: everything is new
        first = nightly(srv, acct.token, history, hook)
        assert first.returncode == 1, first.stderr
        diff1 = json.loads(first.stdout)
        assert diff1["old"] == "(no earlier complete run)"
        first_new = {f["check_id"] for f in diff1["findings"]["new"]}
        assert {
            "backup-colocated",
            "credential-can-destroy-all-copies",
            "storage-shared-across-environments",
        } <= first_new
        assert len(hook.received) == 1 and hook.received[0]["reasons"] == ["new-findings"]

        # night 2: someone adds a workspace-wide token (reaches production and staging)
        workspace = acct.workspaces[0].id
        acct.add_api_token("ci-everything", workspace_id=workspace)
        second = nightly(srv, acct.token, history, hook)
        assert second.returncode == 1, second.stderr
        diff2 = json.loads(second.stdout)
        new2 = diff2["findings"]["new"]
        assert new2 and all("ci-everything" in f["resource_name"] for f in new2)
        assert {"credential-spans-environments", "credential-can-destroy-all-copies"} <= {f["check_id"] for f in new2}
        assert diff2["findings"]["resolved"] == []
        assert any(r["name"] == "ci-everything" for r in diff2["resources"]["added"])
        assert len(hook.received) == 2
        alert2 = hook.received[1]
        assert {f["check_id"] for f in alert2["new_findings"]} == {
            f["check_id"] for f in new2 if f["severity"] in ("critical", "high")
        }
        assert all("ci-everything" in f["resource_name"] for f in alert2["new_findings"])

        # night 3: one backup moved off the volume; nothing new at or above high: no alert, exit 0
        instance = next(i for p in acct.projects() for v in p.volumes for i in v.instances if i.backups)
        moved = instance.backups[0].id
        acct.move_backup_off_volume(moved)
        third = nightly(srv, acct.token, history, hook)
        assert third.returncode == 0, third.stderr
        diff3 = json.loads(third.stdout)
        assert diff3["findings"]["new"] == []
        assert [(r["kind"], r["id"]) for r in diff3["resources"]["removed"]] == [("backup", f"railway:backup:{moved}")]
        assert len(hook.received) == 2  # nothing new: nobody is woken up

    listing = run_cli("history", str(history), "--format", "json")
    runs = json.loads(listing.stdout)["runs"]
    assert [r["complete"] for r in runs] == [True, True, True]
    assert runs[1]["base"] == runs[0]["name"] and runs[2]["base"] == runs[1]["name"]
    assert runs[0]["new_findings"] > runs[1]["new_findings"] > 0 and runs[2]["new_findings"] == 0
    text = run_cli("history", str(history))
    assert "3 run(s); last complete: " + runs[2]["name"] in text.stdout

    # the diff command over two stored runs says the same as night 2's report
    entries = History(history).entries()
    between = run_cli("diff", str(entries[0].path), str(entries[1].path), "--format", "json")
    assert between.returncode == 1, between.stderr
    assert {f["fingerprint"] for f in json.loads(between.stdout)["findings"]["new"]} == {f["fingerprint"] for f in new2}


def test_a_run_that_cannot_see_everything_exits_3_alerts_and_is_never_a_base(tmp_path: Path) -> None:
    acct = incident_account()
    history = tmp_path / "audits"
    with EmulatorServer(acct) as srv, WebhookReceiver() as hook:
        assert nightly(srv, acct.token, history, hook).returncode == 1
        good = History(history).last_complete()
        # the batch query fails past every retry
        srv.inject("status", operation="AuditBatch", status=503)
        failed = nightly(srv, acct.token, history, hook)
        assert failed.returncode == 3, failed.stderr
        alert = hook.received[-1]
        assert "incomplete" in alert["reasons"] and alert["complete"] is False
        assert alert["gaps"] and "503" in " ".join(alert["gaps"])
        entries = History(history).entries()
        assert [e.complete for e in entries] == [True, False]
        assert History(history).last_complete().name == good.name
        # --allow-partial judges the findings instead, but the entry is still incomplete
        srv.clear_faults()
        again = nightly(srv, acct.token, history, hook)
        assert again.returncode == 0, again.stderr  # nothing new since the last COMPLETE run
        assert json.loads(again.stdout)["old"] == good.name
    listing = run_cli("history", str(history))
    assert "INCOMPLETE" in listing.stdout


def test_an_alert_that_cannot_be_delivered_is_exit_4_and_never_prints_the_url(tmp_path: Path) -> None:
    inventory = ROOT / "samples" / "pocketos" / "inventory.yaml"
    with WebhookReceiver(statuses=[500, 502, 503, 500]) as hook:
        proc = run_cli(
            "scan",
            str(inventory),
            "--history",
            str(tmp_path / "h"),
            "--notify",
            "env:HOOK",
            "-q",
            env={**os.environ, "HOOK": hook.url},
        )
    assert proc.returncode == 4
    assert hook.attempts == 4 and hook.received == []
    assert "failed after 4 attempts: HTTP 500" in proc.stderr
    assert "secretpart" not in proc.stderr + proc.stdout and "/hooks/" not in proc.stderr


def test_retries_deliver_a_slack_message_after_transient_errors(tmp_path: Path) -> None:
    inventory = ROOT / "samples" / "pocketos" / "inventory.yaml"
    with WebhookReceiver(statuses=[503, 429]) as hook:
        proc = run_cli("scan", str(inventory), "--notify", hook.url, "-q", "--now", "2026-11-25")
    assert proc.returncode == 1, proc.stderr
    assert hook.attempts == 3 and len(hook.received) == 1
    message = hook.received[0]
    assert message["text"].startswith("blastscope ") and "new findings at or above high" in message["text"]
    assert any("backup-colocated" in b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


@pytest.mark.parametrize(
    "args, words",
    [
        (["--changes-only"], "--changes-only needs --history DIR"),
        (["--keep", "3"], "--keep needs --history DIR"),
        (["--notify", "ftp://x"], "expected an http(s) URL"),
        (["--notify", "env:NOPE_NOT_SET"], "NOPE_NOT_SET is not set"),
        (["--notify", "http://127.0.0.1:9/", "--notify-format", "teams"], "unknown format 'teams'"),
        (["--history", "H", "--changes-only", "--format", "json", "--format", "html"], "cannot show changes"),
    ],
)
def test_scheduled_option_mistakes_are_usage_errors(args, words, tmp_path: Path) -> None:
    inventory = ROOT / "samples" / "pocketos" / "inventory.yaml"
    args = [str(tmp_path / "h") if a == "H" else a for a in args]
    proc = run_cli("scan", str(inventory), *args)
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr


def test_a_webhook_url_on_the_command_line_is_warned_about(tmp_path: Path) -> None:
    inventory = ROOT / "samples" / "pocketos-hardened" / "inventory.yaml"
    proc = run_cli("scan", str(inventory), "-q", "--notify", "https://hooks.example.invalid/services/T0/B0/secret")
    assert proc.returncode == 0  # clean audit: nothing to alert, nothing sent
    assert "webhook URL is on the command line" in proc.stderr and "secret" not in proc.stderr
