"""The decision table on a Railway snapshot pulled from the emulator: by id, by name, by GraphQL
with literals and with variables, through `sh -c` and `&&` — via the real `blastscope guard`."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.guard.conftest import AGENT_SERVICE, BACKUP_0808, PG_VOLUME, STAGING_ENV, verdict

API = "https://backboard.railway.com/graphql/v2"


def guard_json(snapshot, command: str) -> dict:
    r = run_cli("guard", "--command", command, "--source", str(snapshot), "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_volume_delete_by_provider_native_id_is_denied_with_evidence(railway_snapshot):
    out = guard_json(railway_snapshot, f"railway volume delete --volume {PG_VOLUME} -y")
    assert out["decision"] == "deny"
    assert "database Postgres (production) and all 3 of its backups: no copy survives" in out["reason"]
    [op] = out["operations"]
    assert op["tool"] == "railway" and op["operation"] == "volume delete" and op["target"] == PG_VOLUME
    assert op["resolved"] == [f"railway:volume:{PG_VOLUME}"]
    assert op["decision"] == "deny" and op["blast"]["production_data"]


def test_by_name_through_sh_c_and_and(railway_snapshot):
    v = verdict("cd infra && sh -c 'railway volume delete --volume pg-data --yes'", railway_snapshot)
    assert v.decision == "deny"
    assert v.operations[0].resolved == [f"railway:volume:{PG_VOLUME}"]


@pytest.mark.parametrize(
    "command",
    [
        f"""curl -sf {API} -H "Authorization: Bearer $RAILWAY_API_TOKEN" --json '{{"query":"mutation {{ volumeDelete(volumeId: \\"{PG_VOLUME}\\") }}"}}'""",  # noqa: E501
        f"""curl {API} -d '{{"query":"mutation Del($id: String!) {{ volumeDelete(volumeId: $id) }}","variables":{{"id":"{PG_VOLUME}"}}}}'""",  # noqa: E501
        f"""xh POST {API} query='mutation($v: String!) {{ volumeDelete(volumeId: $v) }}' variables:='{{"v": "{PG_VOLUME}"}}'""",  # noqa: E501
        f"""wget -qO- --post-data='{{"query":"mutation {{ volumeDelete(volumeId: \\"{PG_VOLUME}\\") }}"}}' {API}""",
        f"""railway api 'mutation {{ volumeDelete(volumeId: "{PG_VOLUME}") }}'""",
        f"""bash -c "curl {API} --data-raw '{{\\"query\\":\\"mutation {{ a: serviceDelete(id: \\\\\\"{AGENT_SERVICE}\\\\\\") b: volumeDelete(volumeId: \\\\\\"{PG_VOLUME}\\\\\\") }}\\"}}'" """,  # noqa: E501
    ],
)
def test_graphql_volume_delete_is_denied_however_it_is_sent(railway_snapshot, command):
    v = verdict(command, railway_snapshot)
    assert v.decision == "deny", (command, v.reason)
    assert any(o.operation.operation == "volumeDelete" for o in v.operations)


def test_environment_delete_of_staging_asks(railway_snapshot):
    v = verdict(f"""railway api 'mutation {{ environmentDelete(id: "{STAGING_ENV}") }}'""", railway_snapshot)
    assert v.decision == "ask", v.reason
    assert "database Postgres (staging)," in v.reason and "no copy survives" in v.reason


def test_deleting_a_production_backup_is_denied(railway_snapshot):
    v = verdict(
        f"""railway api 'mutation {{ volumeInstanceBackupDelete(volumeInstanceBackupId: "{BACKUP_0808}", """
        f"""volumeInstanceId: "x") }}'""",
        railway_snapshot,
    )
    assert v.decision == "deny"


def test_an_unknown_id_asks(railway_snapshot):
    v = verdict(
        """railway api 'mutation { volumeDelete(volumeId: "00000000-dead-beef-0000-000000000000") }'""",
        railway_snapshot,
    )
    assert v.decision == "ask"


def test_a_staging_only_service_without_data_is_allowed(railway_snapshot):
    v = verdict(f"""railway api 'mutation {{ serviceDelete(id: "{AGENT_SERVICE}") }}'""", railway_snapshot)
    assert v.decision == "allow", v.reason
