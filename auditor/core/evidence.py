"""Evidence paths: the chain of nodes and relations that proves a finding (SPEC §4).

A path is a walk `n0 link0 n1 link1 n2 …`; each link names the relation and whether the edge
points along the walk (`n_i —rel→ n_i+1`) or against it (`n_i ←rel— n_i+1`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Link(NamedTuple):
    """One hop; a NamedTuple because findings build hundreds of thousands of them at scale."""

    rel: str
    forward: bool
    detail: str = ""  # e.g. the actions of a grant: "delete"

    def text(self) -> str:
        known = _LINK_TEXT.get(self)
        if known is None:
            label = f"{self.rel} {self.detail}" if self.detail else self.rel
            known = _LINK_TEXT[self] = f"—{label}→" if self.forward else f"←{label}—"
        return known

    def to_json(self) -> dict[str, str]:
        """The link as the JSON report writes it (one shared dict per distinct link)."""
        known = _LINK_JSON.get(self)
        if known is None:
            known = {"rel": self.rel, "direction": "forward" if self.forward else "backward"}
            if self.detail:
                known["detail"] = self.detail
            _LINK_JSON[self] = known
        return known


#: the text and JSON of each distinct link, built once (a million-resource report cites millions)
_LINK_TEXT: dict[Link, str] = {}
_LINK_JSON: dict[Link, dict[str, str]] = {}


class EvidencePath(NamedTuple):
    nodes: tuple[str, ...]
    links: tuple[Link, ...]

    @staticmethod
    def single(node: str) -> EvidencePath:
        return EvidencePath((node,), ())

    def then(self, link: Link, node: str) -> EvidencePath:
        return EvidencePath(self.nodes + (node,), self.links + (link,))

    def join(self, other: EvidencePath) -> EvidencePath:
        """Concatenate two walks that meet at self's last node = other's first node."""
        if not other.links:
            return self
        assert self.nodes[-1] == other.nodes[0], (self.nodes, other.nodes)
        return EvidencePath(self.nodes + other.nodes[1:], self.links + other.links)

    def reversed(self) -> EvidencePath:
        links = tuple(Link(link.rel, not link.forward, link.detail) for link in reversed(self.links))
        return EvidencePath(tuple(reversed(self.nodes)), links)

    def edges(self) -> list[tuple[str, str, str]]:
        """The underlying graph edges as (source, rel, target), in their true direction."""
        out = []
        for i, link in enumerate(self.links):
            a, b = self.nodes[i], self.nodes[i + 1]
            out.append((a, link.rel, b) if link.forward else (b, link.rel, a))
        return out

    def text(self, label: Callable[[str], str]) -> str:
        nodes = self.nodes
        out = [label(nodes[0])]
        link_text = _LINK_TEXT.get
        for link, node in zip(self.links, nodes[1:], strict=False):
            out.append(link_text(link) or link.text())
            out.append(label(node))
        return " ".join(out)

    def to_json(self, label: Callable[[str], str]) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes),
            "links": [link.to_json() for link in self.links],
            "text": self.text(label),
        }
