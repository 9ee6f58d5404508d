"""Webhook alerts for scheduled audits: new findings at or above --fail-on, or an audit that
could not see everything.

Two payloads: `slack` (an incoming-webhook message: `text` plus Block Kit sections; also what
Mattermost and Discord's /slack endpoints accept) and `json` (`blastscope-alert` v1, for your
own receivers). Payloads carry finding messages and evidence (names and relations only): no
secret value ever reaches a finding, and the webhook URL — itself a credential for Slack — is
never printed; errors name only its host.

Delivery is retried with exponential backoff and jitter on 5xx, 429 (honouring Retry-After)
and connection errors/timeouts. A delivery that still fails raises NotifyFailed: the CLI
reports it and exits 4, so a broken alert path is never silent.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor import __version__
from auditor.core.errors import BlastscopeError, DeliveryFailed, UsageError
from auditor.core.severity import SEVERITIES
from auditor.uses.history import finding_summary

NOTIFY_FORMATS = ("slack", "json")
ALERT_SCHEMA = "blastscope-alert"
#: findings listed in one alert; the rest are counted
MAX_LISTED = 20
MAX_RETRY_AFTER = 30.0


NotifyFailed = DeliveryFailed  # the name the alerting code raises


@dataclass
class Alert:
    """Why we alert and what to say."""

    origin: str
    complete: bool
    gaps: list[str] = field(default_factory=list)
    new_findings: list[Any] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    fail_on: str = "high"
    history_entry: str | None = None
    evidence: Callable[[Any], str] = lambda _f: ""

    @property
    def reasons(self) -> list[str]:
        out = []
        if not self.complete:
            out.append("incomplete")
        if self.new_findings:
            out.append("new-findings")
        return out


def resolve_url(value: str) -> str:
    """`--notify` takes a URL, `env:NAME` or `file:PATH` — the last two keep a secret webhook
    URL out of argv and shell history."""
    if value.startswith("env:"):
        url = os.environ.get(value[4:], "").strip()
        if not url:
            raise UsageError(f"--notify: environment variable {value[4:]} is not set")
    elif value.startswith("file:"):
        from auditor.io.files import read_input

        try:
            url = read_input(Path(value[5:]), limit=64 * 1024).decode("utf-8").strip()
        except (BlastscopeError, UnicodeDecodeError) as exc:
            raise UsageError(f"--notify: cannot read {value[5:]}: {getattr(exc, 'detail', 'not UTF-8 text')}") from None
    else:
        url = value
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError("--notify: expected an http(s) URL, env:NAME or file:PATH")
    return url


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def redacted(url: str) -> str:
    """What may be printed about a webhook URL: scheme, host and port only."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"


def _headline(alert: Alert) -> str:
    parts = []
    if not alert.complete:
        parts.append(
            f"audit INCOMPLETE ({len(alert.gaps)} gap{'s' if len(alert.gaps) != 1 else ''}) — not a clean bill"
        )
    if alert.new_findings:
        by: dict[str, int] = {}
        for f in alert.new_findings:
            by[f.severity] = by.get(f.severity, 0) + 1
        counted = ", ".join(f"{by[s]} {s}" for s in SEVERITIES if by.get(s))
        parts.append(
            f"{len(alert.new_findings)} new finding{'s' if len(alert.new_findings) != 1 else ''} at or above "
            f"{alert.fail_on} ({counted})"
        )
    return f"blastscope {alert.origin}: " + "; ".join(parts)


def json_payload(alert: Alert) -> dict[str, Any]:
    return {
        "schema": ALERT_SCHEMA,
        "schema_version": 1,
        "tool_version": __version__,
        "origin": alert.origin,
        "reasons": alert.reasons,
        "summary": _headline(alert),
        "complete": alert.complete,
        "gaps": alert.gaps[:MAX_LISTED],
        "gaps_total": len(alert.gaps),
        "history_entry": alert.history_entry,
        "counts": alert.counts,
        "fail_on": alert.fail_on,
        "new_findings": [
            {**finding_summary(f), "evidence": alert.evidence(f)} for f in alert.new_findings[:MAX_LISTED]
        ],
        "new_findings_total": len(alert.new_findings),
    }


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alert: Alert) -> dict[str, Any]:
    headline = _headline(alert)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{_mrkdwn(headline)}*"}}]
    if not alert.complete:
        gaps = "\n".join(f"• {_mrkdwn(g)}" for g in alert.gaps[:10])
        more = f"\n… and {len(alert.gaps) - 10} more" if len(alert.gaps) > 10 else ""
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Could not read:*\n{gaps}{more}"}})
    for f in alert.new_findings[:10]:
        evidence = alert.evidence(f)
        text = f"*{f.severity.upper()}* `{f.check_id}` — {_mrkdwn(f.message)}"
        if evidence:
            text += f"\n> {_mrkdwn(evidence)}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
    if len(alert.new_findings) > 10:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"… and {len(alert.new_findings) - 10} more new findings"}],
            }
        )
    if alert.history_entry:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"history entry {alert.history_entry}"}]}
        )
    return {"text": headline, "blocks": blocks}


def check_format(fmt: str) -> None:
    if fmt not in NOTIFY_FORMATS:
        raise UsageError(f"--notify-format: unknown format {fmt!r} (choose from {', '.join(NOTIFY_FORMATS)})")


def payload(alert: Alert, fmt: str) -> dict[str, Any]:
    check_format(fmt)
    return slack_payload(alert) if fmt == "slack" else json_payload(alert)


def send(
    url: str,
    body: dict[str, Any],
    *,
    attempts: int = 4,
    backoff: float = 0.5,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST the payload; returns the attempts used. Raises NotifyFailed naming only the host."""
    import httpx  # only runs that alert pay for the import

    where = redacted(url)
    last = ""
    with httpx.Client(
        timeout=timeout, follow_redirects=False, headers={"User-Agent": f"blastscope/{__version__}"}
    ) as client:
        for attempt in range(1, attempts + 1):
            delay = backoff * (2 ** (attempt - 1)) * (1 + random.random() / 2)
            try:
                status, retry_after = _post_within(client, url, body, timeout)
            except (httpx.HTTPError, _Unbounded) as exc:
                last = str(exc) if isinstance(exc, _Unbounded) else f"{type(exc).__name__}"
            else:
                if 200 <= status < 300:
                    return attempt
                last = f"HTTP {status}"
                if status == 429:
                    delay = max(delay, _retry_after(retry_after))
                elif status < 500:
                    raise NotifyFailed(f"alert to {where} refused: {last} (not retried)")
            if attempt < attempts:
                sleep(min(delay, MAX_RETRY_AFTER))
    raise NotifyFailed(f"alert to {where} failed after {attempts} attempts: {last}")


class _Unbounded(Exception):
    """A webhook answer that is too big or too slow to wait for."""


def _post(client: Any, url: str, body: dict[str, Any], timeout: float) -> tuple[int, str | None]:
    """POST and take the status and headers only: the answer's body is never read (only its
    status matters), so a receiver that streams forever or answers with a gzip bomb costs
    nothing; `_post_within` bounds the wait for the status line and headers."""
    with client.stream("POST", url, json=body) as response:
        return response.status_code, response.headers.get("Retry-After")


def _post_within(client: Any, url: str, body: dict[str, Any], timeout: float) -> tuple[int, str | None]:
    """`_post` with a hard deadline: a receiver that drips its status line or headers one byte
    at a time never trips the per-read timeout, so the exchange runs in a daemon thread that is
    abandoned (and the attempt counted as failed) once the deadline passes."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["answer"] = _post(client, url, body, timeout)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="blastscope-webhook", daemon=True)
    worker.start()
    worker.join(timeout + 1.0)
    if worker.is_alive():
        raise _Unbounded(f"no complete answer within {timeout:.0f} s")
    if "error" in box:
        raise box["error"]
    return box["answer"]


def _retry_after(value: str | None) -> float:
    try:
        return min(float(value), MAX_RETRY_AFTER) if value else 0.0
    except ValueError:
        return 0.0


def should_alert(complete: bool, new_findings: Iterable[Any]) -> bool:
    return not complete or any(True for _ in new_findings)
