"""Where a Terraform resource lives: account, region and environment.

Account and region come from ARNs (`arn:partition:service:region:account:…`), `owner_id`,
GCP `project`, then the provider configuration; a resource whose account cannot be told is
placed in the document's most common account (fail safe: a copy is never assumed to be
somewhere else). Environments come from tags/labels (`env`, `environment`, `stage`, `tier`),
then module names, then name tokens — each only when it looks like an environment name
(the default tier patterns of SPEC §8), so `module.network` does not become an environment.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from auditor.core.policy import DEFAULT_ENVIRONMENT_PATTERNS, Policy
from providers.terraform.document import TfResource

ENV_KEYS = ("env", "environment", "stage", "tier")
_TOKEN = re.compile(r"[^a-z0-9]+")
_DEFAULT_POLICY = Policy(environment_patterns=dict(DEFAULT_ENVIRONMENT_PATTERNS))


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: Any) -> Arn | None:
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    if len(parts) < 6:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def provider_family(res: TfResource) -> str:
    if res.type.startswith("aws_"):
        return "aws"
    if res.type.startswith("google_"):
        return "gcp"
    if res.type.startswith("railway_"):
        return "railway"
    return "other"


def _constant(expressions: Any, key: str) -> Any:
    expr = expressions.get(key) if isinstance(expressions, dict) else None
    if isinstance(expr, dict):
        return expr.get("constant_value")
    if isinstance(expr, list) and expr and isinstance(expr[0], dict):  # nested block, e.g. assume_role
        return expr[0]
    return None


#: whole words a `stem*` pattern stands for besides the stem itself and stem + digits
TIER_WORDS = frozenset(
    {
        "dev",
        "development",
        "test",
        "testing",
        "stage",
        "staging",
        "prod",
        "production",
        "preview",
        "preprod",
        "live",
        "uat",
    }
)
_CASE_CHANGE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def name_tokens(name: str) -> list[str]:
    """`my-devsecops_bucket`, `prodDB`, `team/dev2.eu` → whole tokens (split on - _ . / and case changes)."""
    return [t for t in _TOKEN.split(_CASE_CHANGE.sub("-", name).lower()) if t]


#: the default patterns as one regular expression, one group per pattern in the policy's order:
#: the first group that matches is the pattern `Policy.tier_from_name` returns (each group is
#: anchored at the end, as fnmatch's are, so alternation tries them in order)
def _one_expression(patterns: list[str]) -> tuple[re.Pattern[str], dict[int, str]]:
    group, groups, parts = 1, {}, []
    for pattern in patterns:
        translated = fnmatch.translate(pattern.lower())
        parts.append(f"({translated})")
        groups[group] = pattern
        group += 1 + re.compile(translated).groups  # groups fnmatch itself writes come after ours
    return re.compile("|".join(parts)), groups


_DEFAULT_TIERS, _DEFAULT_GROUPS = _one_expression(
    [p for patterns in _DEFAULT_POLICY.environment_patterns.values() for p in patterns]
)


def default_tier_pattern(token: str) -> str | None:
    """`_DEFAULT_POLICY.tier_from_name(token)[1]`, by one regular expression instead of a call
    to fnmatch per pattern (every name token of every resource is asked)."""
    match = _DEFAULT_TIERS.match(token.lower())
    if match is None:
        return None
    return next(pattern for group, pattern in _DEFAULT_GROUPS.items() if match.start(group) >= 0)


def looks_like_environment(token: str) -> bool:
    """A whole token names an environment: `dev*` matches `dev`, `dev2`, `development`, never
    `devsecops`, `devices` or `developer`."""
    pattern = default_tier_pattern(token)
    if pattern is None:
        return False
    stem = pattern.lower().rstrip("*")
    if not pattern.endswith("*"):
        return True
    rest = token[len(stem) :] if token.startswith(stem) else token
    return token in TIER_WORDS or rest == "" or rest.isdigit() or rest.lstrip("-").isdigit()


def _gather(top: str, expr: Any, out: dict[str, list[str]], name: str, depth: int) -> None:
    """References of one expression; nested blocks count under the top attribute and under the
    leaf attribute's own name (`rule` and `kms_master_key_id`)."""
    if depth > 8:
        return
    if isinstance(expr, dict) and isinstance(expr.get("references"), list):
        refs = [r for r in expr["references"] if isinstance(r, str)]
        out.setdefault(top, []).extend(refs)
        if name != top:
            out.setdefault(name, []).extend(refs)
    elif isinstance(expr, dict):
        for k, e in expr.items():
            _gather(top, e, out, k, depth + 1)
    elif isinstance(expr, list):
        for e in expr:
            _gather(top, e, out, name, depth + 1)


@dataclass
class Context:
    """Per-document facts the family mappings share."""

    default_account: dict[str, str] = field(default_factory=dict)  # family -> account id
    default_region: dict[str, str] = field(default_factory=dict)
    #: root-module configuration: address -> attribute -> referenced addresses, for values
    #: Terraform only knows after apply (a backup selection's plan_id in the same plan)
    references: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: every resource's own `arn`, parsed once per document (asked for its account and region,
    #: in both graphs of a plan)
    _arns: dict[str, Arn | None] = field(default_factory=dict, repr=False, compare=False)

    def own_arn(self, value: Any) -> Arn | None:
        """`parse_arn(value)`, remembered for strings."""
        if type(value) is not str:
            return parse_arn(value)
        try:
            return self._arns[value]
        except KeyError:
            arn = self._arns[value] = parse_arn(value)
            return arn

    @classmethod
    def build(cls, resources: list[TfResource], provider_config: dict[str, Any], root_config: Any = None) -> Context:
        ctx = cls()
        accounts: dict[str, Counter] = {"aws": Counter(), "gcp": Counter()}
        for res in resources:
            fam = provider_family(res)
            acct = ctx.explicit_account(res)
            if acct and fam in accounts:
                accounts[fam][acct] += 1
        if not accounts["aws"]:  # no resource says: any ARN a resource mentions (a role, a vault) names the account
            for res in resources:
                if provider_family(res) == "aws":
                    for value in res.values.values():
                        arn = parse_arn(value)
                        if arn and arn.account and arn.account != "aws":
                            accounts["aws"][arn.account] += 1
                            break
        ctx._collect_references(root_config, "", 0)
        for _key, cfg in provider_config.items():
            if not isinstance(cfg, dict):
                continue
            name, exprs = cfg.get("name"), cfg.get("expressions")
            if name == "aws":
                region = _constant(exprs, "region")
                if isinstance(region, str):
                    ctx.default_region.setdefault("aws", region)
                role = _constant(exprs, "assume_role")
                arn = parse_arn(
                    role.get("role_arn", {}).get("constant_value")
                    if isinstance(role, dict) and isinstance(role.get("role_arn"), dict)
                    else None
                )
                allowed = _constant(exprs, "allowed_account_ids")
                if arn:
                    accounts["aws"][arn.account] += 1
                elif isinstance(allowed, list) and allowed:
                    accounts["aws"][str(allowed[0])] += 1
            elif name == "google":
                project = _constant(exprs, "project")
                if isinstance(project, str):
                    accounts["gcp"][project] += 1
                region = _constant(exprs, "region")
                if isinstance(region, str):
                    ctx.default_region.setdefault("gcp", region)
        for fam, counter in accounts.items():
            if counter:
                ctx.default_account[fam] = counter.most_common(1)[0][0]
        return ctx

    def _collect_references(self, module: Any, path: str, depth: int) -> None:
        """Configuration references of every resource, child modules included, keyed by the
        resource's address without instance keys (`module.a.aws_ebs_snapshot.s`)."""
        if not isinstance(module, dict) or depth > 32:
            return
        for conf in module.get("resources") or []:
            if isinstance(conf, dict) and isinstance(conf.get("address"), str):
                raw_exprs = conf.get("expressions")
                exprs: dict[str, Any] = raw_exprs if isinstance(raw_exprs, dict) else {}
                refs: dict[str, list[str]] = {}
                for k, e in exprs.items():
                    _gather(k, e, refs, k, 0)
                self.references[f"{path}{conf['address']}"] = refs
        calls = module.get("module_calls")
        for name, call in calls.items() if isinstance(calls, dict) else ():
            if isinstance(call, dict):
                self._collect_references(call.get("module"), f"{path}module.{name}.", depth + 1)

    def referenced(self, address: str, attribute: str, prefix: str) -> str | None:
        """The address `attribute` refers to in the configuration, if it starts with `prefix`
        (relative to the resource's module)."""
        config_address = re.sub(r"\[[^\]]*\]", "", address)
        for ref in self.references.get(config_address, {}).get(attribute, []):
            if ref.startswith(prefix):
                parts = ref.split(".")
                return ".".join(parts[:2])
        return None

    def explicit_account(self, res: TfResource) -> str | None:
        v = res.values
        arn = self.own_arn(v.get("arn"))
        if arn and arn.account:
            return arn.account
        if isinstance(v.get("owner_id"), str) and v["owner_id"]:
            return v["owner_id"]
        if res.type.startswith("google_") and isinstance(v.get("project"), str):
            return v["project"]
        return None

    def account(self, res: TfResource) -> str:
        fam = provider_family(res)
        return self.explicit_account(res) or self.default_account.get(fam) or "unknown"

    def region(self, res: TfResource) -> str | None:
        v = res.values
        arn = self.own_arn(v.get("arn"))
        if arn and arn.region:
            return arn.region
        for key in ("region", "location"):
            if isinstance(v.get(key), str):
                return v[key]
        if isinstance(v.get("availability_zone"), str):
            return v["availability_zone"][:-1]
        return self.default_region.get(provider_family(res))

    def environment(self, res: TfResource) -> str | None:
        """The environment name, or None when nothing says it."""
        for attr in ("tags", "labels", "tags_all"):
            tags = res.values.get(attr)
            if isinstance(tags, dict):
                for key, value in tags.items():
                    if key.lower() in ENV_KEYS and isinstance(value, str) and value:
                        return value
        for segment in reversed(res.module.split(".")[1::2] if res.module else []):
            name = segment.split("[")[0]
            for token in reversed(name_tokens(name)):
                if looks_like_environment(token):
                    return token
        # the resource's real name, never its Terraform label (`main`, `this` say nothing)
        for candidate in (res.values.get("identifier"), res.values.get("name"), res.values.get("bucket")):
            if isinstance(candidate, str):
                for token in name_tokens(candidate):
                    if looks_like_environment(token):
                        return token
        return None
