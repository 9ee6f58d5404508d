"""The Railway provider against a hostile server on 127.0.0.1: every scenario ends in exit 0/1
with the full data, or exit 3 naming what went wrong — within its deadline, never a clean
result on partial data, and never with the token in what is printed or stored."""

from __future__ import annotations

import itertools
import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterable

import pytest

from providers.railway.emulator import EmulatorServer, incident_account
from tests.conftest import ROOT
from tests.faults.hostile import (
    HostileServer,
    Request,
    all_pages,
    drip,
    emulated,
    endless_chunked,
    gzip_bomb,
    headers_only,
    response,
)

FAST = {
    "BLASTSCOPE_RAILWAY_BACKOFF": "0.01",
    "BLASTSCOPE_RAILWAY_TIMEOUT": "1",
    "BLASTSCOPE_RAILWAY_MAX_WAIT": "2",
    "BLASTSCOPE_RAILWAY_RETRIES": "1",
}
#: a hang guard for the subprocess, far above every scenario's own deadline (not a timing assertion)
HANG = 90


@pytest.fixture(scope="module")
def account():
    return incident_account()


@pytest.fixture(scope="module")
def emulator(account):
    return EmulatorServer(account)  # used in-process through .handle(); never listens


def scan(url: str, token: str, *extra: str, timeout: int = 20) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("RAILWAY_API_TOKEN", "RAILWAY_TOKEN", "RAILWAY_API_URL")}
    env.update(FAST, RAILWAY_API_TOKEN=token)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            "railway",
            "--endpoint",
            url,
            "--now",
            "2026-11-25",
            "-f",
            "json",
            "--timeout",
            str(timeout),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG,
    )


def passthrough(emulator, rewrite=None, variables=None):
    def scenario(request: Request) -> Iterable[bytes | float]:
        status, headers, body = emulated(emulator, request, rewrite, variables)
        yield response(status, body, {"Content-Type": headers.get("Content-Type", "application/json")})

    return scenario


def assert_incomplete(run: subprocess.CompletedProcess, *words: str) -> None:
    assert run.returncode == 3, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stderr
    text = run.stdout + run.stderr
    for word in words:
        assert word in text, (word, text[-2000:])


def test_an_honest_server_through_the_proxy_gives_the_full_audit(account, emulator):
    with HostileServer(passthrough(emulator)) as srv:
        run = scan(srv.url, account.token)
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["complete"] is True
    assert "backup-colocated" in {f["check_id"] for f in doc["findings"]}


def test_a_body_dripped_one_byte_at_a_time_is_stopped_by_the_pull_deadline(account, emulator):
    def scenario(request):
        status, _, body = emulated(emulator, request)
        yield from drip(response(status, body), 0.05)

    with HostileServer(scenario) as srv:
        run = scan(srv.url, account.token, timeout=3)
    assert_incomplete(run, "deadline")


def test_headers_dripped_forever_are_stopped_by_the_pull_deadline(account):
    def scenario(request):
        yield from drip(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 100000, 0.2)

    with HostileServer(scenario) as srv:
        run = scan(srv.url, account.token, timeout=3)
    assert_incomplete(run, "deadline")


def test_a_gzip_bomb_stops_at_the_body_cap_without_filling_memory(account):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with HostileServer(lambda request: gzip_bomb(3 * 1024**3)) as srv:
        run = scan(srv.url, account.token)
    assert_incomplete(run, "cap")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kib < 1024 * 1024 or peak_kib == before, f"the scan grew to {peak_kib // 1024} MiB"


def test_an_endless_chunked_body_stops_at_the_body_cap(account):
    with HostileServer(lambda request: endless_chunked()) as srv:
        run = scan(srv.url, account.token)
    assert_incomplete(run, "cap")


def test_the_same_cursor_forever_is_a_pagination_loop_not_an_endless_pull(account, emulator):
    rewrite = lambda answer: all_pages(answer, lambda: "same-cursor")  # noqa: E731
    with HostileServer(passthrough(emulator, rewrite, variables=lambda v: {**v, "after": None})) as srv:
        run = scan(srv.url, account.token)
        sent = len(srv.requests)
    assert_incomplete(run, "repeated a page cursor")
    assert sent < 200


def test_new_cursors_forever_end_at_the_pull_deadline(account, emulator):
    counter = itertools.count()
    rewrite = lambda answer: all_pages(answer, lambda: f"c{next(counter)}")  # noqa: E731
    with HostileServer(passthrough(emulator, rewrite, variables=lambda v: {**v, "after": None})) as srv:
        run = scan(srv.url, account.token, timeout=3)
    assert_incomplete(run)


def test_server_errors_forever_are_a_gap(account):
    with HostileServer(lambda request: [response(502, b"bad gateway", {"Content-Type": "text/plain"})]) as srv:
        run = scan(srv.url, account.token)
    assert_incomplete(run)


def test_an_html_page_instead_of_json_is_a_gap(account):
    with HostileServer(lambda request: [response(200, b"<html>blocked</html>", {"Content-Type": "text/html"})]) as srv:
        run = scan(srv.url, account.token)
    assert_incomplete(run, "HTML")


def test_a_server_echoing_the_token_does_not_get_it_printed_or_stored(account, emulator, tmp_path):
    def scenario(request):
        echo = f"bad request; you sent Authorization: {request.headers.get('authorization')} and token={account.token}"
        if request.operation and "Project" in request.operation:
            body = json.dumps({"data": None, "errors": [{"message": echo}]}).encode()
            yield response(200, body)
            return
        status, headers, body = emulated(emulator, request)
        yield response(status, body)

    snapshot = tmp_path / "snap.json"
    with HostileServer(scenario) as srv:
        run = scan(srv.url, account.token, "-o", str(tmp_path / "report.json"))
        env = {**os.environ, **FAST, "RAILWAY_API_TOKEN": account.token}
        pulled = subprocess.run(
            [sys.executable, "-m", "auditor", "pull", "railway", "--endpoint", srv.url, "-o", str(snapshot)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            timeout=HANG,
        )
    assert run.returncode == 3 and pulled.returncode == 3, (run.stderr, pulled.stderr)
    stored = (tmp_path / "report.json").read_text() + snapshot.read_text()
    for text in (run.stdout, run.stderr, pulled.stdout, pulled.stderr, stored):
        assert account.token not in text
    assert "[redacted]" in stored


def test_a_server_that_closes_without_answering_is_a_gap(account):
    with HostileServer(lambda request: [headers_only(200, {"Content-Length": "100"}), b"{"]) as srv:
        run = scan(srv.url, account.token)
    assert_incomplete(run)


def _nulled_workspaces(answer):
    me = (answer.get("data") or {}).get("me")
    if isinstance(me, dict):
        me["workspaces"] = None
    return answer


def _nulled_project_edges(answer):
    projects = (answer.get("data") or {}).get("projects")
    if isinstance(projects, dict):
        projects["edges"] = None
    return answer


def _repeated_projects(answer):
    projects = (answer.get("data") or {}).get("projects")
    if isinstance(projects, dict) and projects.get("edges"):
        projects["edges"] = projects["edges"] * 2
    return answer


SHAPES = {
    "me.workspaces: null": _nulled_workspaces,
    "projects.edges: null": _nulled_project_edges,
    "the same project twice in a page": _repeated_projects,
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_an_answer_missing_what_the_audit_needs_is_never_clean(account, emulator, shape):
    with HostileServer(passthrough(emulator, SHAPES[shape])) as srv:
        run = scan(srv.url, account.token)
    assert run.returncode == 3, f"{shape}: exit {run.returncode}, {run.stdout[:300]}"
