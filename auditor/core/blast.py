"""The blast engine (SPEC §4): what one delete destroys, which copies a dataset has, and what a
credential can reach.

Closures are memoised per graph and computed by iterative post-order walks (no recursion, so
deep chains cannot overflow the stack): ancestors over `parent`/`stored_on` for copies, and the
tiers each subtree serves for credential reach. Each is linear in the part of the graph it
touches, so the whole analysis stays near linear in resources (see bench/). The two passes over
every node (environments, served tiers) keep their results in lists by position in node order:
at a million nodes a probe into a table keyed by id misses the caches, a list read in order
does not.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from auditor.core.evidence import EvidencePath, Link
from auditor.core.model import (
    CASCADE_ORDER,
    DATA_KINDS,
    DESTRUCTIVE_ACTIONS,
    FAILED_BACKUP_STATUSES,
    SCOPE_KINDS,
    Grant,
)
from auditor.core.policy import Policy
from auditor.core.topology import Topology

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

PRODUCTION = "production"
_NO_ENVS: frozenset[str] = frozenset()
#: Evidence paths kept per finding; the rest are counted in the message.
EVIDENCE_LIMIT = 6


@dataclass(frozen=True, slots=True)
class EnvTier:
    """An environment's tier: as the source said, or inferred, and what the checks act on."""

    tier: str  # production | staging | … | unknown
    origin: str  # "source", "pattern 'prod*'", or "unclassified"

    @property
    def effective(self) -> str:
        """Unknown is treated as production (fail safe, SPEC §3)."""
        return PRODUCTION if self.tier == "unknown" else self.tier


@dataclass(frozen=True, slots=True)
class Loss:
    """Single-action loss of a dataset: one delete of `destroyer` takes every copy."""

    dataset: str
    destroyer: str
    scope: str  # "holder" (critical) | "scope" (high) | "account" (medium)
    paths: tuple[EvidencePath, ...]


def memo_postorder(
    start: K,
    deps: Callable[[K], Iterable[K]],
    combine: Callable[[K, list[V]], V],
    memo: dict[K, V],
) -> V:
    """memo[start] = combine(start, [memo[d] for d in deps(start)]), computed iteratively.

    A dependency already on the stack (a cycle) is skipped rather than followed; the loaders
    reject cascade cycles, so this only guards relations where a cycle is harmless.
    """
    if start in memo:
        return memo[start]
    stack: list[tuple[K, Iterable[K]]] = [(start, iter(deps(start)))]
    on_stack = {start}
    while stack:
        node, pending = stack[-1]
        for dep in pending:
            if dep not in memo and dep not in on_stack:
                on_stack.add(dep)
                stack.append((dep, iter(deps(dep))))
                break
        else:
            stack.pop()
            on_stack.discard(node)
            memo[node] = combine(node, [memo[d] for d in deps(node) if d in memo])
    return memo[start]


class BlastAnalysis:
    """Blast-radius facts about one topology under one policy; every closure memoised."""

    def __init__(self, topo: Topology, policy: Policy) -> None:
        self.topo = topo
        self.policy = policy
        guessed: dict[str, EnvTier] = {}  # by name: thousands of environments share a few names
        self.tiers: dict[str, EnvTier] = {}
        for r in topo.of_kind("environment"):
            tier = r.attrs.get("tier")
            if tier:
                self.tiers[r.id] = EnvTier(tier, "source")
            else:
                known = guessed.get(r.name)
                if known is None:
                    known = guessed[r.name] = self._classify(None, r.name)
                self.tiers[r.id] = known
        self._envs: dict[str, frozenset[str]] = {}  # the walk's memo (nodes the pass cannot order)
        self._envs_all = False
        # filled by the first pass over the graph (`_index_all`): each node's position in node
        # order, and per position its environments, its cascade children and what it serves
        self._pos: dict[str, int] = {}
        self._ids: list[str] = []
        self._envs_at: list[frozenset[str] | None] = []
        self._children_at: list[list[tuple[str, int]] | None] = []
        self._served_at: list[dict[str, str] | None] = []
        self._ancestors: dict[str, dict[str, tuple[str, str] | None]] = {}
        self._served: dict[str, dict[str, str]] = {}  # the walk's memo (nodes on a cascade cycle)
        self._served_all = False
        self._own_by_envs: dict[frozenset[str], dict[str, str]] = {}
        self._interned: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
        self._datasets: list[str] | None = None
        self._production_datasets: list[str] | None = None
        self._copies: dict[str, dict[str, tuple[str, str] | None]] = {}
        self._copy_paths: dict[tuple[str, str, str], EvidencePath] = {}
        self._grant_heads: dict[tuple[str, str], EvidencePath] = {}
        self._deleters_on: dict[str, list[str]] | None = None
        self._reach: dict[str, dict[str, str]] = {}
        self._hops_of: dict[str, list[tuple[str, str]]] = {}
        self._environment_names: dict[frozenset[str], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    # ---------------------------------------------------------------- environments and tiers
    def _classify(self, tier: str | None, name: str) -> EnvTier:
        if tier:
            return EnvTier(tier, "source")
        guess = self.policy.tier_from_name(name)
        if guess:
            return EnvTier(guess[0], f"pattern {guess[1]!r}")
        return EnvTier("unknown", "unclassified")

    def envs(self, node: str) -> frozenset[str]:
        """Environments of a node: itself if an environment, `in_environment`, the `parent`
        chain, and the environments of services attached to it (SPEC §3).

        The first call computes every node's set in one top-down pass (`_envs_of_all`); a node
        the pass cannot order (an attachment cycle) falls back to the walk (`envs_walk`)."""
        if not self._envs_all:
            self._envs_of_all()
        i = self._pos.get(node)
        if i is not None:
            known = self._envs_at[i]
            if known is not None:
                return known
        return self._envs.get(node) or self.envs_walk(node)

    def _envs_of_all(self) -> None:
        """envs() of every node, kept by position in node order rather than in a dict keyed by
        id: a million-node graph's passes then read and write lists front to back instead of
        probing tables at random. One pass in node order (sources list parents first) settles
        a node whose one parent is known and that nothing is attached to; it also lists each
        node's cascade children (as `Topology.contained` does, by position) for `_serve_all`.
        The rest (several parents, attachments, a parent listed later) are settled depth first
        after it, parents and attached services before the node; a node with one source of
        environments shares its set, as `envs_walk` does."""
        self._envs_all = True
        topo = self.topo
        nodes, attached_in = topo.nodes, topo.attached_in
        ids = self._ids = list(nodes)
        pos = self._pos = {rid: i for i, rid in enumerate(ids)}
        at: list[frozenset[str] | None] = [None] * len(ids)
        children_at: list[list[tuple[str, int]] | None] = [None] * len(ids)
        self._envs_at, self._children_at = at, children_at
        empty: frozenset[str] = frozenset()
        cascade = _CASCADE_SET
        late: list[int] = []
        attached_at = {pos[n] for n in attached_in}
        for i, res in enumerate(nodes.values()):
            rels = res.relations
            above: frozenset[str] | None = empty
            for rel, targets in rels.items():
                if rel in cascade:
                    entry = (rel, i)
                    j = None
                    for target in targets:
                        j = pos.get(target)
                        if j is None:
                            continue  # a reference to nothing in this graph holds nothing
                        held = children_at[j]
                        if held is None:
                            children_at[j] = [entry]
                        else:
                            held.append(entry)
                    if rel == "parent":  # one parent: j is its position
                        above = at[j] if len(targets) == 1 and j is not None else None
            if above is None or i in attached_at:
                late.append(i)
                continue
            own = rels.get("in_environment")
            if res.kind == "environment":
                own = (own or ()) + (res.id,)
            at[i] = (frozenset(own).union(above) if above else frozenset(own)) if own else above
        for first in late:
            if at[first] is not None:
                continue
            start = ids[first]
            stack, visiting = [start], {start}
            while stack:
                n = stack[-1]
                res = nodes[n]
                rels = res.relations
                parents = rels.get("parent", ())
                attached = attached_in.get(n)
                pending = None
                for d in parents:
                    if at[pos[d]] is None and d not in visiting:
                        pending = d
                        break
                if pending is None and attached:
                    for d in attached:
                        if at[pos[d]] is None and d not in visiting:
                            pending = d
                            break
                if pending is not None:
                    stack.append(pending)
                    visiting.add(pending)
                    continue
                stack.pop()
                visiting.discard(n)
                own = rels.get("in_environment", ())
                if res.kind == "environment":
                    own = own + (n,)
                if not parents and not attached:
                    at[pos[n]] = frozenset(own) if own else empty
                    continue
                parts = [part for p in parents if (part := at[pos[p]]) is not None]
                if attached:
                    parts += [part for s in attached if (part := at[pos[s]]) is not None]
                if not own and len(parts) == 1:
                    at[pos[n]] = parts[0]
                else:
                    out = set(own)
                    for part in parts:
                        out |= part
                    at[pos[n]] = frozenset(out)

    def envs_walk(self, node: str) -> frozenset[str]:
        """envs() by a memoised walk from `node`: the definition `_envs_of_all` is tested against."""
        topo = self.topo

        def deps(n: str) -> list[str]:
            res = topo.nodes[n]
            return list(res.relations.get("parent", ())) + topo.attached_in.get(n, [])

        def combine(n: str, parts: list[frozenset[str]]) -> frozenset[str]:
            res = topo.nodes[n]
            own = res.relations.get("in_environment", ())
            if res.kind == "environment":
                own = own + (n,)
            if not parts:
                return frozenset(own) if own else frozenset()
            if not own and len(parts) == 1:
                return parts[0]
            out = set(own)
            for p in parts:
                out |= p
            return frozenset(out)

        return memo_postorder(node, deps, combine, self._envs)

    def envs_of_nodes(self, nodes: Iterable[str]) -> frozenset[str]:
        """The union of envs() over the nodes the graph has (others are skipped): the
        environments a finding touches. Each distinct set is merged once."""
        if not self._envs_all:
            self._envs_of_all()
        pos, at, known, envs = self._pos, self._envs_at, self.topo.nodes, self.envs
        parts: dict[int, frozenset[str]] = {}
        for node in nodes:
            i = pos.get(node)
            part = None if i is None else at[i]
            if part is None:
                if node not in known:
                    continue
                part = envs(node)
            if part:
                parts[id(part)] = part
        if not parts:
            return _NO_ENVS
        if len(parts) == 1:
            return next(iter(parts.values()))
        return frozenset().union(*parts.values())

    def environment_names(self, envs: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(sorted names, sorted effective tiers) of a set of environment ids: what a finding
        lists. Findings touch few distinct sets, so each is worked out once."""
        known = self._environment_names.get(envs)
        if known is None:
            nodes, tiers = self.topo.nodes, self.tiers
            known = self._environment_names[envs] = (
                tuple(sorted({nodes[e].name for e in envs})),
                tuple(sorted({tiers[e].effective for e in envs if e in tiers})),
            )
        return known

    def is_production(self, node: str) -> bool:
        """Production if any environment is (after inference); an environment-less dataset is too."""
        envs = self.envs(node)
        if not envs:
            return self.is_dataset(node)
        return any(self.tiers[e].effective == PRODUCTION for e in envs if e in self.tiers)

    def env_path(self, node: str, env: str) -> EvidencePath:
        """Why `node` belongs to `env`: the in_environment / parent / attached_to chain."""
        topo = self.topo
        path = EvidencePath.single(node)
        current = node
        for _ in range(len(topo.nodes) + 1):
            if current == env:
                return path
            res = topo.nodes[current]
            if env in res.relations.get("in_environment", ()):
                return path.then(_FORWARD["in_environment"], env)
            step = next(((_FORWARD["parent"], p) for p in res.relations.get("parent", ()) if env in self.envs(p)), None)
            if step is None:
                step = next(
                    ((_BACKWARD["attached_to"], s) for s in topo.attached_in.get(current, []) if env in self.envs(s)),
                    None,
                )
            if step is None:
                return path
            path = path.then(*step)
            current = step[1]
        return path

    # ---------------------------------------------------------------- cascade closures
    def ancestors(self, node: str) -> dict[str, tuple[str, str] | None]:
        """Every X whose deletion destroys `node` (node included), mapped to the first hop
        (rel, holder) from node towards X; None for node itself.

        One iterative post-order walk, holders before the node; a node's map is its own entry
        followed by each holder's map under the hop to that holder (first hop kept), shared
        hop tuples — what `ancestors_walk` defines, without a closure call per node."""
        memo = self._ancestors
        known = memo.get(node)
        if known is not None:
            return known
        nodes = self.topo.nodes
        hops = self._hops(node)
        if len(hops) == 1:  # the common case (a backup on its volume): one known holder, no walk
            above = memo.get(hops[0][1])
            if above is not None and node not in above:
                known = memo[node] = {node: None}
                known.update(dict.fromkeys(above, hops[0]))
                return known
        stack = [(node, hops)]
        on_stack = {node}
        while stack:
            n, hops = stack[-1]
            pending = None
            for hop in hops:
                h = hop[1]
                if h not in memo and h not in on_stack:
                    pending = h
                    break
            if pending is not None:
                on_stack.add(pending)
                stack.append((pending, _holders(nodes[pending].relations)))
                continue
            stack.pop()
            on_stack.discard(n)
            out: dict[str, tuple[str, str] | None] = {n: None}
            for hop in hops:
                above = memo.get(hop[1])
                if above is None:
                    continue  # on a cascade cycle (the loaders reject them)
                if len(out) == 1 and n not in above:
                    out.update(dict.fromkeys(above, hop))
                else:
                    for x in above:
                        if x not in out:
                            out[x] = hop
            memo[n] = out
        return memo[node]

    def ancestors_walk(self, node: str) -> dict[str, tuple[str, str] | None]:
        """ancestors() by the generic memoised walk: the definition the one-pass version is tested against."""
        topo = self.topo
        memo: dict[str, dict[str, tuple[str, str] | None]] = {}

        def deps(n: str) -> list[str]:
            return [h for _, h in topo.holders(n)]

        def combine(n: str, _parts: list[dict[str, tuple[str, str] | None]]) -> dict[str, tuple[str, str] | None]:
            out: dict[str, tuple[str, str] | None] = {n: None}
            for rel, holder in topo.holders(n):
                for x in memo.get(holder, ()):
                    if x not in out:
                        out[x] = (rel, holder)
            return out

        return memo_postorder(node, deps, combine, memo)

    def _hops(self, node: str) -> list[tuple[str, str]]:
        """(rel, holder) of the node's cascade edges, as `Topology.holders` lists them; kept,
        since copies are asked for theirs by several checks."""
        known = self._hops_of.get(node)
        if known is None:
            known = self._hops_of[node] = _holders(self.topo.nodes[node].relations)
        return known

    def unread(self, node: str, what: str) -> str | None:
        """The node (itself or a holder above it) whose source could not read `what` (e.g.
        "backups"): claims of absence about `node` rest on data nobody saw."""
        nodes = self.topo.nodes
        for x in self.ancestors(node):
            if what in (nodes[x].attrs.get("unread") or ()):
                return x
        return None

    def path_up(self, node: str, destroyer: str) -> EvidencePath:
        """node —stored_on/parent→ … → destroyer (forward edges)."""
        walk, links = [node], []
        current = node
        known = self._ancestors
        while current != destroyer:
            hop = (known.get(current) or self.ancestors(current))[destroyer]
            assert hop is not None
            rel, current = hop
            links.append(_FORWARD[rel])
            walk.append(current)
        return EvidencePath(tuple(walk), tuple(links))

    def destroyed_by(self, node: str) -> dict[str, tuple[str, str] | None]:
        """What one delete of `node` takes with it: node → (rel, holder it was reached from)."""
        seen: dict[str, tuple[str, str] | None] = {node: None}
        queue = deque([node])
        children = self._children
        while queue:
            current = queue.popleft()
            for rel, child in children(current):
                if child not in seen:
                    seen[child] = (rel, current)
                    queue.append(child)
        return seen

    def _children(self, node: str) -> list[tuple[str, str]]:
        """(rel, child) for every cascade edge into `node`: `Topology.contained`, read from the
        positional lists of the first pass (the topology builds that index only when asked)."""
        if not self._envs_all:
            self._envs_of_all()
        i = self._pos.get(node)
        if i is None:  # not a node of this graph, yet nodes may still name it (a dangling reference)
            return list(self.topo.contained.get(node, ()))
        held = self._children_at[i]
        if not held:
            return []
        ids = self._ids
        return [(rel, ids[child]) for rel, child in held]

    # ---------------------------------------------------------------- datasets and copies
    def is_dataset(self, node: str) -> bool:
        """Databases; volumes/buckets that hold no other modelled data and no child volumes,
        and are not only a store for other data's backups (SPEC §4). Replicas and backups are
        copies, not datasets of their own."""
        res = self.topo.nodes[node]
        if "backup_of" in res.relations or "replica_of" in res.relations:
            return False  # a copy is judged through the dataset it copies
        if res.kind == "database":
            return True
        if res.kind not in ("volume", "bucket"):
            return False
        if res.attrs.get("backup_store") is True:
            return False  # declared a backup store (an AWS Backup vault): empty or not, it holds copies
        stored_backups = []
        if not self._envs_all:
            self._envs_of_all()
        i = self._pos.get(node)
        held = None if i is None else self._children_at[i]
        ids, nodes = self._ids, self.topo.nodes
        for rel, child in held or ():
            child_res = nodes[ids[child]]
            if rel == "parent":
                if child_res.kind in DATA_KINDS:
                    return False
            elif child_res.kind != "backup":
                return False
            else:
                stored_backups.append(child_res)
        if not stored_backups:
            return True
        return any(node in b.relations.get("backup_of", ()) for b in stored_backups)

    def datasets(self) -> list[str]:
        if self._datasets is None:
            self._datasets = [r.id for r in self.topo.of_kind("database", "volume", "bucket") if self.is_dataset(r.id)]
        return self._datasets

    def production_datasets(self) -> list[str]:
        if self._production_datasets is None:
            self._production_datasets = [d for d in self.datasets() if self.is_production(d)]
        return self._production_datasets

    def copies(self, dataset: str) -> dict[str, tuple[str, str] | None]:
        """The dataset and its usable backups and replicas, transitively (a copy of a copy
        counts), each mapped to (rel, what it is a copy of). Failed backups are not copies."""
        cached = self._copies.get(dataset)
        if cached is not None:
            return cached
        out: dict[str, tuple[str, str] | None] = {dataset: None}
        queue = deque([dataset])
        nodes = self.topo.nodes
        while queue:
            current = queue.popleft()
            for rel, copy in self.topo.copies_in.get(current, ()):
                if copy in out:
                    continue
                status = nodes[copy].attrs.get("status")
                if isinstance(status, str) and status.lower() in FAILED_BACKUP_STATUSES:
                    continue
                out[copy] = (rel, current)
                queue.append(copy)
        self._copies[dataset] = out
        return out

    def copy_path(self, dataset: str, copy: str) -> EvidencePath:
        """copy —backup_of→ … → dataset."""
        chain = self.copies(dataset)
        walk, links = [copy], []
        current = copy
        while current != dataset:
            rel, current = chain[current]  # type: ignore[misc]
            links.append(_FORWARD[rel])
            walk.append(current)
        return EvidencePath(tuple(walk), tuple(links))

    # ---------------------------------------------------------------- single-action loss
    def scope_of(self, node: str) -> str:
        kind = self.topo.nodes[node].kind
        if kind == "account":
            return "account"
        if kind in SCOPE_KINDS:
            return "scope"
        return "holder"

    def immutable(self, node: str) -> bool:
        """Locked in compliance mode (AWS Backup Vault Lock past its grace time, S3 Object Lock
        COMPLIANCE): no principal, root included, can delete it before its retention ends."""
        attrs = self.topo.nodes[node].attrs
        return attrs.get("locked") is True and attrs.get("object_lock") == "COMPLIANCE"

    def is_key(self, node: str) -> bool:
        """Something data is `encrypted_with`: its deletion leaves that data unreadable (the
        topology indexes these once; `is_key_walk` is the definition)."""
        return node in self.topo.keys

    def is_key_walk(self, node: str) -> bool:
        """is_key() by its definition: some cascade edge into `node` is `encrypted_with`."""
        return any(rel == "encrypted_with" for rel, _ in self.topo.contained.get(node, ()))

    def destroyers(self, copy: str, *, by_credential: bool = False) -> Iterable[str]:
        """What can destroy `copy`: every ancestor, unless it is immutable — then only the keys it
        is encrypted with (a lock does not keep a key from being deleted) and, for a structural
        loss, its account (closing the account is not stopped by a lock)."""
        anc = self.ancestors(copy)
        if not self.immutable(copy):
            return anc.keys()
        nodes = self.topo.nodes
        return [x for x in anc if self.is_key(x) or (not by_credential and nodes[x].kind == "account")]

    def _holder_ancestors(self, copy: str) -> dict[str, tuple[str, str] | None] | None:
        """ancestors() of the copy's one holder, when destroyers(copy) is exactly the copy plus
        those (not immutable, one holder, no cycle through the copy); None otherwise."""
        if copy in self._ancestors or self.immutable(copy):
            return None
        hops = self._hops(copy)
        if len(hops) != 1:
            return None
        above = self._ancestors.get(hops[0][1]) or self.ancestors(hops[0][1])
        return None if copy in above else above

    def single_action_loss(self, dataset: str) -> Loss | None:
        """The deepest node whose deletion destroys every copy, if any (SPEC §4)."""
        copies = self.copies(dataset)
        if len(copies) < 2:
            return None
        common: set[str] | None = None
        for copy in copies:
            above = self._holder_ancestors(copy)
            if above is not None:  # destroyers(copy) is the copy and its one holder's ancestors
                if common is None:
                    common = set(above)
                    common.add(copy)
                else:
                    common = {x for x in common if x in above or x == copy}
            else:
                anc = self.destroyers(copy)
                common = set(anc) if common is None else common & set(anc)
            if not common:
                return None
        assert common is not None
        shallower = {x for y in common for x in self.ancestors(y) if x != y}
        deepest = sorted(common - shallower, key=lambda n: (_SCOPE_RANK[self.scope_of(n)], n))
        destroyer = deepest[0]
        ordered = sorted(copies, key=lambda c: (c != dataset, c))[:EVIDENCE_LIMIT]
        paths = tuple(self._copy_evidence(dataset, copy, destroyer) for copy in ordered)
        return Loss(dataset, destroyer, self.scope_of(destroyer), paths)

    def _copy_evidence(self, dataset: str, copy: str, top: str) -> EvidencePath:
        """top ←…— copy [—backup_of→ … dataset]; kept, since every credential able to delete
        `top` and the co-location finding cite the same path. One walk up from the copy (a copy
        with one holder needs no ancestor map of its own) and one along its copy chain, the
        tuples built once; `copy_evidence_walk` is the definition."""
        key = (dataset, copy, top)
        known = self._copy_paths.get(key)
        if known is None:
            walk, rels = [copy], []
            current = copy
            while current != top:
                rel, current = self._hop_towards(current, top)
                rels.append(rel)
                walk.append(current)
            walk.reverse()
            links = [_BACKWARD[rel] for rel in reversed(rels)]
            if copy != dataset:
                chain = self.copies(dataset)
                current = copy
                while current != dataset:
                    rel, current = chain[current]  # type: ignore[misc]
                    links.append(_FORWARD[rel])
                    walk.append(current)
            known = self._copy_paths[key] = EvidencePath(tuple(walk), tuple(links))
        return known

    def copy_evidence_walk(self, dataset: str, copy: str, top: str) -> EvidencePath:
        """_copy_evidence() as path_up turned round plus copy_path: the definition."""
        up = self.path_up(copy, top)
        walk, links = up.nodes[::-1], tuple(_BACKWARD[link.rel] for link in reversed(up.links))
        if copy != dataset:
            across = self.copy_path(dataset, copy)
            walk, links = walk + across.nodes[1:], links + across.links
        return EvidencePath(walk, links)

    def _hop_towards(self, node: str, top: str) -> tuple[str, str]:
        """`ancestors(node)[top]` for an ancestor `top` ≠ node: the first hop (rel, holder) towards
        it. A node with one holder can only go there, so it needs no ancestor map of its own."""
        known = self._ancestors.get(node)
        if known is None:
            hops = self._hops(node)
            if len(hops) == 1:
                return hops[0]
            known = self.ancestors(node)
        hop = known[top]
        assert hop is not None
        return hop

    def _grant_head(self, credential: str, target: str) -> EvidencePath:
        """credential —grants actions→ target (one per grant, shared by its findings)."""
        key = (credential, target)
        known = self._grant_heads.get(key)
        if known is None:
            grant = next(g for g in self.topo.nodes[credential].grants if g.target == target)
            known = EvidencePath.single(credential).then(Link("grants", True, ",".join(sorted(grant.actions))), target)
            self._grant_heads[key] = known
        return known

    # ---------------------------------------------------------------- credential reach
    def served(self, node: str) -> dict[str, str]:
        """Effective tiers of everything one delete of `node` touches: tier → witness (an
        environment id, or an environment-less production dataset).

        The first call computes every node's map in one bottom-up pass (`_serve_all`): an
        account-level grant needs the whole account anyway, and storage checks ask for every
        data holder. Nodes the pass cannot order (a cascade cycle, which the loaders reject)
        fall back to the memoised walk (`served_walk`), which defines the same maps."""
        if not self._served_all:
            self._serve_all()
        i = self._pos.get(node)
        if i is not None:
            known = self._served_at[i]
            if known is not None:
                return known
        return self._served.get(node) or self.served_walk(node)

    def _own_tiers(self, node: str) -> dict[str, str]:
        """tier → witness from the node's own environments (the smallest id per tier), or the
        node itself when it is an environment-less dataset."""
        envs = self.envs(node)
        if not envs:
            return {PRODUCTION: node} if self.is_dataset(node) else {}
        own = self._own_by_envs.get(envs)
        if own is None:
            own = {}
            tiers = self.tiers
            for env in sorted(envs):
                tier = tiers.get(env)
                if tier is not None:
                    own.setdefault(tier.effective, env)
            own = self._interned.setdefault(tuple(sorted(own.items())), own)
            self._own_by_envs[envs] = own
        return own

    def _serve_all(self) -> None:
        """served() of every node, by position: one pass in reverse node order (sources list
        children after what holds them), children before holders, reaching a child not yet
        known depth first. Each map is the node's own tiers, then each child's in `contained`
        order, first witness kept — what `served_walk` computes, without a generic walk and
        closures per node; a node with no child (most of a graph) serves its own tiers."""
        self._served_all = True
        if not self._envs_all:
            self._envs_of_all()
        ids, envs_at, children_at = self._ids, self._envs_at, self._children_at
        nodes = self.topo.nodes
        interned, own_tiers, own_by_envs = self._interned, self._own_tiers, self._own_by_envs
        memo: list[dict[str, str] | None] = [None] * len(ids)
        self._served_at = memo

        def settle(i: int, children: list[tuple[str, int]] | None) -> None:
            envs = envs_at[i]
            own = own_by_envs.get(envs) if envs else None
            if own is None:
                own = own_tiers(ids[i])
            out = own
            if children:
                for _, child in children:
                    part = memo[child]
                    if part is None or part is out or part.keys() <= out.keys():
                        continue
                    if out is own:
                        out = dict(own)
                    for tier, witness in part.items():
                        out.setdefault(tier, witness)
                if out is not own:
                    out = interned.setdefault(tuple(sorted(out.items())), out)
            memo[i] = out

        no_tiers: dict[str, str] = {}
        for start in range(len(ids) - 1, -1, -1):
            if memo[start] is not None:
                continue
            children = children_at[start]
            if children is None:  # a leaf, or (below) every child known: no walk needed
                envs = envs_at[start]
                if envs:
                    own = own_by_envs.get(envs)
                    memo[start] = own if own is not None else own_tiers(ids[start])
                elif envs is not None and nodes[ids[start]].kind not in DATA_KINDS:
                    memo[start] = no_tiers  # in no environment and not data: serves nothing
                else:
                    memo[start] = own_tiers(ids[start])
                continue
            for _, child in children:
                if memo[child] is None:
                    break
            else:
                settle(start, children)
                continue
            stack, visiting = [start], {start}
            while stack:
                n = stack[-1]
                children = children_at[n]
                if children:
                    pending = None
                    for _, child in children:
                        if memo[child] is None and child not in visiting:
                            pending = child
                            break
                    if pending is not None:
                        stack.append(pending)
                        visiting.add(pending)
                        continue
                stack.pop()
                visiting.discard(n)
                settle(n, children)

    def served_walk(self, node: str) -> dict[str, str]:
        """served() by a memoised walk from `node` alone: the definition the one-pass version
        is tested against, and the fallback for nodes on a cascade cycle."""
        topo = self.topo

        def deps(n: str) -> list[str]:
            return [child for _, child in topo.contained.get(n, ())]

        def combine(n: str, parts: list[dict[str, str]]) -> dict[str, str]:
            own: dict[str, str] = {}
            envs = self.envs(n)
            for env in sorted(envs):
                env_tier = self.tiers.get(env)
                if env_tier is not None:
                    own.setdefault(env_tier.effective, env)
            if not envs and self.is_dataset(n):
                own[PRODUCTION] = n
            for part in parts:
                for tier, witness in part.items():
                    own.setdefault(tier, witness)
            key = tuple(sorted(own.items()))
            return self._interned.setdefault(key, own)

        return memo_postorder(node, deps, combine, self._served)

    def reach_tiers(self, credential: str, actions: frozenset[str]) -> dict[str, tuple[str, str]]:
        """tier → (granted target, witness) over grants carrying any of `actions`."""
        out: dict[str, tuple[str, str]] = {}
        grants = self.topo.nodes[credential].grants
        for grant in grants if len(grants) < 2 else sorted(grants, key=_by_target):
            if grant.actions & actions:
                for tier, witness in self.served(grant.target).items():
                    out.setdefault(tier, (grant.target, witness))
        return out

    def reach_path(self, credential: str, target: str, witness: str) -> EvidencePath:
        """credential —grants …→ target ←…— node [—in_environment→ env]."""
        return self._grant_head(credential, target).join(self.destroyed_by_until(target, witness))

    def destroyed_by_until(self, top: str, witness: str) -> EvidencePath:
        """Breadth-first from `top` down the cascade to the first node in (or equal to) witness."""
        seen: dict[str, tuple[str, str] | None] = {top: None}
        queue = deque([top])
        children = self._children
        envs = self.envs
        while queue:
            current = queue.popleft()
            if current == witness or witness in envs(current):
                walk, links = [current], []
                node = current
                while (hop := seen[node]) is not None:
                    links.append(_BACKWARD[hop[0]])
                    node = hop[1]
                    walk.append(node)
                path = EvidencePath(tuple(reversed(walk)), tuple(reversed(links)))
                return path.join(self.env_path(current, witness))
            for rel, child in children(current):
                if child not in seen:
                    seen[child] = (rel, current)
                    queue.append(child)
        return EvidencePath.single(top)

    def credentials_destroying_all(self, dataset: str) -> dict[str, dict[str, str]]:
        """Credentials whose delete reach covers every copy: credential → {copy: granted target}
        (the first of the copy's destroyers the credential may delete)."""
        deleters = self._deleters()
        reaches: list[tuple[str, dict[str, str]]] = []
        candidates: list[str] | None = None
        last: dict[str, str] | None = None
        for copy in self.copies(dataset):
            above = None if copy in deleters else self._holder_ancestors(copy)
            if above is not None:  # the copy adds nothing: its holder's reach, worked out once
                reach = self._reach_over(next(iter(above)), above)
            else:
                reach = _first_holders(self.destroyers(copy, by_credential=True), deleters)
            if reach is not last:  # copies on one holder share one reach: nothing more to narrow
                # the credentials that reach every copy so far, in the first copy's order
                candidates = list(reach) if candidates is None else [c for c in candidates if c in reach]
                if not candidates:
                    return {}
                last = reach
            reaches.append((copy, reach))
        return {cred: {copy: reach[cred] for copy, reach in reaches} for cred in candidates or ()}

    def _reach_over(self, node: str, ancestors: dict[str, tuple[str, str] | None]) -> dict[str, str]:
        """credential → the first of `ancestors` (node's own map) it may delete; memoised per node."""
        known = self._reach.get(node)
        if known is None:
            known = self._reach[node] = _first_holders(ancestors, self._deleters())
        return known

    def credentials_destroying_all_walk(self, dataset: str) -> dict[str, dict[str, str]]:
        """credentials_destroying_all() by narrowing a map of maps copy by copy: the definition."""
        result: dict[str, dict[str, str]] | None = None
        deleters = self._deleters()
        for copy in self.copies(dataset):
            reach = _first_holders(self.destroyers(copy, by_credential=True), deleters)
            if result is None:
                result = {cred: {copy: target} for cred, target in reach.items()}
            else:
                result = {c: {**m, copy: reach[c]} for c, m in result.items() if c in reach}
            if not result:
                return {}
        return result or {}

    def _deleters(self) -> dict[str, list[str]]:
        """node → credentials granted delete or admin on it, in `granted_on` order."""
        if self._deleters_on is None:
            self._deleters_on = {
                node: creds
                for node, grants in self.topo.granted_on.items()
                if (creds := [cred for cred, grant in grants if grant.actions & DESTRUCTIVE_ACTIONS])
            }
        return self._deleters_on

    def grant_path(self, credential: str, target: str, dataset: str, copy: str) -> EvidencePath:
        return self._grant_head(credential, target).join(self._copy_evidence(dataset, copy, target))


_SCOPE_RANK = {"holder": 0, "scope": 1, "account": 2}


def _by_target(grant: Grant) -> str:
    return grant.target


#: the cascade relations in the order `Topology.holders` lists them
_CASCADE = CASCADE_ORDER
_CASCADE_SET = frozenset(CASCADE_ORDER)


def _first_holders(holders: Iterable[str], deleters: dict[str, list[str]]) -> dict[str, str]:
    """credential → the first of `holders` it may delete, in the order credentials are met."""
    reach: dict[str, str] = {}
    for holder in holders:
        creds = deleters.get(holder)
        if creds:
            for cred in creds:
                if cred not in reach:
                    reach[cred] = holder
    return reach


def _holders(relations: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(rel, holder) of every cascade edge out of a node, as `Topology.holders` lists them."""
    return [(rel, t) for rel in _CASCADE for t in relations.get(rel, ())]


class _Links(dict[str, Link]):
    """One shared Link per relation and direction: evidence holds hundreds of thousands."""

    def __init__(self, forward: bool) -> None:
        super().__init__()
        self.forward = forward

    def __missing__(self, rel: str) -> Link:
        link = self[rel] = Link(rel, self.forward)
        return link


_FORWARD = _Links(True)
_BACKWARD = _Links(False)


def analysis(topo: Topology, policy: Policy) -> BlastAnalysis:
    """One BlastAnalysis per (topology, policy), shared by every check of a run."""
    cached = topo._analyses.get(id(policy))
    if cached is None or cached.policy is not policy:  # type: ignore[attr-defined]
        cached = BlastAnalysis(topo, policy)
        topo._analyses[id(policy)] = cached
    return cached  # type: ignore[return-value]
