"""A Railway GraphQL proxy on loopback that judges every mutation before it reaches Railway.

Queries are forwarded unchanged. Each mutation field is judged with the guard's decision table:
deny → a GraphQL error naming the reason and nothing forwarded; ask → refused too unless the
proxy runs with --allow-ask; allow → forwarded. A body the proxy cannot parse is refused (fail
closed). The proxy can hold the real Railway token itself (from its own environment) and accept
a separate local token from its clients, so the agent never holds a token that can delete
production. Every decision is one JSON line on stderr; no token is ever logged.
"""

from __future__ import annotations

import hmac
import json
import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from auditor.guard.decision import ALLOW, ASK, DENY, GuardVerdict, failure
from auditor.guard.graphql_ops import GraphQLDocumentError, body_operations
from auditor.guard.operations import Findings
from auditor.guard.run import GuardSettings, decide_findings, load

MAX_REQUEST_BYTES = 8 * 1024 * 1024
_OPERATION_NAME = re.compile(r"^\s*(?:mutation|query|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
#: headers a client may send that are passed upstream (when the proxy holds no token of its own)
_PASS_HEADERS = ("authorization", "project-access-token", "content-type", "user-agent", "x-request-id")


@dataclass
class ProxySettings:
    sources: list[str] = field(default_factory=list)
    policy: str | None = None
    upstream: str = "https://backboard.railway.com/graphql/v2"
    allow_ask: bool = False
    upstream_token: str | None = None
    client_token: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    timeout: float = 30.0


class GuardProxy:
    """The judging and forwarding, apart from the HTTP server (so it is simple to reason about)."""

    def __init__(self, settings: ProxySettings, log: TextIO | None = None) -> None:
        import httpx

        self.settings = settings
        self.log = log or sys.stderr
        self._log_lock = threading.Lock()
        self.loaded = load(GuardSettings(settings.sources, settings.policy))
        self.client = httpx.Client(timeout=settings.timeout)

    # ------------------------------------------------------------------ one request
    def handle(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.settings.client_token is not None and not self._client_ok(headers):
            self._record("deny", "the client did not present the proxy's local token", None, [])
            return _graphql_error(401, "blastscope guard proxy: missing or wrong local token", "UNAUTHENTICATED")
        verdict, kind, name = self.judge(body)
        if verdict.decision == DENY or (verdict.decision == ASK and not self.settings.allow_ask):
            self._record(verdict.decision, verdict.reason, name, verdict.to_json()["operations"], kind, forwarded=False)
            why = (
                verdict.reason
                if verdict.decision == DENY
                else (
                    verdict.reason + " (the proxy refuses calls that need approval; a person can run it, "
                    "or restart the proxy with --allow-ask)"
                )
            )
            return _graphql_error(
                200, f"blastscope guard: {verdict.decision}: {why}", f"GUARD_{verdict.decision.upper()}"
            )
        status, out_headers, out_body = self.forward(body, headers)
        self._record(
            verdict.decision,
            verdict.reason,
            name,
            verdict.to_json()["operations"],
            kind,
            forwarded=True,
            upstream_status=status,
        )
        return status, out_headers, out_body

    def judge(self, body: bytes) -> tuple[GuardVerdict, str, str | None]:
        """The verdict on a request body, its operation type (query|mutation|batch) and name."""
        try:
            text = body.decode("utf-8")
            doc = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            return failure("the request body is not GraphQL-over-HTTP JSON"), "unknown", None
        items = doc if isinstance(doc, list) else [doc]
        if not items or not all(isinstance(i, dict) and isinstance(i.get("query"), str) for i in items):
            return failure("the request has no GraphQL query string"), "unknown", None
        name = items[0].get("operationName") if isinstance(items[0].get("operationName"), str) else None
        if name is None:
            named = _OPERATION_NAME.search(items[0]["query"])
            name = named.group(1) if named else None
        kind = "mutation" if any(_is_mutation(i["query"]) for i in items) else "query"
        if kind == "query":
            return GuardVerdict(ALLOW, "a query changes nothing"), kind, name
        try:
            ops = body_operations(text, "railway-api", True)
        except GraphQLDocumentError as exc:
            return failure(str(exc)), kind, name
        if not ops:
            return GuardVerdict(ALLOW, "a mutation that deletes nothing"), kind, name
        try:
            return decide_findings(Findings(ops), GuardSettings(), loaded=self.loaded), kind, name
        except Exception as exc:  # noqa: BLE001 - fail closed
            return failure(f"internal error: {type(exc).__name__}: {exc}"), kind, name

    def forward(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        import httpx

        out = {k: v for k, v in headers.items() if k.lower() in _PASS_HEADERS}
        if self.settings.upstream_token is not None:
            out = {k: v for k, v in out.items() if k.lower() not in ("authorization", "project-access-token")}
            out["Authorization"] = f"Bearer {self.settings.upstream_token}"
        out.setdefault("Content-Type", "application/json")
        try:
            resp = self.client.post(self.settings.upstream, content=body, headers=out)
        except httpx.HTTPError as exc:
            return _graphql_error(
                502, f"blastscope guard proxy: upstream unreachable: {type(exc).__name__}", "UPSTREAM"
            )
        keep = {
            k: v
            for k, v in resp.headers.items()
            if k.lower() in ("content-type", "retry-after") or k.lower().startswith("x-ratelimit")
        }
        return resp.status_code, keep, resp.content

    def _client_ok(self, headers: dict[str, str]) -> bool:
        lowered = {k.lower(): v for k, v in headers.items()}
        presented = lowered.get("authorization", "")
        presented = (
            presented[7:] if presented.lower().startswith("bearer ") else lowered.get("project-access-token", "")
        )
        expected = self.settings.client_token or ""
        return bool(presented) and hmac.compare_digest(presented.encode(), expected.encode())

    def _record(
        self,
        decision: str,
        reason: str,
        name: str | None,
        operations: list[dict[str, Any]],
        kind: str = "unknown",
        **extra: Any,
    ) -> None:
        line = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "type": kind,
            "operation_name": name,
            "decision": decision,
            "reason": reason,
            "operations": operations,
            **extra,
        }
        with self._log_lock:
            self.log.write(json.dumps(line) + "\n")
            self.log.flush()


def _is_mutation(query: str) -> bool:
    from graphql import GraphQLError, OperationType, parse

    try:
        doc = parse(query, no_location=True)
    except GraphQLError:
        return "mutation" in query  # unparseable: judged (and refused) as a mutation
    return any(getattr(d, "operation", None) == OperationType.MUTATION for d in doc.definitions)


def _graphql_error(status: int, message: str, code: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    return status, {"Content-Type": "application/json"}, body


def make_server(proxy: GuardProxy, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # decisions are logged as JSON instead
            pass

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                self._send(*_graphql_error(413, "request too large", "TOO_LARGE"))
                return
            body = self.rfile.read(length)
            self._send(*proxy.handle(body, dict(self.headers.items())))

        def do_GET(self) -> None:  # noqa: N802
            self._send(*_graphql_error(405, "POST GraphQL requests to this proxy", "METHOD"))

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def serve(settings: ProxySettings) -> int:
    proxy = GuardProxy(settings)
    server = make_server(proxy, settings.host, settings.port)
    host, port = str(server.server_address[0]), server.server_address[1]
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
