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

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auditor.core.errors import InputError

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
#: scalar tags whose values PyYAML's SafeConstructor builds with one method call
_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "timestamp")
)


class _Unusual(Exception):
    """The document uses a feature the lean constructor leaves to PyYAML."""


def fast_construct(root: Node, loader: yaml.constructor.SafeConstructor) -> Any:
    """Build the Python value of a composed document; raises _Unusual for anything but plain
    maps, sequences and core scalars. Iterative (no recursion limit on deep documents);
    aliases resolve to the same object, as in PyYAML."""
    built: dict[int, Any] = {}
    constructors = loader.yaml_constructors

    def scalar(node: ScalarNode) -> Any:
        if node.tag == _STR:
            return node.value
        if node.tag in _SCALAR_TAGS:
            return constructors[node.tag](loader, node)
        raise _Unusual(node.tag)

    def shell(node: Node) -> Any:
        """A node's value, creating (empty) containers so aliases and cycles share them."""
        key = id(node)
        if key in built:
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

    pending: list[Node] = []
    result = shell(root)
    while pending:
        node = pending.pop()
        target = built[id(node)]
        if isinstance(node, SequenceNode):
            target.extend(shell(item) for item in node.value)
            continue
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, ScalarNode):
                raise _Unusual("merge key or complex key")
            key = scalar(key_node)
            try:
                hash(key)
            except TypeError:
                raise _Unusual("unhashable key") from None
            target[key] = shell(value_node)
    return result


def loads(data: bytes | str) -> Any:
    """Parse one YAML document like `yaml.load(data, CSafeLoader)`, faster on plain documents."""
    loader = SafeLoader(data)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        try:
            return fast_construct(root, loader)
        except _Unusual:
            return loader.construct_document(root)
    finally:
        loader.dispose()


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML file (or `-`); syntax errors become one-line InputErrors with line and column."""
    from auditor.io.files import display_name, read_input

    return load_yaml_bytes(read_input(path), display_name(path))


def load_yaml_bytes(data: bytes, file: str) -> Any:
    """Parse YAML bytes; syntax errors become one-line InputErrors with line and column."""
    path = file
    try:
        return loads(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(f"invalid YAML: {where}{exc.problem or exc}", file=str(path)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {str(exc).splitlines()[0]}", file=str(path)) from None
    except (UnicodeDecodeError, ValueError, IndexError, OverflowError) as exc:
        # PyYAML's scalar constructors raise these on values they cannot build
        # (`!!timestamp 2026-99-99`, an empty `!!int`)
        raise InputError(f"invalid YAML value: {exc}", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
