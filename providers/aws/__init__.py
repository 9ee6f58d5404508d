"""AWS live provider: `blastscope scan aws` / `blastscope pull aws`.

clients.py (boto3 sessions, adaptive retries, the read-only guard) → fetch.py (raw responses,
gaps) → translate.py (pure: raw → resources). boto3 is imported only when a pull runs.

Credentials come from boto3's standard chain (environment, shared config and profiles, SSO,
instance or container role) — boto3 reads those itself; this package reads no environment
variable. The command line passes the rest in `LiveSettings.tuning`: `profile`, `regions`
(default: every enabled region), `assume_roles` (role ARNs in other accounts), `org_role` (a
role name assumed in every account of the AWS Organization), `concurrency`, `max_attempts`,
`timeout`, and `replay` (tests: recorded responses for operations an emulator lacks).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

from auditor.core.errors import IncompleteAudit, UsageError
from auditor.core.provider import LiveSettings, Provider
from auditor.core.source import Source

ASSUMPTIONS = [
    "RDS automated backups are deleted with their instance (the API's default)",
    "manual snapshots, EBS snapshots, DynamoDB backups and recovery points live in their account",
    "a bucket replicated to a bucket that was not pulled is in the account its rule names, else this one",
    "IAM reach from identity policies, bucket policies, vault access policies and KMS key policies (conditions "
    "on an Allow assumed to hold); permission boundaries and SCPs are not consulted",
    "data encrypted with a customer-managed KMS key is lost with the key; a snapshot or backup whose key the API "
    "does not report is encrypted with its source's key while it stays in that key's account",
]


def pull_source(options: LiveSettings) -> Source:
    """Pull every account the credentials (and assumed roles) can read, then translate it."""
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise IncompleteAudit(
            "aws: boto3 is not installed (pip install 'blastscope[aws]'); nothing was audited"
        ) from None
    from auditor.io.resources import parse_resources
    from providers.aws.clients import Clients, ClientSettings, RequestCounter
    from providers.aws.fetch import Fetcher, Scope
    from providers.aws.translate import translate

    concurrency = max(1, int(options.tune("concurrency", 16)))
    settings = ClientSettings(
        profile=options.tune("profile", None),
        endpoint=options.endpoint,
        concurrency=concurrency,
        max_attempts=int(options.tune("max_attempts", 8)),
        timeout=float(options.tune("timeout", 30.0)),
        replay=options.tune("replay", None),
    )
    scope = Scope(
        roles=list(options.tune("assume_roles", ())),
        regions=list(options.tune("regions", ())),
        org_role=options.tune("org_role", None),
        concurrency=concurrency,
    )
    counter = RequestCounter(options.on_request, options.max_requests)
    started = time.monotonic()
    from botocore.exceptions import ProfileNotFound

    try:
        clients = Clients(settings, counter)
    except ProfileNotFound:
        raise UsageError(f"--profile {settings.profile!r}: no such profile in the AWS config files") from None
    except Exception as exc:  # a broken config file and the like: say which, audit nothing
        raise IncompleteAudit(
            f"aws: cannot set up credentials ({type(exc).__name__}: {exc}); nothing was audited"
        ) from None
    fetcher = Fetcher(clients, scope)
    accounts = fetcher.run()
    fetched = time.monotonic()
    try:
        raw, notes = translate(accounts, datetime.now(UTC))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise IncompleteAudit(
            f"aws: unexpected response shape ({type(exc).__name__}: {str(exc)[:80]}); nothing was audited"
        ) from None
    resources = parse_resources(raw, "aws")
    seconds = round(time.monotonic() - started, 3)
    gaps = sorted(fetcher.gaps)
    meta: dict[str, Any] = {
        "requests": counter.count,
        "aws": {
            "accounts": sorted(a["id"] for a in accounts),
            "regions": sorted({r for a in accounts for r in a["regions"]}),
            "requests": counter.count,
            "seconds": seconds,
            "fetch_seconds": round(fetched - started, 3),
        },
        "assumptions": ASSUMPTIONS,
        "secret_values": "not read (the read-only guard refuses secret and data reads)",
    }
    if notes:
        meta["reach_notes"] = notes
    if options.verbose:
        for note in notes:
            print(f"aws: {note}", file=sys.stderr)
        print(
            f"aws: {counter.count} requests in {seconds} s; {len(resources)} resources from "
            f"{len(accounts)} account(s); {len(gaps)} gaps",
            file=sys.stderr,
        )
    return Source(origin="aws", provider="aws", resources=resources, complete=not gaps, gaps=gaps, meta=meta)


AWS = Provider(
    name="aws",
    description="AWS APIs through boto3, read-only (the standard credential chain; --profile, --region, --assume-role)",
    keyword="aws",
    pull=pull_source,
)
