"""Shared guard fixtures: the incident sample as a fresh file, and a Railway snapshot pulled
from the project's emulator (the incident account) through the real `blastscope pull`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from auditor.guard.payload import COMMAND, Call
from auditor.guard.run import GuardSettings, decide
from providers.railway.emulator import EmulatorServer, incident_account
from tests.conftest import SAMPLES, run_cli

INCIDENT = SAMPLES / "pocketos" / "inventory.yaml"
PG_VOLUME = "6c1f0a52-0000-4000-8000-000000000030"
STAGING_ENV = "6c1f0a52-0000-4000-8000-000000000011"
PROD_ENV = "6c1f0a52-0000-4000-8000-000000000010"
AGENT_SERVICE = "6c1f0a52-0000-4000-8000-000000000023"
BACKUP_0808 = "6c1f0a52-0000-4000-8000-000000000808"


@pytest.fixture(scope="session")
def incident_file(tmp_path_factory) -> Path:
    """The incident sample, copied so its modification time (the graph's age) is now."""
    path = tmp_path_factory.mktemp("incident") / "inventory.yaml"
    shutil.copyfile(INCIDENT, path)
    return path


@pytest.fixture(scope="session")
def railway_snapshot(tmp_path_factory) -> Path:
    acct = incident_account()
    snap = tmp_path_factory.mktemp("railway") / "snapshot.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAILWAY_")}
    env["RAILWAY_API_TOKEN"] = acct.token
    with EmulatorServer(acct) as srv:
        pulled = run_cli("pull", "railway", "--endpoint", srv.url, "-o", str(snap), env=env)
        assert pulled.returncode == 0, pulled.stderr
        assert not srv.mutations
    assert json.loads(snap.read_text())["complete"] is True
    return snap


def verdict(command: str, *sources: Path, policy: str | None = None):  # type: ignore[no-untyped-def]
    return decide(Call(COMMAND, "command", command=command), GuardSettings([str(s) for s in sources], policy))
