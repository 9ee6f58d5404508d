"""The Railway pull's shortcuts give exactly what the careful way gives: the request body
written with a pre-encoded document, batch documents composed on the one-argument path, backups
built in one dict display, and the previous pull's answers kept past its return (never a
secret, and dropped by the next pull)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.cli.live import LiveFlags
from providers import railway
from providers.railway import queries as Q
from providers.railway.client import request_body
from providers.railway.emulator import EmulatorServer, incident_account
from providers.railway.tokens import TOKEN_VARIABLES
from providers.railway.translate import _attrs, _backup_attrs, _backups, _Builder, _service, _variable, _variables
from tests.live import railway_pull

TEXT = st.text(max_size=30)
VARIABLES = st.dictionaries(TEXT, st.none() | TEXT | st.integers(), max_size=6)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.none() | VARIABLES, st.none() | TEXT)
def test_the_request_body_is_json_dumps_byte_for_byte(document: str, variables: Any, operation: Any) -> None:
    expected = json.dumps({"query": document, "variables": variables or {}, "operationName": operation})
    assert request_body(document, variables, operation) == expected
    assert request_body(document, variables, operation) == expected  # the second time from the memo


def reference_batch(items: list[tuple[str, tuple[str | None, ...]]]) -> tuple[str, dict[str, str | None]]:
    """The definition: each distinct (value, required) pair gets the next variable a<n>, in order
    of first use; the document is the one its shape names."""
    variables: dict[str, str | None] = {}
    slots: dict[tuple[str | None, bool], str] = {}
    shape = []
    for kind, values in items:
        refs = []
        for value, arg in zip(values, Q.BATCH_KINDS[kind][1], strict=False):
            key = (value, not (kind == "values" and arg == "serviceId"))
            if key not in slots:
                slots[key] = f"a{len(slots)}"
                variables[slots[key]] = value
            refs.append(slots[key])
        shape.append((kind, tuple(refs)))
    return Q._batch_document(tuple(shape)), variables


IDS = st.sampled_from(["v1", "v2", "p1", "e1", "s1", ""])
ITEMS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["backups", "schedules", "tokens"]), st.tuples(IDS)),
        st.tuples(st.just("values"), st.tuples(IDS, IDS, st.none() | IDS)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(ITEMS)
def test_batch_documents_and_variables_follow_the_definition(items: list) -> None:
    assert Q.batch_query(items) == reference_batch(items)


def test_a_batch_larger_than_the_variable_names_written_ahead_still_names_them_in_order() -> None:
    items = [("backups", (f"v{i}",)) for i in range(2 * Q.BATCH_FIELDS + 3)]
    assert Q.batch_query(items) == reference_batch(items)


BASE = datetime(2026, 8, 1, tzinfo=UTC)
TIMES = st.one_of(
    st.integers(0, 400).map(lambda h: (BASE + timedelta(hours=h)).isoformat().replace("+00:00", "Z")),
    st.integers(0, 400).map(lambda h: (BASE + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%S")),  # no zone
    st.just("2026-08-01T12:00:00+02:00"),
    st.sampled_from(["", "not a time", "2026-13-45"]),
    st.none(),
    st.integers(0, 10),
)
SCHEDULES = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.sampled_from(["s1", "s2", ""]),
            "kind": st.sampled_from(["DAILY", "WEEKLY", "", None]),
            "retentionSeconds": st.sampled_from([None, 0, 86400 * 6, 3600]),
        }
    ),
    max_size=3,
)
BACKUPS = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.uuids().map(str),
            "name": st.sampled_from(["backup-1", "", None]),
            "createdAt": TIMES,
            "expiresAt": TIMES,
            "scheduleId": st.sampled_from([None, "s1", "s2", "", "gone"]),
            "usedMB": st.sampled_from([None, 0, 236]),
        }
    ),
    max_size=6,
    unique_by=lambda b: b["id"],
)


@settings(max_examples=200, deadline=None)
@given(BACKUPS, st.none() | SCHEDULES)
def test_backups_built_in_one_display_equal_the_careful_way(backups: list, schedules: Any) -> None:
    out: dict = {}
    _backups(out, backups, schedules, "railway:volume-instance:v", "railway:database:d")
    schedule_by_id = {s["id"]: s for s in schedules or []}
    assert list(out) == [f"railway:backup:{b['id']}" for b in backups]
    for bk, res in zip(backups, out.values(), strict=True):
        careful = _backup_attrs(bk, schedule_by_id.get(bk["scheduleId"] or ""))
        assert list(res.attrs.items()) == list(careful.items())  # same values, same order
        assert res.name == (bk["name"] or bk["id"])
        assert res.relations == {"stored_on": ("railway:volume-instance:v",), "backup_of": ("railway:database:d",)}


def test_the_previous_pull_is_kept_without_a_secret_and_dropped_by_the_next(monkeypatch) -> None:
    acct = incident_account()
    with EmulatorServer(acct) as srv:
        monkeypatch.setenv("RAILWAY_API_TOKEN", acct.token)
        first = railway_pull(LiveFlags(endpoint=srv.url))
        kept = list(railway._retired)
        assert kept and first.complete
        text = repr(kept)
        assert not [s for s in acct.secrets() if s in text], "a secret outlived the pull"
        second = railway_pull(LiveFlags(endpoint=srv.url))
    assert [r.id for r in second.resources] == [r.id for r in first.resources]
    assert len(railway._retired) == 1 and railway._retired[0] is not kept[0]


def resource_fields(out: dict) -> list[tuple]:
    """Everything a Resource holds, attribute and relation order included."""
    return [
        (r.id, r.kind, r.name, r.provider, list(r.attrs.items()), list(r.relations.items()), r.grants)
        for r in out.values()
    ]


def builder_with_services() -> _Builder:
    """A project's builder (its workspace outside it) that already holds one service, as
    variables and service instances are translated after the environment's services."""
    b = _Builder(False, frozenset({"railway:workspace:w"}))
    b.add("railway:service:s1:e", "service", "s1")
    b.add("railway:environment:e", "environment", "e")
    return b


VARIABLES_IN_ENV = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.uuids().map(str),
            "name": st.sampled_from(["DATABASE_URL", "RAILWAY_TOKEN", "RAILWAY_API_TOKEN", "", None]),
            "isSealed": st.sampled_from([None, True, False]),
            "serviceId": st.sampled_from([None, "", "s1", "gone"]),
        }
    ),
    max_size=6,
)
FINGERPRINTS = st.none() | st.dictionaries(
    st.sampled_from(["", "s1", "gone"]),
    st.none() | st.dictionaries(st.sampled_from(["DATABASE_URL", "RAILWAY_TOKEN", "x"]), st.just("hmac-sha256:f")),
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(VARIABLES_IN_ENV, FINGERPRINTS, st.booleans())
def test_plain_secret_variables_built_directly_equal_the_careful_way(
    variables: list, fingerprints: Any, assume_project_tokens_delete: bool
) -> None:
    env: dict[str, Any] = {"id": "e", "variables": variables, "volumeInstances": [{"volumeId": "v"}]}
    if fingerprints is not None:
        env["fingerprints"] = fingerprints
    project = {"id": "p", "environments": [env]}
    fast, careful = builder_with_services(), builder_with_services()
    fast.assume_volumes = careful.assume_volumes = assume_project_tokens_delete
    _variables(fast, project, env, "railway:environment:e", "production", "railway:workspace:w")
    # the definition: every variable the careful way, as before the shortcut
    for var in variables:
        name = var.get("name") or var["id"]
        svc = var.get("serviceId")
        target = f"railway:service:{svc}:e" if svc else "railway:environment:e"
        if svc and not careful.has(target):
            target = "railway:environment:e"
        fp = None
        if fingerprints is not None and not var.get("isSealed"):
            fp = (fingerprints.get(svc or "") or {}).get(name)
        kind = TOKEN_VARIABLES.get(name)
        _variable(careful, project, env, "railway:workspace:w", var, name, kind, fp, target, f"{name} (production)")
    assert resource_fields(fast.out) == resource_fields(careful.out)
    assert fast.misses == careful.misses


SERVICE_INSTANCES = st.fixed_dictionaries(
    {
        "serviceId": st.sampled_from(["s1", "s2"]),
        "serviceName": st.sampled_from(["api", "", None]),
        "region": st.sampled_from(["us-west2", None]),
        "source": st.none()
        | st.fixed_dictionaries(
            {"image": st.sampled_from(["postgres:16", None]), "repo": st.sampled_from(["o/r", None])}
        ),
    }
)
MOUNTS = st.dictionaries(
    st.sampled_from(["s1", "s2"]),
    st.lists(st.sampled_from(["railway:volume-instance:v", "railway:database:d", ""]), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(SERVICE_INSTANCES, MOUNTS)
def test_service_instances_built_directly_equal_the_careful_way(si: dict, mounts: dict) -> None:
    fast, careful = _Builder(False), _Builder(False)
    _service(fast, si, "e", "railway:environment:e", "production", mounts)
    source = si.get("source") or {}
    careful.add(
        f"railway:service:{si['serviceId']}:e",
        "service",
        f"{si.get('serviceName') or si['serviceId']} (production)",
        _attrs(image=source.get("image"), repo=source.get("repo"), region=si.get("region"), service_id=si["serviceId"]),
        parent="railway:environment:e",
        attached_to=mounts.get(si["serviceId"]),
    )
    assert resource_fields(fast.out) == resource_fields(careful.out)
