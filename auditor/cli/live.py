"""Building a live provider's settings from the command line and the environment.

The only place that knows the environment variables live providers use. Tokens come from the
environment or `--token-file`, never from argv.

Railway: RAILWAY_API_TOKEN (an account or workspace token, sent as `Authorization: Bearer`),
RAILWAY_TOKEN (a project token, `Project-Access-Token`) or --token-file (Bearer);
RAILWAY_API_URL (endpoint); BLASTSCOPE_RAILWAY_TIMEOUT (s, default 30),
BLASTSCOPE_RAILWAY_RETRIES (default 4), BLASTSCOPE_RAILWAY_BACKOFF (s, default 0.5),
BLASTSCOPE_RAILWAY_MAX_WAIT (longest Retry-After honoured, s, default 60),
BLASTSCOPE_RAILWAY_CONCURRENCY (default 8); BLASTSCOPE_FINGERPRINT_KEY (the key of secret
fingerprints; default a fresh random key per pull).

AWS: credentials from boto3's standard chain (boto3 reads its own environment and config);
--profile, --region, --assume-role, --org-role; BLASTSCOPE_AWS_CONCURRENCY (default 16),
BLASTSCOPE_AWS_MAX_ATTEMPTS (adaptive retries, default 8), BLASTSCOPE_AWS_TIMEOUT (s, default 30).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.core.errors import InputError, UsageError
from auditor.core.provider import LiveSettings, Provider

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TUNING_ENV = {
    "railway": {
        "timeout": "BLASTSCOPE_RAILWAY_TIMEOUT",
        "retries": "BLASTSCOPE_RAILWAY_RETRIES",
        "backoff": "BLASTSCOPE_RAILWAY_BACKOFF",
        "max_wait": "BLASTSCOPE_RAILWAY_MAX_WAIT",
        "concurrency": "BLASTSCOPE_RAILWAY_CONCURRENCY",
    },
    "aws": {
        "timeout": "BLASTSCOPE_AWS_TIMEOUT",
        "max_attempts": "BLASTSCOPE_AWS_MAX_ATTEMPTS",
        "concurrency": "BLASTSCOPE_AWS_CONCURRENCY",
    },
}
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
ROLE_NAME = re.compile(r"[\w+=,.@/-]{1,512}")


@dataclass
class LiveFlags:
    """The live-provider flags of `scan` and `pull`, as given."""

    token_file: Path | None = None
    endpoint: str | None = None
    workspaces: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    max_requests: int | None = None
    fingerprint_secrets: bool = False
    verbose: bool = False
    on_request: Callable[[int], None] | None = None
    #: AWS: a named profile, regions, roles to assume, a role name for every Organizations account
    #: (credentials themselves come from boto3's standard chain, never from flags)
    aws_profile: str | None = None
    regions: list[str] = field(default_factory=list)
    assume_roles: list[str] = field(default_factory=list)
    org_role: str | None = None
    #: --timeout: seconds the whole pull may take (None: the provider's default)
    timeout: float | None = None
    #: extra tuning (tests pass a transport here)
    tuning: dict[str, Any] = field(default_factory=dict)


def read_token_file(path: Path) -> str:
    from auditor.io.files import read_input

    try:
        # a regular file, capped: a FIFO or /dev/zero given as the token file must not hang
        token = read_input(path, limit=64 * 1024).decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InputError("token file is not UTF-8 text", file=str(path)) from None
    if not token or any(c.isspace() for c in token):
        raise InputError("token file must hold one token on one line", file=str(path))
    return token


def railway_token(flags: LiveFlags, env: Mapping[str, str]) -> tuple[str, str]:
    """(token, header name). Never from argv; both env vars set is ambiguous."""
    if flags.token_file is not None:
        return read_token_file(Path(flags.token_file)), "Authorization"
    api, project = env.get("RAILWAY_API_TOKEN", "").strip(), env.get("RAILWAY_TOKEN", "").strip()
    if api and project:
        raise UsageError(
            "both RAILWAY_API_TOKEN and RAILWAY_TOKEN are set; unset one (an account or workspace "
            "token in RAILWAY_API_TOKEN gives a full audit)"
        )
    if api:
        return api, "Authorization"
    if project:
        return project, "Project-Access-Token"
    raise UsageError(
        "railway: no token; set RAILWAY_API_TOKEN (account or workspace token, read-only use) or pass --token-file FILE"
    )


def check_endpoint(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"--endpoint {url!r}: expected an https:// URL")
    if parts.username or parts.password:
        raise UsageError(
            "--endpoint: credentials in the URL are not accepted; the token comes from the environment or --token-file"
        )
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise UsageError(f"--endpoint {url!r}: plain http is allowed only for loopback (127.0.0.1, localhost)")
    return url


def _number(env: Mapping[str, str], name: str) -> float | None:
    value = env.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"{name}={value!r}: expected a number") from None
    if not (0 <= number < 1e6):
        raise UsageError(f"{name}={value!r}: expected a number from 0 to 1000000")
    return number


def live_settings(provider: Provider, flags: LiveFlags, env: Mapping[str, str] | None = None) -> LiveSettings:
    """The frozen settings of one live pull."""
    env = os.environ if env is None else env
    name = provider.keyword or provider.name
    token, header = railway_token(flags, env) if name == "railway" else ("", "Authorization")
    endpoint = flags.endpoint or (env.get("RAILWAY_API_URL") if name == "railway" else None)
    tuning: dict[str, Any] = {}
    for setting, var in TUNING_ENV.get(name, {}).items():
        value = _number(env, var)
        if value is not None:
            tuning[setting] = value
    if name == "aws":
        tuning.update(aws_tuning(flags))
    elif flags.aws_profile or flags.regions or flags.assume_roles or flags.org_role:
        raise UsageError("--profile, --region, --assume-role and --org-role are options of the aws source")
    if flags.timeout is not None:
        tuning["deadline"] = float(flags.timeout)
    tuning.update(flags.tuning)
    key: bytes | None = None
    if flags.fingerprint_secrets:
        key_text = env.get("BLASTSCOPE_FINGERPRINT_KEY")
        key = key_text.encode("utf-8") if key_text else os.urandom(32)
    return LiveSettings(
        token=token,
        token_header=header,
        endpoint=check_endpoint(endpoint) if endpoint else None,
        workspaces=tuple(flags.workspaces),
        projects=tuple(flags.projects),
        max_requests=flags.max_requests,
        fingerprint_key=key,
        verbose=flags.verbose,
        on_request=flags.on_request,
        tuning=tuple(sorted(tuning.items())),
    )


def aws_tuning(flags: LiveFlags) -> dict[str, Any]:
    """The AWS pull's scope. Credentials are not here: boto3 finds them in its standard chain."""
    for arn in flags.assume_roles:
        if not ROLE_ARN.fullmatch(arn):
            raise UsageError(f"--assume-role {arn!r}: expected a role ARN, e.g. arn:aws:iam::123456789012:role/audit")
    if flags.org_role is not None and not ROLE_NAME.fullmatch(flags.org_role):
        raise UsageError(f"--org-role {flags.org_role!r}: expected a role name, e.g. OrganizationAccountAccessRole")
    for region in flags.regions:
        if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
            raise UsageError(f"--region {region!r}: expected a region name such as eu-west-1")
    out: dict[str, Any] = {
        "regions": tuple(dict.fromkeys(flags.regions)),
        "assume_roles": tuple(dict.fromkeys(flags.assume_roles)),
    }
    if flags.aws_profile:
        out["profile"] = flags.aws_profile
    if flags.org_role:
        out["org_role"] = flags.org_role
    return out


def settings_factory(flags: LiveFlags) -> Callable[[Provider], LiveSettings]:
    return lambda provider: live_settings(provider, flags)
