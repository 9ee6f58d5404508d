"""Run history for scheduled audits: one directory per run, written atomically.

    DIR/20261125T030500Z/run.json        what the run was: time, complete?, gaps, counts, exit code
    DIR/20261125T030500Z/snapshot.json   the graph it audited (blastscope-snapshot)
    DIR/20261125T030500Z/report.json     its findings (blastscope-report)

An entry is assembled in a hidden `.partial-…` directory, every file fsynced, then renamed into
place: a reader sees a whole entry or none, whatever interrupts the run (SIGINT, kill, power
loss). Leftover partial directories are ignored and swept by later runs. Incomplete runs are
kept (so `history` shows them) but never serve as the base for "what changed".
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from auditor import __version__
from auditor.core.errors import InputError
from auditor.core.severity import SEVERITIES
from auditor.io.files import read_json
from auditor.io.snapshot import load_snapshot, snapshot_document
from auditor.core.source import Source

ENTRY_FORMAT = "blastscope-history-entry"
ENTRY_VERSION = 1
PARTIAL_PREFIX = ".partial-"
TRASH_PREFIX = ".trash-"
#: a partial directory older than this is from a run that died, not one still writing
STALE_PARTIAL_SECONDS = 3600


@dataclass(frozen=True)
class RecordedFinding:
    """A finding as a past run reported it (enough to diff and alert on)."""

    fingerprint: str
    check_id: str
    severity: str
    resource_id: str
    resource_name: str
    message: str


@dataclass(frozen=True)
class Entry:
    path: Path
    run: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def complete(self) -> bool:
        return bool(self.run.get("complete"))

    @property
    def created_at(self) -> str:
        return str(self.run.get("created_at", ""))

    def counts(self) -> dict[str, int]:
        by = self.run.get("summary", {}).get("by_severity", {})
        return {s: int(by.get(s, 0)) for s in SEVERITIES}

    def snapshot(self) -> Source:
        return load_snapshot(self.path / "snapshot.json")

    def findings(self) -> list[RecordedFinding]:
        report = read_json(self.path / "report.json")
        out = []
        for i, f in enumerate(report.get("findings", []) if isinstance(report, dict) else []):
            try:
                out.append(RecordedFinding(f["fingerprint"], f["check_id"], f["severity"], f["resource_id"],
                                           f.get("resource_name", f["resource_id"]), f.get("message", "")))
            except (KeyError, TypeError):
                raise InputError("malformed finding", file=str(self.path / "report.json"), field=f"findings[{i}]") from None
        return out


def entry_name(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, chunks: Iterable[str]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.writelines(chunks)
        fh.flush()
        os.fsync(fh.fileno())


class History:
    """A history directory. Creating one makes the directory; reading a missing one is an input error."""

    def __init__(self, root: Path, *, create: bool = False) -> None:
        self.root = Path(root)
        if create:
            self.root.mkdir(parents=True, exist_ok=True)
        elif not self.root.is_dir():
            raise InputError("no such history directory", file=str(self.root))

    def entries(self) -> list[Entry]:
        """Every whole entry, oldest first. Hidden (partial, trash) directories are skipped."""
        out = []
        for child in sorted(self.root.iterdir()):
            if child.name.startswith(".") or not child.is_dir():
                continue
            run_file = child / "run.json"
            try:
                run = json.loads(run_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # not ours (or damaged outside blastscope): never a base
            if isinstance(run, dict) and run.get("format") == ENTRY_FORMAT:
                out.append(Entry(child, run))
        # creation time (microseconds) orders runs written within the same second
        out.sort(key=lambda e: (e.created_at, e.name))
        return out

    def last_complete(self) -> Entry | None:
        for entry in reversed(self.entries()):
            if entry.complete:
                return entry
        return None

    def find(self, name: str) -> Entry | None:
        for entry in self.entries():
            if entry.name == name:
                return entry
        return None

    def write(
        self,
        source: Source,
        report_chunks: Iterable[str],
        run: dict[str, Any],
        *,
        when: datetime | None = None,
    ) -> Entry:
        """Store one run atomically and return it. `run` is merged into the entry's run.json."""
        when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
        self.sweep()
        name = entry_name(when)
        final = self.root / name
        n = 1
        while final.exists():
            n += 1
            final = self.root / f"{name}-{n}"
        partial = self.root / f"{PARTIAL_PREFIX}{final.name}-{os.getpid()}"
        partial.mkdir()
        try:
            snapshot = snapshot_document(source, now=when)
            _write_file(partial / "snapshot.json", [json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")), "\n"])
            _write_file(partial / "report.json", report_chunks)
            document = {
                "format": ENTRY_FORMAT,
                "format_version": ENTRY_VERSION,
                "tool_version": __version__,
                "created_at": when.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                "complete": snapshot["complete"],
                "gaps": snapshot["gaps"],
                "resources": len(source.resources),
                **run,
            }
            _write_file(partial / "run.json", [json.dumps(document, indent=2, ensure_ascii=False), "\n"])
            _fsync_dir(partial)
            os.rename(partial, final)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return Entry(final, document)

    def prune(self, keep: int) -> list[str]:
        """Keep the newest `keep` entries — and always the newest complete one, the base of the
        next diff. Returns the names removed. Removal renames first, so no reader sees half an entry."""
        entries = self.entries()
        newest_complete = self.last_complete()
        doomed = [e for e in entries[: max(0, len(entries) - keep)] if e != newest_complete]
        for entry in doomed:
            trash = self.root / f"{TRASH_PREFIX}{entry.name}-{os.getpid()}"
            os.rename(entry.path, trash)
            shutil.rmtree(trash, ignore_errors=True)
        return [e.name for e in doomed]

    def sweep(self) -> None:
        """Remove what interrupted runs left behind: trash, and partial entries that are stale or
        whose writer is gone."""
        now = time.time()
        for child in self.root.iterdir():
            if child.name.startswith(TRASH_PREFIX):
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(PARTIAL_PREFIX):
                pid = child.name.rsplit("-", 1)[-1]
                alive = pid.isdigit() and _pid_alive(int(pid))
                try:
                    old = now - child.stat().st_mtime > STALE_PARTIAL_SECONDS
                except FileNotFoundError:
                    continue
                if old or not alive:
                    shutil.rmtree(child, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
