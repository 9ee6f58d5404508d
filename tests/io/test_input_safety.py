"""Every file the tool reads — sources, policy, baseline, token file, webhook file — is a regular
file (or stdin) read up to a cap: a FIFO or /dev/zero is refused at once with one line (exit 2),
never a hang and never a memory fill."""

from __future__ import annotations

import os

import pytest

from tests.conftest import SAMPLES, run_cli

INVENTORY = str(SAMPLES / "pocketos" / "inventory.yaml")


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return str(path)


@pytest.mark.parametrize(
    "args",
    [
        lambda f: ["scan", f],
        lambda f: ["scan", INVENTORY, "--policy", f],
        lambda f: ["scan", INVENTORY, "--baseline", f],
        lambda f: ["scan", "railway", "--token-file", f],
        lambda f: ["scan", INVENTORY, "--notify", f"file:{f}"],
        lambda f: ["history", f"{f}"],
    ],
    ids=["source", "policy", "baseline", "token-file", "notify-file", "history-dir"],
)
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_fifo_or_device_is_refused_at_once(fifo, args, kind):
    target = fifo if kind == "fifo" else "/dev/zero"
    run = run_cli(*args(target), env={**os.environ, "RAILWAY_API_TOKEN": ""})
    assert run.returncode == 2, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
