"""The one-pass versions of the blast engine's closures equal the memoised walks that define
them, on random graphs (including shapes the loaders reject, like cascade cycles)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.blast import EVIDENCE_LIMIT, BlastAnalysis, Loss
from auditor.core.model import Resource
from auditor.core.policy import Policy
from auditor.core.topology import Topology
from tests.core.test_blast_properties import analyse, topologies

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _with_environments(resources: list[dict], data) -> list[dict]:
    """Give some nodes environments and tiers, so maps hold several tiers and witnesses."""
    envs = [r["id"] for r in resources if r["kind"] == "environment"]
    for r in resources:
        if r["kind"] == "environment":
            r["tier"] = data.draw(st.sampled_from(["production", "staging", "preview", None]))
            if r["tier"] is None:
                del r["tier"]
        elif envs and r["kind"] in ("database", "service") and data.draw(st.booleans()):
            r["in_environment"] = data.draw(st.sampled_from(envs))
    return resources


@SETTINGS
@given(topologies(), st.data())
def test_served_in_one_pass_equals_the_walk(resources: list[dict], data) -> None:
    resources = _with_environments(resources, data)
    fast, walk = analyse(resources), analyse(resources)
    order = data.draw(st.permutations([r["id"] for r in resources]))
    for node in order:
        assert fast.served(node) == walk.served_walk(node), node


@SETTINGS
@given(st.integers(2, 8), st.data())
def test_served_on_a_cascade_cycle_falls_back_to_the_walk(n: int, data) -> None:
    """The loaders reject cascade cycles; the engine must still answer for every node, and agree
    with the walk wherever the answer does not depend on where a walk enters the cycle."""
    resources = [Resource(id="env", kind="environment", name="prod", attrs={"tier": "production"})]
    for i in range(n):
        parent = f"v{data.draw(st.integers(0, n - 1))}"
        rels = {"parent": (parent,)} if data.draw(st.booleans()) or i == 0 else {}
        if data.draw(st.booleans()):
            rels["in_environment"] = ("env",)
        resources.append(
            Resource(id=f"v{i}", kind=data.draw(st.sampled_from(["volume", "service"])), name=f"v{i}", relations=rels)
        )
    fast = BlastAnalysis(Topology(resources), Policy())
    walk = BlastAnalysis(Topology(resources), Policy())
    topo = fast.topo
    on_cycle = {y for y in topo.nodes for _, c in topo.contained.get(y, ()) if y in fast.destroyed_by(c)}
    for r in resources:
        answer = fast.served(r.id)
        assert isinstance(answer, dict)
        touched = set().union(*(_up(topo, x) for x in fast.destroyed_by(r.id)))
        if not on_cycle & touched:
            assert answer == walk.served_walk(r.id)


def _up(topo: Topology, node: str) -> set[str]:
    """Everything on the parent chain of `node` (where its environments come from)."""
    seen, todo = {node}, [node]
    while todo:
        for p in topo.nodes[todo.pop()].relations.get("parent", ()):
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


@SETTINGS
@given(topologies(), st.data())
def test_envs_in_one_pass_equal_the_walk(resources: list[dict], data) -> None:
    resources = _with_environments(resources, data)
    services = [r["id"] for r in resources if r["kind"] == "service"]
    for r in resources:  # services attached to data holders bring their environments along
        if services and r["kind"] in ("database", "volume", "bucket") and data.draw(st.booleans()):
            data.draw(st.sampled_from(services))
            for s in resources:
                if s["id"] in services and data.draw(st.booleans()):
                    s["attached_to"] = r["id"]
    fast, walk = analyse(resources), analyse(resources)
    topo = fast.topo

    def deps(n: str) -> list[str]:
        return list(topo.nodes[n].relations.get("parent", ())) + topo.attached_in.get(n, [])

    def closure(n: str) -> set[str]:
        seen, todo = set(), deps(n)
        while todo:
            d = todo.pop()
            if d not in seen:
                seen.add(d)
                todo += deps(d)
        return seen

    # on a cycle (a service attached to its own parent) a walk's answer depends on where it
    # entered: compare everywhere else
    cyclic = {n for n in topo.nodes if n in closure(n)}
    for node in data.draw(st.permutations([r["id"] for r in resources])):
        if not cyclic & (closure(node) | {node}):
            assert fast.envs(node) == walk.envs_walk(node), node


@SETTINGS
@given(topologies(), st.data())
def test_children_by_position_equal_the_topology_index(resources: list[dict], data) -> None:
    """The envs pass lists each node's cascade children by position for `served`; they must be
    `Topology.contained`, entry for entry and in order (the order decides which witness a
    served map keeps)."""
    an = analyse(_with_environments(resources, data))
    an.envs(resources[0]["id"])
    ids = list(an.topo.nodes)
    for i, node in enumerate(ids):
        by_position = [(rel, ids[child]) for rel, child in an._children_at[i] or ()]
        assert by_position == list(an.topo.contained.get(node, ())), node


@SETTINGS
@given(st.integers(2, 6), st.data())
def test_envs_on_an_attachment_cycle_fall_back_to_the_walk(n: int, data) -> None:
    resources = [Resource(id="env", kind="environment", name="prod", attrs={"tier": "production"})]
    for i in range(n):
        rels: dict[str, tuple[str, ...]] = {"attached_to": (f"s{data.draw(st.integers(0, n - 1))}",)}
        if data.draw(st.booleans()):
            rels["in_environment"] = ("env",)
        resources.append(Resource(id=f"s{i}", kind="service", name=f"s{i}", relations=rels))
    fast = BlastAnalysis(Topology(resources), Policy())
    for r in resources:
        assert isinstance(fast.envs(r.id), frozenset)
    assert fast.envs("env") == {"env"}


@SETTINGS
@given(topologies(), st.data())
def test_ancestors_in_one_pass_equal_the_walk(resources: list[dict], data) -> None:
    """Same holders, same first hops, same order (unread() names the first holder it meets)."""
    fast, walk = analyse(resources), analyse(resources)
    for node in data.draw(st.permutations([r["id"] for r in resources])):
        assert list(fast.ancestors(node).items()) == list(walk.ancestors_walk(node).items()), node


@SETTINGS
@given(topologies())
def test_evidence_paths_walk_the_graph(resources: list[dict]) -> None:
    """path_up and copy evidence follow real edges: every link is an edge of the graph."""
    an = analyse(resources)
    topo = an.topo
    for dataset in an.datasets():
        for copy in an.copies(dataset):
            for top in an.ancestors(copy):
                path = an._copy_evidence(dataset, copy, top)
                assert path == an.copy_evidence_walk(dataset, copy, top)
                assert path.nodes[0] == top and path.nodes[-1] == dataset
                for source, rel, target in path.edges():
                    assert target in topo.nodes[source].relations.get(rel, ()), (source, rel, target)


def _with_keys(resources: list[dict], data) -> list[dict]:
    """Add customer-managed keys (generic nodes) and encrypt random data and backups with them."""
    keys = [f"k{i}" for i in range(data.draw(st.integers(0, 2)))]
    for r in resources:
        if keys and r["kind"] in ("volume", "database", "bucket", "backup") and data.draw(st.booleans()):
            r["encrypted_with"] = data.draw(st.sampled_from(keys))
    return resources + [{"id": k, "kind": "generic", "name": k} for k in keys]


@SETTINGS
@given(topologies(), st.data())
def test_keys_indexed_once_equal_the_definition(resources: list[dict], data) -> None:
    an = analyse(_with_keys(resources, data))
    for node in an.topo.nodes:
        assert an.is_key(node) == an.is_key_walk(node), node


@SETTINGS
@given(topologies(), st.data())
def test_credentials_destroying_all_equals_the_definition(resources: list[dict], data) -> None:
    """Same credentials, same copies and granted targets, same order."""
    resources = _with_keys(resources, data)
    fast, walk = analyse(resources), analyse(resources)
    for dataset in fast.datasets():
        got, want = fast.credentials_destroying_all(dataset), walk.credentials_destroying_all_walk(dataset)
        assert [(c, list(m.items())) for c, m in got.items()] == [(c, list(m.items())) for c, m in want.items()]


def _single_action_loss_by_definition(an: BlastAnalysis, dataset: str) -> Loss | None:
    """Every copy's destroyers intersected, the deepest by scope then id, evidence walked up."""
    copies = an.copies(dataset)
    if len(copies) < 2:
        return None
    common = set.intersection(*(set(an.destroyers(c)) for c in copies))
    if not common:
        return None
    shallower = {x for y in common for x in an.ancestors(y) if x != y}
    rank = {"holder": 0, "scope": 1, "account": 2}
    destroyer = sorted(common - shallower, key=lambda n: (rank[an.scope_of(n)], n))[0]
    ordered = sorted(copies, key=lambda c: (c != dataset, c))[:EVIDENCE_LIMIT]
    paths = tuple(an.copy_evidence_walk(dataset, c, destroyer) for c in ordered)
    return Loss(dataset, destroyer, an.scope_of(destroyer), paths)


@SETTINGS
@given(topologies(), st.data())
def test_single_action_loss_equals_the_definition(resources: list[dict], data) -> None:
    """Same destroyer, scope and evidence, whichever copies' ancestor maps exist already."""
    resources = _with_keys(resources, data)
    fast, slow = analyse(resources), analyse(resources)
    for node in data.draw(st.lists(st.sampled_from(list(fast.topo.nodes)), max_size=3)):
        fast.ancestors(node)  # some maps already there, as another check may have left them
    for dataset in fast.datasets():
        assert fast.single_action_loss(dataset) == _single_action_loss_by_definition(slow, dataset)


def test_a_target_outside_the_graph_still_takes_what_names_it() -> None:
    """The positional children cover the graph's nodes; an id only named by a reference (a graph
    loaded without the reference check) still reaches what is stored on it, as the index does."""
    resources = [
        Resource(id="env", kind="environment", name="prod", attrs={"tier": "production"}),
        Resource(id="db", kind="database", name="db", relations={"stored_on": ("ghost",), "in_environment": ("env",)}),
    ]
    an = BlastAnalysis(Topology(resources), Policy())
    assert an.served("db") == {"production": "env"}
    assert an.destroyed_by("ghost") == {"ghost": None, "db": ("stored_on", "ghost")}
    assert an.datasets() == ["db"]
