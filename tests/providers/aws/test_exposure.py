"""Which IAM users count as CI users (their access keys are then exposed to CI): a narrow rule,
so that a person's key is not called a CI key."""

from __future__ import annotations

import pytest

from providers.awsiam import ci_user_reason


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"name": "ci-deploy"}, "name 'ci-deploy'"),
        ({"name": "GitHubActions"}, "name 'GitHubActions'"),
        ({"name": "svc-7", "path": "/pipelines/"}, "path '/pipelines/'"),
        ({"name": "svc-7", "tags": {"purpose": "GitLab CI"}}, "tag 'purpose=GitLab CI'"),
        ({"name": "svc-7", "policy_names": ["JenkinsDeployAccess"]}, "policy 'JenkinsDeployAccess'"),
        ({"name": "alice"}, None),
        ({"name": "decimal-cidr-admin"}, None),  # words, not substrings: "cidr" is not "ci"
        ({"name": "circle"}, None),
        ({"name": "bob", "tags": {"team": "data"}}, None),
    ],
)
def test_ci_users_are_recognised_by_whole_words(user: dict, expected: str | None) -> None:
    assert ci_user_reason(**user) == expected
