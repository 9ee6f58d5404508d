"""A pull translates each project while the other answers are still on the wire; what it
produces must be exactly what translating the finished pull in one sequence produces: the same
resources in the same order with the same attributes, the same gaps, the same findings — on
the incident account and on accounts with restricted environments, PITR, projects shared by
invitation, unreadable batch answers and variable fingerprints."""

from __future__ import annotations

import copy

import pytest

from auditor.core.policy import Policy
from auditor.core.source import Source
from auditor.engine.audit import audit
from auditor.io.resources import resource_to_dict
from providers.railway.client import RailwayClient
from providers.railway.emulator import EmulatorServer, generate_account, incident_account
from providers.railway.pull import Puller, PullSettings
from providers.railway.translate import ProjectsAsTheyArrive, translate, translate_in_one_sequence
from tests.conftest import NOW


def incident():
    return incident_account(), []


def restricted_pitr_shared():
    acct = incident_account()
    acct.enable_pitr("pocketos", "production", "Postgres")
    acct.restrict_environment("pocketos", "staging")
    acct.share_project("Friends", "their-app")
    return acct, []


def unreadable_batch_items():
    # every other item of every batch comes back null with an error: half the backups are unread
    return generate_account(5, projects=6, environments=3, volumes=3, backups=2), [{"kind": "field_error"}]


def many_projects():
    return generate_account(7, workspaces=2, projects=4, environments=2, volumes=2, backups=3), []


SCENARIOS = {
    "incident": incident,
    "restricted-pitr-shared": restricted_pitr_shared,
    "unreadable-batch-items": unreadable_batch_items,
    "many-projects": many_projects,
}


def raw_of(pulled) -> dict:
    return {
        "token": pulled.token,
        "user": pulled.user,
        "api_tokens": pulled.api_tokens,
        "workspaces": pulled.workspaces,
    }


def pulled_raw(acct) -> dict:
    """The raw answers of one plain pull of `acct` from the emulator, before translation."""
    with EmulatorServer(acct) as srv:
        client = RailwayClient(srv.url, acct.token, token_header="Authorization")
        try:
            return raw_of(Puller(client, PullSettings()).run("account"))
        finally:
            client.close()


def shapes(resources) -> list[dict]:
    """Resources as a snapshot writes them: order of resources and of attributes included."""
    return [resource_to_dict(r) for r in resources]


def pull(srv: EmulatorServer, token: str, *, streaming: bool, key: bytes | None = None, can_delete: bool = False):
    """(resources, gaps, projects translated before the last answer) of one pull. Batches of 7
    items: projects straddle batches, and a volume instance's backups and schedules can travel
    in different requests."""
    client = RailwayClient(srv.url, token, token_header="Authorization")
    translation = ProjectsAsTheyArrive(project_tokens_can_delete=can_delete)
    try:
        puller = Puller(client, PullSettings(fingerprint_key=key), listener=translation if streaming else None)
        puller.batch_fields = 7
        pulled = puller.run("account")
    finally:
        client.close()
    early = len(translation.bodies)
    raw = raw_of(pulled)
    resources = translation.finish(raw) if streaming else translate_in_one_sequence(raw, can_delete)
    return resources, pulled.gaps, early


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("fingerprints", [False, True], ids=["names", "fingerprints"])
def test_streaming_translation_equals_translating_the_finished_pull(scenario, fingerprints):
    acct, faults = SCENARIOS[scenario]()
    key = b"k" * 32 if fingerprints else None
    with EmulatorServer(acct) as srv:
        for fault in faults:
            srv.inject(fault["kind"], operation="AuditBatch")
        streamed, gaps, early = pull(srv, acct.token, streaming=True, key=key)
        reference, reference_gaps, _ = pull(srv, acct.token, streaming=False, key=key)
    projects = sum(len(w.projects) for w in acct.workspaces + acct.external_workspaces)
    assert early == projects, "every project was translated before the pull ended"
    assert shapes(streamed) == shapes(reference)
    assert gaps == reference_gaps
    if faults:
        assert gaps and any("unread" in r.attrs for r in streamed)
    source = Source(origin="railway", provider="railway", resources=streamed, complete=not gaps, gaps=gaps)
    ref = Source(origin="railway", provider="railway", resources=reference, complete=not gaps, gaps=reference_gaps)
    found = [f.fingerprint for f in audit([source], Policy(), now=NOW).findings]
    assert found == [f.fingerprint for f in audit([ref], Policy(), now=NOW).findings]
    assert found, "the scenarios have findings to compare"


def test_the_policy_switch_streams_the_same_as_one_sequence():
    acct = incident_account()
    with EmulatorServer(acct) as srv:
        streamed, _, early = pull(srv, acct.token, streaming=True, can_delete=True)
        reference, _, _ = pull(srv, acct.token, streaming=False, can_delete=True)
    assert early and shapes(streamed) == shapes(reference)


def test_two_projects_sharing_ids_fall_back_to_one_sequence():
    """An answer no real account gives — the same project listed in two workspaces, and a volume
    instance naming another project's volume — must still translate as one sequence would."""
    raw = pulled_raw(generate_account(3, workspaces=2, projects=2, environments=2, volumes=2, backups=1))
    first, second = raw["workspaces"]
    second["projects"].append(copy.deepcopy(first["projects"][0]))
    stray = second["projects"][0]["environments"][0]["volumeInstances"][0]
    stray["volumeId"] = first["projects"][1]["volumes"][0]["id"]
    second["projects"][0]["volumes"] = [v for v in second["projects"][0]["volumes"] if v["id"] != stray["volumeId"]]
    reference = shapes(translate_in_one_sequence(copy.deepcopy(raw), False))
    assert shapes(translate(copy.deepcopy(raw))) == reference
    translation = ProjectsAsTheyArrive()
    for ws in raw["workspaces"]:
        for p in ws["projects"]:
            translation.read(p, ws["id"])
            translation.answered(p, ws["id"])
    assert shapes(translation.finish(raw)) == reference


def test_a_project_of_an_unexpected_shape_fails_as_one_sequence_would():
    raw = pulled_raw(generate_account(4, projects=3))
    broken = raw["workspaces"][0]["projects"][1]
    del broken["environments"][0]["volumeInstances"][0]["volumeId"]
    translation = ProjectsAsTheyArrive()
    for ws in raw["workspaces"]:
        for p in ws["projects"]:
            translation.answered(p, ws["id"])
    assert id(broken) not in translation.bodies
    with pytest.raises(KeyError) as streamed:
        translation.finish(raw)
    with pytest.raises(KeyError) as reference:
        translate_in_one_sequence(raw, False)
    assert str(streamed.value) == str(reference.value)
