"""One JSON line per finding, exactly `json_text.dumps_compact(finding.to_json(label))`, without
building the intermediate dicts and walking them again in Python.

A million-resource report writes ~100k findings citing ~300k evidence paths. The definition
builds a dict per finding, per path and per link, then `json_text` walks all of it once more
to prove it is plain JSON before msgspec encodes it. Here the typed parts of a finding are
checked by type where they are read (ids and labels are `str`; a link's JSON is built once per
distinct sequence of links), only the free-form `data` is walked, and anything unusual — a
node that is not a `str`, a path whose links and nodes do not pair up, a value msgspec would
write differently — is left to the definition (`FindingLines.line` falls back to it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.core.evidence import EvidencePath, Link
from auditor.core.findings import Finding
from auditor.reports.json_text import dumps_compact, encode_plain, plain_json

_STR = {str}


class _Labels(dict[str, str]):
    """`label(node)` for each node, asked once per render (a path cites the same nodes as many others)."""

    def __init__(self, label: Callable[[str], str]) -> None:
        super().__init__()
        self.label = label

    def __missing__(self, node: str) -> str:
        if type(node) is not str:
            raise _NotPlain
        value = self[node] = self.label(node)
        return value


class _NotPlain(Exception):
    """A value the fast path does not encode: the definition does."""


class FindingLines:
    """Encodes the findings of one report; holds what is shared between them (labels, links)."""

    def __init__(self, label: Callable[[str], str]) -> None:
        self.label = label
        self._labels = _Labels(label)
        #: a path's links -> (their JSON, their texts), or None when not plain
        self._links: dict[tuple[Link, ...], tuple[list[dict[str, str]], list[str]] | None] = {}

    def line(self, finding: Finding) -> str:
        """Exactly `dumps_compact(finding.to_json(label))`."""
        text = self._fast(finding)
        return text if text is not None else dumps_compact(finding.to_json(self.label))

    def _fast(self, f: Finding) -> str | None:
        if (
            type(f) is not Finding
            or type(f.check_id) is not str
            or type(f.severity) is not str
            or type(f.resource_id) is not str
            or type(f.resource_name) is not str
            or type(f.message) is not str
            or type(f.remediation) is not str
            or type(f.environments) is not list
            or type(f.tiers) is not list
            or not {*map(type, f.environments), *map(type, f.tiers)} <= _STR
        ):
            return None
        evidence = []
        for path in f.evidence:
            encoded = self._path(path)
            if encoded is None:
                return None
            evidence.append(encoded)
        fingerprint = f.fingerprint
        if type(fingerprint) is not str:
            return None
        out: dict[str, Any] = {
            "check_id": f.check_id,
            "severity": f.severity,
            "resource_id": f.resource_id,
            "resource_name": f.resource_name,
            "message": f.message,
            "evidence": evidence,
            "remediation": f.remediation,
            "environments": f.environments,
            "tiers": f.tiers,
            "fingerprint": fingerprint,
        }
        if f.data:
            data = plain_json(f.data)
            if data is None:
                return None
            out["data"] = data
        if f.suppressed_by:
            if type(f.suppressed_by) is not str:
                return None
            out["suppressed_by"] = f.suppressed_by
        return encode_plain(out, indent=0)

    def _path(self, path: EvidencePath) -> dict[str, Any] | None:
        """`path.to_json(label)` for a path of `str` nodes with one link between each two."""
        if type(path) is not EvidencePath:
            return None
        nodes, links = path
        if type(links) is not tuple or type(nodes) is not tuple:
            return None
        known = self._links.get(links)
        if known is None:
            if links in self._links:
                return None
            known = self._links[links] = _links_json(links)
            if known is None:
                return None
        links_json, link_texts = known
        if len(nodes) != len(link_texts) + 1:
            return None
        try:
            # a node that is not a str stops here; a str subclass equal to a known id is refused by msgspec
            labels = [*map(self._labels.__getitem__, nodes)]
        except _NotPlain:
            return None
        if link_texts:
            words = [""] * (2 * len(labels) - 1)
            words[::2] = labels
            words[1::2] = link_texts
            labels = words
        return {"nodes": nodes, "links": links_json, "text": " ".join(labels)}


def _links_json(links: tuple[Link, ...]) -> tuple[list[dict[str, str]], list[str]] | None:
    """The JSON and text of a sequence of links, as `EvidencePath.to_json` writes them; None if any
    is not a plain Link of strings."""
    out, texts = [], []
    for link in links:
        if type(link) is not Link or type(link.rel) is not str or type(link.detail) is not str:
            return None
        as_json = link.to_json()
        text = link.text()
        if not {*map(type, as_json), *map(type, as_json.values())} <= _STR or type(text) is not str:
            return None
        out.append(as_json)
        texts.append(text)
    return out, texts
