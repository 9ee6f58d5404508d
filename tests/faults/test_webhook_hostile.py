"""Webhooks against a hostile receiver on 127.0.0.1: an answer that drips, never ends, is a gzip
bomb or is huge costs at most the delivery deadline and a few kilobytes — the alert is then
either delivered (a 2xx status arrived) or reported as failed, never a hang."""

from __future__ import annotations

import pytest

from auditor.uses.notify import NotifyFailed, send
from tests.faults.hostile import HostileServer, drip, endless_chunked, gzip_bomb, headers_only, response

BODY = {"text": "blastscope test alert"}


def deliver(scenario, timeout: float = 2.0) -> int:
    with HostileServer(scenario) as srv:
        return send(srv.url, BODY, attempts=2, backoff=0.01, timeout=timeout, sleep=lambda _s: None)


def test_a_2xx_with_an_endless_body_is_delivered_without_reading_it_all():
    assert deliver(lambda request: endless_chunked()) == 1


def test_a_2xx_gzip_bomb_is_delivered_without_inflating_it():
    assert deliver(lambda request: gzip_bomb(2 * 1024**3)) == 1


def test_a_status_line_dripped_forever_fails_within_the_deadline():
    with pytest.raises(NotifyFailed, match="no complete answer within 1 s"):
        deliver(lambda request: drip(b"HTTP/1.1 200 OK\r\n" + b"X: " + b"a" * 100_000, 0.05), timeout=1.0)


def test_a_body_dripped_forever_after_a_500_fails_within_the_deadline():
    def scenario(request):
        yield headers_only(500, {"Content-Length": "1000000"})
        yield from drip(b"e" * 1_000_000, 0.05)

    with pytest.raises(NotifyFailed):
        deliver(scenario, timeout=1.0)


def test_a_huge_error_page_is_not_read_and_not_echoed():
    def scenario(request):
        yield response(500, b"secret-looking " * 500_000, {"Content-Type": "text/html"})

    with pytest.raises(NotifyFailed) as info:
        deliver(scenario)
    assert "secret-looking" not in str(info.value) and "HTTP 500" in str(info.value)
