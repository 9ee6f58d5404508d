"""Railway live provider: `blastscope scan railway` / `blastscope pull railway`.

client.py (transport: auth, retries, rate limits, read-only guard) → pull.py (raw responses)
→ translate.py (pure: raw → Resources). httpx and graphql-core are imported only when a pull
runs, so `blastscope scan FILE` never pays for them.

Tokens come from RAILWAY_API_TOKEN (account or workspace token, `Authorization: Bearer`),
RAILWAY_TOKEN (project token, `Project-Access-Token`) or --token-file (Bearer); never argv.
Tuning (environment): RAILWAY_API_URL (endpoint), BLASTSCOPE_RAILWAY_TIMEOUT (s, default 30),
BLASTSCOPE_RAILWAY_RETRIES (default 4), BLASTSCOPE_RAILWAY_BACKOFF (s, default 0.5),
BLASTSCOPE_RAILWAY_MAX_WAIT (longest Retry-After honoured, s, default 60),
BLASTSCOPE_RAILWAY_CONCURRENCY (default 8), BLASTSCOPE_FINGERPRINT_KEY (fingerprint key; default
a fresh random key per pull), BLASTSCOPE_RAILWAY_PROJECT_TOKEN_VOLUMES=0 (do not assume project
tokens can delete the project-level volumes with an instance in their environment).
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.errors import IncompleteAudit, InputError, UsageError
from auditor.source import LiveOptions, Source

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def read_token(options: LiveOptions, env: dict[str, str] | None = None) -> tuple[str, str]:
    """(token, header name). Never from argv; both env vars set is ambiguous."""
    env = dict(os.environ) if env is None else env
    if options.token_file is not None:
        path = Path(options.token_file)
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read token file: {exc.strerror}", file=str(path)) from None
        if not token or any(c.isspace() for c in token):
            raise InputError("token file must hold one token on one line", file=str(path))
        return token, "Authorization"
    api, project = env.get("RAILWAY_API_TOKEN", "").strip(), env.get("RAILWAY_TOKEN", "").strip()
    if api and project:
        raise UsageError("both RAILWAY_API_TOKEN and RAILWAY_TOKEN are set; unset one (an account or workspace "
                         "token in RAILWAY_API_TOKEN gives a full audit)")
    if api:
        return api, "Authorization"
    if project:
        return project, "Project-Access-Token"
    raise UsageError("railway: no token; set RAILWAY_API_TOKEN (account or workspace token, read-only use) "
                     "or pass --token-file FILE")


def endpoint_of(options: LiveOptions, env: dict[str, str] | None = None) -> str:
    from providers.railway.client import DEFAULT_ENDPOINT

    env = dict(os.environ) if env is None else env
    url = options.endpoint or env.get("RAILWAY_API_URL") or DEFAULT_ENDPOINT
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"--endpoint {url!r}: expected an https:// URL")
    if parts.username or parts.password:
        raise UsageError("--endpoint: credentials in the URL are not accepted; the token comes from "
                         "RAILWAY_API_TOKEN or --token-file")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise UsageError(f"--endpoint {url!r}: plain http is allowed only for loopback (127.0.0.1, localhost)")
    return url


def _num(env: dict[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise UsageError(f"{name}={value!r}: expected a number") from None


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


def pull_source(options: LiveOptions) -> Source:
    """Pull everything the token can see and translate it (the `railway` live keyword)."""
    from providers.railway.client import RailwayClient
    from providers.railway.pull import Puller, PullSettings
    from providers.railway.translate import translate

    env = dict(os.environ)
    token, header = read_token(options, env)
    endpoint = endpoint_of(options, env)
    extra = options.extra or {}
    key_text = env.get("BLASTSCOPE_FINGERPRINT_KEY")
    key = None
    if options.fingerprint_secrets:
        key = key_text.encode("utf-8") if key_text else secrets.token_bytes(32)
    concurrency = int(extra.get("concurrency", _num(env, "BLASTSCOPE_RAILWAY_CONCURRENCY", 8)))
    settings = PullSettings(list(options.workspaces), list(options.projects), key, max(1, concurrency))
    counter = _RequestCounter(extra.get("on_request"))
    started = time.monotonic()
    client = RailwayClient(
        endpoint, token, token_header=header, max_requests=options.max_requests,
        concurrency=settings.concurrency,
        retries=int(extra.get("retries", _num(env, "BLASTSCOPE_RAILWAY_RETRIES", 4))),
        timeout=float(extra.get("timeout", _num(env, "BLASTSCOPE_RAILWAY_TIMEOUT", 30.0))),
        backoff=float(extra.get("backoff", _num(env, "BLASTSCOPE_RAILWAY_BACKOFF", 0.5))),
        max_wait=float(extra.get("max_wait", _num(env, "BLASTSCOPE_RAILWAY_MAX_WAIT", 60.0))),
        transport=extra.get("transport"),
        on_request=counter.tick,
    )
    del token
    try:
        assume = env.get("BLASTSCOPE_RAILWAY_PROJECT_TOKEN_VOLUMES", "1") not in ("0", "false", "no")
        try:
            raw = Puller(client, settings).run("project" if header == "Project-Access-Token" else "account")
            resources = translate(
                {"token": raw.token, "user": raw.user, "api_tokens": raw.api_tokens, "workspaces": raw.workspaces},
                project_token_deletes_volumes=assume,
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # an answer that does not have the schema's shape: fail closed, never a half graph
            if env.get("BLASTSCOPE_DEBUG"):
                raise
            raise IncompleteAudit(f"railway: unexpected response shape ({type(exc).__name__}: {str(exc)[:80]}); "
                                  "nothing was audited") from None
    finally:
        client.close()
    stats = dict(raw.stats)
    stats["seconds"] = round(time.monotonic() - started, 3)
    meta: dict[str, Any] = {
        "endpoint": endpoint,
        "token_kind": raw.token["kind"],
        "requests": stats["requests"],
        "railway": stats,
        "fingerprints": ("keyed (BLASTSCOPE_FINGERPRINT_KEY)" if key_text else "keyed per pull (random key)")
        if options.fingerprint_secrets else "not read",
        "assumptions": [
            "backups are deleted with their volume (volumeDelete wipes every instance and its backups)",
            "Railway tokens found as variable names are credentials with the reach their name implies (inferred)",
        ] + (["project tokens can delete project-level volumes that have an instance in their environment"] if assume else []),
    }
    if not options.fingerprint_secrets:
        meta["not_evaluated"] = {
            "shared-secret-across-environments": "variable values not read; pass --fingerprint-secrets to compare "
                                                 "keyed fingerprints in memory",
        }
    if stats["not_collected"]:
        meta["not_collected"] = stats["not_collected"]
    if options.verbose:
        for note in stats["not_collected"]:
            print(f"railway: not collected: {note}", file=sys.stderr)
        print(f"railway: {stats['requests']} requests (minimum {stats['requests_minimum']}, "
              f"{stats['dependent_rounds']} dependent rounds, {stats['requests_retried']} retried) "
              f"in {stats['seconds']} s; {len(resources)} resources; {len(raw.gaps)} gaps", file=sys.stderr)
        if not options.fingerprint_secrets:
            print("railway: shared-secret-across-environments not evaluated (variable values not read; "
                  "--fingerprint-secrets to compare keyed fingerprints)", file=sys.stderr)
    return Source(origin="railway", provider="railway", resources=resources, complete=not raw.gaps,
                  gaps=list(raw.gaps), meta=meta)
