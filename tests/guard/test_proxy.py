"""`blastscope guard proxy` in front of the project's Railway emulator: a denied volumeDelete
never reaches the emulator (its request log proves it), queries and allowed mutations do, and
the proxy holds the real token while clients present a separate local one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from providers.railway.emulator import EmulatorServer, incident_account
from tests.conftest import ROOT
from tests.guard.conftest import AGENT_SERVICE, PG_VOLUME, STAGING_ENV

LOCAL_TOKEN = "local-client-token-for-tests"


@pytest.fixture
def proxied(railway_snapshot):
    acct = incident_account()
    with EmulatorServer(acct) as srv:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RAILWAY_", "BLASTSCOPE_"))}
        env.update(RAILWAY_API_TOKEN=acct.token, BLASTSCOPE_GUARD_CLIENT_TOKEN=LOCAL_TOKEN)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "auditor",
                "guard",
                "proxy",
                "--source",
                str(railway_snapshot),
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                srv.url,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = proc.stdout.readline().strip()
            assert line.startswith("listening on http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
            url = line.removeprefix("listening on ")
            srv.reset_log()
            yield acct, srv, url, proc
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def post(url: str, query: str, variables: dict | None = None, token: str = LOCAL_TOKEN) -> httpx.Response:
    return httpx.post(
        url,
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def decisions(proc) -> list[dict]:
    proc.terminate()
    proc.wait(timeout=10)
    return [json.loads(line) for line in proc.stderr.read().splitlines() if line.startswith("{")]


def test_denied_volume_delete_never_reaches_the_emulator(proxied):
    acct, srv, url, proc = proxied
    resp = post(url, "mutation Wipe($id: String!) { volumeDelete(volumeId: $id) }", {"id": PG_VOLUME})
    body = resp.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "GUARD_DENY"
    assert "Postgres (production) and all 3 of its backups: no copy survives" in body["errors"][0]["message"]
    assert srv.requests == []  # nothing was forwarded
    [logged] = decisions(proc)
    assert logged["decision"] == "deny" and logged["forwarded"] is False and logged["operation_name"] == "Wipe"
    assert acct.token not in json.dumps(logged) and LOCAL_TOKEN not in json.dumps(logged)


def test_queries_and_allowed_mutations_are_forwarded_with_the_real_token(proxied):
    acct, srv, url, proc = proxied
    me = post(url, "query { me { id name } }")
    assert me.status_code == 200 and me.json()["data"]["me"]["name"] == "jer"
    allowed = post(url, f'mutation {{ serviceDelete(id: "{AGENT_SERVICE}") }}')
    assert allowed.status_code in (200, 400)  # the emulator records and refuses every mutation
    assert [list(r.root_fields) for r in srv.mutations] == [["serviceDelete"]]
    assert all(r.auth for r in srv.requests)  # the proxy's own token, not the client's
    logged = decisions(proc)
    assert [(d["type"], d["decision"], d["forwarded"]) for d in logged] == [
        ("query", "allow", True),
        ("mutation", "allow", True),
    ]


def test_ask_is_refused_unless_allowed(proxied):
    _, srv, url, proc = proxied
    resp = post(url, f'mutation {{ environmentDelete(id: "{STAGING_ENV}") }}')
    assert resp.json()["errors"][0]["extensions"]["code"] == "GUARD_ASK"
    assert srv.mutations == []


def test_a_client_without_the_local_token_is_refused(proxied):
    acct, srv, url, proc = proxied
    resp = post(url, "query { me { id } }", token=acct.token)  # even the real token is not the local one
    assert resp.status_code == 401
    assert srv.requests == []


def test_an_unparseable_body_is_refused(proxied):
    _, srv, url, proc = proxied
    resp = httpx.post(url, content=b"mutation {", headers={"Authorization": f"Bearer {LOCAL_TOKEN}"}, timeout=30)
    assert resp.json()["errors"][0]["extensions"]["code"] == "GUARD_DENY"
    assert srv.requests == []
