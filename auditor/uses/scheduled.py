"""Scheduled-audit glue for `scan --history/--changes-only/--notify`: compare this run with the
last complete one, store it, and decide what is new enough to fail or alert on.

Everything here is orchestration over pure parts (auditor.uses.diff, auditor.uses.history,
auditor.uses.notify); the CLI calls `record_run` then `alert`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.core.errors import BlastscopeError
from auditor.core.severity import at_least, rank
from auditor.engine.audit import AuditResult, combine_sources
from auditor.uses.diff import Diff, diff
from auditor.uses.history import Entry, History
from auditor.uses.notify import Alert, payload, resolve_url, send


@dataclass
class RunRecord:
    changes: Diff
    base: Entry | None
    entry: Entry | None
    pruned: list[str]
    #: the history written to (its `warnings` name entries that were skipped)
    store: History | None = None


def usable_base(store: History | None, *, with_resources: bool) -> tuple[Entry | None, list[Any], list[Any]]:
    """The newest complete entry that can actually be read, with its findings (and resources
    when asked). A damaged entry is skipped with a warning on the store, never fatal: one bad
    entry must not stop every later scheduled run."""
    for entry in store.bases() if store else []:
        try:
            findings = entry.findings()
            resources = entry.snapshot().resources if with_resources else []
        except BlastscopeError as exc:
            store.warn(f"{entry.name}: cannot be read ({exc}); not used as a base")  # type: ignore[union-attr]
            continue
        return entry, resources, findings
    return None, [], []


def compare_with_last_complete(
    result: AuditResult, store: History | None, *, with_resources: bool
) -> tuple[Diff, Entry | None]:
    """This run against the newest readable complete entry (or against nothing: then every finding is new)."""
    base, old_resources, old_findings = usable_base(store, with_resources=with_resources)
    new_resources = result.topology.nodes.values() if (base is None or with_resources) else []
    changes = diff(
        old_resources,
        new_resources,
        old_findings,
        result.findings,
        old_label=base.name if base else "(no earlier complete run)",
        new_label="this run",
        new_gaps=result.gaps,
    )
    return changes, base


def open_history(history_dir: Path | None) -> History | None:
    return History(history_dir, create=True) if history_dir else None


def store_run(
    result: AuditResult,
    store: History | None,
    changes: Diff,
    base: Entry | None,
    *,
    keep: int | None,
    fail_on: str,
    exit_code: int,
    report: Iterable[str],
) -> RunRecord:
    """Write this run's entry (when there is a history) and apply retention."""
    entry = None
    pruned: list[str] = []
    if store is not None:
        run = {
            "origin": "+".join(s.origin for s in result.sources),
            "now": result.now.isoformat().replace("+00:00", "Z") if result.now else None,
            "summary": {
                "findings": len(result.findings),
                "by_severity": result.counts(),
                "suppressed": len(result.suppressed),
            },
            "fail_on": fail_on,
            "exit_code": exit_code,
            "base": base.name if base else None,
            "new_findings": len(changes.findings.new),
            "resolved_findings": len(changes.findings.resolved),
        }
        entry = store.write(combine_sources(result.sources), report, run)
        if keep is not None:
            pruned = store.prune(keep, protect=entry)
    return RunRecord(changes, base, entry, pruned, store)


def new_failing(changes: Diff, fail_on: str, baseline: set[str] | None) -> list[Any]:
    """New findings, and findings whose severity got worse, at or above --fail-on and not baselined."""
    worse = [new for old, new in changes.findings.severity_changed if rank(new.severity) < rank(old.severity)]
    return [
        f
        for f in [*changes.findings.new, *worse]
        if at_least(f.severity, fail_on) and not (baseline and f.fingerprint in baseline)
    ]


def alert(
    target: str,
    fmt: str,
    result: AuditResult,
    record: RunRecord,
    fail_on: str,
    baseline: set[str] | None,
    *,
    backoff: float = 0.5,
) -> str | None:
    """Send the webhook when something is new or the audit is incomplete. Returns what was
    sent (for --verbose) or None; raises NotifyFailed when delivery fails after retries."""
    url = resolve_url(target)
    fresh = new_failing(record.changes, fail_on, baseline)
    if result.complete and not fresh:
        return None
    label = result.label
    by_fp = {f.fingerprint: f for f in result.findings}

    def evidence(f: Any) -> str:
        live = by_fp.get(f.fingerprint)
        return live.evidence[0].text(label) if live is not None and live.evidence else ""

    body = payload(
        Alert(
            origin="+".join(s.origin for s in result.sources),
            complete=result.complete,
            gaps=list(result.gaps),
            new_findings=fresh,
            counts=result.counts(),
            fail_on=fail_on,
            history_entry=record.entry.name if record.entry else None,
            evidence=evidence,
        ),
        fmt,
    )
    send(url, body, backoff=backoff)
    return body.get("summary") or body.get("text")
