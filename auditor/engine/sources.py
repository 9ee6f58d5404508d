"""Turning SOURCE arguments into Sources: files (or `-` for standard input) are recognised by
content, keywords such as `railway` pull live, and a directory means every audit source in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditor.core.errors import InputError, UsageError
from auditor.core.provider import LiveSettings, Provider
from auditor.core.source import Source
from auditor.engine.registry import file_providers, live_keywords, live_provider
from auditor.io.files import STDIN_NAMES, display_name, read_input, text_encoding
from auditor.io.resources import validate_resources

#: How much of a document the content sniffers see.
SNIFF_BYTES = 64 * 1024


def decode_head(data: bytes) -> str:
    """The start of a document as text for sniffing, whatever its Unicode encoding."""
    head = data[:SNIFF_BYTES]
    codec, skip = text_encoding(head)
    return head[skip:].decode(codec, errors="replace")


def detect(data: bytes, origin: str) -> Provider:
    """The file provider whose sniffer accepts the document; an input error naming the file otherwise."""
    head = decode_head(data)
    for provider in file_providers():
        assert provider.sniff is not None
        if provider.sniff(head):
            return provider
    if not head.strip():
        raise InputError("empty file: nothing to audit", file=origin)
    raise InputError(
        "not a blastscope inventory (YAML with 'version: 1' and 'resources'), snapshot, or Terraform plan/state JSON",
        file=origin,
    )


def load_file(name: str | Path) -> Source:
    """Read a file (or `-`) once and load it with the provider its content names."""
    data = read_input(name)
    origin = display_name(name)
    provider = detect(data, origin)
    assert provider.load is not None
    return provider.load(data, origin)


def expand(names: list[str]) -> list[str]:
    """A directory stands for the audit sources directly in it (sorted; hidden files skipped)."""
    out: list[str] = []
    for name in names:
        path = Path(name)
        if name not in STDIN_NAMES and path.is_dir():
            found = sorted(
                str(p)
                for p in path.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in (".yaml", ".yml", ".json")
            )
            if not found:
                raise InputError("directory holds no .yaml, .yml or .json file to audit", file=name)
            out.extend(found)
        else:
            out.append(name)
    return out


def load_sources(
    names: list[str],
    live: Callable[[Provider], LiveSettings] | None = None,
    advance: Callable[[str], None] = lambda _d: None,
) -> list[Source]:
    """Every SOURCE loaded; `live(provider)` builds the settings of a live pull (the CLI does)."""
    if not names:
        raise UsageError(
            "give at least one SOURCE (inventory.yaml, snapshot.json, plan/state .json, or a provider keyword)"
        )
    if sum(1 for n in names if n in STDIN_NAMES) > 1:
        raise UsageError("standard input ('-') can be given once")
    sources = []
    for name in expand(names):
        is_file = name in STDIN_NAMES or Path(name).exists()
        provider = None if is_file else live_provider(name)
        if provider is not None:
            advance(f"pulling {name}")
            if live is None:
                raise UsageError(f"{name}: live providers are not available here")
            assert provider.pull is not None
            pulled = provider.pull(live(provider))
            validate_resources(pulled.resources, pulled.origin)  # held to the schema like any file
            sources.append(pulled)
        elif not is_file and name.isidentifier() and name.islower():
            raise UsageError(
                f"{name}: no such file, and not a provider (providers: {', '.join(live_keywords()) or 'none'})"
            )
        else:
            advance(f"loading {name}")
            sources.append(load_file(name))
    return sources
