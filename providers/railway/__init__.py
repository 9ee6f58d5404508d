"""Railway live provider: `blastscope scan railway` / `blastscope pull railway`.

client.py (transport: auth, retries, rate limits, read-only guard) → pull.py (raw responses)
→ translate.py (pure: raw → Resources). httpx and graphql-core are imported only when a pull
runs, so `blastscope scan FILE` never pays for them.

The provider takes a frozen `LiveSettings`: the token (an account or workspace token sent as
`Authorization: Bearer`, or a project token as `Project-Access-Token`), the endpoint and the
tuning (`timeout` per read, `deadline` for the whole pull, `response_deadline`, `max_body`,
`retries`, `backoff`, `max_wait`, `concurrency`, `transport` for tests, and
`project_tokens_can_delete`, which the CLI takes from the policy's `railway:` section).
The command line builds it from the environment; this package reads no environment variable.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from auditor.core.errors import IncompleteAudit
from auditor.core.provider import LiveSettings, Provider
from auditor.core.source import Source


class _RequestCounter:
    """Reports the running request count to the CLI's progress display (LiveOptions.extra
    "on_request": a callable taking the count), from whichever thread sent the request."""

    def __init__(self, callback: Any = None):
        self.callback = callback
        self.count = 0

    def tick(self) -> None:
        self.count += 1
        if self.callback is not None:
            self.callback(self.count)


#: The previous pull's raw answers and working state, kept past its return so that freeing
#: them (~60k small objects per 1,000 volume instances: several ms) is not on its critical path.
#: The next pull drops them in a thread while its first request is on the wire; the CLI, a
#: one-pull process that leaves with os._exit, never frees them one by one at all.
_retired: list[Any] = []


def _drop_retired() -> None:
    """Free what the previous pull left (see `_retired`); run once the first request is on the
    wire (RailwayClient.when_first_sent): freeing holds the interpreter throughout, and must not
    hold back that request."""
    while _retired:
        _retired.pop()


def pull_source(options: LiveSettings) -> Source:
    """Pull everything the token can see and translate it (the `railway` live keyword)."""
    import _thread

    from providers.railway.client import (
        DEFAULT_ENDPOINT,
        MAX_RESPONSE_BYTES,
        PULL_DEADLINE,
        RESPONSE_DEADLINE,
        RailwayClient,
    )
    from providers.railway.pull import Puller, PullSettings
    from providers.railway.translate import ProjectsAsTheyArrive

    if not options.token:
        raise IncompleteAudit("railway: no token given; nothing was audited")
    endpoint = options.endpoint or DEFAULT_ENDPOINT
    key = options.fingerprint_key
    concurrency = int(options.tune("concurrency", 8))
    settings = PullSettings(list(options.workspaces), list(options.projects), key, max(1, concurrency))
    counter = _RequestCounter(options.on_request)
    started = time.monotonic()
    client = RailwayClient(
        endpoint,
        options.token,
        token_header=options.token_header,
        max_requests=options.max_requests,
        concurrency=settings.concurrency,
        retries=int(options.tune("retries", 4)),
        timeout=float(options.tune("timeout", 30.0)),
        backoff=float(options.tune("backoff", 0.5)),
        max_wait=float(options.tune("max_wait", 60.0)),
        transport=options.tune("transport", None),
        on_request=counter.tick,
        max_body=int(options.tune("max_body", MAX_RESPONSE_BYTES)),
        response_deadline=float(options.tune("response_deadline", RESPONSE_DEADLINE)),
        pull_deadline=float(options.tune("deadline", PULL_DEADLINE)),
    )
    header = options.token_header
    if _retired:
        # freed while this pull waits for its first answer
        client.when_first_sent(_drop_retired)
    try:
        # policy `railway.project_tokens_can_delete` (.blastscope.yaml); Railway's docs say they cannot
        assume = bool(options.tune("project_tokens_can_delete", False))
        try:
            # each project is translated as soon as its last batch answer is in, while the others travel
            translation = ProjectsAsTheyArrive(project_tokens_can_delete=assume)
            puller = Puller(client, settings, listener=translation)
            raw = puller.run("project" if header == "Project-Access-Token" else "account")
            # every request is answered: the connections close while the translation is finished
            # (closing a socket waits on the kernel, not on the interpreter)
            _thread.start_new_thread(client.close, ())
            resources = translation.finish(
                {"token": raw.token, "user": raw.user, "api_tokens": raw.api_tokens, "workspaces": raw.workspaces}
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # an answer that does not have the schema's shape: fail closed, never a half graph
            raise IncompleteAudit(
                f"railway: unexpected response shape ({type(exc).__name__}: {str(exc)[:80]}); nothing was audited"
            ) from None
    except BaseException:
        client.close()
        raise
    stats = dict(raw.stats)
    finished = time.monotonic()
    stats["seconds"] = round(finished - started, 3)
    # what the client still had to do once the last answer was in (translation it could not overlap)
    stats["seconds_after_last_answer"] = round(finished - client.last_answer, 3) if client.last_answer else None
    meta: dict[str, Any] = {
        "endpoint": endpoint,
        "token_kind": raw.token["kind"],
        "requests": stats["requests"],
        "railway": stats,
        "fingerprints": "keyed (HMAC) in memory" if key else "not read",
        "assumptions": [
            "backups are deleted with their volume (volumeDelete wipes every instance and its backups)",
            "a deleted volume stays in Railway's deletion queue for 48 h (a bucket 52 h): a recovery window held "
            "by the same account, not counted as a copy",
            "Railway tokens found as variable names are credentials with the reach their name implies (inferred)",
        ]
        + (
            [
                "project tokens can delete their environment and the project-level volumes with an instance in it "
                "(policy railway.project_tokens_can_delete)"
            ]
            if assume
            else []
        )
        + list(stats.get("assumptions") or []),
    }
    if not key:
        meta["not_evaluated"] = {
            "shared-secret-across-environments": "variable values not read; pass --fingerprint-secrets to compare "
            "keyed fingerprints in memory",
        }
    if stats["not_collected"]:
        meta["not_collected"] = stats["not_collected"]
    if options.verbose:
        for note in stats["not_collected"]:
            print(f"railway: not collected: {note}", file=sys.stderr)
        print(
            f"railway: page size {stats['page_size']}, batch size {stats['batch_size']}"
            + "".join(f"; {note}" for note in stats["sizes_halved"]),
            file=sys.stderr,
        )
        if stats.get("quota"):
            print(
                f"railway: API quota left: {stats['quota'].get('remaining_points')} points "
                f"(resets at {stats['quota'].get('resets_at')})",
                file=sys.stderr,
            )
        print(
            f"railway: {stats['requests']} requests (minimum {stats['requests_minimum']}, "
            f"{stats['dependent_rounds']} dependent rounds, {stats['requests_retried']} retried) "
            f"in {stats['seconds']} s; {len(resources)} resources; {len(raw.gaps)} gaps",
            file=sys.stderr,
        )
        if not key:
            print(
                "railway: shared-secret-across-environments not evaluated (variable values not read; "
                "--fingerprint-secrets to compare keyed fingerprints)",
                file=sys.stderr,
            )
    source = Source(
        origin="railway", provider="railway", resources=resources, complete=not raw.gaps, gaps=list(raw.gaps), meta=meta
    )
    _retired[:] = [raw]  # the answers, not the client (it holds the token)
    return source


RAILWAY = Provider(
    name="railway",
    description="Railway's public GraphQL API, read-only (account, workspace or project token)",
    keyword="railway",
    pull=pull_source,
)
