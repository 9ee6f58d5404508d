"""The resource model (SPEC §3): node kinds, relations and the normalised Resource.

Every source (inventory YAML, snapshot JSON, Terraform, live providers) is translated into a
list of `Resource` values; the graph and the blast engine are built from that list only.
Unknown is a value: an attribute the source did not report is `None`, never a guessed default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.core.schema import RELATIONS as SCHEMA_RELATIONS
from auditor.core.schema import Action, Kind, PrincipalType, Rel, Tier

KINDS: frozenset[str] = frozenset(k.value for k in Kind)

#: Relations that hold one or more target ids, in the order they are written out.
RELATIONS: tuple[str, ...] = SCHEMA_RELATIONS
#: `grants` is a relation too, but carries actions per target.
GRANTS = Rel.GRANTS.value
ALL_RELATIONS: tuple[str, ...] = RELATIONS + (GRANTS,)

#: Relations whose source is destroyed when the target is deleted (destroyed_by).
CASCADE_RELATIONS: frozenset[str] = frozenset({Rel.PARENT.value, Rel.STORED_ON.value, Rel.ENCRYPTED_WITH.value})
#: The same, in schema order: walks iterate this so evidence paths do not depend on string hashing.
CASCADE_ORDER: tuple[str, ...] = tuple(r for r in RELATIONS if r in CASCADE_RELATIONS)
#: Relations that make a copy of a dataset.
COPY_RELATIONS: frozenset[str] = frozenset({Rel.BACKUP_OF.value, Rel.REPLICA_OF.value})

ACTIONS: frozenset[str] = frozenset(a.value for a in Action)
DESTRUCTIVE_ACTIONS: frozenset[str] = frozenset({Action.DELETE.value, Action.ADMIN.value})
MUTATING_ACTIONS: frozenset[str] = frozenset({Action.WRITE.value, Action.DELETE.value, Action.ADMIN.value})

TIERS: tuple[str, ...] = tuple(t.value for t in Tier)
PRINCIPAL_TYPES: frozenset[str] = frozenset(t.value for t in PrincipalType)

DATA_KINDS: frozenset[str] = frozenset({"volume", "database", "bucket"})
#: Kinds whose deletion is scoped by an environment or project: a "high" blast (SPEC §4).
SCOPE_KINDS: frozenset[str] = frozenset({"environment", "project"})

#: Backup statuses that do not make a usable copy.
FAILED_BACKUP_STATUSES: frozenset[str] = frozenset({"failed", "error", "deleted", "deleting", "expired", "incomplete"})


class _NoAttrs(dict[str, Any]):
    """The attributes of every loaded Resource that has none: one shared, read-only mapping
    instead of an empty dict each (a third of a large account's resources carry no attribute)."""

    def _read_only(self, *_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("shared empty attributes are read-only; give the Resource its own dict")

    __setitem__ = __delitem__ = setdefault = update = pop = popitem = clear = __ior__ = _read_only  # type: ignore[assignment]


NO_ATTRS: dict[str, Any] = _NoAttrs()


@dataclass(frozen=True, slots=True)
class Grant:
    """`credential —grants→ target` with the actions allowed on the target's whole cascade."""

    target: str
    actions: frozenset[str]


@dataclass(slots=True)
class Resource:
    """One normalised node with its outgoing relations.

    `attrs` holds every optional attribute (tier, created_at, token_kind, …); datetimes are
    timezone-aware UTC `datetime` values in memory and ISO-8601 strings on disk.
    """

    id: str
    kind: str
    name: str
    provider: str = "inventory"
    attrs: dict[str, Any] = field(default_factory=dict)
    relations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    grants: tuple[Grant, ...] = ()

    def targets(self, rel: str) -> tuple[str, ...]:
        """Target ids of one relation (empty when absent)."""
        return self.relations.get(rel, ())

    def get(self, attr: str, default: Any = None) -> Any:
        return self.attrs.get(attr, default)
