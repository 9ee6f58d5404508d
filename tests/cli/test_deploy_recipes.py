"""The deployment recipes in deploy/ (documented in docs/scheduled.md) run the commands they
claim: each recipe's command line is taken from the file, pointed at the Railway emulator and
a local webhook, and run for real. Unit files go through `systemd-analyze verify` when present."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from providers.railway.emulator import EmulatorServer, incident_account
from tests.conftest import ROOT
from tests.webhook import WebhookReceiver

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent / "blastscope"


def cron_command() -> list[str]:
    line = next(
        row for row in (DEPLOY / "cron" / "blastscope.cron").read_text().splitlines() if row and row[0].isdigit()
    )
    fields = line.split(None, 6)  # m h dom mon dow user command
    assert fields[5] == "blastscope", "cron runs as the unprivileged user"
    return shlex.split(fields[6])


def systemd_command() -> list[str]:
    unit = (DEPLOY / "systemd" / "blastscope-audit.service").read_text()
    exec_start = next(row for row in unit.splitlines() if row.startswith("ExecStart="))
    return shlex.split(exec_start.removeprefix("ExecStart="))


def kubernetes_command() -> list[str]:
    docs = list(yaml.safe_load_all((DEPLOY / "kubernetes" / "cronjob.yaml").read_text()))
    job = next(d for d in docs if d["kind"] == "CronJob")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and job["spec"]["concurrencyPolicy"] == "Forbid"
    return ["blastscope", *pod["containers"][0]["args"]]


def github_command() -> list[str]:
    workflow = yaml.safe_load((DEPLOY / "github" / "blastscope-nightly.yml").read_text())
    assert workflow[True]["schedule"][0]["cron"] == "17 3 * * *"  # YAML 1.1 reads the key `on` as True
    step = next(s for s in workflow["jobs"]["audit"]["steps"] if "blastscope scan" in s.get("run", ""))
    assert set(step["env"]) == {"RAILWAY_API_TOKEN", "BLASTSCOPE_WEBHOOK"}
    return shlex.split(step["run"])


@pytest.mark.parametrize(
    "recipe", [cron_command, systemd_command, kubernetes_command, github_command], ids=lambda f: f.__name__
)
def test_recipe_command_runs_a_scheduled_audit(recipe, tmp_path: Path) -> None:
    acct = incident_account()
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    with EmulatorServer(acct) as srv, WebhookReceiver() as hook:
        (secrets / "railway.token").write_text(acct.token + "\n")
        (secrets / "railway-token").write_text(acct.token + "\n")
        (secrets / "webhook.url").write_text(hook.url + "\n")
        (secrets / "webhook-url").write_text(hook.url + "\n")
        subst = {
            "/etc/blastscope": str(secrets),
            "${CREDENTIALS_DIRECTORY}": str(secrets),
            "/run/secrets/blastscope": str(secrets),
            "${STATE_DIRECTORY}": str(tmp_path / "state"),
            "/var/lib/blastscope": str(tmp_path / "state"),
        }
        argv = []
        for arg in recipe():
            for old, new in subst.items():
                arg = arg.replace(old, new)
            argv.append(arg)
        assert argv[0].endswith("blastscope")
        argv[0] = str(BIN) if BIN.exists() else shutil.which("blastscope")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAILWAY_")}
        env.update(BLASTSCOPE_RAILWAY_BACKOFF="0.01", BLASTSCOPE_WEBHOOK=hook.url)
        if "--token-file" not in " ".join(argv):
            env["RAILWAY_API_TOKEN"] = acct.token
        proc = subprocess.run(
            [*argv, "--endpoint", srv.url], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
    assert proc.returncode == 1, proc.stderr  # the incident account: new findings, alert sent
    assert len(hook.received) == 1 and "new findings" in hook.received[0]["text"]
    assert acct.token not in proc.stdout + proc.stderr
    stored = list((tmp_path / ("state/audits" if "state" in " ".join(argv) else "audits")).iterdir())
    assert len(stored) == 1 and (stored[0] / "run.json").exists()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    for name in ("blastscope-audit.service", "blastscope-audit.timer"):
        text = (
            (DEPLOY / "systemd" / name)
            .read_text()
            .replace("/usr/local/bin/blastscope", str(BIN if BIN.exists() else shutil.which("blastscope")))
        )
        (tmp_path / name).write_text(text)
    proc = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            str(tmp_path / "blastscope-audit.service"),
            str(tmp_path / "blastscope-audit.timer"),
        ],
        capture_output=True,
        text=True,
    )
    problems = [row for row in (proc.stdout + proc.stderr).splitlines() if "blastscope" in row]
    assert proc.returncode == 0 and not problems, proc.stdout + proc.stderr


def test_dockerfile_runs_as_non_root_with_graphviz() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "graphviz" in text and "USER 10001" in text and 'ENTRYPOINT ["blastscope"]' in text
    copied = {line.split()[1] for line in text.splitlines() if line.startswith("COPY")}
    for path in copied:
        assert (ROOT / path).exists(), f"Dockerfile copies {path}, which does not exist"
