"""The resource schema, written once: kinds, relations, tiers, actions, and every attribute a
resource may carry with its type, the kinds it applies to and what it means.

Every provider's output is held to this table (inventory files, snapshots, Terraform, live
APIs): an unknown key, an attribute on the wrong kind, a mistyped value or a relation to the
wrong kind of resource is an input error, never silently kept. The inventory reference in
docs/inventory.md is generated from this table (a test keeps it in sync).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    ACCOUNT = "account"
    PROJECT = "project"
    ENVIRONMENT = "environment"
    SERVICE = "service"
    VOLUME = "volume"
    DATABASE = "database"
    BUCKET = "bucket"
    BACKUP = "backup"
    CREDENTIAL = "credential"
    PRINCIPAL = "principal"
    #: a resource a provider translated but does not model yet (kept, counted, listed)
    GENERIC = "generic"


class Rel(StrEnum):
    PARENT = "parent"
    STORED_ON = "stored_on"
    IN_ENVIRONMENT = "in_environment"
    BACKUP_OF = "backup_of"
    REPLICA_OF = "replica_of"
    ATTACHED_TO = "attached_to"
    EXPOSED_TO = "exposed_to"
    ENCRYPTED_WITH = "encrypted_with"
    GRANTS = "grants"


class Tier(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"
    PREVIEW = "preview"
    CI = "ci"
    UNKNOWN = "unknown"


class Action(StrEnum):
    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    ADMIN = "admin"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class LossScope(StrEnum):
    """How deep the smallest delete that loses every copy sits: a data holder (critical), an
    environment or project (high), only the whole account (medium)."""

    HOLDER = "holder"
    SCOPE = "scope"
    ACCOUNT = "account"


class PrincipalType(StrEnum):
    HUMAN = "human"
    CI = "ci"
    AGENT = "agent"
    WORKLOAD = "workload"


ALL = frozenset(k.value for k in Kind)
DATA = frozenset({"volume", "database", "bucket"})
_HOLDERS = ALL - {"credential", "principal"}


@dataclass(frozen=True)
class RelationRule:
    """Which kinds may hold a relation, and which kinds its targets may be."""

    sources: frozenset[str]
    targets: frozenset[str]
    meaning: str


RELATION_RULES: dict[str, RelationRule] = {
    "parent": RelationRule(ALL, _HOLDERS, "deleting the parent deletes this resource (cascade)"),
    "stored_on": RelationRule(
        frozenset({"volume", "database", "bucket", "backup", "service", "generic"}),
        _HOLDERS,
        "deleting the holder destroys this data (a database on a volume, a backup in the same storage)",
    ),
    "in_environment": RelationRule(
        ALL - {"environment", "account"},
        frozenset({"environment"}),
        "the environment this resource serves, when containment does not say it",
    ),
    "backup_of": RelationRule(
        frozenset({"backup", "bucket", "volume", "database", "generic"}),
        frozenset({"database", "volume", "bucket", "generic"}),
        "this is a copy of the dataset (survives what destroys it, unless destroyed too)",
    ),
    "replica_of": RelationRule(
        frozenset({"database", "volume", "bucket", "backup", "generic"}),
        frozenset({"database", "volume", "bucket", "generic"}),
        "this is a live replica of the dataset",
    ),
    "attached_to": RelationRule(
        frozenset({"service", "principal", "generic"}),
        frozenset({"volume", "database", "bucket", "generic"}),
        "this service reads and writes the data",
    ),
    "exposed_to": RelationRule(
        frozenset({"credential"}),
        frozenset({"environment", "service", "principal", "project", "account", "generic"}),
        "who can use this credential: a variable in that environment, a CI secret, an agent",
    ),
    "encrypted_with": RelationRule(
        frozenset({"volume", "database", "bucket", "backup", "generic"}),
        frozenset({"generic"}),
        "the customer-managed key this data is encrypted with: destroying the key (after its deletion window) "
        "leaves every copy encrypted with it unreadable, as if deleted",
    ),
    "grants": RelationRule(
        frozenset({"credential"}), ALL - {"credential"}, "actions this credential allows on the target's whole cascade"
    ),
}


@dataclass(frozen=True)
class Attribute:
    """One optional attribute: its type, the kinds that may carry it (None: any) and meaning.

    Types: `datetime` (ISO-8601, naive taken as UTC), `bool`, `number` (finite, ≥ 0, at most
    `maximum`), `string`, `strings` (a list of strings), `choice` (one of `choices`), `mapping`
    (a flat mapping of strings to strings, numbers or booleans, e.g. tags).
    """

    name: str
    type: str
    meaning: str
    kinds: frozenset[str] | None = None
    choices: tuple[str, ...] = ()
    maximum: float = 1e15


def _a(
    name: str,
    type_: str,
    meaning: str,
    kinds: str | None = None,
    *,
    choices: tuple[str, ...] = (),
    maximum: float = 1e15,
) -> Attribute:
    return Attribute(name, type_, meaning, frozenset(kinds.split()) if kinds else None, choices, maximum)


_TABLE = (
    # identity and placement
    _a("region", "string", "cloud region or data-centre location"),
    _a("account_id", "string", "cloud account id (AWS account, GCP project number, Azure subscription)"),
    _a("cloud", "string", "which cloud or platform an account belongs to", "account"),
    _a("address", "string", "the Terraform address this resource came from"),
    _a("tf_type", "string", "the Terraform resource type this resource came from"),
    _a("arn", "string", "the provider-native identifier (e.g. an AWS ARN)"),
    _a("native_id", "string", "the provider's own id of the resource"),
    _a("tags", "mapping", "the resource's tags or labels as the source reported them"),
    _a("detected_by", "string", "how the kind was recognised (e.g. a container image or mount path)"),
    _a("created_at", "datetime", "when the resource was created"),
    _a("deleted_at", "datetime", "when the resource was deleted (pending removal)"),
    # environments
    _a(
        "tier",
        "choice",
        "the environment's tier as the source declared it",
        "environment",
        choices=tuple(t.value for t in Tier),
    ),
    _a("ephemeral", "bool", "a short-lived environment (pull-request preview)", "environment"),
    _a(
        "restricted",
        "bool",
        "the audit token may not access this environment (environment RBAC): its contents were not read",
        "environment",
    ),
    # services
    _a("image", "string", "container image of the service", "service generic"),
    _a("repo", "string", "source repository of the service", "service generic"),
    _a("service_id", "string", "the platform's id of the service", "service database generic"),
    _a("instance_type", "string", "machine or instance class", "service database generic"),
    # data holders
    _a("engine", "string", "database engine (postgres, mysql, …)", "database generic"),
    _a(
        "deletion_protection",
        "bool",
        "deletion protection is on (null: the source does not say)",
        "volume database bucket generic",
    ),
    _a(
        "deletion_protection_supported",
        "bool",
        "whether the platform offers deletion protection for this resource",
        "volume database bucket generic",
    ),
    _a(
        "terraform_deletion_protection",
        "bool",
        "Terraform's own deletion_protection argument",
        "volume database bucket generic",
    ),
    _a("skip_final_snapshot", "bool", "a delete takes no final snapshot", "database generic"),
    _a("force_destroy", "bool", "a delete removes the bucket even when it holds objects", "bucket generic"),
    _a("versioning", "bool", "object versioning is on", "bucket generic"),
    _a("object_lock", "string", "object lock mode (GOVERNANCE or COMPLIANCE), when enabled", "bucket backup generic"),
    _a(
        "backup_store",
        "bool",
        "the bucket or vault holds only backups (a backup store, not a dataset)",
        "bucket volume generic",
    ),
    _a(
        "external",
        "bool",
        "outside the audited account (a destination the audit does not see)",
        "bucket volume database generic",
    ),
    _a("encrypted", "bool", "encrypted at rest", "volume database bucket backup generic"),
    _a("mount_path", "string", "where the volume is mounted", "volume"),
    _a("size_mb", "number", "size in MB", "volume database bucket backup generic"),
    _a("current_size_mb", "number", "space in use in MB", "volume database bucket generic"),
    _a("used_mb", "number", "space the backup uses in MB", "backup"),
    _a("pending_deletion", "bool", "queued for deletion (still recoverable)", "volume bucket database backup generic"),
    _a(
        "deletion_queue_hours",
        "number",
        "hours a deleted resource stays recoverable from the provider's deletion queue",
        "volume bucket database backup generic",
        maximum=100_000,
    ),
    _a("backup_schedules", "strings", "backup schedules configured on the resource", "volume database generic"),
    _a(
        "holds_data",
        "bool",
        "a type that holds data but is not modelled as a kind (KMS key, key vault, queue): "
        "a planned delete of it is judged as losing data",
        "generic",
    ),
    _a(
        "key_manager",
        "choice",
        "who manages an encryption key: the customer (who can schedule its deletion) or the cloud provider "
        "(AWS managed keys cannot be deleted by customers)",
        "generic",
        choices=("customer", "aws"),
    ),
    _a(
        "deletion_date",
        "datetime",
        "when a scheduled deletion takes effect (a KMS key pending deletion)",
        "generic",
    ),
    _a("pitr", "bool", "point-in-time recovery is on", "database volume generic"),
    _a("unread", "strings", "what the source could not read about this resource (e.g. backups): unknown, not absent"),
    # backups
    _a("status", "string", "the provider's status of the resource (a failed backup is no copy)"),
    _a(
        "retention_days", "number", "how long the backup is kept, in days", "backup bucket generic", maximum=36_500 * 10
    ),
    _a("continuous", "bool", "a continuous backup (point-in-time recovery window)", "backup"),
    _a("manual", "bool", "taken by hand rather than on a schedule", "backup"),
    _a("schedule", "string", "the backup schedule that made this backup (daily, weekly, …)", "backup"),
    _a("locked", "bool", "locked against deletion (vault lock, object lock)", "backup bucket generic"),
    _a("shared_with", "strings", "other accounts allowed to restore or copy this backup", "backup"),
    # credentials
    _a("token_kind", "string", "what sort of token or key (account, workspace, project, iam-user, …)", "credential"),
    _a("expires_at", "datetime", "when the credential or backup expires", "credential backup"),
    _a("iam_user", "string", "the IAM user an access key belongs to", "credential"),
    _a("last_used_at", "datetime", "when the credential was last used", "credential"),
    _a("short_lived", "bool", "issued per session (an assumed role, OIDC): nothing long-lived to leak", "credential"),
    _a("fingerprint", "string", "keyed fingerprint of a secret value (never the value)", "credential"),
    _a("sealed", "bool", "a sealed variable whose value the API never returns", "credential"),
    _a("variable", "string", "the variable name the credential was found under", "credential"),
    _a("inferred", "bool", "inferred (e.g. from a variable name), not read from the provider", "credential"),
    _a("inferred_reach", "string", "what the inferred reach rests on", "credential"),
    _a(
        "reach_unknown",
        "bool",
        "some policy attached to this credential could not be read (known only after apply, "
        "an unknown managed policy): its reach may be wider than its grants",
        "credential",
    ),
    _a("audit_token", "bool", "the token this audit used", "credential"),
    _a("role", "string", "the role a token carries (ADMIN, MEMBER, DEPLOYER, …)", "credential principal"),
    _a("roles", "strings", 'the token owner\'s role per workspace ("<workspace>: ADMIN")', "credential"),
    _a(
        "role_assumed",
        "bool",
        "a role could not be read: the token is assumed able to delete (fail safe)",
        "credential",
    ),
    # principals and accounts
    _a("type", "choice", "who holds credentials", "principal", choices=tuple(t.value for t in PrincipalType)),
    _a("has_2fa_enforcement", "bool", "the account enforces two-factor authentication", "account"),
    _a("shared_by_invitation", "bool", "the user is not a member: projects in it were shared by invitation", "account"),
)

ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in _TABLE}
RELATIONS: tuple[str, ...] = tuple(r.value for r in Rel if r is not Rel.GRANTS)
CORE_FIELDS: tuple[str, ...] = ("id", "kind", "name", "provider")
#: Every key a resource mapping may hold.
FIELDS: tuple[str, ...] = CORE_FIELDS + tuple(r.value for r in Rel) + tuple(ATTRIBUTES)
MAX_NAME = 4096
MAX_STRING = 65536


class ValueProblem(ValueError):
    """A value does not have its attribute's type; the loader adds file, resource and field."""


def check_number(value: object, maximum: float) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueProblem(f"expected a number, got {_short(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueProblem(f"expected a finite number, got {value}")
    if value < 0 or value > maximum:
        raise ValueProblem(f"expected a number from 0 to {maximum:g}, got {_short(value)}")
    return value


def check_string(value: object, limit: int = MAX_STRING) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"expected a string, got {_short(value)}")
    if len(value) > limit:
        raise ValueProblem(f"string longer than {limit} characters")
    return value


def _short(value: object, limit: int = 60) -> str:
    """A value echoed in an error, cut short so a hostile input cannot flood the terminal."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short(value: object, limit: int = 60) -> str:
    return _short(value, limit)


def reference_markdown() -> str:
    """The inventory reference (docs/inventory.md), generated from this table."""
    lines = [
        "# Inventory and snapshot reference",
        "",
        '<!-- generated from auditor/core/schema.py by `python -c "from auditor.core.schema import reference_markdown;'
        " print(reference_markdown(), end='')\" > docs/inventory.md`; a test keeps it in sync -->",
        "",
        "An inventory is YAML (`version: 1`, `resources: [...]`); a snapshot is the JSON `blastscope pull` writes, "
        "with",
        "the same resources. Every resource has `id` (unique), `kind`, optional `name` (default: the id) and",
        "`provider`. Anything not listed here is an input error (exit 2) naming the file, resource and field, with a",
        "suggestion for near misses. Unknown is a value: leave an attribute out (or `null`) when the source does",
        "not say — it is never read as false.",
        "",
        "## Kinds",
        "",
        ", ".join(f"`{k.value}`" for k in Kind),
        "",
        "## Relations",
        "",
        "Each takes one id or a list of ids (`grants` takes `{target, actions}` entries with actions from "
        + ", ".join(f"`{a.value}`" for a in Action)
        + ").",
        "",
        "| relation | from | to | meaning |",
        "|---|---|---|---|",
    ]
    for name, rule in RELATION_RULES.items():
        src = "any" if rule.sources == ALL else ", ".join(sorted(rule.sources))
        dst = "any" if rule.targets == ALL else ", ".join(sorted(rule.targets))
        lines.append(f"| `{name}` | {src} | {dst} | {rule.meaning} |")
    lines += ["", "## Attributes", "", "| attribute | type | kinds | meaning |", "|---|---|---|---|"]
    for attr in sorted(ATTRIBUTES.values(), key=lambda a: a.name):
        kinds = "any" if attr.kinds is None else ", ".join(sorted(attr.kinds))
        type_ = attr.type if not attr.choices else "one of " + ", ".join(f"`{c}`" for c in attr.choices)
        if attr.type == "number":
            type_ = f"number (0 to {attr.maximum:g})"
        lines.append(f"| `{attr.name}` | {type_} | {kinds} | {attr.meaning} |")
    lines += [
        "",
        "Dates are ISO-8601 (`2026-04-01T03:00:00Z`; a date without a zone is UTC). Numbers are finite and",
        "not booleans.",
        "",
    ]
    return "\n".join(lines)
