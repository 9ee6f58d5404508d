"""Turning SOURCE arguments into Sources: files are auto-detected by content, keywords such as
`railway` pull live."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from auditor.errors import UsageError
from auditor.source import LiveOptions, Source, live_keywords, live_provider, load_file


def load_sources(
    names: list[str],
    live: LiveOptions | None = None,
    advance: Callable[[str], None] = lambda _d: None,
) -> list[Source]:
    if not names:
        raise UsageError("give at least one SOURCE (inventory.yaml, snapshot.json, plan/state .json, or a provider keyword)")
    sources = []
    for name in names:
        pull = live_provider(name) if not Path(name).exists() else None
        if pull is not None:
            advance(f"pulling {name}")
            sources.append(pull(live or LiveOptions()))
        elif not Path(name).exists() and name.isidentifier() and name.islower():
            raise UsageError(f"{name}: no such file, and not a provider (providers: {', '.join(live_keywords()) or 'none'})")
        else:
            advance(f"loading {name}")
            sources.append(load_file(name))
    return sources
