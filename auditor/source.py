"""What every loader returns, and how the CLI picks a loader for a SOURCE argument.

A provider registers itself in `providers/__init__.py`: file loaders with a content sniffer,
live providers with a keyword (`railway`). Auto-detection is by content, not extension, so a
snapshot renamed `.txt` still loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from auditor.errors import InputError
from auditor.model import Resource


@dataclass
class Source:
    """Resources from one place, with how completely that place could be read.

    `gaps` lists what could not be read (e.g. "railway: backups of volume instance X: 503 after
    4 tries"); any gap makes the audit incomplete (exit 3 unless --allow-partial).
    `plan` is set by sources that describe a change (Terraform plans): the planned graph's
    resources are in `resources`, the prior ones in `plan["prior"]`.
    """

    origin: str
    provider: str
    resources: list[Resource]
    complete: bool = True
    gaps: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    plan: Any = None


@dataclass
class LiveOptions:
    """Options the CLI passes to a live provider's pull function (`pull(options) -> Source`).

    Tokens are never options: providers read them from the environment or `token_file`.
    """

    token_file: Path | None = None
    endpoint: str | None = None
    workspaces: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    max_requests: int | None = None
    fingerprint_secrets: bool = False
    verbose: bool = False
    progress: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FileFormat:
    """A file format: `sniff(path, head)` says whether it is this format (head = first 4 KiB)."""

    name: str
    sniff: Callable[[Path, str], bool]
    load: Callable[[Path], Source]


_FILE_FORMATS: list[FileFormat] = []
_LIVE_PROVIDERS: dict[str, Callable[..., Source]] = {}


def register_file_format(fmt: FileFormat) -> None:
    _FILE_FORMATS.append(fmt)


def register_live_provider(keyword: str, pull: Callable[..., Source]) -> None:
    _LIVE_PROVIDERS[keyword] = pull


def live_provider(keyword: str) -> Callable[..., Source] | None:
    _ensure_providers()
    return _LIVE_PROVIDERS.get(keyword)


def live_keywords() -> list[str]:
    _ensure_providers()
    return sorted(_LIVE_PROVIDERS)


def _ensure_providers() -> None:
    import providers  # noqa: F401  (registers the built-in providers)


def detect_format(path: Path) -> FileFormat:
    """Pick the loader whose sniffer accepts the file; exit-2 error naming the file otherwise."""
    _ensure_providers()
    if not path.exists():
        raise InputError("no such file", file=str(path))
    if path.is_dir():
        raise InputError("is a directory; pass an inventory, snapshot or plan file", file=str(path))
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    for fmt in _FILE_FORMATS:
        if fmt.sniff(path, head):
            return fmt
    raise InputError(
        "not a blastscope inventory (YAML with 'version: 1' and 'resources'), snapshot, "
        "or Terraform plan/state JSON",
        file=str(path),
    )


def load_file(path: str | Path) -> Source:
    path = Path(path)
    return detect_format(path).load(path)
