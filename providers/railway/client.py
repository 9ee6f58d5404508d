"""HTTP transport for Railway's GraphQL API: read-only by construction, counted, rate-limited,
retried.

Every document is parsed with graphql-core and validated against schema.graphql before a byte
goes out; anything but a `query` operation raises ReadOnlyViolation. Messages never contain
the token or a response body (bodies may hold secret values); error text the server sends is
redacted of anything token-like before it is returned (a hostile or broken server may echo the
Authorization header).

Every exchange is bounded: a whole-response deadline (not only per read, so a server dripping
one byte at a time cannot hold a run), a maximum body size counted after decompression (a gzip
bomb or an endless chunked body stops at the cap), and an overall pull deadline after which the
connection pool is closed and every later request fails. Exceeding any bound is a FetchFailed,
which the puller records as a gap: the audit is incomplete (exit 3), never clean.
"""

from __future__ import annotations

import _thread
import contextlib
import email.utils
import json
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from typing import Any

from msgspec.json import decode as _msgspec_decode

SCHEMA_PATH = Path(__file__).resolve().parent / "schema.graphql"
DEFAULT_ENDPOINT = "https://backboard.railway.com/graphql/v2"


class RailwayError(Exception):
    """Base class; str() is safe to print (no token, no response body)."""


class ReadOnlyViolation(RailwayError):
    """A document that is not a pure query: refused before anything is sent."""


class FetchFailed(RailwayError):
    """A request that could not be answered, after retries where retrying made sense."""


class BudgetExhausted(FetchFailed):
    """--max-requests reached."""


class DeadlineExceeded(FetchFailed):
    """The overall pull deadline (--timeout) passed."""


#: largest answer body accepted, counted after decompression
MAX_RESPONSE_BYTES = 64 * 1024**2
#: longest one answer may take from request to last byte
RESPONSE_DEADLINE = 120.0
#: longest a whole pull may take (--timeout)
PULL_DEADLINE = 900.0
#: most pages one connection may be followed for (a 100k-project account is ~2k pages of 50)
MAX_PAGES = 10_000

_VALUE = r"[\"']?[^\s,;\"'}]+"
_TOKEN_LIKE = [
    # header echoes: "Authorization: Bearer abc", "Project-Access-Token: abc"
    re.compile(
        r"(?i)(authorization|project-access-token|x-api-key)([\"']?\s*[:=]?\s*)(?:(?:bearer|basic)\s+)?" + _VALUE
    ),
    # "token=abc", "\"password\": \"abc\""
    re.compile(r"(?i)(token|secret|password|passwd|api[-_]?key|cookie|credential)([\"']?\s*[:=]\s*)" + _VALUE),
    re.compile(r"(?i)\b(bearer|basic)(\s+)[^\s,;\"'}]+"),
    # long opaque runs (hex, base64, JWT-like) that are not words
    re.compile(r"[A-Za-z0-9_\-+/=.]{40,}"),
]


def redact(text: str, secrets: tuple[str, ...] = (), limit: int = 300) -> str:
    """Server-provided text made safe to print or store: known secrets and anything token-like
    replaced, control characters dropped, cut short."""
    text = str(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    for pattern in _TOKEN_LIKE[:3]:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    text = _TOKEN_LIKE[3].sub("[redacted]", text)
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode_json(raw: bytes) -> Any:
    """`json.loads(raw)`, decoded by msgspec where it can (twice as fast on a 1 MB project page).
    msgspec is the stricter of the two: a body it refuses (NaN, a lone surrogate, a byte-order
    mark, a number out of range) is left to json.loads, so the value, or the error, is always
    the one json.loads gives (tests/providers/railway/test_client_decode.py)."""
    try:
        return _msgspec_decode(raw)
    except (ValueError, RecursionError):  # msgspec.DecodeError is a ValueError
        return json.loads(raw)


class PageGuard:
    """Stops a connection that would be followed forever: a page cap, and a cursor seen before
    (a server that answers `hasNextPage: true` with the same or cycling cursors)."""

    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self.max_pages = max_pages
        self.pages = 1
        self.seen: set[str] = set()

    def refuse(self, cursor: Any) -> str | None:
        """Why following `cursor` must stop (a gap to record), or None to go on."""
        if not isinstance(cursor, str) or not cursor:
            return "page says there is more but gives no cursor"
        if cursor in self.seen:
            return f"the server repeated a page cursor after {self.pages} pages (pagination loop); stopped"
        if self.pages >= self.max_pages:
            return f"more than {self.max_pages} pages; stopped (page cap)"
        self.seen.add(cursor)
        self.pages += 1
        return None


@lru_cache(maxsize=1)
def _schema():
    from graphql import build_schema

    return build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


_checked: dict[tuple[str, bool], str | None] = {}
_check_lock = threading.Lock()


def check_read_only(document: str, validate: bool = True) -> str | None:
    """Raise ReadOnlyViolation unless the document parses and every operation is a query (and,
    with `validate`, is valid against the subset schema); return the operation's name.

    Results are cached per document text, and one lock makes threads sending the same new
    document wait for one check instead of repeating it. `validate=False` is for batch
    documents composed from templates that were validated once (see queries.batch_query):
    they are still parsed and refused unless they are queries."""
    key = (document, validate)
    try:
        return _checked[key]
    except KeyError:
        pass
    with _check_lock:
        if key not in _checked:
            if len(_checked) > 256:
                _checked.clear()
            _checked[key] = _check(document, validate)
        return _checked[key]


def _check(document: str, validate_schema: bool) -> str | None:
    from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse, validate

    try:
        doc = parse(document)
    except GraphQLError as exc:
        raise ReadOnlyViolation(f"refused: document does not parse: {exc.message}") from None
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    if not ops:
        raise ReadOnlyViolation("refused: document has no operation")
    for op in ops:
        if op.operation is not OperationType.QUERY:
            name = op.name.value if op.name else "anonymous"
            raise ReadOnlyViolation(f"refused: {op.operation.value} {name}: the Railway client sends queries only")
    if len(ops) != 1:
        raise ReadOnlyViolation("refused: one operation per document")
    errors = validate(_schema(), doc) if validate_schema else []
    if errors:
        raise ReadOnlyViolation(f"refused: document is not valid against the schema subset: {errors[0].message}")
    return ops[0].name.value if ops[0].name else None


@dataclass
class Response:
    """A decoded GraphQL answer: `data` may be partial when `errors` is not empty."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error_text(self) -> str:
        msgs = sorted({str(e.get("message", "error"))[:200] for e in self.errors})[:5]
        return "; ".join(msgs) or "no data"


def _retry_after(headers: Any, now: float) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or X-RateLimit-Reset (epoch
    seconds, or seconds from now when small)."""
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    reset = headers.get("x-ratelimit-reset")
    if reset:
        try:
            r = float(reset)
        except ValueError:
            return _reset_date(reset)
        return max(0.0, r - time.time()) if r > 1e9 else max(0.0, r)
    return None


def _reset_date(value: str) -> float | None:
    """Seconds until an X-RateLimit-Reset given as a date: ISO-8601 (what Railway's
    ApiTokenRateLimit.resetsAt uses) or an HTTP date; None when it is neither."""
    from datetime import datetime

    text = value.strip()
    try:
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


class RailwayClient:
    """One token, one endpoint. Thread-safe: `execute` may be called from several threads; at
    most `concurrency` requests are in flight."""

    def __init__(
        self,
        endpoint: str,
        token: str,
        *,
        token_header: str = "Authorization",
        max_requests: int | None = None,
        concurrency: int = 8,
        retries: int = 4,
        timeout: float = 30.0,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        transport: Any = None,
        on_request: Callable[[], None] | None = None,
        max_body: int = MAX_RESPONSE_BYTES,
        response_deadline: float = RESPONSE_DEADLINE,
        pull_deadline: float | None = PULL_DEADLINE,
    ) -> None:
        import httpx

        self.endpoint = endpoint
        self.max_requests = max_requests
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.on_request = on_request
        self.sent = 0  # HTTP requests sent, retries included
        self.retried = 0
        self.rate_limited = 0
        self.paused = 0  # times requests waited for X-RateLimit-Reset / Retry-After
        self.last_remaining: int | None = None
        self.last_answer: float | None = None  # time.monotonic() when the last answer was read
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._not_before = 0.0
        self._secrets = (token,)
        self.max_body = max(1, int(max_body))
        self.response_deadline = float(response_deadline)
        self.pull_deadline = pull_deadline
        self.expired = False
        self._closed = threading.Event()
        #: set once the first request has left (or been answered, where the transport does not
        #: say when it left): work that would compete with it for the interpreter waits for this
        self.first_sent = threading.Event()
        self._after_first_sent: list[Callable[[], None]] = []
        auth = {"Authorization": f"Bearer {token}"} if token_header == "Authorization" else {token_header: token}
        self._http = httpx.Client(
            headers={**auth, "Content-Type": "application/json", "User-Agent": "blastscope (read-only audit)"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            # plain http is only ever loopback (an emulator); skip loading the CA bundle for it
            verify=not endpoint.startswith("http://"),
            limits=httpx.Limits(max_connections=max(1, concurrency), max_keepalive_connections=max(1, concurrency)),
        )
        if pull_deadline is not None:
            # the only bound that also covers a server dripping its headers: at the deadline the
            # pool is closed, so every exchange in flight fails at its next read. A bare thread:
            # threading.Timer.start() waits for the thread to run, which delays the first request
            _thread.start_new_thread(self._watch, (max(0.0, pull_deadline),))

    def when_first_sent(self, work: Callable[[], None]) -> None:
        """Run `work` in a thread of its own once the first request has left (at once if it
        has): work that must not hold that request back, not even by starting a thread."""
        with self._lock:
            if not self.first_sent.is_set():
                self._after_first_sent.append(work)
                return
        _thread.start_new_thread(work, ())

    def _first_left(self) -> None:
        with self._lock:
            if self.first_sent.is_set():
                return
            self.first_sent.set()
            waiting, self._after_first_sent = self._after_first_sent, []
        for work in waiting:
            _thread.start_new_thread(work, ())

    def _watch(self, seconds: float) -> None:
        if not self._closed.wait(seconds):
            self._expire()

    def _expire(self) -> None:
        self.expired = True
        with contextlib.suppress(Exception):  # closing under running requests; they fail on their own
            self._http.close()

    def _deadline_text(self) -> str:
        return f"the pull took longer than its {self.pull_deadline:.0f} s deadline (--timeout); stopped"

    def close(self) -> None:
        self._closed.set()
        self._http.close()

    def __enter__(self) -> RailwayClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ public
    def execute(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        validate: bool = True,
        on_sent: Callable[[], None] | None = None,
    ) -> Response:
        """Send one query; retry what is transient; raise FetchFailed when it cannot be answered.
        GraphQL `errors[]` come back in the Response (the caller decides what is missing).
        `on_sent` is called (from this thread) once the request's body has been written and the
        answer is awaited, at most once per attempt; not at all when the transport does not say."""
        operation = check_read_only(document, validate)  # before any I/O
        body = request_body(document, variables, operation)
        if on_sent is None and not self.first_sent.is_set():
            on_sent = self._first_left
        attempt = 0
        waits = 0
        while True:
            if self.expired:
                raise DeadlineExceeded(self._deadline_text())
            outcome = self._send_once(body, on_sent)
            self._first_left()
            kind, value = outcome
            if kind == "ok":
                return value
            if kind == "fatal":
                raise FetchFailed(value)
            if kind == "wait":  # 429
                waits += 1
                if value is None:
                    value = min(self.max_wait, self.backoff * 2**waits)
                if value > self.max_wait or waits > self.retries + 2:
                    raise FetchFailed(
                        f"rate limited (HTTP 429; retry after {value:.0f} s, more than the {self.max_wait:.0f} s "
                        "this run waits)"
                    )
                with self._lock:
                    self.rate_limited += 1
                    self._not_before = max(self._not_before, time.monotonic() + value)
                continue
            # transient
            attempt += 1
            if attempt > self.retries:
                raise FetchFailed(f"{value} (after {attempt} tries)")
            with self._lock:
                self.retried += 1
            time.sleep(min(8.0, self.backoff * 2 ** (attempt - 1)) * (0.5 + random.random()))
            if self.expired:
                raise DeadlineExceeded(self._deadline_text())

    # ------------------------------------------------------------------ one HTTP exchange
    def _take_budget(self) -> None:
        with self._lock:
            if self.max_requests is not None and self.sent >= self.max_requests:
                raise BudgetExhausted(f"request budget of {self.max_requests} (--max-requests) used up")
            self.sent += 1
        if self.on_request is not None:
            self.on_request()

    def _gate(self) -> None:
        waited = False
        while True:
            with self._lock:
                delay = self._not_before - time.monotonic()
            if delay <= 0 or self.expired:
                if waited:
                    with self._lock:
                        self.paused += 1
                return
            waited = True
            time.sleep(min(delay, 1.0))

    def _send_once(self, body: str, on_sent: Callable[[], None] | None = None) -> tuple[str, Any]:
        import httpx

        self._gate()
        with self._slots:
            self._take_budget()
            started = time.monotonic()
            extensions = {"trace": _SentTrace(on_sent)} if on_sent is not None else None
            try:
                with self._http.stream("POST", self.endpoint, content=body, extensions=extensions) as resp:
                    return self._answer(resp, started)
            except _Refused as exc:
                return "fatal", str(exc)
            except httpx.TimeoutException:
                return self._unless_expired("retry", "timed out")
            except httpx.TransportError as exc:
                return self._unless_expired("retry", f"connection error ({type(exc).__name__})")
            except httpx.HTTPError as exc:  # a body that does not decode (bad gzip)
                return self._unless_expired("retry", f"unreadable answer ({type(exc).__name__})")
            except RuntimeError:  # the client was closed by the deadline watchdog
                return self._unless_expired("fatal", "connection closed")

    def _unless_expired(self, kind: str, text: str) -> tuple[str, Any]:
        if self.expired:
            return "fatal", self._deadline_text()
        return kind, text

    def _read_body(self, resp: Any, started: float) -> bytes:
        """The decompressed body, refused past the size cap or the response deadline."""
        declared = resp.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > self.max_body:
            raise _Refused(f"answer of {int(declared)} bytes is larger than the {self.max_body}-byte cap")
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise _Refused(
                    f"answer is larger than the {self.max_body}-byte cap (after decompression); not read further"
                )
            if time.monotonic() - started > self.response_deadline:
                raise _Refused(f"answer took longer than {self.response_deadline:.0f} s; not read further")
            if self.expired:
                raise _Refused(self._deadline_text())
            chunks.append(chunk)
        return b"".join(chunks)

    def _answer(self, resp: Any, started: float) -> tuple[str, Any]:
        now = time.time()
        remaining = resp.headers.get("x-ratelimit-remaining")
        if remaining is not None and remaining.strip().isdigit() and len(remaining.strip()) < 10:
            self.last_remaining = int(remaining)
            if int(remaining) == 0 and resp.status_code != 429:
                wait = _retry_after(resp.headers, now)
                if wait is not None and wait <= self.max_wait:
                    with self._lock:
                        self._not_before = max(self._not_before, time.monotonic() + wait)
        status = resp.status_code
        if status == 429:
            return "wait", _retry_after(resp.headers, now)
        if status >= 500:
            return "retry", f"HTTP {status}"
        ctype = redact(resp.headers.get("content-type", ""), self._secrets, 60)
        if "json" not in ctype:
            what = (
                "an HTML page (blocked by a proxy or Cloudflare?)"
                if "html" in ctype
                else f"content type {ctype or 'none'}"
            )
            if status == 200:
                return "retry", f"HTTP 200 with {what}"
            return "fatal", f"HTTP {status} with {what}"
        raw = self._read_body(resp, started)
        self.last_answer = time.monotonic()
        try:
            payload = decode_json(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return "retry", f"HTTP {status} with malformed JSON"
        if not isinstance(payload, dict) or not ("data" in payload or "errors" in payload):
            return "retry", f"HTTP {status} with a JSON body that is not a GraphQL response"
        errors = payload.get("errors") or []
        if not isinstance(errors, list):
            errors = [{"message": "malformed errors[]"}]
        # server text is redacted once, here: nothing later can print or store the raw message
        errors = [
            {"message": redact(str(e.get("message", "error")), self._secrets, 200)}
            for e in errors
            if isinstance(e, dict)
        ]
        data = payload.get("data")
        if status != 200:
            msgs = "; ".join(sorted({e["message"] for e in errors}))
            return "fatal", f"HTTP {status}: {msgs or 'error'}"
        if data is not None and not isinstance(data, dict):
            return "retry", "HTTP 200 with data that is not an object"
        return "ok", Response(data, errors)


class _SentTrace:
    """httpcore's `trace` request extension, reduced to one call of `on_sent` when the answer's
    headers start to be awaited: the request has left (HTTP/1.1 and HTTP/2 alike)."""

    __slots__ = ("on_sent",)

    def __init__(self, on_sent: Callable[[], None] | None) -> None:
        self.on_sent = on_sent

    def __call__(self, event: str, info: Any) -> None:
        if self.on_sent is not None and event.endswith("receive_response_headers.started"):
            on_sent, self.on_sent = self.on_sent, None
            on_sent()


_encoded_documents: dict[str, str] = {}


def request_body(document: str, variables: dict[str, Any] | None, operation: str | None) -> str:
    """The POST body: `json.dumps({"query", "variables", "operationName"})`, byte for byte, with
    the document's JSON string written once per document (a full batch's 23 kB document is the
    same string object in every batch of a pull, so this is a lookup by identity)."""
    encoded = _encoded_documents.get(document)
    if encoded is None:
        if len(_encoded_documents) > 256:
            _encoded_documents.clear()
        encoded = _encoded_documents[document] = json.dumps(document)
    rest = f'"variables": {json.dumps(variables or {})}, "operationName": {json.dumps(operation)}'
    return f'{{"query": {encoded}, {rest}}}'


class _Refused(Exception):
    """An answer refused while reading it (too big, too slow, past the pull deadline)."""
