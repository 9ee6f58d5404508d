"""boto3 sessions and clients for one pull: the standard credential chain (or a named profile),
roles assumed into other accounts, adaptive retries, a bounded connection pool, a request
counter and the read-only guard on every client.

boto3 reads its own configuration (environment, ~/.aws, SSO, instance role) inside
`boto3.Session`; blastscope passes only what the command line gave (profile, endpoint).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from providers.aws.guard import install_read_only_guard

#: tests answer the few operations the emulator lacks with recorded responses in the real shape:
#: (service, operation, params, region) → the parsed response, or None to send the call
Replay = Callable[[str, str, dict, str], dict | None]


@dataclass(frozen=True)
class ClientSettings:
    profile: str | None = None
    endpoint: str | None = None
    concurrency: int = 16
    max_attempts: int = 8
    timeout: float = 30.0
    replay: Replay | None = None


class BudgetExhausted(Exception):
    """The request budget (--max-requests) is used up: the call is not sent."""


class RequestCounter:
    """Counts every HTTP attempt (retries included) and enforces the request budget."""

    def __init__(self, callback: Callable[[int], None] | None = None, budget: int | None = None) -> None:
        self.count = 0
        self.callback = callback
        self.budget = budget
        self._lock = threading.Lock()

    def tick(self, **_: Any) -> None:
        with self._lock:
            if self.budget is not None and self.count >= self.budget:
                raise BudgetExhausted(f"request budget of {self.budget} (--max-requests) used up")
            self.count += 1
            count = self.count
        if self.callback is not None:
            self.callback(count)


class Clients:
    """One boto3 session per audited account, one client per (account, service, region)."""

    def __init__(self, settings: ClientSettings, counter: RequestCounter) -> None:
        import boto3
        from botocore.config import Config

        self.settings = settings
        self.counter = counter
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._sessions: dict[str, Any] = {}
        self.base = boto3.Session(profile_name=settings.profile) if settings.profile else boto3.Session()
        _share_loader(self.base)
        self.config = Config(
            retries={"mode": "adaptive", "max_attempts": settings.max_attempts},
            max_pool_connections=max(10, settings.concurrency),
            connect_timeout=settings.timeout,
            read_timeout=settings.timeout,
            user_agent_extra="blastscope-audit",
            s3={"addressing_style": "path"} if settings.endpoint else None,
        )

    @property
    def default_region(self) -> str:
        return self.base.region_name or "us-east-1"

    def session(self, key: str) -> Any:
        return self._sessions.get(key, self.base)

    def assume(self, role_arn: str) -> str:
        """Assume a role (an STS read allowed by the guard) and keep its session under the ARN."""
        import boto3

        sts = self.client("", "sts", self.default_region)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="blastscope-audit", DurationSeconds=3600)[
            "Credentials"
        ]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.default_region,
        )
        _share_loader(session)
        with self._lock:
            self._sessions[role_arn] = session
        return role_arn

    def client(self, session_key: str, service: str, region: str) -> Any:
        key = (session_key, service, region)
        with self._lock:  # boto3 sessions are not thread-safe: make clients one at a time
            existing = self._clients.get(key)
            if existing is not None:
                return existing
            client = self.session(session_key).client(
                service, region_name=region, config=self.config, endpoint_url=self.settings.endpoint
            )
            install_read_only_guard(client)
            client.meta.events.register("before-send.*.*", self.counter.tick, unique_id="blastscope-count")
            if self.settings.replay is not None:
                client.meta.events.register(
                    "provide-client-params.*.*", _remember_params, unique_id="blastscope-params"
                )
                client.meta.events.register(
                    "before-call.*.*", _replayer(self.settings.replay, region), unique_id="blastscope-replay"
                )
            self._clients[key] = client
            return client


_LOADER: Any = None
_LOADER_LOCK = threading.Lock()


def _share_loader(session: Any) -> None:
    """One botocore data loader for every session of the process: each new session would parse the
    service models (ec2's is megabytes of JSON) again, which costs more than the requests of a small
    account; the loader only caches read-only model files, never credentials."""
    global _LOADER
    with _LOADER_LOCK:
        if _LOADER is None:
            _LOADER = session._session.get_component("data_loader")
        else:
            session._session.register_component("data_loader", _LOADER)


def _remember_params(params: Any = None, context: Any = None, **_: Any) -> None:
    if isinstance(context, dict):
        context["blastscope_params"] = dict(params or {})


def _replayer(replay: Replay, region: str) -> Callable[..., Any]:
    from botocore.awsrequest import AWSResponse

    def handler(model: Any = None, context: Any = None, **_: Any) -> Any:
        params = context.get("blastscope_params", {}) if isinstance(context, dict) else {}
        parsed = replay(model.service_model.endpoint_prefix, model.name, params, region)
        if parsed is None:
            return None
        return AWSResponse("https://replay.invalid/", 200, {}, None), parsed

    return handler
