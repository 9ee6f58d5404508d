"""The code's layers point one way: core depends on nothing of ours, io on core, checks on
core, providers on core and io, the engine on those, the uses on the engine, reports and
render on the uses, and only the CLI on everything. An arrow the wrong way fails here."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

#: layer -> the layers it may import from (itself included)
ALLOWED: dict[str, set[str]] = {
    "auditor.core": {"auditor.core"},
    "auditor.io": {"auditor.core", "auditor.io"},
    "checks": {"auditor.core", "checks"},
    "providers": {"auditor.core", "auditor.io", "providers"},
    "auditor.engine": {"auditor.core", "auditor.io", "checks", "providers", "auditor.engine"},
    "auditor.uses": {"auditor.core", "auditor.io", "auditor.engine", "auditor.uses"},
    "auditor.render": {"auditor.core", "auditor.io", "auditor.engine", "auditor.uses", "auditor.render"},
    "auditor.reports": {
        "auditor.core",
        "auditor.io",
        "auditor.engine",
        "auditor.uses",
        "auditor.render",
        "auditor.reports",
    },
    "auditor.guard": {"auditor.core", "auditor.io", "auditor.engine", "auditor.uses", "providers", "auditor.guard"},
}
OURS = ("auditor", "checks", "providers")


def layer_of(module: str) -> str | None:
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return [(line, name) for line, name in out if name.split(".")[0] in OURS]


def test_every_import_points_inward() -> None:
    wrong = []
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = module_name(path)
            layer = layer_of(module)
            if layer is None:
                continue  # the CLI and the package roots may import anything
            for line, target in imports(path):
                target_layer = layer_of(target)
                if target_layer is None and target.split(".")[0] == "auditor" and target not in ("auditor",):
                    target_layer = "auditor.cli" if target.startswith("auditor.cli") else target
                if target_layer not in ALLOWED[layer] and target != "auditor":
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: {layer} imports {target}")
    assert not wrong, "imports that point outward:\n" + "\n".join(wrong)


def test_core_imports_only_the_standard_library() -> None:
    """The core holds the model and the engine of judgement: no third-party dependency."""
    import sys

    third_party = []
    for path in sorted((ROOT / "auditor" / "core").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
            )
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in OURS and top != "networkx":
                    third_party.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert not third_party, "\n".join(third_party)
