"""Every row of the decision table on the incident sample, and the lookalikes that must pass."""

from __future__ import annotations

import pytest

from tests.guard.conftest import verdict


# ---------------------------------------------------------------------------- deny
@pytest.mark.parametrize(
    "command",
    [
        "railway volume delete --volume pg-data -y",
        "railway volume rm pg-data",
        "cd /srv/app && RAILWAY_TOKEN=x railway volume delete --volume=pg-data",
        "sh -c 'railway volume delete --volume pg-data'",
        'bash -lc "sudo -E env A=1 railway volume delete --volume pg-data --yes"',
        "railway environment delete production",
        "railway delete -p pocketos -y",
    ],
)
def test_destroying_production_data_is_denied(incident_file, command):
    v = verdict(command, incident_file)
    assert v.decision == "deny", v.reason
    assert "pocketos-db (production)" in v.reason


def test_the_reason_names_the_data_and_its_copies(incident_file):
    v = verdict("railway volume delete --volume pg-data", incident_file)
    assert v.reason == (
        "volume delete on pg-data destroys database pocketos-db (production) and all 3 of its backups: "
        "no copy survives."
    )
    op = v.operations[0]
    assert op.resolved == ["pg-data"]
    assert op.blast["production_data"] == ["pocketos-db"] and "pocketos-db" in op.blast["lost"]


def test_deleting_one_backup_of_production_data_is_denied(incident_file):
    v = verdict(
        """railway api 'mutation { volumeInstanceBackupDelete(volumeInstanceBackupId: "backup-0815", """
        """volumeInstanceId: "pg-data-production") { id } }'""",
        incident_file,
    )
    assert v.decision == "deny"
    assert "a copy of database pocketos-db (production)" in v.reason


def test_by_graphql_with_literals_and_with_variables(incident_file, tmp_path):
    literal = verdict(
        """curl -s https://backboard.railway.com/graphql/v2 -H 'Content-Type: application/json' """
        """-d '{"query":"mutation { volumeDelete(volumeId: \\"pg-data\\") }"}'""",
        incident_file,
    )
    assert literal.decision == "deny", literal.reason
    body = tmp_path / "body.json"
    body.write_text(
        '{"query": "mutation Wipe($v: String!) { volumeDelete(volumeId: $v) }", "variables": {"v": "pg-data"}}'
    )
    from auditor.guard.payload import COMMAND, Call
    from auditor.guard.run import GuardSettings, decide

    with_file = decide(
        Call(
            COMMAND,
            "command",
            command="curl -X POST https://backboard.railway.com/graphql/v2 -d @body.json",
            cwd=tmp_path,
        ),
        GuardSettings([str(incident_file)]),
    )
    assert with_file.decision == "deny", with_file.reason


def test_the_strictest_operation_wins(incident_file):
    v = verdict("railway service delete --service api-staging && railway volume delete --volume pg-data", incident_file)
    assert v.decision == "deny"
    assert [o.decision for o in v.operations] == ["allow", "deny"]


# ---------------------------------------------------------------------------- ask
def test_non_production_data_without_a_copy_asks(incident_file):
    v = verdict("railway environment delete staging", incident_file)
    assert v.decision == "ask"
    assert "staging-db (staging), which has no backup or replica: no copy survives" in v.reason


def test_another_production_resource_asks(incident_file):
    v = verdict("railway service delete --service worker", incident_file)
    assert v.decision == "ask"
    assert "production resources service worker" in v.reason


@pytest.mark.parametrize(
    "command, why",
    [
        ("railway volume delete --volume no-such-volume", "'no-such-volume' is not a resource"),
        ("railway volume delete --volume $VOL", "only known when the command runs"),
        ("railway volume delete", "the linked service's volume"),
        ("echo pg-data | xargs railway volume delete --volume", "only known when the command runs"),
    ],
)
def test_an_unresolvable_target_asks(incident_file, command, why):
    v = verdict(command, incident_file)
    assert v.decision == "ask", v.reason
    assert why in v.reason


def test_no_graph_asks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    v = verdict("railway volume delete --volume pg-data")
    assert v.decision == "ask"
    assert "no audited graph" in v.reason


def test_a_stale_graph_asks_where_it_would_allow(incident_file, tmp_path):
    import os
    import shutil
    import time

    old = tmp_path / "inventory.yaml"
    shutil.copyfile(incident_file, old)
    two_days = time.time() - 2 * 86400
    os.utime(old, (two_days, two_days))
    v = verdict("railway service delete --service api-staging", old)
    assert v.decision == "ask"
    assert "older than guard.max_age 24h" in v.reason
    # a policy can allow an older graph
    policy = tmp_path / "policy.yaml"
    policy.write_text("guard: {max_age: 3d}\n")
    assert verdict("railway service delete --service api-staging", old, policy=str(policy)).decision == "allow"
    # and a stale graph never weakens a deny
    assert verdict("railway volume delete --volume pg-data", old).decision == "deny"


# ---------------------------------------------------------------------------- allow
def test_non_production_without_data_loss_is_allowed(incident_file):
    v = verdict("railway service delete --service api-staging", incident_file)
    assert v.decision == "allow", v.reason


@pytest.mark.parametrize(
    "command",
    [
        "echo 'railway volume delete --volume pg-data'",
        "grep -rn volumeDelete src/ | head",
        "git commit -m 'never run: railway volume delete --volume pg-data'",
        "git log --grep='mutation { volumeDelete(volumeId: \"pg-data\") }'",
        "printf '%s\\n' \"railway delete -p pocketos\" > notes.txt",
        "cat README.md; ls -la && pytest -q",
        "railway status && railway logs --service api",
        'curl -s https://backboard.railway.com/graphql/v2 -d \'{"query":"query { me { id } }"}\'',
    ],
)
def test_lookalikes_and_harmless_commands_are_allowed_without_a_graph(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no graph, no policy: nothing destructive must not need one
    v = verdict(command)
    assert v.decision == "allow", v.reason
    assert v.operations == []


# ---------------------------------------------------------------------------- fail closed
def test_an_unreadable_graph_denies(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nresources: [{id: a, kind: nope}]\n")
    v = verdict("railway volume delete --volume pg-data", broken)
    assert v.decision == "deny" and v.failed
    assert "could not judge" in v.reason and "broken.yaml" in v.reason


def test_unknown_tier_counts_as_production(tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text("""version: 1
resources:
  - {id: p, kind: project, name: shop}
  - {id: blue, kind: environment, name: blue, parent: p}
  - {id: vol, kind: volume, name: data, parent: blue}
  - {id: db, kind: database, name: shop-db, stored_on: vol, in_environment: blue}
  - {id: b1, kind: backup, name: nightly, backup_of: db, stored_on: vol}
""")
    v = verdict("railway volume delete --volume data", inv)
    assert v.decision == "deny"
    assert "tier unknown, treated as production" in v.reason
