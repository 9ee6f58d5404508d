"""Railway translation: the incident's raw pull (fixture) becomes the incident's graph, and for
random emulator accounts the pulled-and-translated graph is exactly the graph the generator
intended (same nodes, relations, grants and attributes).

The fixture tests/fixtures/railway/incident_raw.json is the raw pull of
`incident_account()`; regenerate it with `python tests/test_railway_translate.py`.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.policy import Policy
from auditor.engine.audit import audit
from auditor.io.resources import parse_resources, resource_to_dict
from providers.railway.emulator import EmulatorServer, generate_account, incident_account
from providers.railway.emulator.model import DATABASE_IMAGES, Account
from providers.railway.translate import translate
from tests.conftest import NOW, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "railway" / "incident_raw.json"


def load_fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def by_id(resources):
    return {r.id: r for r in resources}


# ---------------------------------------------------------------------- the incident fixture
def test_incident_translation_models_the_shared_volume_and_colocated_backups():
    res = by_id(translate(load_fixture()))
    vol = "railway:volume:6c1f0a52-0000-4000-8000-000000000030"
    prod_vi = "railway:volume-instance:6c1f0a52-0000-4000-8000-000000000031"
    staging_vi = "railway:volume-instance:6c1f0a52-0000-4000-8000-000000000032"
    prod_env = "railway:environment:6c1f0a52-0000-4000-8000-000000000010"
    db = "railway:database:6c1f0a52-0000-4000-8000-000000000020:6c1f0a52-0000-4000-8000-000000000010"
    assert set(res[prod_vi].targets("parent")) == {vol, prod_env}
    assert vol in res[staging_vi].targets("parent")
    assert res[db].kind == "database" and res[db].get("engine") == "postgres"
    assert res[db].targets("stored_on") == (prod_vi,) and res[db].targets("in_environment") == (prod_env,)
    backups = [r for r in res.values() if r.kind == "backup"]
    assert len(backups) == 3
    assert all(b.targets("stored_on") == (prod_vi,) and b.targets("backup_of") == (db,) for b in backups)
    assert all(b.get("manual") is True and b.get("locked") is True for b in backups)


WORKSPACE = "railway:workspace:6c1f0a52-0000-4000-8000-000000000002"
STAGING = "railway:environment:6c1f0a52-0000-4000-8000-000000000011"
LEAKED = "railway:api-token:6c1f0a52-0000-4000-8000-0000000000a2"
PROJECT_TOKEN = "railway:project-token:6c1f0a52-0000-4000-8000-000000000050"


def destroyers(resources) -> set[str]:
    result = audit([_source(list(resources))], Policy(), now=NOW)
    return {f.resource_id for f in result.findings if f.check_id == "credential-can-destroy-all-copies"}


def test_incident_translation_credentials():
    res = by_id(translate(load_fixture()))
    # the admin's account token carries the admin role: it can delete everything in the workspace
    leaked = res[LEAKED]
    assert leaked.get("token_kind") == "account"
    assert leaked.get("roles") == ["6c1f0a52-0000-4000-8000-000000000002: ADMIN"]
    assert {g.target: g.actions for g in leaked.grants} == {WORKSPACE: {"admin"}}
    # the staging project token deploys: no delete anywhere
    assert {g.target: g.actions for g in res[PROJECT_TOKEN].grants} == {STAGING: {"read", "write"}}
    found = res["railway:variable:6c1f0a52-0000-4000-8000-000000000042"]
    assert found.get("inferred") is True and found.get("token_kind") == "account"
    agent = "railway:service:6c1f0a52-0000-4000-8000-000000000023:6c1f0a52-0000-4000-8000-000000000011"
    assert found.targets("exposed_to") == (agent,)
    # one credential per token: the audit token is one of the listed account tokens, not a second copy
    assert "railway:audit-token:self" not in res
    listed = [r for r in res.values() if r.id.startswith("railway:api-token:") and r.get("token_kind") == "account"]
    assert len(listed) == 2
    # without --fingerprint-secrets no variable carries a fingerprint
    assert not any(r.get("fingerprint") for r in res.values())


def _with_role(role):
    raw = load_fixture()
    raw["workspaces"][0]["role"] = role
    return by_id(translate(raw))


def test_a_members_account_token_cannot_delete_and_an_admins_can():
    member = _with_role("MEMBER")
    assert {g.target: g.actions for g in member[LEAKED].grants} == {WORKSPACE: {"read", "write"}}
    assert LEAKED not in destroyers(member.values())
    assert "role unknown" not in member[LEAKED].name
    viewer = _with_role("VIEWER")
    assert {g.target: g.actions for g in viewer[LEAKED].grants} == {WORKSPACE: {"read"}}
    assert LEAKED in destroyers(_with_role("ADMIN").values())


def test_an_unknown_role_is_assumed_to_delete_and_says_so():
    res = _with_role(None)
    assert LEAKED in destroyers(res.values())
    assert res[LEAKED].get("role_assumed") is True and "role unknown: assumed able to delete" in res[LEAKED].name
    assert LEAKED in destroyers(_with_role("SUPERUSER").values())  # a role Railway does not document


def test_project_tokens_delete_only_when_policy_says_so():
    default = by_id(translate(load_fixture()))
    assert PROJECT_TOKEN not in destroyers(default.values())
    allowed = by_id(translate(load_fixture(), project_tokens_can_delete=True))
    grants = {g.target: g.actions for g in allowed[PROJECT_TOKEN].grants}
    assert grants[STAGING] == {"read", "write", "delete"}
    assert grants["railway:volume:6c1f0a52-0000-4000-8000-000000000030"] == {"delete"}
    assert PROJECT_TOKEN in destroyers(allowed.values())


def test_the_audit_token_is_its_own_credential_only_when_it_is_not_listed():
    raw = load_fixture()
    raw["api_tokens"] = None  # the listing could not be read
    res = by_id(translate(raw))
    assert res["railway:audit-token:self"].get("token_kind") == "account"
    raw = load_fixture()
    raw["token"] = {"kind": "workspace", "workspaces": [raw["workspaces"][0]["id"]]}
    raw["api_tokens"] = None
    audit_token = by_id(translate(raw))["railway:audit-token:self"]
    assert {g.target: g.actions for g in audit_token.grants} == {WORKSPACE: {"admin"}}


def test_volumes_and_buckets_carry_the_deletion_queue_window():
    raw = load_fixture()
    project = raw["workspaces"][0]["projects"][0]
    project["buckets"] = [{"id": "b1", "name": "uploads", "createdAt": "2026-01-01T00:00:00Z"}]
    res = by_id(translate(raw))
    assert res["railway:volume:6c1f0a52-0000-4000-8000-000000000030"].get("deletion_queue_hours") == 48
    assert res["railway:volume-instance:6c1f0a52-0000-4000-8000-000000000031"].get("deletion_queue_hours") == 48
    assert res["railway:bucket:b1"].kind == "bucket" and res["railway:bucket:b1"].get("deletion_queue_hours") == 52


def test_translation_survives_a_snapshot_round_trip():
    resources = translate(load_fixture())
    again = parse_resources([resource_to_dict(r) for r in resources], "snapshot.json")
    assert [resource_to_dict(r) for r in again] == [resource_to_dict(r) for r in resources]


def test_ephemeral_environment_is_preview_and_unknown_values_are_absent():
    raw = load_fixture()
    env = raw["workspaces"][0]["projects"][0]["environments"][1]
    env["isEphemeral"] = True
    vi = env["volumeInstances"][0]
    vi["state"] = "DELETING"
    vi["isPendingDeletion"] = True
    vi["sizeMB"] = None
    res = by_id(translate(raw))
    assert res[f"railway:environment:{env['id']}"].get("tier") == "preview"
    node = res[f"railway:volume-instance:{vi['id']}"]
    assert node.get("status") == "deleting" and node.get("pending_deletion") is True
    assert "size_mb" not in node.attrs  # unknown stays unknown


@pytest.mark.parametrize(
    "image,path,engine",
    [
        ("ghcr.io/railwayapp-templates/postgres-ssl:16", "/var/lib/postgresql/data", "postgres"),
        ("mariadb:11", "/var/lib/mysql", "mysql"),
        ("mongo:7", "/data/db", "mongodb"),
        ("redis:7", "/data", "redis"),
        (None, "/var/lib/postgresql/data", "postgres"),
        (None, "/data", None),
        ("node:20", "/app/uploads", None),
    ],
)
def test_database_detection_from_image_and_mount_path(image, path, engine):
    raw = load_fixture()
    env = raw["workspaces"][0]["projects"][0]["environments"][0]
    for si in env["serviceInstances"]:
        if si["serviceId"] == env["volumeInstances"][0]["serviceId"]:
            si["source"] = {"image": image, "repo": None} if image else {"image": None, "repo": "x/y"}
    env["volumeInstances"][0]["mountPath"] = path
    dbs = [
        r
        for r in translate(raw)
        if r.kind == "database" and r.targets("in_environment") == (f"railway:environment:{env['id']}",)
    ]
    assert [d.get("engine") for d in dbs] == ([engine] if engine else [])


def _source(resources):
    from auditor.core.source import Source

    return Source("railway", "railway", resources)


# ---------------------------------------------------------------------- property: pull == intent
def rel(src, name, tgt):
    return (src, name, tgt)


def intended_graph(acct: Account) -> tuple[dict, set, dict]:
    """What the generator meant, written from the account's dataclasses directly:
    ({id: kind}, {(src, rel, tgt)}, {id: {attr: value}})."""
    nodes: dict[str, str] = {}
    edges: set = set()
    attrs: dict[str, dict] = {}
    ws_ids = []
    for ws in acct.workspaces:
        w = f"railway:workspace:{ws.id}"
        ws_ids.append(w)
        nodes[w] = "account"
        for p in ws.projects:
            pid = f"railway:project:{p.id}"
            nodes[pid] = "project"
            edges.add(rel(pid, "parent", w))
            svc_by_id = {s.id: s for s in p.services}
            for e in p.environments:
                eid = f"railway:environment:{e.id}"
                nodes[eid] = "environment"
                edges.add(rel(eid, "parent", pid))
                attrs[eid] = {"tier": "preview"} if e.is_ephemeral else {}
                for s in p.services:
                    if e.id in s.environment_ids:
                        sid = f"railway:service:{s.id}:{e.id}"
                        nodes[sid] = "service"
                        edges.add(rel(sid, "parent", eid))
            for v in p.volumes:
                vid = f"railway:volume:{v.id}"
                nodes[vid] = "volume"
                edges.add(rel(vid, "parent", pid))
                for vi in v.instances:
                    iid = f"railway:volume-instance:{vi.id}"
                    eid = f"railway:environment:{vi.environment_id}"
                    nodes[iid] = "volume"
                    edges |= {rel(iid, "parent", vid), rel(iid, "parent", eid)}
                    attrs[iid] = {
                        "mount_path": vi.mount_path,
                        "size_mb": vi.size_mb,
                        "backup_schedules": sorted(s.kind for s in vi.schedules),
                    }
                    owner = svc_by_id.get(vi.service_id or "")
                    engine = next(
                        (k for k, (img, _path) in DATABASE_IMAGES.items() if owner and owner.image == img), None
                    )
                    holder = iid
                    if engine:
                        holder = f"railway:database:{owner.id}:{vi.environment_id}"
                        nodes[holder] = "database"
                        edges |= {rel(holder, "stored_on", iid), rel(holder, "in_environment", eid)}
                        attrs[holder] = {"engine": engine}
                    if owner:
                        edges.add(rel(f"railway:service:{owner.id}:{vi.environment_id}", "attached_to", holder))
                    for b in vi.backups:
                        bid = f"railway:backup:{b.id}"
                        nodes[bid] = "backup"
                        edges |= {rel(bid, "stored_on", iid), rel(bid, "backup_of", holder)}
                        attrs[bid] = {
                            "created_at": b.created_at.replace("Z", "+00:00"),
                            "manual": b.schedule_id is None,
                        }
            for var in p.variables:
                vid = f"railway:variable:{var.id}"
                nodes[vid] = "credential"
                target = (
                    f"railway:service:{var.service_id}:{var.environment_id}"
                    if var.service_id
                    else f"railway:environment:{var.environment_id}"
                )
                edges.add(rel(vid, "exposed_to", target))
            for t in p.tokens:
                tid = f"railway:project-token:{t.id}"
                nodes[tid] = "credential"
                edges.add(rel(tid, "grants", f"railway:environment:{t.environment_id}"))  # deploys only
    for t in acct.api_tokens:
        tid = f"railway:api-token:{t.id}"
        nodes[tid] = "credential"
        for w in [f"railway:workspace:{t.workspace_id}"] if t.workspace_id else ws_ids:
            edges.add(rel(tid, "grants", w))
    # the audit token is one of the listed account tokens: no second credential for it
    return nodes, edges, attrs


def actual_graph(resources) -> tuple[dict, set, dict]:
    nodes = {r.id: r.kind for r in resources}
    edges = {rel(r.id, name, t) for r in resources for name, targets in r.relations.items() for t in targets}
    edges |= {rel(r.id, "grants", g.target) for r in resources for g in r.grants}
    attrs = {}
    for r in resources:
        a = dict(r.attrs)
        if "created_at" in a and r.kind == "backup":
            a["created_at"] = a["created_at"].isoformat()
        attrs[r.id] = a
    return nodes, edges, attrs


def pull_account(server: EmulatorServer, acct: Account, monkeypatch, **extra):
    from auditor.cli.live import LiveFlags
    from tests.live import railway_pull

    server.account = acct
    monkeypatch.setenv("RAILWAY_API_TOKEN", acct.token)
    monkeypatch.delenv("RAILWAY_TOKEN", raising=False)
    return railway_pull(LiveFlags(endpoint=server.url, tuning={"backoff": 0.01, **extra}))


@pytest.fixture(scope="module")
def server():
    with EmulatorServer(incident_account()) as srv:
        yield srv


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    workspaces=st.integers(1, 2),
    projects=st.integers(0, 3),
    environments=st.integers(1, 3),
    volumes=st.integers(0, 3),
    backups=st.integers(0, 3),
    services=st.integers(0, 2),
    variables=st.integers(0, 2),
    project_tokens=st.integers(0, 2),
    ephemeral=st.integers(0, 1),
    shared=st.booleans(),
    page_cap=st.sampled_from([None, None, 1, 2]),
)
def test_pulled_graph_equals_generator_intent(
    server,
    monkeypatch,
    seed,
    workspaces,
    projects,
    environments,
    volumes,
    backups,
    services,
    variables,
    project_tokens,
    ephemeral,
    shared,
    page_cap,
):
    acct = generate_account(
        seed,
        workspaces,
        projects,
        environments,
        volumes,
        backups,
        services=services,
        variables=variables,
        project_tokens=project_tokens,
        ephemeral=ephemeral,
        shared_volumes=shared,
    )
    server.clear_faults()
    if page_cap:  # every connection truncated: the pull must page each one to the end
        server.inject("truncate", page_size=page_cap)
    try:
        source = pull_account(server, acct, monkeypatch)
    finally:
        server.clear_faults()
    assert source.complete, source.gaps
    want_nodes, want_edges, want_attrs = intended_graph(acct)
    got_nodes, got_edges, got_attrs = actual_graph(source.resources)
    assert got_nodes == want_nodes
    assert got_edges == want_edges
    for node, expected in want_attrs.items():
        for key, value in expected.items():
            assert got_attrs[node].get(key) == value, (node, key)
    # and the graph is valid input for every other command
    parse_resources([resource_to_dict(r) for r in source.resources], "snapshot.json")


if __name__ == "__main__":  # regenerate the fixture
    from providers.railway.client import RailwayClient
    from providers.railway.pull import Puller, PullSettings

    acct = incident_account()
    with EmulatorServer(acct) as srv:
        raw = Puller(RailwayClient(srv.url, acct.token), PullSettings()).run("account")
    doc = {
        "_comment": "Raw pull of providers.railway.emulator.incident_account() (no secret values: the pull reads "
        "names only). Regenerate: see tests/test_railway_translate.py.",
        "token": raw.token,
        "user": raw.user,
        "api_tokens": raw.api_tokens,
        "workspaces": raw.workspaces,
    }
    FIXTURE.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------- fuzz: nullable = unknown
#: Nullable fields per containing list (schema.graphql), plus what the pull leaves None when a
#: batch item was not fetched (backups, schedules, tokens: the pull records a gap for those).
NULLABLE = {
    "backups": {"name", "expiresAt", "scheduleId", "usedMB", "referencedMB", "creatorId"},
    "schedules": {"retentionSeconds"},
    "volumeInstances": {"serviceId", "state", "region", "deletedAt", "backups", "schedules"},
    "serviceInstances": {"source", "region", "image", "repo"},
    "variables": {"serviceId", "environmentId"},
    "projects": {"workspaceId", "tokens"},
    "api_tokens": {"expiresAt", "workspaceId"},
    "user": {"name"},
    "workspaces": {"role"},  # a role that could not be read: assumed able to delete
    "environments": {"canAccess"},
}


def _nullable(path) -> bool:
    container = next((k for k in reversed(path[:-1]) if isinstance(k, str) and k in NULLABLE), None)
    if path[-1] in ("image", "repo") and "source" not in path:
        return False
    return container is not None and path[-1] in NULLABLE[container]


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_unreported_field_is_unknown_not_a_crash(data):
    """Nulling any nullable field (what the API does when it does not know) still gives a valid
    graph: the attribute is absent, never guessed, and the snapshot round trip accepts it."""
    raw = load_fixture()
    paths = [p for p in _paths(raw) if p and isinstance(p[-1], str) and _nullable(p)]
    chosen = data.draw(st.lists(st.sampled_from(paths), max_size=8, unique=True))
    for path in sorted(chosen, key=len, reverse=True):  # children first: a nulled parent has none
        node = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = None
    resources = translate(raw)
    parse_resources([resource_to_dict(r) for r in resources], "snapshot.json")
    assert not any(v is None for r in resources for v in r.attrs.values())
