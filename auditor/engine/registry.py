"""The registries a run uses: checks and providers, built-ins plus entry-point plugins.

Both are explicit lists (`checks.BUILTIN_CHECKS`, `providers.BUILTIN_PROVIDERS`) extended by the
`blastscope.checks` and `blastscope.providers` entry-point groups, built once and immutable. A
plugin that fails to load, or declares something that breaks the contract, is an input error
(exit 2) naming it — never a silent skip.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import Any

from auditor.core.checks import Check, CheckDefinitionError, CheckRegistry
from auditor.core.errors import InputError, UsageError
from auditor.core.provider import Provider
from auditor.core.text import suggest

CHECKS_GROUP = "blastscope.checks"
PROVIDERS_GROUP = "blastscope.providers"


def _may_declare(group: str) -> bool:
    """False only when no installed distribution declares an entry point in `group`, found by
    reading the `entry_points.txt` files importlib.metadata would read, without importing it
    (25 ms, a tenth of a small scan). Anything it cannot see through (a zip on sys.path, an
    import hook that lists distributions) counts as "may declare"."""
    import sys
    from importlib.machinery import PathFinder

    if any(hasattr(f, "find_distributions") and f is not PathFinder for f in sys.meta_path):
        return True
    header = f"[{group}]"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except NotADirectoryError:
            return True  # a zip archive: let importlib.metadata look inside
        except OSError:
            continue
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(entry or ".", name, "entry_points.txt"), encoding="utf-8") as fh:
                    if header in fh.read():
                        return True
            except (NotADirectoryError, FileNotFoundError):
                continue
            except (OSError, UnicodeDecodeError):
                return True
    return False


def _plugins(group: str) -> list[tuple[str, Any]]:
    if not _may_declare(group):
        return []
    from importlib import metadata  # 25 ms: only when some distribution declares the group

    out = []
    for ep in metadata.entry_points(group=group):
        try:
            out.append((ep.name, ep.load()))
        except Exception as exc:  # noqa: BLE001 - a broken plugin is an input problem, not a crash
            raise InputError(f"cannot load plugin {ep.name!r} ({ep.value}) of {group}: {exc}") from None
    return out


def _flatten(name: str, obj: Any, kind: type, group: str) -> Iterable[Any]:
    items = obj if isinstance(obj, (list, tuple)) else [obj]
    for item in items:
        if not isinstance(item, kind):
            raise InputError(f"plugin {name!r} of {group} does not provide a {kind.__module__}.{kind.__name__}")
        yield item


@functools.cache
def check_registry() -> CheckRegistry:
    from checks import BUILTIN_CHECKS

    found: list[Check] = list(BUILTIN_CHECKS)
    for name, obj in _plugins(CHECKS_GROUP):
        found.extend(_flatten(name, obj, Check, CHECKS_GROUP))
    try:
        return CheckRegistry(found)
    except CheckDefinitionError as exc:
        raise InputError(str(exc)) from None


@functools.cache
def providers() -> tuple[Provider, ...]:
    from providers import BUILTIN_PROVIDERS

    found: list[Provider] = list(BUILTIN_PROVIDERS)
    for name, obj in _plugins(PROVIDERS_GROUP):
        found.extend(_flatten(name, obj, Provider, PROVIDERS_GROUP))
    names = [p.name for p in found]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise InputError(f"provider name {sorted(dupes)[0]!r} is declared twice")
    return tuple(found)


def file_providers() -> list[Provider]:
    return [p for p in providers() if not p.is_live]


def live_provider(keyword: str) -> Provider | None:
    return next((p for p in providers() if p.keyword == keyword), None)


def live_keywords() -> list[str]:
    return sorted(p.keyword for p in providers() if p.keyword)


def require_live_provider(keyword: str) -> Provider:
    found = live_provider(keyword)
    if found is None:
        raise UsageError(
            f"unknown provider {keyword!r}{suggest(keyword, live_keywords())} (providers: {', '.join(live_keywords())})"
        )
    return found
