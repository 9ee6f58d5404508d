"""The topology graph built from Resources.

The public model is a networkx `MultiDiGraph` (SPEC §3), available as `Topology.nx` and built
on first use. The blast engine works on the plain reverse indexes kept here instead: building a
MultiDiGraph of 1M nodes and 2.5M edges costs ~24 s and ~2 GB on the reference machine, more than
the whole scan budget of SPEC §9 allows, while these indexes cost a few seconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import TYPE_CHECKING

from auditor.core.model import CASCADE_ORDER, CASCADE_RELATIONS, COPY_RELATIONS, GRANTS, RELATIONS, Grant, Resource
from auditor.core.schema import Rel

ENCRYPTED_WITH = Rel.ENCRYPTED_WITH.value
ATTACHED_TO = Rel.ATTACHED_TO.value
EXPOSED_TO = Rel.EXPOSED_TO.value
_KIND_AND_NAME = attrgetter("kind", "name")

if TYPE_CHECKING:
    import networkx as nx


class Topology:
    """Resources by id plus the reverse edges the engine walks (children, copies, attachments)."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.nodes: dict[str, Resource] = {res.id: res for res in resources}
        # reverse indexes: target id -> [(rel, source id)]
        self.copies_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.attached_in: dict[str, list[str]] = defaultdict(list)
        self.granted_on: dict[str, list[tuple[str, Grant]]] = defaultdict(list)
        self._contained: dict[str, list[tuple[str, str]]] | None = None
        # one pass over each node's relations as it holds them; (rel, id) pairs go to their index
        copies_in, attached_in, granted_on = self.copies_in, self.attached_in, self.granted_on
        #: targets of `encrypted_with`: keys, whose deletion leaves what they encrypt unreadable
        self.keys: set[str] = set()
        for rid, res in self.nodes.items():
            for rel, targets in res.relations.items():
                if rel in COPY_RELATIONS:
                    entry = (rel, rid)
                    for target in targets:
                        copies_in[target].append(entry)
                elif rel == ATTACHED_TO:
                    for target in targets:
                        attached_in[target].append(rid)
                elif rel == ENCRYPTED_WITH:
                    self.keys.update(targets)
            if res.grants:
                for grant in res.grants:
                    granted_on[grant.target].append((rid, grant))
        self._ambiguous: set[tuple[str, str]] | None = None
        self._nx: nx.MultiDiGraph | None = None
        self._labels: dict[str, str] = {}
        self._analyses: dict[int, object] = {}
        self._of_kind: dict[tuple[str, ...], list[Resource]] = {}
        self._exposed_in: dict[str, list[str]] | None = None

    @property
    def contained(self) -> dict[str, list[tuple[str, str]]]:
        """target id -> [(rel, source id)] over the cascade relations, in node order and each
        node's relations as it holds them; built on first use. A scan's blast analysis lists the
        same children by position in its first pass (`BlastAnalysis._envs_of_all`) and never
        asks for this index, which costs a probe per edge into a table of a million ids."""
        if self._contained is None:
            contained: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for rid, res in self.nodes.items():
                for rel, targets in res.relations.items():
                    if rel in CASCADE_RELATIONS:
                        entry = (rel, rid)
                        for target in targets:
                            contained[target].append(entry)
            self._contained = contained
        return self._contained

    @property
    def exposed_in(self) -> dict[str, list[str]]:
        """target id -> credentials `exposed_to` it; built on first use (no check needs it)."""
        if self._exposed_in is None:
            self._exposed_in = defaultdict(list)
            for res in self.nodes.values():
                for target in res.relations.get(EXPOSED_TO, ()):
                    self._exposed_in[target].append(res.id)
        return self._exposed_in

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes

    def of_kind(self, *kinds: str) -> Iterator[Resource]:
        """Resources of these kinds in node order; each selection is listed once per graph
        (a dozen checks ask for the credentials of a million-node graph)."""
        listed = self._of_kind.get(kinds)
        if listed is None:
            wanted = set(kinds)
            listed = self._of_kind[kinds] = [r for r in self.nodes.values() if r.kind in wanted]
        return iter(listed)

    def holders(self, node_id: str) -> list[tuple[str, str]]:
        """(rel, holder) for every cascade edge out of node_id: deleting the holder deletes it."""
        rels = self.nodes[node_id].relations
        return [(rel, t) for rel in CASCADE_ORDER for t in rels.get(rel, ())]

    def label(self, node_id: str) -> str:
        """`kind name` as used in evidence paths and messages; `kind name [id]` when another
        node of the same kind has the same name, so a path never reads ambiguously."""
        cached = self._labels.get(node_id)
        if cached is not None:
            return cached
        res = self.nodes.get(node_id)
        if res is None:
            return node_id
        if self._ambiguous is None:  # (kind, name) pairs held by more than one node, counted in C
            counts = Counter(map(_KIND_AND_NAME, self.nodes.values()))
            self._ambiguous = {key for key, n in counts.items() if n > 1}
        if (res.kind, res.name) in self._ambiguous and res.name != res.id:
            text = f"{res.kind} {res.name} [{res.id}]"
        else:
            text = f"{res.kind} {res.name}"
        self._labels[node_id] = text
        return text

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The model as a networkx MultiDiGraph (edge key = rel), built once on first use."""
        if self._nx is None:
            self._nx = to_networkx(self.nodes.values())
        return self._nx


def to_networkx(resources: Iterable[Resource]) -> nx.MultiDiGraph:
    """Every node carries id, kind, name, provider and its attributes; every edge its `rel`."""
    import networkx as nx  # imported here: a scan never needs it, and it costs 0.1 s

    graph = nx.MultiDiGraph()
    resources = list(resources)
    graph.add_nodes_from(
        (r.id, {**r.attrs, "id": r.id, "kind": r.kind, "name": r.name, "provider": r.provider}) for r in resources
    )
    for r in resources:
        for rel in RELATIONS:
            for target in r.relations.get(rel, ()):
                graph.add_edge(r.id, target, key=rel, rel=rel)
        for grant in r.grants:
            graph.add_edge(r.id, grant.target, key=GRANTS, rel=GRANTS, actions=sorted(grant.actions))
    return graph
