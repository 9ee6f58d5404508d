"""Which IAM users are CI users: their long-lived access keys sit in a CI system's secret store,
where every pipeline (and whoever can change one) can use them.

The rule is deliberately narrow, so that a human's key is not called a CI key: a whole word of
the user's name, path, tags (keys or values) or policy names is one CI systems and deploy users
are named with. Where the key is used from cannot be told from IAM alone (that needs CloudTrail),
so it is not part of the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

CI_WORDS = frozenset(
    {
        "ci",
        "cd",
        "cicd",
        "github",
        "githubactions",
        "gitlab",
        "gitlabci",
        "jenkins",
        "circleci",
        "buildkite",
        "travis",
        "travisci",
        "bitbucket",
        "pipeline",
        "pipelines",
        "codebuild",
        "teamcity",
        "drone",
        "deploy",
        "deployer",
        "deployment",
    }
)
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    # words as written ("GitHubActions" → githubactions) and camelCase split ("DeployRole" → deploy, role)
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    return set(_WORD.findall(text.lower())) | set(_WORD.findall(spaced.lower()))


def ci_user_reason(
    name: str, path: str = "/", tags: Mapping[str, str] | None = None, policy_names: Iterable[str] = ()
) -> str | None:
    """Why this IAM user looks like a CI user (`name 'ci-deploy'`), or None."""
    for what, texts in (
        ("name", [name]),
        ("path", [path]),
        ("tag", [f"{k}={v}" for k, v in (tags or {}).items()]),
        ("policy", list(policy_names)),
    ):
        for text in texts:
            if isinstance(text, str) and _words(text) & CI_WORDS:
                return f"{what} {text!r}"
    return None
