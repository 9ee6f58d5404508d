"""A hostile HTTP server on 127.0.0.1 for the fault suite: it answers each POST with whatever a
scenario writes to the raw socket — a dripped body, a gzip bomb, an endless chunked stream, an
echo of the Authorization header — optionally built on the real Railway emulator's answer.

A scenario is `scenario(request) -> Iterable[bytes | float]`: bytes are written as they come,
a float is a pause in seconds. The server stops writing when the client hangs up or the server
is stopped. Bound to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    number: int

    @property
    def json(self) -> dict[str, Any]:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    @property
    def operation(self) -> str | None:
        return self.json.get("operationName")


Scenario = Callable[[Request], Iterable[bytes | float]]


@dataclass
class HostileServer:
    scenario: Scenario
    requests: list[Request] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        server = self
        lock = threading.Lock()

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                while not server.stopping.is_set():
                    request_line = self.rfile.readline(65536)
                    if not request_line.strip():
                        return
                    method, path, _ = request_line.decode("latin-1").split(" ", 2)
                    headers: dict[str, str] = {}
                    while True:
                        line = self.rfile.readline(65536).decode("latin-1")
                        if line in ("\r\n", "\n", ""):
                            break
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                    body = self.rfile.read(int(headers.get("content-length", "0") or 0))
                    with lock:
                        request = Request(method, path, headers, body, len(server.requests) + 1)
                        server.requests.append(request)
                    try:
                        for piece in server.scenario(request):
                            if server.stopping.is_set():
                                return
                            if isinstance(piece, float):
                                time.sleep(piece)
                            else:
                                self.wfile.write(piece)
                                self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError, OSError):
                        return
                    if headers.get("connection", "").lower() == "close":
                        return

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/graphql/v2"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


# ---------------------------------------------------------------------- building answers
def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    head = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in head.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def headers_only(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def emulated(
    emulator: Any,
    request: Request,
    rewrite: Callable[[dict], dict] | None = None,
    variables: Callable[[dict], dict] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """The real emulator's answer to `request` (variables and answer optionally rewritten)."""
    body = request.body
    if variables is not None:
        doc = request.json
        doc["variables"] = variables(dict(doc.get("variables") or {}))
        body = json.dumps(doc).encode()
    status, headers, out = emulator.handle(body, request.headers)
    if rewrite is not None and status == 200:
        out = json.dumps(rewrite(json.loads(out))).encode()
    return status, headers, out


def drip(data: bytes, every: float) -> Iterator[bytes | float]:
    for i in range(len(data)):
        yield data[i : i + 1]
        yield every


def gzip_bomb(total: int, chunk: int = 1024 * 1024) -> Iterator[bytes | float]:
    """`total` zero bytes gzipped on the fly (about 1000:1), sent chunked."""
    yield headers_only(
        200, {"Content-Type": "application/json", "Content-Encoding": "gzip", "Transfer-Encoding": "chunked"}
    )
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"0" * chunk
    sent = 0
    while sent < total:
        piece = packer.compress(zeros)
        sent += chunk
        if piece:
            yield b"%x\r\n%s\r\n" % (len(piece), piece)
    tail = packer.flush()
    yield b"%x\r\n%s\r\n0\r\n\r\n" % (len(tail), tail)


def endless_chunked(chunk: int = 64 * 1024) -> Iterator[bytes | float]:
    yield headers_only(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    block = b"%x\r\n%s\r\n" % (chunk, b" " * chunk)
    while True:
        yield block


def all_pages(answer: dict, cursor: Callable[[], str]) -> dict:
    """Every connection in the answer says there is another page."""

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("pageInfo"), dict):
                value["pageInfo"] = {"hasNextPage": True, "endCursor": cursor()}
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(answer)
    return answer
