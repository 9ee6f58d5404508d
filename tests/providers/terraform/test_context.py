"""Environment names from resource names: the one regular expression that stands for the
default tier patterns picks the pattern `Policy.tier_from_name` picks, for any token."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.terraform.context import _DEFAULT_POLICY, default_tier_pattern, looks_like_environment

WORDS = ["prod", "Production", "prod2", "live", "main", "mainline", "staging", "uat", "preprod", "dev", "devsecops"]
WORDS += ["test", "testing", "pr-12", "pr", "preview", "previews", "PROD", "", "-", "stag", "x-prod", "préprod"]


@settings(max_examples=500, deadline=None)
@given(token=st.one_of(st.sampled_from(WORDS), st.text(alphabet="prodevilmanstgu-*?[]2É\n", max_size=10), st.text()))
def test_the_combined_expression_picks_the_policys_pattern(token: str) -> None:
    found = _DEFAULT_POLICY.tier_from_name(token)
    assert default_tier_pattern(token) == (None if found is None else found[1])


def test_environment_tokens() -> None:
    """Tokens are lower case (name_tokens lowers them): `Production` is not split from a name."""
    assert [t for t in WORDS if looks_like_environment(t)] == [
        "prod", "prod2", "live", "main", "staging", "uat", "preprod", "dev", "test", "testing", "pr-12", "preview",
        "stag",
    ]  # fmt: skip
