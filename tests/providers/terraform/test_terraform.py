"""Terraform plans and state: translation (pure), the bundled sample plans, and a real
`terraform show -json` output."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.core.policy import Policy
from auditor.engine.audit import audit
from providers.terraform import source_from_document
from providers.terraform.document import parse_document, redact, unknown_to_none
from tests.conftest import ROOT, SAMPLES, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "terraform"
TF = SAMPLES / "terraform"
AWS = "registry.terraform.io/hashicorp/aws"


def state(*resources: dict, child_modules: list | None = None) -> dict:
    root = {"resources": list(resources)}
    if child_modules:
        root["child_modules"] = child_modules
    return {"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": root}}


def r(address: str, values: dict, provider: str = AWS, sensitive: dict | None = None) -> dict:
    rtype, name = address.split(".")[-2:]
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": provider,
        "values": values,
        "sensitive_values": sensitive or {},
    }


def findings(document: dict) -> set[tuple[str, str, str]]:
    result = audit([source_from_document(document, "t.json")], Policy())
    return {(f.check_id, f.resource_id, f.severity) for f in result.findings}


# ------------------------------------------------------------------------- document reading
def test_sensitive_and_unknown_values_become_none() -> None:
    assert redact({"a": 1, "b": {"c": "x", "d": [1, 2]}}, {"b": {"c": True, "d": [False, True]}}) == {
        "a": 1,
        "b": {"c": None, "d": [1, None]},
    }
    assert unknown_to_none({"id": None, "x": 1}, {"id": True, "tags": {"k": True}}) == {
        "id": None,
        "x": 1,
        "tags": {"k": None},
    }


def test_real_terraform_plan_loads_with_child_modules_and_planned_actions() -> None:
    doc = json.loads((FIXTURES / "real-terraform-data.plan.json").read_text())
    source = source_from_document(doc, "real.plan.json")
    assert {r.id for r in source.resources} == {"tf:terraform_data.volume", "tf:module.prod.terraform_data.database"}
    assert all(r.kind == "generic" for r in source.resources)
    assert source.meta["unmapped_types"] == {"terraform_data": 2} and source.meta["changes"]["delete"] == 1
    assert {r.id for r in source.plan.prior} == {
        "tf:terraform_data.volume",
        "tf:terraform_data.scratch",
        "tf:module.prod.terraform_data.database",
    }
    assert {c.address: c.actions for c in source.plan.changes}["terraform_data.volume"] == ("delete", "create")


def test_real_state_loads_and_its_sensitive_value_never_reaches_any_output(tmp_path) -> None:
    secret = "s3cr3t-never-in-reports"
    for name in ("real-terraform-data.plan.json", "real-terraform-data.state.json"):
        path = FIXTURES / name
        assert secret in path.read_text()  # terraform show -json prints it in clear
        for fmt in ("text", "json", "sarif", "junit", "markdown"):
            out = run_cli("scan", str(path), "--format", fmt, "-v")
            assert out.returncode == 0, out.stderr
            assert secret not in out.stdout + out.stderr
        snap = tmp_path / "snap.json"
        assert run_cli("pull", str(path), "-o", str(snap)).returncode == 0
        assert secret not in snap.read_text()
    gate = run_cli("gate", str(FIXTURES / "real-terraform-data.plan.json"), "--format", "json")
    assert gate.returncode == 0 and secret not in gate.stdout + gate.stderr


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=6),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "format_version",
                        "values",
                        "root_module",
                        "resources",
                        "address",
                        "type",
                        "values",
                        "planned_values",
                        "resource_changes",
                        "change",
                        "actions",
                        "prior_state",
                        "child_modules",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=15,
    )
)
def test_terraform_loader_raises_only_input_errors(document) -> None:
    if isinstance(document, dict):
        document.setdefault("format_version", "1.2")
    try:
        source_from_document(document, "fuzz.json")
    except InputError as exc:
        assert str(exc).startswith("fuzz.json")


def test_other_format_versions_are_refused() -> None:
    with pytest.raises(InputError, match="unsupported format_version '2.0'"):
        parse_document({"format_version": "2.0", "values": {}}, "x.json")


# ---------------------------------------------------------------------------- AWS mapping
DB = {
    "identifier": "orders-prod",
    "engine": "postgres",
    "backup_retention_period": 7,
    "deletion_protection": True,
    "arn": "arn:aws:rds:eu-west-1:111111111111:db:orders-prod",
    "password": "p",
    "tags": {"env": "production"},
}


def test_rds_automated_backups_alone_die_with_the_instance() -> None:
    got = findings(state(r("aws_db_instance.orders", DB, sensitive={"password": True})))
    assert ("backup-colocated", "tf:aws_db_instance.orders", "critical") in got


def test_keeping_automated_backups_and_a_snapshot_moves_the_blast_to_the_account() -> None:
    snap = r(
        "aws_db_snapshot.s",
        {
            "db_instance_identifier": "orders-prod",
            "db_snapshot_identifier": "s1",
            "db_snapshot_arn": "arn:aws:rds:eu-west-1:111111111111:snapshot:s1",
        },
    )
    got = findings(state(r("aws_db_instance.orders", DB), snap))
    assert ("backup-colocated", "tf:aws_db_instance.orders", "medium") in got


def test_backup_plan_copy_to_another_account_is_clean_and_same_account_copy_is_not() -> None:
    def with_copy(account: str) -> dict:
        plan = r(
            "aws_backup_plan.p",
            {
                "id": "p1",
                "rule": [
                    {
                        "rule_name": "daily",
                        "target_vault_name": "main",
                        "copy_action": [
                            {"destination_vault_arn": f"arn:aws:backup:eu-central-1:{account}:backup-vault:dr"}
                        ],
                    }
                ],
            },
        )
        vault = r(
            "aws_backup_vault.main", {"name": "main", "arn": "arn:aws:backup:eu-west-1:111111111111:backup-vault:main"}
        )
        sel = r("aws_backup_selection.s", {"plan_id": "p1", "resources": [DB["arn"]]})
        return state(r("aws_db_instance.orders", DB), vault, plan, sel)

    assert not [
        f
        for f in findings(with_copy("222222222222"))
        if f[1] == "tf:aws_db_instance.orders" and f[0] == "backup-colocated"
    ]
    assert ("backup-colocated", "tf:aws_db_instance.orders", "medium") in findings(with_copy("111111111111"))


def test_iam_admin_access_key_can_destroy_every_copy() -> None:
    user = r("aws_iam_user.ci", {"name": "ci"})
    attach = r(
        "aws_iam_user_policy_attachment.admin",
        {"user": "ci", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
    )
    key = r(
        "aws_iam_access_key.ci", {"user": "ci", "status": "Active", "secret": "SECRET-KEY"}, sensitive={"secret": True}
    )
    got = findings(state(r("aws_db_instance.orders", DB), user, attach, key))
    assert ("credential-can-destroy-all-copies", "tf:aws_iam_access_key.ci", "critical") in got
    scoped = r(
        "aws_iam_user_policy.read",
        {
            "user": "ci",
            "policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": ["rds:Describe*"], "Resource": "*"}]}),
        },
    )
    assert not [
        f
        for f in findings(state(r("aws_db_instance.orders", DB), user, scoped, key))
        if f[1] == "tf:aws_iam_access_key.ci" and f[0] == "credential-can-destroy-all-copies"
    ]


def test_environment_from_tags_then_module_name_then_resource_name() -> None:
    vol = lambda addr, values: r(addr, {"id": "v", "size": 10, **values})  # noqa: E731
    doc = state(
        vol("aws_ebs_volume.a", {"tags": {"Environment": "staging"}}),
        vol("aws_ebs_volume.c", {"tags": {"Name": "x"}}),
        child_modules=[{"address": "module.prod", "resources": [vol("module.prod.aws_ebs_volume.b", {})]}],
    )
    doc["values"]["root_module"]["resources"].append(r("aws_s3_bucket.d", {"bucket": "assets-dev"}))
    source = source_from_document(doc, "t.json")
    envs = {r.id: r.relations.get("in_environment") for r in source.resources}
    assert envs["tf:aws_ebs_volume.a"] == ("env:staging",)
    assert envs["tf:module.prod.aws_ebs_volume.b"] == ("env:prod",)
    assert envs["tf:aws_s3_bucket.d"] == ("env:dev",)
    assert envs["tf:aws_ebs_volume.c"] is None  # nothing says: no environment (treated as production)


def test_unknown_types_are_kept_counted_and_listed_with_verbose(tmp_path) -> None:
    doc = state(r("aws_lambda_function.f", {"function_name": "f"}), r("aws_lambda_function.g", {"function_name": "g"}))
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    out = run_cli("scan", str(path), "-v", "-q")
    assert out.returncode == 0 and "aws_lambda_function (2)" in out.stderr


# ------------------------------------------------------------------------ GCP and Railway
def test_cloud_sql_backups_are_lost_with_the_instance_unless_retained() -> None:
    sql = {
        "name": "orders",
        "database_version": "POSTGRES_16",
        "project": "shop-prod",
        "deletion_protection": True,
        "settings": [
            {
                "deletion_protection_enabled": True,
                "backup_configuration": [
                    {
                        "enabled": True,
                        "point_in_time_recovery_enabled": True,
                        "backup_retention_settings": [{"retained_backups": 14}],
                    }
                ],
            }
        ],
    }
    res = r("google_sql_database_instance.orders", sql, provider="registry.terraform.io/hashicorp/google")
    assert ("backup-colocated", "tf:google_sql_database_instance.orders", "critical") in findings(state(res))
    kept = r(
        "google_sql_database_instance.orders",
        {**sql, "retain_backups_on_delete": True},
        provider="registry.terraform.io/hashicorp/google",
    )
    assert ("backup-colocated", "tf:google_sql_database_instance.orders", "medium") in findings(state(kept))


def test_railway_terraform_postgres_with_volume_and_no_backups() -> None:
    rw = "registry.terraform.io/terraform-community-providers/railway"
    project = r(
        "railway_project.main",
        {"id": "p1", "name": "shop", "default_environment": {"id": "e1", "name": "production"}},
        provider=rw,
    )
    pg = r(
        "railway_service.postgres",
        {
            "id": "s1",
            "name": "Postgres",
            "project_id": "p1",
            "source_image": "ghcr.io/railwayapp-templates/postgres-ssl:16",
            "volume": {"name": "pg-data", "mount_path": "/var/lib/postgresql/data"},
        },
        provider=rw,
    )
    var = r(
        "railway_variable_collection.ci",
        {"environment_id": "e1", "service_id": "s1", "variables": {"RAILWAY_API_TOKEN": None}},
        provider=rw,
    )
    source = source_from_document(state(project, pg, var), "t.json")
    by_id = {x.id: x for x in source.resources}
    db = by_id["tf:railway_service.postgres#database"]
    assert db.kind == "database" and db.relations["stored_on"] == ("tf:railway_service.postgres#volume",)
    assert by_id["tf:railway_variable_collection.ci#RAILWAY_API_TOKEN"].kind == "credential"
    assert ("backup-missing", db.id, "high") in findings(state(project, pg, var))


# ---------------------------------------------------------------------------- samples + gate
def test_sample_same_account_snapshots_fires() -> None:
    out = run_cli("scan", str(TF / "rds-same-account-snapshots.plan.json"), "--format", "json", "--now", "2026-11-24")
    report = json.loads(out.stdout)
    colocated = [f for f in report["findings"] if f["check_id"] == "backup-colocated"]
    assert colocated and colocated[0]["severity"] == "medium" and "no copy outside it" in colocated[0]["message"]


def test_sample_cross_account_backup_is_clean() -> None:
    out = run_cli("scan", str(TF / "rds-cross-account-backup.plan.json"), "--now", "2026-11-24")
    assert out.returncode == 0 and "0 findings" in out.stdout


def test_gate_fails_when_a_plan_deletes_the_last_copy_and_names_the_data() -> None:
    out = run_cli("gate", str(TF / "delete-last-copy.plan.json"), "--now", "2026-11-24")
    assert out.returncode == 1
    assert "CRITICAL destructive-change" in out.stdout and "destroys the last copy of volume reports-data" in out.stdout


def test_gate_passes_a_tag_only_change_despite_old_findings() -> None:
    plan = str(TF / "tag-only.plan.json")
    assert run_cli("scan", plan, "--now", "2026-11-24", "-q").returncode == 1  # the world has problems…
    out = run_cli("gate", plan, "--now", "2026-11-24")
    assert out.returncode == 0, out.stdout  # …but this change adds none
    assert "0 introduced" in out.stdout and "2 already present, not judged" in out.stdout


def test_gate_refuses_a_state_and_honours_a_baseline(tmp_path) -> None:
    refused = run_cli("gate", str(FIXTURES / "real-terraform-data.state.json"))
    assert refused.returncode == 2 and "not a plan" in refused.stderr
    plan = str(TF / "rds-same-account-snapshots.plan.json")
    assert run_cli("gate", plan, "--fail-on", "medium", "--now", "2026-11-24").returncode == 1
    baseline = tmp_path / "baseline.json"
    made = run_cli("baseline", "create", plan, "-o", str(baseline), "--now", "2026-11-24")
    assert made.returncode == 0 and "1 accepted" in made.stderr
    assert run_cli("baseline", "create", plan, "-o", str(baseline)).returncode == 2  # never overwritten by accident
    out = run_cli("gate", plan, "--fail-on", "medium", "--baseline", str(baseline), "--now", "2026-11-24")
    assert out.returncode == 0 and "1 baselined" in out.stdout


KNOWN_TYPES = [
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_db_snapshot",
    "aws_ebs_volume",
    "aws_ebs_snapshot",
    "aws_instance",
    "aws_volume_attachment",
    "aws_s3_bucket",
    "aws_s3_bucket_replication_configuration",
    "aws_s3_bucket_versioning",
    "aws_backup_vault",
    "aws_backup_plan",
    "aws_backup_selection",
    "aws_iam_access_key",
    "aws_iam_user_policy",
    "aws_iam_user_policy_attachment",
    "google_sql_database_instance",
    "google_compute_disk",
    "google_storage_bucket",
    "google_compute_resource_policy",
    "railway_project",
    "railway_service",
    "railway_variable_collection",
]
FIELD_NAMES = [
    "identifier",
    "backup_retention_period",
    "delete_automated_backups",
    "arn",
    "tags",
    "size",
    "volume_id",
    "instance_id",
    "bucket",
    "rule",
    "plan_id",
    "resources",
    "user",
    "policy",
    "policy_arn",
    "settings",
    "name",
    "project_id",
    "volume",
    "source_image",
    "variables",
    "db_instance_identifier",
    "default_environment",
    "resource_policies",
    "snapshot_schedule_policy",
]
leaf = (
    st.none()
    | st.booleans()
    | st.integers(-5, 40)
    | st.sampled_from(["orders", "*", "arn:aws:rds:eu-west-1:1:db:orders", "{}", "p1"])
)
value = st.recursive(
    leaf,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(FIELD_NAMES + ["status", "destination"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(KNOWN_TYPES), st.dictionaries(st.sampled_from(FIELD_NAMES), value, max_size=5)),
        max_size=6,
    )
)
def test_known_types_with_any_values_give_a_graph_or_one_input_error(items) -> None:
    resources = [r(f"{t}.r{i}", values) for i, (t, values) in enumerate(items)]
    try:
        source_from_document(state(*resources), "fuzz.json")
    except InputError as exc:
        assert str(exc).startswith("fuzz.json") and "\n" not in str(exc)


def test_gate_lists_what_a_change_fixes() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from tfplan import plan_document, rds

    from auditor.uses.gate import gate

    before = rds("billing-prod", "production", deletion_protection=False)
    after = rds("billing-prod", "production", deletion_protection=True)
    result = gate(source_from_document(plan_document([before], [after]), "fix.plan.json"), Policy())
    assert [f.check_id for f in result.fixed] == ["deletion-protection-off"]
    assert result.introduced() == [] and result.verdict("low").failing == ()


def test_iam_role_assumable_from_ci_is_a_credential_exposed_to_ci() -> None:
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {
                    "Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
                },
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/infra:*"}},
            }
        ]
    }
    role = r("aws_iam_role.deploy", {"name": "deploy", "assume_role_policy": json.dumps(trust)})
    admin = r(
        "aws_iam_role_policy_attachment.admin",
        {"role": "deploy", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
    )
    got = findings(state(r("aws_db_instance.orders", DB), role, admin))
    assert ("credential-exposed-outside-scope", "tf:aws_iam_role.deploy", "high") in got
    assert ("credential-can-destroy-all-copies", "tf:aws_iam_role.deploy", "critical") in got
    assert not [f for f in got if f[0] == "credential-no-expiry"]  # role sessions are short-lived
    source = source_from_document(state(r("aws_db_instance.orders", DB), role, admin), "t.json")
    ci = next(x for x in source.resources if x.kind == "principal")
    assert ci.name == "GitHub Actions (acme/infra)" and ci.attrs["type"] == "ci"


def test_instance_profile_role_is_exposed_to_its_instances_only() -> None:
    trust = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    role = r("aws_iam_role.app", {"name": "app", "assume_role_policy": json.dumps(trust)})
    inline = r(
        "aws_iam_role_policy.app",
        {
            "role": "app",
            "policy": json.dumps(
                {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::assets/*"}]}
            ),
        },
    )
    profile = r("aws_iam_instance_profile.app", {"name": "app-profile", "role": "app"})
    vm = r("aws_instance.web", {"id": "i-1", "iam_instance_profile": "app-profile", "tags": {"env": "production"}})
    bucket = r("aws_s3_bucket.assets", {"bucket": "assets", "arn": "arn:aws:s3:::assets"})
    source = source_from_document(state(role, inline, profile, vm, bucket), "t.json")
    cred = next(x for x in source.resources if x.id == "tf:aws_iam_role.app")
    assert cred.relations["exposed_to"] == ("tf:aws_instance.web",)
    assert [(g.target, sorted(g.actions)) for g in cred.grants] == [("tf:aws_s3_bucket.assets", ["read"])]
