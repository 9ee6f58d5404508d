"""YAML reading: libyaml's C parser, and a lean constructor for the plain documents inventories are.

PyYAML's C loader parses fast but builds Python objects through its generic, pure-Python
constructor (about 60% of loading a 100k-resource inventory). Inventories only use plain
mappings, sequences and scalars, so `fast_construct` builds those directly from the composed
node tree and delegates every scalar that is not a plain string to PyYAML's own constructor
for its tag — same values, same errors. Anything unusual (merge keys, sets, omap, binary,
custom tags) falls back to PyYAML's constructor for the whole document. Property tests in
tests/test_yamlio.py check that both give equal results on adversarial documents.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auditor.core.errors import InputError

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
#: scalar tags whose values PyYAML's SafeConstructor builds with one method call
_SCALAR_TAGS = frozenset("tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "timestamp"))


#: what a memo answers for a node not built yet (None is a value)
_NOT_BUILT: Any = object()


class _Unusual(Exception):
    """The document uses a feature the lean constructor leaves to PyYAML."""


class _Reached:
    """What fast_construct saw of aliases: how many times a scalar was reached again through
    one, and whether a container was (only then can aliases multiply a document's size)."""

    __slots__ = ("scalar_repeats", "shared_container")

    def __init__(self) -> None:
        self.scalar_repeats = 0
        self.shared_container = False


def _scalar(node: ScalarNode, constructors: Any, loader: yaml.constructor.SafeConstructor) -> Any:
    """A core scalar's value (a string is the node's own string object); _Unusual for other tags."""
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag in _SCALAR_TAGS:
        return constructors[tag](loader, node)
    raise _Unusual(tag)


def fast_construct(
    root: Node, loader: yaml.constructor.SafeConstructor, reached: _Reached | None = None, scalars: bool = True
) -> Any:
    """Build the Python value of a composed document; raises _Unusual for anything but plain
    maps, sequences and core scalars. Iterative (no recursion limit on deep documents);
    aliases resolve to the same object, as in PyYAML, so building is linear in the distinct
    nodes whatever aliases expand to. `reached`, when given, records the aliases met (see loads).

    With `scalars=False` only containers are remembered: a scalar reached again through an
    alias is built again (an equal value: a string is the node's own string object, a number
    or a date an equal immutable one) and not counted in `reached.scalar_repeats`. Remembering
    every scalar (most nodes) was two thirds of building a large document with aliases."""
    if not scalars:
        return _construct_shared_containers(root, loader, reached)
    built: dict[int, Any] = {}
    constructors = loader.yaml_constructors
    seen = reached if reached is not None else _Reached()

    def scalar(node: ScalarNode) -> Any:
        return _scalar(node, constructors, loader)

    def shell(node: Node) -> Any:
        """A node's value, creating (empty) containers so aliases and cycles share them."""
        key = id(node)
        if key in built:  # reached again: only an alias does that
            if isinstance(node, ScalarNode):
                seen.scalar_repeats += 1
            else:
                seen.shared_container = True
            return built[key]
        if isinstance(node, ScalarNode):
            value = scalar(node)
        elif isinstance(node, SequenceNode) and node.tag == _SEQ:
            value = []
            pending.append(node)
        elif isinstance(node, MappingNode) and node.tag == _MAP:
            value = {}
            pending.append(node)
        else:
            raise _Unusual(node.tag)
        built[key] = value
        return value

    # keys are memoised (so an alias used as a key is counted) only when aliases are looked for
    key_of = scalar if reached is None else shell
    pending: list[Node] = []
    result = shell(root)
    while pending:
        node = pending.pop()
        _fill(node, built[id(node)], key_of, shell)
    return result


def _construct_shared_containers(
    root: Node, loader: yaml.constructor.SafeConstructor, reached: _Reached | None = None
) -> Any:
    """fast_construct(root, loader, reached, scalars=False): the same traversal, remembering
    only sequences and mappings (what aliases can share or make recursive)."""
    built: dict[int, Any] = {}
    recall = built.get
    constructors = loader.yaml_constructors
    seen = reached if reached is not None else _Reached()
    pending: list[Node] = []

    def value_of(node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return _scalar(node, constructors, loader)
        tag = node.tag
        key = id(node)
        value = recall(key, _NOT_BUILT)
        if value is not _NOT_BUILT:  # reached again: only an alias does that
            seen.shared_container = True
            return value
        if isinstance(node, SequenceNode) and tag == _SEQ:
            value = []
        elif isinstance(node, MappingNode) and tag == _MAP:
            value = {}
        else:
            raise _Unusual(tag)
        pending.append(node)
        built[key] = value
        return value

    result = value_of(root)
    while pending:
        node = pending.pop()
        _fill(node, built[id(node)], value_of, value_of)
    return result


def _fill(node: Node, target: Any, key_of: Callable[[Any], Any], value_of: Callable[[Node], Any]) -> None:
    """Put a sequence's items or a mapping's entries into their (empty) container."""
    if isinstance(node, SequenceNode):
        target.extend([value_of(item) for item in node.value])
        return
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, ScalarNode):
            raise _Unusual("merge key or complex key")
        key = key_of(key_node)
        try:
            hash(key)
        except TypeError:
            raise _Unusual("unhashable key") from None
        target[key] = value_of(value_node)


def construct_tree(root: Node, loader: yaml.constructor.SafeConstructor) -> Any:
    """fast_construct for a document without aliases (no `*` in it): every node is reached
    once, so nothing is memoised; same values, built in the same order, same errors."""
    constructors = loader.yaml_constructors
    pending: list[tuple[Node, Any]] = []
    push = pending.append

    def value_of(node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return _scalar(node, constructors, loader)
        tag = node.tag
        if isinstance(node, SequenceNode) and tag == _SEQ:
            items: list[Any] = []
            push((node, items))
            return items
        if isinstance(node, MappingNode) and tag == _MAP:
            mapping: dict[Any, Any] = {}
            push((node, mapping))
            return mapping
        raise _Unusual(tag)

    result = value_of(root)
    while pending:
        node, target = pending.pop()
        _fill(node, target, value_of, value_of)
    return result


#: how many nodes aliases may add to a document once expanded (a 523-byte "billion laughs"
#: document expands to 10^9); plain documents without aliases are never walked
MAX_ALIAS_EXPANSION = 1_000_000


class AliasBomb(ValueError):
    """A document whose aliases expand beyond MAX_ALIAS_EXPANSION nodes, or refer to themselves."""


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return cast(list[Node], node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_aliases(root: Node, limit: int = MAX_ALIAS_EXPANSION) -> None:
    """Refuse, before anything is built, a composed document whose expanded size (every alias
    counted as a full copy of its anchor) exceeds its own node count by more than `limit`, or
    that contains an alias to one of its own ancestors. Iterative, memoised: linear in the
    number of distinct nodes, whatever the expansion.

    A scalar has no children: it can never be on the path when it is reached, and its size is
    1, so it is recorded where it is popped without the path bookkeeping containers need (most
    nodes are scalars; the order of the walk, and so every outcome, is unchanged)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, list[Node] | None]] = [(root, None)]
    pop, push = stack.pop, stack.append
    while stack:
        node, children = pop()
        key = id(node)
        if children is not None:  # finished: every child has its size
            on_path.discard(key)
            size = 1
            for child in children:
                size += sizes[id(child)]
            sizes[key] = size
            if size > len(sizes) + limit:
                raise AliasBomb(f"aliases expand to more than {limit} extra nodes (a YAML alias bomb?); refused")
            continue
        if key in sizes:
            continue
        if isinstance(node, ScalarNode):
            sizes[key] = 1
            if len(sizes) + limit < 1:  # only for a negative limit
                raise AliasBomb(f"aliases expand to more than {limit} extra nodes (a YAML alias bomb?); refused")
            continue
        if key in on_path:
            raise AliasBomb("an alias refers to a node that contains it (a recursive document); refused")
        on_path.add(key)
        kids = _children(node)
        push((node, kids))
        for child in kids:
            child_key = id(child)
            if child_key in on_path:
                raise AliasBomb("an alias refers to a node that contains it (a recursive document); refused")
            if child_key not in sizes:
                push((child, None))


def _may_have_aliases(data: bytes | str) -> bool:
    return ("&" in data and "*" in data) if isinstance(data, str) else (b"&" in data and b"*" in data)


def _alias_bound(data: bytes | str) -> int:
    """At least the number of aliases in the document: every alias is written `*name`, and a
    `*` is one 0x2A byte in every encoding PyYAML reads (which other characters may add to)."""
    return data.count("*") if isinstance(data, str) else data.count(b"*")


def loads(data: bytes | str, alias_limit: int = MAX_ALIAS_EXPANSION, spent: list[Any] | None = None) -> Any:
    """Parse one YAML document like `yaml.load(data, CSafeLoader)`, faster on plain documents.
    Aliases are limited as check_aliases decides, before anything is returned. `spent`, if
    given, receives the composed node tree once the value is built (for lifetime.done_with)."""
    loader = SafeLoader(data)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if spent is not None:
            spent.append(root)
        reached = _Reached() if _may_have_aliases(data) else None  # no `&` and `*`: no alias
        try:
            if reached is None:
                value = construct_tree(root, loader)
            else:  # scalars counted only where their repeats could pass the limit
                value = fast_construct(root, loader, reached, scalars=_alias_bound(data) > alias_limit)
        except _Unusual:
            if _may_have_aliases(data):
                check_aliases(root, alias_limit)
            return loader.construct_document(root)
        except Exception:
            if _may_have_aliases(data):
                check_aliases(root, alias_limit)  # the alias limit's refusal comes first, as when it ran first
            raise
        if reached is not None:
            check_alias_repeats(root, reached, alias_limit)
        return value
    finally:
        loader.dispose()


def check_alias_repeats(root: Node, reached: _Reached, limit: int = MAX_ALIAS_EXPANSION) -> None:
    """check_aliases(root, limit), decided from what building the document saw. Aliases to
    scalars only (the usual kind: a repeated name or id) keep every container a tree node, so
    the document expands by exactly one node per repeat: refused past `limit`, with the
    message of check_aliases' last check, the one that sees the whole document. Only an alias
    to a container (which can nest, multiply, or contain itself) needs the full walk. (When the
    document holds no more aliases than `limit`, building does not count scalar repeats: they
    cannot pass it.)"""
    if reached.shared_container or limit < 0:  # a negative limit refuses even plain documents
        check_aliases(root, limit)
    elif reached.scalar_repeats > limit:
        raise AliasBomb(f"aliases expand to more than {limit} extra nodes (a YAML alias bomb?); refused")


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML file (or `-`); syntax errors become one-line InputErrors with line and column."""
    from auditor.io.files import display_name, read_input

    return load_yaml_bytes(read_input(path), display_name(path))


def load_yaml_bytes(data: bytes, file: str, spent: list[Any] | None = None) -> Any:
    """Parse YAML bytes; syntax errors become one-line InputErrors with line and column.
    `spent`: as for loads."""
    path = file
    try:
        return loads(data, spent=spent)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(f"invalid YAML: {where}{exc.problem or exc}", file=str(path)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {str(exc).splitlines()[0]}", file=str(path)) from None
    except AliasBomb as exc:
        raise InputError(f"invalid YAML: {exc}", file=str(path)) from None
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply", file=str(path)) from None
    except (UnicodeDecodeError, ValueError, IndexError, OverflowError) as exc:
        # PyYAML's scalar constructors raise these on values they cannot build
        # (`!!timestamp 2026-99-99`, an empty `!!int`)
        raise InputError(f"invalid YAML value: {str(exc)[:200]}", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
