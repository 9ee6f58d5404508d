"""The alias limit (a security feature: "billion laughs" documents are refused before they are
built) decides exactly as its plain walk did on any graph of nodes: shared nodes, aliases to
ancestors, any limit. The reference below is that walk, kept here as the definition."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auditor.io.yamlio import AliasBomb, check_aliases


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def reference(root: Node, limit: int) -> None:
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            if sizes[key] > len(sizes) + limit:
                raise AliasBomb(f"aliases expand to more than {limit} extra nodes (a YAML alias bomb?); refused")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise AliasBomb("an alias refers to a node that contains it (a recursive document); refused")
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise AliasBomb("an alias refers to a node that contains it (a recursive document); refused")
            if id(child) not in sizes:
                stack.append((child, False))


@st.composite
def graphs(draw: Any) -> Node:
    """Up to 30 nodes; each container's children are drawn from all nodes (so: shared nodes,
    aliases to ancestors and to themselves)."""
    count = draw(st.integers(1, 30))
    kinds = draw(st.lists(st.sampled_from(["scalar", "seq", "map"]), min_size=count, max_size=count))
    nodes: list[Node] = []
    for i, kind in enumerate(kinds):
        if kind == "scalar":
            nodes.append(ScalarNode("tag:yaml.org,2002:str", f"s{i}"))
        elif kind == "seq":
            nodes.append(SequenceNode("tag:yaml.org,2002:seq", []))
        else:
            nodes.append(MappingNode("tag:yaml.org,2002:map", []))
    back_edges = draw(st.booleans())
    for i, node in enumerate(nodes):
        if isinstance(node, ScalarNode):
            continue
        pool = nodes if back_edges else nodes[i + 1 :] or [ScalarNode("tag:yaml.org,2002:str", "leaf")]
        picks = draw(st.lists(st.sampled_from(pool), max_size=6))
        if isinstance(node, SequenceNode):
            node.value = picks
        else:
            node.value = [(ScalarNode("tag:yaml.org,2002:str", f"k{j}"), v) for j, v in enumerate(picks)]
    return nodes[0]


def _outcome(check: Any, root: Node, limit: int) -> str | None:
    try:
        check(root, limit)
    except AliasBomb as exc:
        return str(exc)
    return None


@settings(max_examples=150, deadline=None)
@given(root=graphs(), limit=st.integers(-3, 40))
def test_the_alias_limit_decides_as_the_plain_walk(root: Node, limit: int) -> None:
    assert _outcome(check_aliases, root, limit) == _outcome(reference, root, limit)


def test_a_doubling_document_is_refused_only_past_the_limit() -> None:
    layers = [ScalarNode("tag:yaml.org,2002:str", "x")]
    for _ in range(12):  # each layer doubles the expansion: 4096 copies of "x"
        layers.append(SequenceNode("tag:yaml.org,2002:seq", [layers[-1], layers[-1]]))
    assert _outcome(check_aliases, layers[-1], 10_000) is None
    assert _outcome(check_aliases, layers[-1], 1_000) is not None
    assert _outcome(reference, layers[-1], 1_000) == _outcome(check_aliases, layers[-1], 1_000)


def _decided_while_building(root: Node, limit: int) -> None:
    """What loads does: build the document first (memoised, linear whatever aliases expand
    to), then decide from what building saw."""
    from auditor.io.yamlio import SafeLoader, _Reached, check_alias_repeats, fast_construct

    reached = _Reached()
    fast_construct(root, SafeLoader(""), reached)
    check_alias_repeats(root, reached, limit)


@settings(max_examples=150, deadline=None)
@given(root=graphs(), limit=st.integers(-3, 40))
def test_the_limit_decided_while_building_is_the_walks(root: Node, limit: int) -> None:
    assert _outcome(_decided_while_building, root, limit) == _outcome(reference, root, limit)


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.sampled_from(["&a x", "*a", "&b [1, *a]", "*b", "&c {k: *a}", "*c", "y"]), max_size=12),
    limit=st.integers(0, 6),
)
def test_documents_with_aliases_load_or_are_refused_as_before(words: list[str], limit: int) -> None:
    """Through the parser: the whole load, with the limit patched low, gives the value or the
    refusal that checking every alias first gave."""
    import yaml

    from auditor.io import yamlio

    text = "[" + ", ".join(words) + "]"

    def before() -> Any:
        loader = yamlio.SafeLoader(text)
        try:
            root = loader.get_single_node()
            yamlio.check_aliases(root, limit)
            return loader.construct_document(root)
        finally:
            loader.dispose()

    def after() -> Any:
        return yamlio.loads(text, alias_limit=limit)

    def outcome(parse: Any) -> Any:
        try:
            return ("ok", repr(parse()))
        except (AliasBomb, yaml.YAMLError) as exc:
            return ("error", str(exc))

    assert outcome(after) == outcome(before)


def _built(root: Node, scalars: bool) -> Any:
    from auditor.io.yamlio import SafeLoader, _Reached, _Unusual, fast_construct

    reached = _Reached()
    try:
        value = fast_construct(root, SafeLoader(""), reached, scalars=scalars)
    except _Unusual as exc:
        return ("unusual", str(exc))
    return repr(value), reached.shared_container


@settings(max_examples=80, deadline=None)
@given(root=graphs())
def test_remembering_only_containers_builds_the_same_value(root: Node) -> None:
    """The fast path for documents with few aliases (scalars not remembered) against the one
    that remembers every node: same value (shared and recursive containers included), same
    shared-container verdict."""
    assert _built(root, scalars=False) == _built(root, scalars=True)


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            ["&a x", "*a", "&b [1, *a]", "*b", "&c {k: *a}", "*c", "&d 2026-01-01", "*d", "&e 12", "{*e: *a}", "y"]
        ),
        max_size=12,
    ),
    limit=st.integers(0, 12),
)
def test_the_alias_bound_decides_as_counting_every_repeat(words: list[str], limit: int) -> None:
    """loads counts scalar repeats only when the document's `*` could exceed the limit; with
    counting forced on, every document gives the same value or the same refusal."""
    import yaml

    from auditor.io import yamlio

    text = "[" + ", ".join(words) + "]"

    def outcome(bound: Any) -> Any:
        original = yamlio._alias_bound
        yamlio._alias_bound = bound
        try:
            return ("ok", repr(yamlio.loads(text, alias_limit=limit)))
        except (AliasBomb, yaml.YAMLError) as exc:
            return ("error", str(exc))
        finally:
            yamlio._alias_bound = original

    assert outcome(yamlio._alias_bound) == outcome(lambda _data: limit + 1)
