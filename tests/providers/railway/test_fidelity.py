"""Railway as it really is, pulled from the emulator over HTTP: roles decide who can delete, a
restricted environment costs only itself, point-in-time recovery is a copy that survives
volumeDelete, hostile answer shapes make the audit incomplete (never fewer resources marked
complete), and every document the client can send validates against Railway's real schema."""

from __future__ import annotations

import json

import pytest

from auditor.cli.live import LiveFlags
from auditor.core.policy import Policy
from auditor.core.verdict import judge
from auditor.engine.audit import audit
from providers.railway.emulator import EmulatorServer, generate_account, incident_account
from tests.conftest import NOW, ROOT, run_cli
from tests.live import railway_pull

REAL_SCHEMA = ROOT.parent / "shared" / "railway-real-schema.graphql"
LEAKED = "railway:api-token:6c1f0a52-0000-4000-8000-0000000000a2"
PROD_DB = "railway:database:6c1f0a52-0000-4000-8000-000000000020:6c1f0a52-0000-4000-8000-000000000010"


def pull(srv, acct, monkeypatch, **tuning):
    monkeypatch.setenv("RAILWAY_API_TOKEN", acct.token)
    monkeypatch.delenv("RAILWAY_TOKEN", raising=False)
    return railway_pull(LiveFlags(endpoint=srv.url, tuning={"backoff": 0.01, "retries": 1, **tuning}))


def findings(source, check_id=None):
    result = audit([source], Policy(), now=NOW)
    return [f for f in result.findings if check_id is None or f.check_id == check_id]


def destroyers(source) -> set[str]:
    return {f.resource_id for f in findings(source, "credential-can-destroy-all-copies")}


# ---------------------------------------------------------------------- roles
def test_a_members_account_token_is_not_reported_as_able_to_delete(monkeypatch):
    acct = incident_account()
    acct.set_role("PocketOS", "MEMBER")
    with EmulatorServer(acct) as srv:
        source = pull(srv, acct, monkeypatch)
    assert source.complete, source.gaps
    res = {r.id: r for r in source.resources}
    assert res[LEAKED].get("roles") == ["6c1f0a52-0000-4000-8000-000000000002: MEMBER"]
    assert LEAKED not in destroyers(source)


def test_an_admins_account_token_is(monkeypatch):
    acct = incident_account()
    with EmulatorServer(acct) as srv:
        source = pull(srv, acct, monkeypatch)
    assert LEAKED in destroyers(source)


def test_unreadable_roles_are_assumed_admin_and_said(monkeypatch):
    acct = incident_account()
    acct.set_role("PocketOS", "MEMBER")
    acct.members_hidden = True
    with EmulatorServer(acct) as srv:
        source = pull(srv, acct, monkeypatch)
        names = [r.operation_name for r in srv.requests]
    assert names[:2] == ["Me", "MeWithoutRoles"]
    assert source.meta["token_kind"] == "account"
    assert any("roles could not be read" in a for a in source.meta["assumptions"])
    hits = [f for f in findings(source, "credential-can-destroy-all-copies") if f.resource_id == LEAKED]
    assert hits and "role unknown: assumed able to delete" in hits[0].message


def test_a_project_token_cannot_delete_unless_the_policy_says_so(monkeypatch, tmp_path):
    acct = incident_account()
    with EmulatorServer(acct) as srv:
        token_id = "railway:project-token:6c1f0a52-0000-4000-8000-000000000050"
        assert token_id not in destroyers(pull(srv, acct, monkeypatch))
        # through the command line: the switch lives in .blastscope.yaml
        policy = tmp_path / "policy.yaml"
        policy.write_text("railway:\n  project_tokens_can_delete: true\n")
        env = {"RAILWAY_API_TOKEN": acct.token, "BLASTSCOPE_RAILWAY_BACKOFF": "0.01"}
        out = run_cli(
            "scan", "railway", "--endpoint", srv.url, "--now", "2026-11-25", "-f", "json", "-p", str(policy), env=env
        )
        doc = json.loads(out.stdout)
        hit = {f["resource_id"] for f in doc["findings"] if f["check_id"] == "credential-can-destroy-all-copies"}
        assert token_id in hit
        policy.write_text("railway:\n  project_tokens_can_delete: maybe\n")
        bad = run_cli("scan", "railway", "--endpoint", srv.url, "-p", str(policy), env=env)
        assert bad.returncode == 2 and "railway.project_tokens_can_delete" in bad.stderr


# ---------------------------------------------------------------------- restricted environments
def test_a_restricted_environment_costs_only_itself(monkeypatch):
    acct = generate_account(5, projects=6, environments=2, volumes=1, backups=1)
    acct.set_role(acct.workspaces[0].id, "MEMBER")
    target = acct.workspaces[0].projects[2]
    restricted = acct.restrict_environment(target.id, target.environments[0].id)
    with EmulatorServer(acct) as srv:
        source = pull(srv, acct, monkeypatch)
    assert not source.complete
    assert len(source.gaps) == 1 and restricted.id in source.gaps[0] and "restricted" in source.gaps[0]
    ids = {r.id for r in source.resources}
    # every project is read, and every other environment of the restricted one's project
    assert all(f"railway:project:{p.id}" in ids for p in acct.workspaces[0].projects)
    other = target.environments[1]
    assert f"railway:environment:{other.id}" in ids
    assert any(f"railway:environment:{other.id}" in r.targets("parent") for r in source.resources if r.kind == "volume")
    env = next(r for r in source.resources if r.id == f"railway:environment:{restricted.id}")
    assert env.get("restricted") is True and env.get("unread") == ["services", "volumes", "variables"]
    result = audit([source], Policy(), now=NOW)
    assert judge(result.findings, fail_on="high", complete=result.complete).exit_code == 3


def test_an_admin_reads_the_restricted_environment(monkeypatch):
    acct = generate_account(5, projects=2, environments=2)
    acct.restrict_environment(acct.workspaces[0].projects[0].id, acct.workspaces[0].projects[0].environments[0].id)
    with EmulatorServer(acct) as srv:
        source = pull(srv, acct, monkeypatch)
    assert source.complete, source.gaps


# ---------------------------------------------------------------------- copies outside the volume
def test_pitr_is_a_copy_that_survives_the_volume_while_volume_backups_die(monkeypatch):
    acct = incident_account()
    acct.enable_pitr("pocketos", "production", "Postgres")
    with EmulatorServer(acct) as srv:
        source = pull(srv, acct, monkeypatch)
    assert source.complete, source.gaps
    res = {r.id: r for r in source.resources}
    pitr = [r for r in source.resources if r.kind == "backup" and r.get("continuous")]
    assert len(pitr) == 1 and pitr[0].targets("backup_of") == (PROD_DB,)
    bucket = res[pitr[0].targets("stored_on")[0]]
    assert bucket.kind == "bucket" and bucket.get("deletion_queue_hours") == 52
    colocated = [f for f in findings(source, "backup-colocated") if f.resource_id == PROD_DB]
    assert not [f for f in colocated if f.severity == "critical"]
    # deleting the volume still takes the volume-level backups, and the PITR copy survives
    from auditor.core.blast import analysis
    from auditor.core.topology import Topology
    from auditor.uses.blast_query import blast_report, blast_text

    topo = Topology(source.resources)
    an = analysis(topo, Policy())
    report = blast_report(an, "railway:volume:6c1f0a52-0000-4000-8000-000000000030")
    outcome = next(d for d in report.datasets if d.dataset == PROD_DB)
    assert pitr[0].id in outcome.surviving
    assert {c for c in outcome.destroyed if res[c].kind == "backup"} == {
        r.id for r in source.resources if r.kind == "backup" and not r.get("continuous")
    }
    assert "recoverable from Railway's deletion queue for 48 h" in blast_text(an, report)


def test_pitr_variables_without_a_recognisable_bucket_are_not_counted(monkeypatch):
    acct = incident_account()
    acct.enable_pitr("pocketos", "production", "Postgres")
    acct.project("pocketos").buckets[0].name = "archive"
    with EmulatorServer(acct) as srv:
        source = pull(srv, acct, monkeypatch)
    db = next(r for r in source.resources if r.id == PROD_DB)
    assert db.get("pitr") is True and "point-in-time recovery bucket" in db.get("unread")
    assert any(f.severity == "critical" for f in findings(source, "backup-colocated") if f.resource_id == PROD_DB)


def test_projects_shared_by_invitation_are_audited(monkeypatch):
    acct = incident_account()
    shared = acct.share_project("Someone else", "shared-app")
    with EmulatorServer(acct) as srv:
        source = pull(srv, acct, monkeypatch)
    assert source.complete, source.gaps
    ids = {r.id for r in source.resources}
    assert f"railway:project:{shared.id}" in ids
    assert source.meta["railway"]["requests"] <= source.meta["railway"]["requests_minimum"]


# ---------------------------------------------------------------------- hostile shapes
@pytest.mark.parametrize(
    "operation,path,action,says",
    [
        ("Me", "me.workspaces", "null", "me.workspaces"),
        ("ProjectsPage", "projects.edges", "null", "projects"),
        (
            "ProjectsPage",
            "projects.edges.*.node.environments.edges.*.node.volumeInstances.edges",
            "null",
            "volumeInstances",
        ),
        ("ProjectsPage", "projects.edges", "duplicate", "twice"),
    ],
)
def test_a_malformed_answer_is_a_gap_never_fewer_resources_marked_complete(monkeypatch, operation, path, action, says):
    acct = incident_account()
    with EmulatorServer(acct) as srv:
        srv.inject("mangle", operation=operation, path=path, action=action)
        source = pull(srv, acct, monkeypatch)
    assert not source.complete
    assert any(says in g for g in source.gaps), source.gaps


def test_size_limited_answers_shrink_the_page_and_batch_and_complete(monkeypatch):
    acct = generate_account(3, projects=3, volumes=2, backups=1)
    with EmulatorServer(acct) as srv:
        srv.inject("status", operation="ProjectsPage", times=1, status=413)
        srv.inject("status", operation="AuditBatch", times=1, status=413)
        source = pull(srv, acct, monkeypatch)
    assert source.complete, source.gaps
    stats = source.meta["railway"]
    assert stats["page_size"] == 25 and stats["batch_size"] < 300
    assert len(stats["sizes_halved"]) == 2


# ---------------------------------------------------------------------- the real schema
def _recorded_documents(monkeypatch) -> set[str]:
    docs: set[str] = set()
    acct = incident_account()
    acct.enable_pitr("pocketos", "production", "Postgres")
    acct.share_project("Someone else", "shared-app")
    acct.members_hidden = True
    with EmulatorServer(acct) as srv:
        srv.inject("truncate", page_size=1)
        pull(srv, acct, monkeypatch)
        acct.members_hidden = False
        acct.set_role("PocketOS", "MEMBER")
        acct.restrict_environment("pocketos", "staging")
        srv.clear_faults()
        pull(srv, acct, monkeypatch, fingerprint_secrets=True)
        railway_pull(LiveFlags(endpoint=srv.url, fingerprint_secrets=True, tuning={"backoff": 0.01}))
        docs |= {json.loads(r.body)["query"] for r in srv.requests}
    return docs


def test_every_document_validates_against_railways_real_schema(monkeypatch):
    if not REAL_SCHEMA.is_file():
        pytest.skip(f"Railway's real schema is not beside the clone ({REAL_SCHEMA})")
    from graphql import build_schema, parse, validate

    from providers.railway import queries as Q

    # assume_valid: one of Railway's own deprecations trips graphql-core's schema check
    real = build_schema(REAL_SCHEMA.read_text(encoding="utf-8"), assume_valid=True)
    docs = _recorded_documents(monkeypatch)
    built = [
        Q.ME,
        Q.ME_WITHOUT_ROLES,
        Q.EXTERNAL_WORKSPACES,
        Q.API_TOKENS_PAGE,
        Q.TOKEN_WORKSPACES,
        Q.PROJECT_TOKEN_SCOPE,
        Q.PROJECTS_PAGE_QUERY,
        Q.PROJECTS_OUTLINE_PAGE,
        Q.PROJECT_QUERY,
        Q.PROJECT_OUTLINE_QUERY,
        Q.ENVIRONMENT_QUERY,
        Q.PROJECT_TOKENS_PAGE,
    ]
    built += [Q.follow_up("project", c) for c in Q.PROJECT_CONNECTIONS] + [Q.follow_up("project", "environments", True)]
    built += [Q.follow_up("environment", c) for c in Q.ENV_CONNECTIONS]
    built += [Q.batch_query([(k, ("x", "y", "z")[: len(Q.BATCH_KINDS[k][1])])])[0] for k in Q.BATCH_KINDS]
    names = {"MeWithoutRoles", "ExternalWorkspaces", "ProjectOutline", "EnvironmentBundle", "ProjectsOutlinePage"}
    recorded = {parse(d).definitions[0].name.value for d in docs}
    assert names <= recorded, names - recorded
    for doc in sorted(docs | set(built)):
        errors = validate(real, parse(doc))
        assert not errors, (doc[:120], errors[0].message)


@pytest.mark.parametrize(
    "value,low,high",
    [
        ("30", 29, 31),
        ("{epoch}", 40, 70),
        ("{iso}", 40, 70),
        ("{isoz}", 40, 70),
        ("{http}", 40, 70),
        ("soon", None, None),
    ],
)
def test_every_documented_form_of_x_ratelimit_reset_is_read(value, low, high):
    import email.utils
    import time
    from datetime import UTC, datetime

    from providers.railway.client import _retry_after

    at = time.time() + 60
    dt = datetime.fromtimestamp(at, UTC)
    value = value.format(
        epoch=int(at),
        iso=dt.isoformat(),
        isoz=dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        http=email.utils.format_datetime(dt, usegmt=True),
    )
    wait = _retry_after({"x-ratelimit-reset": value}, time.time())
    assert (wait is None) if low is None else (low <= wait <= high), (value, wait)


def test_the_schema_excerpt_is_the_real_schema_with_the_same_nullability():
    """The client validates against, and the emulator answers within, schema.graphql: every
    type, field, argument and enum value there must exist in Railway's real schema with the same
    type and nullability, so a null the real API may send is a null the emulator can send."""
    if not REAL_SCHEMA.is_file():
        pytest.skip(f"Railway's real schema is not beside the clone ({REAL_SCHEMA})")
    from graphql import GraphQLEnumType, GraphQLObjectType, build_schema

    from providers.railway.client import SCHEMA_PATH

    excerpt = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    real = build_schema(REAL_SCHEMA.read_text(encoding="utf-8"), assume_valid=True)
    problems = []
    for name, kind in excerpt.type_map.items():
        if name.startswith("__"):
            continue
        other = real.type_map.get(name)
        if other is None:
            problems.append(f"no type {name}")
        elif isinstance(kind, GraphQLObjectType):
            for field_name, f in kind.fields.items():
                rf = other.fields.get(field_name)
                if rf is None or str(rf.type) != str(f.type):
                    problems.append(f"{name}.{field_name}: {f.type} vs {rf.type if rf else 'absent'}")
                    continue
                problems += [
                    f"{name}.{field_name}({a})"
                    for a, arg in f.args.items()
                    if a not in rf.args or str(rf.args[a].type) != str(arg.type)
                ]
        elif isinstance(kind, GraphQLEnumType) and set(kind.values) != set(other.values):
            problems.append(f"enum {name}")
    assert not problems, problems


def test_backups_that_could_not_be_read_are_marked_unread_on_the_data(monkeypatch):
    acct = incident_account()
    with EmulatorServer(acct) as srv:
        srv.inject("graphql_error", operation="AuditBatch")
        source = pull(srv, acct, monkeypatch)
    assert not source.complete
    res = {r.id: r for r in source.resources}
    assert "backups" in res[PROD_DB].get("unread")
    assert res["railway:volume-instance:6c1f0a52-0000-4000-8000-000000000031"].get("unread") == [
        "backups",
        "backup schedules",
    ]
    assert not [r for r in source.resources if r.kind == "backup"]
