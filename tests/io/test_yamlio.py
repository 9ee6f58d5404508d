"""The lean YAML constructor must give exactly what PyYAML's safe loader gives, or the same
error: inventories may be hand-written with every YAML 1.1 oddity (yes/no, octal, sexagesimal,
timestamps, anchors), and a difference would silently change the audited graph."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.io.yamlio import load_yaml, loads

# Plain scalars YAML 1.1 resolves to something other than a string, and near misses.
TRICKY = [
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "",
    "0",
    "017",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "+12",
    "-0",
    "1:20",
    "190:20:30",
    "1e3",
    "1.5e+3",
    ".inf",
    "-.Inf",
    ".NaN",
    "3.",
    "2026-11-24",
    "2026-1-4",
    "2026-11-24T03:00:00Z",
    "2026-11-24 03:00:00.5 +02:00",
    "2026-13-45",
    "@x",
    "a: b",
    "- x",
    "#c",
    "'q'",
    '"dq"',
    "<<",
    "=",
    "!tag",
    "&a",
    "*a",
    "é",
    "tab\there",
    "line\nbreak",
]

scalars = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.dates(),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(TRICKY), st.text(max_size=6), st.integers()), inner, max_size=4),
    ),
    max_leaves=20,
)


def pyyaml(text: str):
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=False))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def outcome(parse, text: str):
    try:
        return ("ok", parse(text))
    except Exception as exc:  # noqa: BLE001 - PyYAML itself raises IndexError on `!!int ''`
        return ("error", type(exc).__name__)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(documents, st.sampled_from([None, True, False]), st.booleans())
def test_same_value_as_pyyaml_for_dumped_documents(doc, flow_style, quoted_keys) -> None:
    text = yaml.safe_dump(doc, default_flow_style=flow_style, allow_unicode=True, sort_keys=False)
    if quoted_keys:
        text = text.replace("'", "")  # unquote: plain scalars then resolve by YAML 1.1 rules
    expected, got = outcome(pyyaml, text), outcome(loads, text)
    assert expected[0] == got[0], (text, expected, got)
    if expected[0] == "ok":
        assert same(expected[1], got[1]), (text, expected[1], got[1])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            TRICKY + ["key", "- ", ": ", "\n", "  ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!!int ", "<<: "]
        ),
        max_size=25,
    )
)
def test_same_value_or_same_error_for_arbitrary_text(tokens) -> None:
    text = "".join(tokens)
    expected, got = outcome(pyyaml, text), outcome(loads, text)
    assert expected[0] == got[0], (text, expected, got)
    if expected[0] == "ok":
        assert same(expected[1], got[1]), (text, expected[1], got[1])


def test_anchors_aliases_and_merge_keys_match_pyyaml() -> None:
    text = "base: &b {a: 1, b: [x, y]}\nother: *b\nmerged:\n  <<: *b\n  c: 3\nset: !!set {p, q}\n"
    assert same(loads(text), pyyaml(text))
    plain = "a: &x [1, 2]\nb: *x\n"
    got = loads(plain)
    assert got["a"] is got["b"]  # aliases share one object, as in PyYAML


def test_samples_load_identically() -> None:
    from tests.conftest import SAMPLES

    for path in SAMPLES.glob("*/inventory.yaml"):
        assert same(loads(path.read_bytes()), pyyaml(path.read_text()))


@pytest.mark.parametrize(
    "text, words",
    [
        ("version: 1\nresources: [\n", "invalid YAML: line"),
        ("a: !custom 3\n", "invalid YAML"),
        ("a: !!timestamp 2026-99-99\n", "invalid YAML value"),
        ("a: !!int\n", "invalid YAML value"),
        (b"a: \xff\xfe\n", "invalid YAML"),
    ],
)
def test_bad_yaml_is_one_input_error_naming_the_file(tmp_path, text, words) -> None:
    path = tmp_path / "inv.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert str(info.value).startswith(str(path)) and words in str(info.value)


# ---------------------------------------------------------------------- hostile YAML (alias bombs)
def _laughs(levels: int, width: int = 9) -> str:
    lines = ["version: 1", "l0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    lines.append(f"resources: *l{levels - 1}")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    from tests.conftest import run_cli

    bomb = _laughs(10)  # 10^9 strings once expanded
    assert len(bomb) < 600
    path = tmp_path / "inventory.yaml"
    path.write_text(bomb)
    run = run_cli("scan", str(path))
    assert run.returncode == 2, run.stderr
    assert "alias bomb" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_a_policy_alias_bomb_is_refused(tmp_path):
    from auditor.core.errors import InputError
    from auditor.io.policy_file import load_policy

    path = tmp_path / "policy.yaml"
    path.write_text(_laughs(10).replace("resources:", "suppress:"))
    with pytest.raises(InputError, match="alias bomb"):
        load_policy(path)


def test_a_recursive_alias_is_refused():
    from auditor.io.yamlio import AliasBomb, loads

    with pytest.raises(AliasBomb):
        loads("version: 1\nresources: &r [*r]\n")


def test_modest_aliases_still_load():
    from auditor.io.yamlio import loads

    doc = loads("base: &b {tier: production}\nx: [*b, *b, *b]\n")
    assert doc["x"] == [{"tier": "production"}] * 3


def test_what_loads_hands_over_is_its_node_tree_and_changes_nothing() -> None:
    """`spent` (for a one-shot command to keep instead of freeing) receives the composed tree;
    the value is the same as without it."""
    from yaml.nodes import MappingNode

    text = "version: 1\nresources:\n  - {id: a, kind: account}\n  - &s {id: b, kind: service}\nalias: *s\n"
    spent: list = []
    assert same(loads(text, spent=spent), loads(text))
    assert len(spent) == 1 and isinstance(spent[0], MappingNode)
