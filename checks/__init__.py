"""The built-in checks, one module per family; each check a pure function plus metadata.

Plugins add checks through the `blastscope.checks` entry-point group (an entry point names a
`Check` or a list of them); the engine builds one immutable registry from both.
"""

from __future__ import annotations

from auditor.core.checks import Check
from checks.change import delete_not_judged, destructive_change
from checks.credentials import (
    can_destroy_all_copies,
    exposed_outside_scope,
    no_expiry,
    shared_secret,
    spans_environments,
)
from checks.data_protection import (
    backup_colocated,
    backup_missing,
    backup_retention_short,
    backup_stale,
    deletion_protection_off,
)
from checks.isolation import environment_unclassified, storage_shared

BUILTIN_CHECKS: tuple[Check, ...] = (
    backup_missing,
    backup_colocated,
    backup_stale,
    backup_retention_short,
    deletion_protection_off,
    storage_shared,
    environment_unclassified,
    spans_environments,
    exposed_outside_scope,
    can_destroy_all_copies,
    shared_secret,
    no_expiry,
    destructive_change,
    delete_not_judged,
)
