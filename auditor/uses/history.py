"""Run history for scheduled audits: one directory per run, written atomically.

    DIR/20261125T030500Z/run.json        what the run was: time, complete?, gaps, counts, exit code
    DIR/20261125T030500Z/snapshot.json   the graph it audited (blastscope-snapshot)
    DIR/20261125T030500Z/report.json     its findings (blastscope-report)

An entry is assembled in a hidden `.partial-…` directory, every file fsynced, then renamed into
place: a reader sees a whole entry or none, whatever interrupts the run (SIGINT, kill, power
loss). Leftover partial directories are ignored and swept by later runs. Incomplete runs are
kept (so `history` shows them) but never serve as the base for "what changed".

A history directory is shared state that outlives any one run, so reading it is defensive: a
damaged entry (run.json unreadable, not a regular file, report or snapshot missing) is skipped
with a warning, never fatal; an entry dated in the future (clock skew, a planted directory) is
listed but never a base and never counts towards `--keep`; concurrent runs into one directory
each land under their own name.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.core.errors import InputError
from auditor.core.findings import Finding
from auditor.core.severity import SEVERITIES
from auditor.core.source import Source
from auditor.io.files import read_input, read_json
from auditor.io.snapshot import load_snapshot, snapshot_document

ENTRY_FORMAT = "blastscope-history-entry"
ENTRY_VERSION = 1
PARTIAL_PREFIX = ".partial-"
TRASH_PREFIX = ".trash-"
#: a partial directory older than this is from a run that died, not one still writing
STALE_PARTIAL_SECONDS = 3600
#: run.json is small; anything bigger is not ours
MAX_RUN_FILE = 1024 * 1024
#: clock skew tolerated before an entry counts as dated in the future
FUTURE_SLACK = timedelta(minutes=10)


@dataclass(frozen=True)
class RecordedFinding:
    """A finding as a past run reported it (enough to diff and alert on)."""

    fingerprint: str
    check_id: str
    severity: str
    resource_id: str
    resource_name: str
    message: str


def finding_summary(f: Finding | RecordedFinding) -> dict[str, Any]:
    """A finding in a line, as diffs and alerts list it, whether it comes from this run or a past one."""
    return {
        "fingerprint": f.fingerprint,
        "check_id": f.check_id,
        "severity": f.severity,
        "resource_id": f.resource_id,
        "resource_name": f.resource_name,
        "message": f.message,
    }


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
        summary = self.run.get("summary")
        by = summary.get("by_severity") if isinstance(summary, dict) else None
        by = by if isinstance(by, dict) else {}
        return {
            s: v if isinstance(v := by.get(s, 0), int) and not isinstance(v, bool) and 0 <= v < 10**9 else 0
            for s in SEVERITIES
        }

    def snapshot(self) -> Source:
        return load_snapshot(self.path / "snapshot.json")

    def findings(self) -> list[RecordedFinding]:
        file = str(self.path / "report.json")
        report = read_json(self.path / "report.json")
        findings = report.get("findings") if isinstance(report, dict) else None
        if not isinstance(findings, list):
            raise InputError("not a blastscope report (no findings list)", file=file)
        out = []
        for i, f in enumerate(findings):
            try:
                values = (
                    f["fingerprint"],
                    f["check_id"],
                    f["severity"],
                    f["resource_id"],
                    f.get("resource_name", f["resource_id"]),
                    f.get("message", ""),
                )
            except (KeyError, TypeError, AttributeError):
                raise InputError("malformed finding", file=file, field=f"findings[{i}]") from None
            if not all(isinstance(v, str) for v in values) or values[2] not in SEVERITIES:
                raise InputError("malformed finding", file=file, field=f"findings[{i}]")
            out.append(RecordedFinding(*values))
        return out


def entry_name(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


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


def _parse_time(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, TypeError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


class History:
    """A history directory. Creating one makes the directory; reading a missing one is an input error."""

    def __init__(self, root: Path, *, create: bool = False, now: datetime | None = None) -> None:
        self.root = Path(root)
        self.now = now
        self.warnings: list[str] = []
        if create:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot create the history directory: {exc.strerror}", file=str(self.root)) from None
        if not self.root.is_dir():
            raise InputError("no such history directory", file=str(self.root))

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def _read_entry(self, child: Path) -> Entry | None:
        run_file = child / "run.json"
        if not _is_regular(run_file):
            # a FIFO or device here would hang a plain read; a missing file is someone else's directory
            if os.path.lexists(run_file):
                self.warn(f"{child.name}: run.json is not a regular file; entry skipped")
            return None
        try:
            run = json.loads(read_input(run_file, limit=MAX_RUN_FILE))
        except (InputError, ValueError, RecursionError):
            self.warn(f"{child.name}: run.json is damaged; entry skipped")
            return None
        if not (isinstance(run, dict) and run.get("format") == ENTRY_FORMAT):
            return None  # not ours
        if not isinstance(run.get("complete"), bool) or not isinstance(run.get("gaps", []), list):
            self.warn(f"{child.name}: run.json is damaged (complete/gaps); entry skipped")
            return None
        if _parse_time(str(run.get("created_at", ""))) is None:
            self.warn(f"{child.name}: run.json has no valid created_at; entry skipped")
            return None
        missing = [name for name in ("report.json", "snapshot.json") if not _is_regular(child / name)]
        if missing:
            self.warn(f"{child.name}: {' and '.join(missing)} missing or not a regular file; entry skipped")
            return None
        return Entry(child, run)

    def entries(self) -> list[Entry]:
        """Every whole entry, oldest first. Hidden (partial, trash) directories are skipped, and
        damaged entries with a warning (see `warnings`)."""
        out = []
        try:
            children = sorted(self.root.iterdir())
        except OSError as exc:
            raise InputError(f"cannot list the history directory: {exc.strerror}", file=str(self.root)) from None
        for child in children:
            if child.name.startswith(".") or not child.is_dir() or child.is_symlink():
                continue
            entry = self._read_entry(child)
            if entry is not None:
                out.append(entry)
        # creation time (microseconds) orders runs written within the same second
        out.sort(key=lambda e: (_parse_time(e.created_at) or datetime.min.replace(tzinfo=UTC), e.name))
        return out

    def in_future(self, entry: Entry) -> bool:
        when = _parse_time(entry.created_at)
        now = self.now or datetime.now(UTC)
        return when is not None and when > now + FUTURE_SLACK

    def bases(self) -> list[Entry]:
        """Complete entries that may serve as the base of a diff, newest first (not dated in the future)."""
        out = []
        for entry in reversed(self.entries()):
            if not entry.complete:
                continue
            if self.in_future(entry):
                self.warn(f"{entry.name}: dated in the future ({entry.created_at}); never used as a base")
                continue
            out.append(entry)
        return out

    def last_complete(self) -> Entry | None:
        bases = self.bases()
        return bases[0] if bases else None

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
        when = (when or datetime.now(UTC)).astimezone(UTC)
        self.sweep()
        name = entry_name(when)
        partial = self.root / f"{PARTIAL_PREFIX}{name}-{os.urandom(4).hex()}-{os.getpid()}"
        partial.mkdir()
        try:
            snapshot = snapshot_document(source, now=when)
            _write_file(
                partial / "snapshot.json", [json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")), "\n"]
            )
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
            final = self._land(partial, name)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return Entry(final, document)

    def _land(self, partial: Path, name: str) -> Path:
        """Rename the finished entry into place under the first free name. A concurrent run
        may take a name between any check and the rename, so the rename itself is the test:
        renaming onto an existing (non-empty) entry fails, and the next suffix is tried."""
        for n in range(1, 10_000):
            final = self.root / (name if n == 1 else f"{name}-{n}")
            if os.path.lexists(final):
                continue
            try:
                os.rename(partial, final)
                return final
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
                    raise
        raise InputError("too many runs with the same time stamp", file=str(self.root / name))

    def prune(self, keep: int, *, protect: Entry | None = None) -> list[str]:
        """Keep the newest `keep` entries — and always the newest complete one (the base of the
        next diff) and `protect` (the run just written). Entries dated in the future are neither
        counted nor removed. Returns the names removed. Removal renames first, so no reader sees
        half an entry; an entry a concurrent run removed first is simply gone."""
        entries = [e for e in self.entries() if not self.in_future(e)]
        keepers = {e.path for e in (self.last_complete(), protect) if e is not None}
        doomed = [e for e in entries[: max(0, len(entries) - keep)] if e.path not in keepers]
        removed = []
        for entry in doomed:
            trash = self.root / f"{TRASH_PREFIX}{entry.name}-{os.urandom(4).hex()}-{os.getpid()}"
            try:
                os.rename(entry.path, trash)
            except FileNotFoundError:
                continue
            shutil.rmtree(trash, ignore_errors=True)
            removed.append(entry.name)
        return removed

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
