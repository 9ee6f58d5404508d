"""The provider contract: how a source of resources plugs into blastscope.

A provider is one declared object. A *file* provider recognises its documents by content
(`sniff`, given the first bytes decoded as text) and turns their bytes into a Source; a *live*
provider is named by a keyword (`blastscope scan railway`) and pulls with a frozen settings
object that the command line builds — providers never read the environment or argv themselves.
Built-ins are listed in `providers/__init__.py`; plugins add more through the
`blastscope.providers` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditor.core.source import Source


@dataclass(frozen=True)
class LiveSettings:
    """What every live pull takes. Tokens are values here, read by the CLI from the
    environment or a file — never from argv."""

    token: str = ""
    token_header: str = "Authorization"
    endpoint: str | None = None
    workspaces: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    max_requests: int | None = None
    fingerprint_key: bytes | None = None
    verbose: bool = False
    #: progress callback (request count); set by the CLI for people, never for machines
    on_request: Callable[[int], None] | None = None
    #: provider-specific tuning (timeouts, retries, concurrency, a test transport)
    tuning: tuple[tuple[str, Any], ...] = ()

    def tune(self, name: str, default: Any) -> Any:
        return dict(self.tuning).get(name, default)


@dataclass(frozen=True)
class Provider:
    """One source of resources: a file format (sniff + load) or a live API (keyword + pull)."""

    name: str
    description: str
    #: file providers: does this text (the document's first 64 KiB, decoded) look like ours?
    sniff: Callable[[str], bool] | None = None
    #: file providers: the whole document and a display name for it → Source (pure)
    load: Callable[[bytes, str], Source] | None = None
    #: live providers: the keyword on the command line and the pull
    keyword: str | None = None
    pull: Callable[[LiveSettings], Source] | None = None

    def __post_init__(self) -> None:
        if not self.name or not self.description:
            raise ValueError("a provider needs a name and a description")
        is_file = self.sniff is not None and self.load is not None
        is_live = self.keyword is not None and self.pull is not None
        if is_file == is_live:
            raise ValueError(f"provider {self.name!r}: give sniff+load (a file format) or keyword+pull (a live API)")

    @property
    def is_live(self) -> bool:
        return self.pull is not None
