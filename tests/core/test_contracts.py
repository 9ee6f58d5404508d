"""Checks and providers are declared objects whose contract is checked when they are declared."""

from __future__ import annotations

import pytest

from auditor.core.checks import Check, CheckDefinitionError, CheckRegistry, check
from auditor.core.provider import Provider
from auditor.engine.registry import check_registry, providers


def _noop(ctx):  # type: ignore[no-untyped-def]
    return iter(())


GOOD = dict(id="my-check", title="A title", severity="high", family="custom", rationale="why", remediation="fix")


@pytest.mark.parametrize(
    "change, words",
    [
        ({"id": "My Check"}, "slug"),
        ({"title": "x" * 200}, "title"),
        ({"severity": "severe"}, "severity"),
        ({"remediation": " "}, "remediation is empty"),
        ({"references": ("SPEC §4",)}, "not a link a user can open"),
    ],
)
def test_a_check_that_breaks_the_contract_is_refused_when_declared(change: dict, words: str) -> None:
    with pytest.raises(CheckDefinitionError, match=words):
        check(**{**GOOD, **change})(_noop)


def test_the_decorator_makes_a_check_and_the_registry_refuses_duplicates() -> None:
    declared = check(**GOOD)(_noop)
    assert isinstance(declared, Check) and declared.id == "my-check"
    other = check(**GOOD)(_noop)
    with pytest.raises(CheckDefinitionError, match="declared twice"):
        CheckRegistry([declared, other])


def test_built_in_checks_meet_the_contract_and_cite_no_internal_document() -> None:
    registry = check_registry()
    assert len(registry) >= 13
    for c in registry:
        text = " ".join([c.title, c.rationale, c.remediation, c.severity_note, *c.references])
        assert "SPEC" not in text and c.references


def test_a_provider_is_a_file_format_or_a_live_api_never_both() -> None:
    with pytest.raises(ValueError):
        Provider(name="x", description="d")
    with pytest.raises(ValueError):
        Provider(
            name="x",
            description="d",
            sniff=lambda h: True,
            load=lambda b, o: None,  # type: ignore[arg-type,return-value]
            keyword="x",
            pull=lambda s: None,
        )  # type: ignore[arg-type,return-value]
    names = [p.name for p in providers()]
    assert {"snapshot", "terraform", "inventory", "railway"} <= set(names)
    assert [p.keyword for p in providers() if p.is_live] == ["railway"] or "railway" in [p.keyword for p in providers()]
