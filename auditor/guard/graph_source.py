"""Which graph the guard judges by: the `--source` files, or the newest complete entry of the
policy's `guard.history` directory; and how old it is.

Imported only when a command holds a destructive operation, so the common case (nothing to
judge) never pays for the engine and its providers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from auditor.core.blast import analysis
from auditor.core.policy import Policy
from auditor.core.source import Source
from auditor.core.topology import Topology
from auditor.guard.judge import Graph


def load_graph(sources: list[str], policy: Policy, base: Path | None = None) -> Graph | None:
    """The graph, or None when there is none to judge by (no source given, no history entry).

    A source that is given but cannot be read raises (the guard then denies): a broken graph
    is not the same as no graph.
    """
    found = load_audit_sources(sources, policy, base)
    if found is None:
        return None
    loaded, origin, created_at = found
    if len(loaded) == 1:
        resources = loaded[0].resources
    else:
        from auditor.engine.audit import merge_sources  # the engine (and every check) only for several sources

        resources = merge_sources(loaded)
    topo = Topology(resources)
    return Graph(
        analysis(topo, policy),
        origin,
        created_at,
        all(s.is_complete for s in loaded),
        [g for s in loaded for g in s.gaps],
    )


def load_audit_sources(
    sources: list[str], policy: Policy, base: Path | None = None
) -> tuple[list[Source], str, datetime | None] | None:
    """(sources, where they came from, when the graph was taken), or None when there are none."""
    if sources:
        loaded = [_load_one(name) for name in sources]
        created = [
            _created_at(s.meta.get("snapshot_created_at"), name) for s, name in zip(loaded, sources, strict=True)
        ]
        known = [c for c in created if c is not None]
        return loaded, ", ".join(sources), min(known) if len(known) == len(created) else None
    history_dir = policy.guard.history
    if not history_dir:
        return None
    root = Path(history_dir)
    if not root.is_absolute():
        base = base if base is not None else (Path(policy.origin).parent if policy.origin else Path.cwd())
        root = base / root
    if not root.is_dir():
        return None
    from auditor.uses.history import History

    entry = History(root).last_complete()
    if entry is None:
        return None
    source = entry.snapshot()
    when = _created_at(entry.created_at or source.meta.get("snapshot_created_at"), None)
    return [source], f"{root.name}/{entry.name}", when


def _load_one(name: str) -> Source:
    """A snapshot or YAML inventory straight through its loader; anything else through the engine.

    The engine's provider registry reads installed plugins' entry points (importlib.metadata:
    ~0.1 s) and imports every provider; a guard judging by a snapshot needs neither.
    """
    from auditor.io.files import display_name, read_input
    from auditor.io.snapshot import load_snapshot_bytes, looks_like_snapshot

    data = read_input(name)
    origin = display_name(name)
    head = data[:65536].decode("utf-8", errors="replace")
    if looks_like_snapshot(head):
        return load_snapshot_bytes(data, origin)
    if name.lower().endswith((".yaml", ".yml")):
        from providers.inventory import INVENTORY

        if INVENTORY.sniff is not None and INVENTORY.load is not None and INVENTORY.sniff(head):
            return INVENTORY.load(data, origin)
    from auditor.engine.sources import load_file

    return load_file(name)


def _created_at(value: object, file: str | None) -> datetime | None:
    """When the graph was taken: the snapshot's own time, else the file's modification time."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    if file and file != "-":
        try:
            return datetime.fromtimestamp(Path(file).stat().st_mtime, tz=UTC)
        except OSError:
            return None
    return None
