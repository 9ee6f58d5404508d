"""A strict local Railway GraphQL endpoint: real HTTP on 127.0.0.1, every request validated
against schema.graphql, Relay pagination, a request budget with 429 + Retry-After, and
faults injected on demand."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from providers.railway.emulator.model import Account
from providers.railway.emulator.resolvers import Answers, scope_for

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"

FAULT_KINDS = (
    "status",  # HTTP `status` (default 503) with a JSON error body
    "timeout",  # answer only after `delay` seconds (longer than the client's timeout)
    "disconnect",  # close the connection without answering
    "malformed_json",  # HTTP 200 with a body that is not JSON
    "html",  # HTTP 403 Cloudflare-style HTML page
    "graphql_error",  # HTTP 200 {"data": null, "errors": [{"message": `message`}]}
    "field_error",  # execute, then null the root field/alias `field` (or every other one) and add an error
    "truncate",  # cap every connection page at `page_size` items (forces follow-up paging)
    "broken_cursor",  # a truncated page says hasNextPage but gives no endCursor
    "rate_limit",  # HTTP 429 with Retry-After: `retry_after`
    "mangle",  # execute, then at dotted `path` ("*" = every item) set null or repeat the first item
)


@lru_cache(maxsize=1)
def schema():
    from graphql import build_schema

    return build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=512)
def _parse_and_validate(query: str) -> tuple[Any, tuple[str, ...]]:
    """(document, validation error messages); a syntax error raises GraphQLError."""
    from graphql import parse, validate

    doc = parse(query)
    errors = validate(schema(), doc)
    return doc, tuple(e.message for e in errors)


@dataclass
class Fault:
    """One injected fault. `operation`: the request's operationName it applies to (None: any).
    `times`: how many matching requests it hits before it stops (None: every one)."""

    kind: str
    operation: str | None = None
    times: int | None = None
    status: int = 503
    delay: float = 2.0
    retry_after: int = 1
    message: str = "Not Authorized"
    field: str | None = None
    page_size: int = 1
    path: str = ""
    action: str = "null"  # mangle: null | duplicate
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (one of {', '.join(FAULT_KINDS)})")

    def take(self, operation: str | None) -> bool:
        if self.operation is not None and self.operation != operation:
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        return True


@dataclass
class RequestRecord:
    """What the emulator received (the body holds the document and variables: ids only)."""

    operation_name: str | None
    operation_type: str | None
    root_fields: list[str]
    status: int
    auth: str | None  # account | workspace | project | None (unknown/missing token)
    fault: str | None
    body: str = ""


@dataclass
class _State:
    served: int = 0
    faults: list[Fault] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)


class EmulatorServer:
    """See the package docstring for the contract."""

    def __init__(
        self,
        account: Account,
        latency: float = 0.0,
        budget: int | None = None,
        faults: list[Fault] | None = None,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        budget_retry_after: int = 3600,
        rate_limit: int = 1000,
        cache: bool = False,
        rate_limit_reset: float = 3600.0,
    ):
        self.account = account
        self.cache = cache
        self._cache: dict[tuple, tuple[int, bytes]] = {}
        self.latency = latency
        self.budget = budget
        self.budget_retry_after = budget_retry_after
        self.rate_limit = rate_limit
        self.rate_limit_reset = rate_limit_reset
        self._state = _State(faults=list(faults or []))
        self._lock = threading.Lock()
        self._host = host
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> EmulatorServer:
        schema()  # build before the first request is timed
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer((self._host, self._port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="railway-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql/v2"

    # ------------------------------------------------------------------ inspection and faults
    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._state.requests)

    @property
    def mutations(self) -> list[RequestRecord]:
        return [r for r in self.requests if r.operation_type == "mutation"]

    def inject(self, kind: str, operation: str | None = None, times: int | None = None, **params: Any) -> Fault:
        fault = Fault(kind, operation, times, **params)
        with self._lock:
            self._state.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._state.faults.clear()

    def reset_log(self) -> None:
        with self._lock:
            self._state.requests.clear()
            self._state.served = 0

    # ------------------------------------------------------------------ one request
    def handle(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one POST; also records it."""
        from graphql import GraphQLError, OperationDefinitionNode, execute_sync

        started = time.monotonic()
        with self._lock:
            self._state.served += 1
            served = self._state.served
        remaining = max(0, self.rate_limit - served)
        rate_headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(time.time() + self.rate_limit_reset) + 1),
        }
        record = RequestRecord(None, None, [], 200, None, None, body.decode("utf-8", errors="replace"))

        def finish(
            status: int,
            payload: Any,
            extra: dict[str, str] | None = None,
            raw: bytes | None = None,
            content_type: str = "application/json",
        ) -> tuple[int, dict[str, str], bytes]:
            record.status = status
            with self._lock:
                self._state.requests.append(record)
            out = raw if raw is not None else json.dumps(payload).encode()
            wait = self.latency - (time.monotonic() - started)
            if wait > 0:
                time.sleep(wait)
            return status, {**rate_headers, "Content-Type": content_type, **(extra or {})}, out

        if self.budget is not None and served > self.budget:
            return finish(
                429,
                {"errors": [{"message": "Rate limit exceeded"}]},
                {"Retry-After": str(self.budget_retry_after), "X-RateLimit-Remaining": "0"},
            )
        try:
            request = json.loads(body)
            query = request["query"]
            variables = request.get("variables") or {}
            op_name = request.get("operationName")
            if not isinstance(query, str) or not isinstance(variables, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return finish(400, {"errors": [{"message": "Body must be JSON {query, variables}"}]})
        try:
            document, errors = _parse_and_validate(query)
        except GraphQLError as exc:
            return finish(400, {"errors": [{"message": f"Syntax Error: {exc.message}"}]})
        ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        op = next((o for o in ops if op_name is None or (o.name and o.name.value == op_name)), None)
        if op is not None:
            record.operation_name = op.name.value if op.name else None
            record.operation_type = op.operation.value
            record.root_fields = [s.name.value for s in op.selection_set.selections if hasattr(s, "name")]
        scope = scope_for(self.account, headers.get("authorization"), headers.get("project-access-token"))
        record.auth = scope.kind if scope else None

        fault = None
        with self._lock:
            for f in self._state.faults:
                if f.take(record.operation_name):
                    fault = f
                    break
        if fault is not None:
            record.fault = fault.kind
            if fault.kind == "disconnect":
                record.status = 0
                with self._lock:
                    self._state.requests.append(record)
                raise _Disconnect
            early = self._early_fault(fault, finish)
            if early is not None:
                return early

        if errors:
            return finish(400, {"errors": [{"message": m} for m in errors]})
        if op is None:
            return finish(400, {"errors": [{"message": "Unknown operation"}]})
        if record.operation_type != "query":
            return finish(
                200,
                {
                    "data": None,
                    "errors": [
                        {
                            "message": "emulator: only queries are served; "
                            f"refused {record.operation_type} {record.root_fields}"
                        }
                    ],
                },
            )
        if scope is None:
            return finish(200, {"data": None, "errors": [{"message": "Not Authorized"}]})
        cache_key = (
            query,
            json.dumps(variables, sort_keys=True),
            op_name,
            headers.get("authorization"),
            headers.get("project-access-token"),
        )
        if self.cache and fault is None and cache_key in self._cache:
            status, raw = self._cache[cache_key]
            return finish(status, None, raw=raw)
        answers = Answers(
            self.account,
            scope,
            page_cap=fault.page_size if fault is not None and fault.kind in ("truncate", "broken_cursor") else None,
            broken_cursor=fault is not None and fault.kind == "broken_cursor",
        )
        result = execute_sync(
            schema(), document, root_value=answers.root(), variable_values=variables, operation_name=op_name
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [{"message": e.message, "path": e.path} for e in result.errors]
        if fault is not None and fault.kind == "field_error" and isinstance(result.data, dict):
            data = dict(result.data)
            keys = [fault.field] if fault.field in data else [k for i, k in enumerate(data) if i % 2 == 0]
            for key in keys:
                data[key] = None
            payload = {
                "data": data,
                "errors": payload.get("errors", []) + [{"message": fault.message, "path": [k]} for k in keys],
            }
        if fault is not None and fault.kind == "mangle" and isinstance(payload.get("data"), dict):
            _mangle(payload["data"], fault.path.split("."), fault.action)
        raw = json.dumps(payload).encode()
        if self.cache and fault is None:
            self._cache[cache_key] = (200, raw)
        return finish(200, None, raw=raw)

    def _early_fault(self, fault: Fault, finish):
        if fault.kind == "status":
            return finish(fault.status, {"errors": [{"message": f"HTTP {fault.status}"}]})
        if fault.kind == "timeout":
            time.sleep(fault.delay)
            return None  # then answer normally: the client has given up by now
        if fault.kind == "malformed_json":
            return finish(200, None, raw=b'{"data": {"projects": {"edges": [')
        if fault.kind == "html":
            return finish(
                403,
                None,
                raw=b"<!DOCTYPE html><html><title>Access denied | Cloudflare</title></html>",
                content_type="text/html",
            )
        if fault.kind == "graphql_error":
            return finish(200, {"data": None, "errors": [{"message": fault.message}]})
        if fault.kind == "rate_limit":
            return finish(
                429,
                {"errors": [{"message": "Rate limit exceeded"}]},
                {"Retry-After": str(fault.retry_after), "X-RateLimit-Remaining": "0"},
            )
        return None


class _Disconnect(Exception):
    pass


def _mangle(node: Any, path: list[str], action: str) -> None:
    """Break an answer the way a hostile or buggy server might: at `path` (dotted keys, `*` for
    every list item) put null, or repeat the first item of the list found there."""
    if not path:
        return
    key, rest = path[0], path[1:]
    if key == "*":
        for item in node if isinstance(node, list) else []:
            _mangle(item, rest, action)
        return
    if not isinstance(node, dict) or key not in node:
        return
    if rest:
        _mangle(node[key], rest, action)
    elif action == "null":
        node[key] = None
    elif action == "duplicate" and isinstance(node[key], list) and node[key]:
        node[key] = [node[key][0]] + node[key]


def _make_handler(server: EmulatorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body leave in two writes: with Nagle's algorithm a small answer's body waits
        # for the client's delayed ACK (~40 ms on Linux), a stall no real API server adds
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:  # quiet: tests read server.requests instead
            pass

        def do_GET(self) -> None:  # noqa: N802
            self._send(405, {"Content-Type": "application/json"}, b'{"errors":[{"message":"POST only"}]}')

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, out_headers, out = server.handle(body, headers)
            except _Disconnect:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._send(status, out_headers, out)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler
