"""History directories: whole entries or none, retention that never drops the diff base, and
interrupted runs that leave nothing a reader could mistake for a run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.core.source import Source
from auditor.engine.sources import load_file
from auditor.uses.history import History
from tests.conftest import ROOT, SAMPLES, run_cli

T0 = datetime(2025, 11, 25, 3, 0, tzinfo=UTC)  # in the past: entries dated in the future are never a base


def store_run(store: History, complete: bool, when: datetime):
    source = load_file(SAMPLES / "pocketos" / "inventory.yaml")
    if not complete:
        source = Source(
            source.origin, source.provider, source.resources, complete=False, gaps=["railway: 503 after 4 tries"]
        )
    return store.write(source, ['{"findings": []}'], {"exit_code": 0 if complete else 3}, when=when)


def test_entries_are_ordered_and_incomplete_ones_are_never_the_base(tmp_path: Path) -> None:
    store = History(tmp_path / "h", create=True)
    a = store_run(store, True, T0)
    b = store_run(store, False, T0 + timedelta(days=1))
    assert [e.name for e in store.entries()] == [a.name, b.name]
    assert store.last_complete().name == a.name
    c = store_run(store, True, T0 + timedelta(days=2))
    assert store.last_complete().name == c.name
    # two runs in the same second get distinct entries, in order
    d = store_run(store, True, T0 + timedelta(days=2, microseconds=5))
    assert d.name == c.name + "-2" and store.entries()[-1].name == d.name


def test_keep_prunes_oldest_but_keeps_the_last_complete_run(tmp_path: Path) -> None:
    store = History(tmp_path / "h", create=True)
    good = store_run(store, True, T0)
    for day in range(1, 4):
        store_run(store, False, T0 + timedelta(days=day))
    removed = store.prune(2)
    names = [e.name for e in store.entries()]
    assert good.name in names and len(names) == 3 and len(removed) == 1
    assert not [p for p in (tmp_path / "h").iterdir() if p.name.startswith(".")]


def test_leftovers_of_dead_runs_are_ignored_then_swept(tmp_path: Path) -> None:
    root = tmp_path / "h"
    store = History(root, create=True)
    partial = root / ".partial-20261125T030000Z-999999999"
    partial.mkdir()
    (partial / "snapshot.json").write_text('{"format": "blastscope-snap')  # cut mid-write
    foreign = root / "notes"
    foreign.mkdir()
    assert store.entries() == [] and store.last_complete() is None
    store_run(store, True, T0)
    assert not partial.exists() and foreign.exists()
    assert len(store.entries()) == 1


def test_missing_history_dir_is_an_input_error() -> None:
    proc = run_cli("history", "/nonexistent/audits")
    assert proc.returncode == 2 and "no such history directory" in proc.stderr


def test_sigint_during_a_run_never_leaves_a_corrupt_entry(tmp_path: Path) -> None:
    """Interrupt real scans of a large account at several moments: every entry a reader can see
    is whole (all three files parse), and a later run still finds the right base."""
    big = tmp_path / "big.json"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--resources", "60000", "-o", str(big)],
        check=True,
        capture_output=True,
    )
    history = tmp_path / "audits"
    interrupted = 0
    for delay in (0.3, 0.8, 1.3, 1.8, 2.3, 2.8, 3.5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "auditor", "scan", str(big), "--history", str(history), "-q", "--fail-on", "none"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
        interrupted += code != 0
        for entry in History(history, create=True).entries():
            for name in ("run.json", "snapshot.json", "report.json"):
                json.loads((entry.path / name).read_text())  # whole, or the entry would not be listed
    assert interrupted >= 2, "no run was interrupted mid-way; the test proves nothing"
    final = run_cli("scan", str(big), "--history", str(history), "-q", "--fail-on", "none", process=True)
    assert final.returncode == 0
    entries = History(history).entries()
    assert entries[-1].complete and not [p for p in history.iterdir() if p.name.startswith(".partial-")]
    assert os.path.getsize(entries[-1].path / "report.json") > 1000
