"""Every real `terraform show -json` document in ../shared/realworld/terraform (114 files from 49
public repositories; SOURCES.md there says what each is) is read, scanned and, for plans, gated
— each parsed once. Only the negative control (JSON broken by a PowerShell re-encoding) is refused."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from auditor.core.errors import InputError
from auditor.core.policy import Policy
from auditor.engine.audit import audit
from auditor.engine.sources import load_file
from auditor.uses.gate import gate
from tests.conftest import ROOT

CORPUS = ROOT.parent / "shared" / "realworld" / "terraform"
NOW = datetime(2026, 11, 24, tzinfo=UTC)
BROKEN = "Naver-Dunamu-Merge-TF__NSC-infra__tfplans__tfplan.json"
ERRORED = "hashicorp__terraform__internal__command__testdata__show-json__plan-error__output.json"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the real-world corpus is not beside the clone ({CORPUS})")


@dataclass
class Outcome:
    error: str | None = None
    kinds: Counter = field(default_factory=Counter)
    scan: Counter = field(default_factory=Counter)
    scan_findings: list = field(default_factory=list)
    gate_status: str | None = None
    gate: Counter = field(default_factory=Counter)
    complete: bool = True


@pytest.fixture(scope="module")
def corpus() -> dict[str, Outcome]:
    out: dict[str, Outcome] = {}
    policy = Policy()
    for path in sorted(CORPUS.glob("*.json")):
        o = out[path.name] = Outcome()
        try:
            source = load_file(str(path))
        except InputError as exc:
            o.error = str(exc)
            continue
        result = audit([source], policy, now=NOW)
        o.kinds = Counter(r.kind for r in source.resources)
        o.scan = Counter(f.check_id for f in result.findings)
        o.scan_findings = result.findings
        o.complete = source.is_complete
        if source.plan is not None:
            g = gate(source, policy, now=NOW)
            o.gate_status = g.verdict("high").status
            o.gate = Counter(f.check_id for f in g.introduced())
    return out


def test_every_valid_document_is_read(corpus: dict[str, Outcome]) -> None:
    refused = {name: o.error for name, o in corpus.items() if o.error}
    assert list(refused) == [BROKEN], refused
    assert "invalid JSON" in refused[BROKEN]
    assert len(corpus) >= 114


def test_an_errored_plan_is_incomplete(corpus: dict[str, Outcome]) -> None:
    assert not corpus[ERRORED].complete
    assert corpus[ERRORED].gate_status == "incomplete"


@pytest.mark.parametrize(
    "name, status",
    [
        ("gusitde__microsoft-ai-landingzone__destroy-plan.json", "fail"),
        ("derived__Venkat8538__plan__delete-rds.json", "fail"),
        ("derived__Venkat8538__plan__deposed-rds-delete.json", "pass"),
    ],
)
def test_gate_verdicts(corpus: dict[str, Outcome], name: str, status: str) -> None:
    assert corpus[name].gate_status == status


def test_the_azure_destroy_plan_loses_cosmos_db_and_treats_the_key_vault_as_data(corpus: dict[str, Outcome]) -> None:
    o = corpus["gusitde__microsoft-ai-landingzone__destroy-plan.json"]
    assert o.gate["destructive-change"] >= 6
    assert o.gate["delete-not-judged"] > 0


def test_encodings_and_key_order_give_the_same_graph(corpus: dict[str, Outcome]) -> None:
    base = corpus["Venkat8538__AWS_RealEstate__terraform__plan.json"]
    for variant in ("derived__Venkat8538__plan__jq-S-sorted-keys.json", "derived__Venkat8538__plan__utf8-bom.json"):
        assert corpus[variant].kinds == base.kinds
        assert corpus[variant].scan == base.scan


def _credential_targets(o: Outcome) -> list[str]:
    return [f.message for f in o.scan_findings if f.check_id == "credential-can-destroy-all-copies"]


def test_iam_reach_follows_the_actions_service(corpus: dict[str, Outcome]) -> None:
    venkat = _credential_targets(corpus["Venkat8538__AWS_RealEstate__terraform__plan.json"])
    assert venkat and not any("house-price-airflow-db" in m for m in venkat)  # s3:*/sagemaker:* never delete RDS
    necron = _credential_targets(corpus["Necron-99__robert-consulting-public__terraform-plan.json"])
    assert necron and all(" can delete bucket " in m for m in necron)  # s3:* on *, no dynamodb:DeleteTable


def test_name_tokens_do_not_demote_production_data(corpus: dict[str, Outcome]) -> None:
    """`dev*` must not match `devsecops`: the untagged bucket of this plan is judged."""
    assert corpus["HeeSwrd__DevSecOps-Capstone__tfplan.json"].scan["backup-missing"] == 1


def test_gcp_bindings_and_azure_role_assignments_are_grants(corpus: dict[str, Outcome]) -> None:
    sentry = [
        f
        for f in corpus["getsentry__sentry-watchdog__tf-plan.json"].scan_findings
        if f.check_id == "credential-can-destroy-all-copies"
    ]
    assert sentry and all(f.resource_id.startswith("gcp:service-account:") for f in sentry)  # roles/storage.admin
    azure = corpus["gusitde__microsoft-ai-landingzone__plan@4290c51e.json"].scan_findings
    assert any(f.resource_id.startswith("azure:principal:") for f in azure)


def test_a_raw_tfstate_is_read_and_no_secret_survives(corpus: dict[str, Outcome]) -> None:
    o = corpus["snyk-labs__terraform-goof__terraform.tfstate.json"]
    assert o.error is None and o.kinds["database"] >= 1
    path = CORPUS / "snyk-labs__terraform-goof__terraform.tfstate.json"
    secrets = [
        inst["attributes"][key]
        for res in json.loads(path.read_text())["resources"]
        for inst in res["instances"]
        for key in ("password", "value", "secret")
        if isinstance(inst["attributes"].get(key), str) and len(inst["attributes"][key]) >= 6
    ]
    assert secrets  # the state holds them in clear
    text = repr([(r.name, r.attrs) for r in load_file(str(path)).resources])
    assert not [s for s in secrets if s in text]


#: what each data-holding document must give (scan findings by check, `scan --now 2026-11-24`); a
#: change here is a change in what users see on real plans — review it against SOURCES.md
EXPECTED_SCAN: dict[str, dict[str, int]] = {
    "AlexanderWiechert__open-costcalculator__plan__terraform-sf2l.plan.json": {},
    "Andr1yK__aws_devops_task_6_deploy_storage__tfplan.json": {"backup-missing": 1},
    "Awannaphasch2016__dr-daily-report__terraform__tfplan.json": {},
    "AzinBehdarvand__terraform-opa-gcp__tfplan.json": {},
    "Ekra97__End-to-End-DevOps-AWS-Nodejs-Postgres__terraform__plan.json": {"backup-missing": 1},
    "GoogleCloudPlatform__terraform-google-conversion__pkg__tfplan2cai__resolvers__compute_disk_nestedId.tfplan.json": {},  # noqa: E501
    "GoogleCloudPlatform__terraform-validator__test__read_planned_assets__tf1_0plan.allcoverage.json": {
        "backup-missing": 2,
        "deletion-protection-off": 2,
    },
    "GoogleCloudPlatform__terraform-validator__testdata__templates__example_compute_snapshot.tfplan.json": {
        "backup-colocated": 1,
        "backup-stale": 1,
        "deletion-protection-off": 1,
    },
    "GoogleCloudPlatform__terraform-validator__testdata__templates__full_sql_database_instance.tfplan.json": {
        "backup-colocated": 1,
        "backup-stale": 1,
        "deletion-protection-off": 1,
    },
    "GoogleCloudPlatform__terraform-validator__testdata__templates__full_storage_bucket.tfplan.json": {
        "backup-missing": 1
    },
    "Halimer__opa-oci-cis-benchmark-rules__tfplan.json": {"backup-missing": 2},
    "Halimer__opa-oci-cis-benchmark-rules__tfplan_large.json": {"backup-missing": 1},
    "HeeSwrd__DevSecOps-Capstone__tfplan.json": {"backup-missing": 1},
    "Necron-99__robert-consulting-public__terraform-plan.json": {
        "backup-missing": 15,
        "credential-can-destroy-all-copies": 10,
        "credential-spans-environments": 1,
        "deletion-protection-off": 6,
    },
    "SCA2019__terraform__plan-output.json": {"backup-missing": 1},
    "Sumitcl7__nexora__terraform-plan.json": {"backup-missing": 3, "deletion-protection-off": 2},
    "UmeshIghe__terraform-gcp-vertex_ai_dataset__tfplan.json": {"backup-missing": 1},
    "Venkat8538__AWS_RealEstate__terraform__plan.json": {
        "backup-missing": 2,
        "credential-can-destroy-all-copies": 1,
        "credential-spans-environments": 3,
        "deletion-protection-off": 1,
    },
    "aquasecurity__trivy__pkg__iac__scanners__terraformplan__tfjson__testdata__arbitrary_name.json": {},
    "aquasecurity__trivy__pkg__iac__scanners__terraformplan__tfjson__testdata__module_call.json": {},
    "aquasecurity__trivy__pkg__iac__scanners__terraformplan__tfjson__testdata__plan.json": {},
    "arunim2405__template-tf-aws-s3-demo-website__tf_plan.json": {"backup-missing": 1},
    "bridgecrewio__checkov__tests__terraform__parser__resources__plan_encodings__tfplan_win_utf16.json": {
        "backup-missing": 1
    },
    "bridgecrewio__checkov__tests__terraform__parser__resources__plan_encodings__tfplan_win_utf8.json": {
        "backup-missing": 1
    },
    "bridgecrewio__checkov__tests__terraform__parser__resources__plan_tags_variety__tfplan.json": {},
    "bridgecrewio__checkov__tests__terraform__runner__resources__plan__tfplan.json": {
        "backup-colocated": 2,
        "backup-missing": 9,
        "backup-retention-short": 1,
        "backup-stale": 1,
        "credential-can-destroy-all-copies": 7,
        "credential-no-expiry": 1,
        "deletion-protection-off": 2,
        "environment-unclassified": 1,
    },
    "bridgecrewio__checkov__tests__terraform__runner__resources__plan_nested_child_modules_with_connections__tfplan.json": {  # noqa: E501
        "backup-missing": 1
    },
    "bridgecrewio__checkov__tests__terraform__runner__resources__plan_with_iam_data_block__tfplan.json": {},
    "cloudstruct__rocketpool-deploy__terraform__plan.json": {"backup-missing": 3},
    "derived__Venkat8538__plan__delete-rds.json": {
        "backup-missing": 1,
        "credential-can-destroy-all-copies": 1,
        "credential-spans-environments": 3,
    },
    "derived__Venkat8538__plan__deposed-rds-delete.json": {
        "backup-missing": 2,
        "credential-can-destroy-all-copies": 1,
        "credential-spans-environments": 3,
        "deletion-protection-off": 1,
    },
    "derived__Venkat8538__plan__jq-S-sorted-keys.json": {
        "backup-missing": 2,
        "credential-can-destroy-all-copies": 1,
        "credential-spans-environments": 3,
        "deletion-protection-off": 1,
    },
    "derived__Venkat8538__plan__utf8-bom.json": {
        "backup-missing": 2,
        "credential-can-destroy-all-copies": 1,
        "credential-spans-environments": 3,
        "deletion-protection-off": 1,
    },
    "getsentry__sentry-watchdog__tf-plan.json": {
        "backup-missing": 2,
        "credential-can-destroy-all-copies": 2,
        "credential-spans-environments": 1,
    },
    "gusitde__microsoft-ai-landingzone__artifacts__state_2025-11-03_10-41-34.json": {
        "backup-missing": 5,
        "credential-can-destroy-all-copies": 1,
    },
    "gusitde__microsoft-ai-landingzone__destroy-plan.json": {},
    "gusitde__microsoft-ai-landingzone__plan.json": {"backup-missing": 5},
    "gusitde__microsoft-ai-landingzone__plan@4290c51e.json": {
        "backup-missing": 5,
        "credential-can-destroy-all-copies": 2,
    },
    "hieven__terraform-visual__gh-pages__src__data__examples__aws-s3.json": {},
    "hpuar-r7__AzureDevOpsTest__terraform__plan.json": {
        "backup-colocated": 2,
        "backup-retention-short": 2,
        "deletion-protection-off": 2,
    },
    "hpuar-r7__AzureDevOpsTest__terraform__plan@6617cbac.json": {"backup-missing": 1, "deletion-protection-off": 1},
    "infracost__infracost__cmd__infracost__testdata__breakdown_with_policy_data_upload_plan_json__plan.json": {
        "backup-missing": 1,
        "deletion-protection-off": 1,
    },
    "infracost__infracost__cmd__infracost__testdata__instance_with_attachment_after_deploy.json": {"backup-missing": 1},
    "infracost__infracost__cmd__infracost__testdata__terraform_v0.14_plan.json": {},
    "infracost__infracost__cmd__infracost__testdata__terraform_v0.14_state.json": {},
    "kmkouokam__Refonte-Multi-Cloud-Production-Ready-project__tfstate.json": {
        "backup-missing": 3,
        "credential-can-destroy-all-copies": 1,
        "deletion-protection-off": 2,
    },
    "luhercentti__challenge-sre__infra__tfplan.json": {"backup-missing": 2},
    "merakiki0514__TEAM3-INFRA-FRAME__infra__plan.json": {"backup-missing": 2, "deletion-protection-off": 1},
    "merakiki0514__TEAM3-INFRA-FRAME__infra__tfplan.json": {"backup-missing": 3, "deletion-protection-off": 1},
    "oocx__tfplan2md__examples__comprehensive-demo__plan.json": {
        "backup-missing": 5,
        "deletion-protection-off": 2,
        "environment-unclassified": 1,
    },
    "oocx__tfplan2md__src__tests__Oocx.TfPlan2Md.TUnit__TestData__azurerm-azuredevops-plan.json": {
        "backup-missing": 2,
        "deletion-protection-off": 1,
    },
    "oocx__tfplan2md__src__tests__Oocx.TfPlan2Md.TUnit__TestData__delete-only-plan.json": {},
    "oocx__tfplan2md__src__tests__Oocx.TfPlan2Md.TUnit__TestData__multi-module-plan.json": {"backup-missing": 1},
    "ronjoy-databricks__e2e-mlops-terraform-mfg__terraform__plan.json": {"backup-missing": 1},
    "snyk-labs__iac-scan-examples__tf-plan.json": {"backup-missing": 2},
    "snyk-labs__terraform-goof__terraform.tfstate.json": {},
    "snyk-labs__terraform-goof__tf-plan.json": {},
    "snyk-labs__terraform-goof__tf-plan@9fdfa693.json": {"backup-missing": 1},
    "snyk-labs__terraform-goof__tfplan.json": {"backup-missing": 1},
    "t-benedet__Azure-terraform-ci__terraform__tfplan.json": {"backup-missing": 1},
    "terraform-compliance__cli__tests__functional__noskip_general__plan.out.json": {"backup-colocated": 1},
    "terraform-compliance__cli__tests__functional__test_issue-120__plan.out.json": {
        "backup-colocated": 1,
        "backup-retention-short": 1,
        "deletion-protection-off": 1,
    },
    "terraform-compliance__cli__tests__functional__test_issue-153__plan.out.json": {"backup-missing": 2},
    "terraform-compliance__cli__tests__functional__test_issue-394__plan.out.json": {"backup-missing": 2},
    "terraform-compliance__cli__tests__functional__test_issue_401__plan.out.json": {
        "backup-missing": 1,
        "deletion-protection-off": 1,
    },
    "terraform-compliance__cli__tests__functional__test_regex_on_when__plan.out.json": {},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_SCAN))
def test_expected_findings(corpus: dict[str, Outcome], name: str) -> None:
    assert dict(corpus[name].scan) == EXPECTED_SCAN[name]
