"""The emulator is a strict fake: it rejects what Railway would reject, pages, budgets, scopes
tokens, and injects each fault as documented. Tests of the provider are only as good as this."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from auditor.cli.live import LiveFlags
from auditor.core.policy import Policy
from auditor.engine.audit import audit
from providers.railway.emulator import EmulatorServer, Fault, generate_account, incident_account
from tests.conftest import NOW, ROOT
from tests.live import railway_pull


@pytest.fixture(scope="module")
def srv():
    acct = generate_account(1, workspaces=1, projects=5, environments=2, volumes=1, backups=1)
    with EmulatorServer(acct) as server:
        yield server


def post(server, query, variables=None, token=None, header="Authorization"):
    token = server.account.token if token is None else token
    headers = {"Authorization": f"Bearer {token}"} if header == "Authorization" else {header: token}
    return httpx.post(server.url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=5)


def test_unknown_field_missing_argument_and_wrong_type_are_rejected(srv):
    r = post(srv, "query { me { id password } }")
    assert r.status_code == 400 and "password" in r.json()["errors"][0]["message"]
    r = post(srv, "query { project { id } }")
    assert r.status_code == 400 and "required" in r.json()["errors"][0]["message"]
    r = post(srv, "query { projects(workspaceId: 5) { edges { node { id } } } }")
    assert r.status_code == 400
    r = post(srv, "query { volumes { id } }")  # there is no root volumes field
    assert r.status_code == 400
    r = post(srv, "query { me { id ")
    assert r.status_code == 400 and "Syntax Error" in r.json()["errors"][0]["message"]


def test_values_are_not_a_field_of_variables_connection(srv):
    r = post(
        srv,
        "query($e: String!) { environment(id: $e) { variables { edges { node { name value } } } } }",
        {"e": srv.account.workspaces[0].projects[0].environments[0].id},
    )
    assert r.status_code == 400


def test_mutations_are_validated_recorded_and_refused(srv):
    vol = srv.account.workspaces[0].projects[0].volumes[0]
    r = post(srv, f'mutation {{ volumeDelete(volumeId: "{vol.id}") }}')
    assert r.status_code == 200 and r.json()["data"] is None
    assert srv.mutations and srv.mutations[-1].root_fields == ["volumeDelete"]
    assert vol in srv.account.workspaces[0].projects[0].volumes  # nothing happened


def test_pagination_walks_every_project_once(srv):
    ws = srv.account.workspaces[0].id
    seen, after = [], None
    while True:
        r = post(
            srv,
            "query($w: String!, $a: String) { projects(workspaceId: $w, first: 2, after: $a) { "
            "edges { node { id } } pageInfo { hasNextPage endCursor } } }",
            {"w": ws, "a": after},
        ).json()
        conn = r["data"]["projects"]
        seen += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == [p.id for p in srv.account.workspaces[0].projects]
    r = post(srv, "query($w: String!) { projects(workspaceId: $w, first: 500) { edges { node { id } } } }", {"w": ws})
    assert "first must be" in r.json()["errors"][0]["message"]


def test_tokens_are_checked_and_scoped(srv):
    assert post(srv, "query { me { id } }", token="nope").json()["errors"][0]["message"] == "Not Authorized"
    acct = incident_account()
    ws_tok = acct.add_api_token("ws", workspace_id=acct.workspaces[0].id)
    with EmulatorServer(acct) as server:
        assert post(server, "query { me { id } }", token=ws_tok.secret).json()["data"] is None
        assert post(server, "query { apiToken { workspaces { id } } }", token=ws_tok.secret).json()["data"]["apiToken"][
            "workspaces"
        ]
        proj = acct.workspaces[0].projects[0]
        ptok = proj.tokens[0]
        r = post(
            server,
            "query($p: String!) { project(id: $p) { environments { edges { node { name } } } } }",
            {"p": proj.id},
            token=ptok.secret,
            header="Project-Access-Token",
        ).json()
        assert [e["node"]["name"] for e in r["data"]["project"]["environments"]["edges"]] == ["staging"]
        prod_vi = proj.volumes[0].instances[0].id
        r = post(
            server,
            "query($v: String!) { volumeInstanceBackupList(volumeInstanceId: $v) { id } }",
            {"v": prod_vi},
            token=ptok.secret,
            header="Project-Access-Token",
        ).json()
        assert r["errors"][0]["message"] == "Not Authorized"


def test_budget_answers_429_with_retry_after():
    acct = incident_account()
    with EmulatorServer(acct, budget=2, budget_retry_after=120) as server:
        codes = [post(server, "query { me { id } }").status_code for _ in range(3)]
        last = post(server, "query { me { id } }")
    assert codes == [200, 200, 429]
    assert last.headers["Retry-After"] == "120" and last.headers["X-RateLimit-Remaining"] == "0"


@pytest.mark.parametrize(
    "fault,check",
    [
        (Fault("status", status=502), lambda r: r.status_code == 502),
        (Fault("malformed_json"), lambda r: r.status_code == 200 and _not_json(r)),
        (Fault("html"), lambda r: r.status_code == 403 and "text/html" in r.headers["content-type"]),
        (Fault("graphql_error"), lambda r: r.json() == {"data": None, "errors": [{"message": "Not Authorized"}]}),
        (Fault("rate_limit", retry_after=7), lambda r: r.status_code == 429 and r.headers["Retry-After"] == "7"),
        (Fault("field_error", field="me"), lambda r: r.json()["data"]["me"] is None and r.json()["errors"]),
    ],
)
def test_each_fault_is_injected_then_stops(fault, check):
    acct = incident_account()
    with EmulatorServer(
        acct, faults=[Fault(fault.kind, "Me", 1, **{k: getattr(fault, k) for k in ("status", "retry_after", "field")})]
    ) as server:
        first = post(server, "query Me { me { id } apiTokens { edges { node { id } } } }")
        other = post(server, "query Other { me { id } }")
        second = post(server, "query Me { me { id } apiTokens { edges { node { id } } } }")
    assert check(first)
    assert other.status_code == 200 and second.status_code == 200 and second.json()["data"]["me"]


def _not_json(r) -> bool:
    try:
        r.json()
    except ValueError:
        return True
    return False


def test_disconnect_and_timeout_faults():
    acct = incident_account()
    with EmulatorServer(acct) as server:
        server.inject("disconnect", times=1)
        with pytest.raises(httpx.TransportError):
            post(server, "query { me { id } }")
        server.inject("timeout", times=1, delay=1.0)
        with pytest.raises(httpx.TimeoutException):
            httpx.post(
                server.url,
                json={"query": "query { me { id } }"},
                headers={"Authorization": f"Bearer {acct.token}"},
                timeout=0.2,
            )
        assert post(server, "query { me { id } }").status_code == 200


def test_truncate_and_broken_cursor():
    acct = generate_account(2, projects=3)
    with EmulatorServer(acct) as server:
        server.inject("truncate", page_size=1)
        q = (
            "query($w: String!) { projects(workspaceId: $w) { edges { node { id } } "
            "pageInfo { hasNextPage endCursor } } }"
        )
        conn = post(server, q, {"w": acct.workspaces[0].id}).json()["data"]["projects"]
        assert len(conn["edges"]) == 1 and conn["pageInfo"]["hasNextPage"] and conn["pageInfo"]["endCursor"]
        server.clear_faults()
        server.inject("broken_cursor", page_size=1)
        conn = post(server, q, {"w": acct.workspaces[0].id}).json()["data"]["projects"]
        assert conn["pageInfo"]["hasNextPage"] and conn["pageInfo"]["endCursor"] is None


def test_mutation_helpers_change_the_next_pull(monkeypatch):
    """What scheduled-audit tests rely on: fix the shared volume, and the finding goes away."""
    acct = incident_account()
    with EmulatorServer(acct) as server:
        monkeypatch.setenv("RAILWAY_API_TOKEN", acct.token)

        def checks() -> set[str]:
            source = railway_pull(LiveFlags(endpoint=server.url))
            return {f.check_id for f in audit([source], Policy(), now=NOW).findings}

        before = checks()
        acct.split_shared_volume("pocketos", "pg-data", "staging")
        acct.remove_variable("pocketos", "RAILWAY_API_TOKEN")
        acct.remove_project_token("staging-ci")
        tok = acct.add_project_token("pocketos", "production", "prod-deploy")
        after = checks()
    assert "storage-shared-across-environments" in before and "storage-shared-across-environments" not in after
    assert "credential-exposed-outside-scope" in before and "credential-exposed-outside-scope" not in after
    assert tok.id and "backup-colocated" in after


def test_module_entry_point_serves_until_stopped():
    proc = subprocess.Popen(
        [sys.executable, "-m", "providers.railway.emulator", "--fixture", "incident", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
        token = proc.stdout.readline().strip().split("=", 1)[1]
        r = httpx.post(
            url, json={"query": "query { me { email } }"}, headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert r.json()["data"]["me"]["email"] == "jer@pocketos.example"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
