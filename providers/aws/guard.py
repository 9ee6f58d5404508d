"""Read-only by construction: every boto3 client the AWS provider makes refuses, before anything
is sent, any operation that is not a read.

A read is an operation whose name starts with Describe, List or Get, or one on a short explicit
allow-list (STS AssumeRole, to audit other accounts). Some Get calls return secret values or
data rather than configuration (Secrets Manager secret strings, SSM parameter values, S3
objects, EC2 password data, temporary credentials): they are refused too, so a secret value
can never enter a pull.
"""

from __future__ import annotations

from typing import Any

READ_PREFIXES = ("Describe", "List", "Get")
#: (service endpoint prefix, operation) pairs that are not named like reads but change nothing
ALLOWED = frozenset({("sts", "AssumeRole")})
#: reads that would return secret values or customer data: never called
SECRET_READS = frozenset(
    {
        "GetSecretValue",
        "BatchGetSecretValue",
        "GetRandomPassword",
        "GetParameter",
        "GetParameters",
        "GetParametersByPath",
        "GetParameterHistory",
        "GetObject",
        "GetObjectTorrent",
        "GetObjectAttributes",
        "GetPasswordData",
        "GetSessionToken",
        "GetFederationToken",
        "GetAuthorizationToken",
        "GetCredentialsForIdentity",
        "GetOpenIdToken",
        "GetDataKey",
        "GetQueryResults",
        "GetItem",
        "BatchGetItem",
        "GetRecords",
        "GetShardIterator",
        "GetLogEvents",
    }
)


class ReadOnlyViolation(RuntimeError):
    """An operation that could change the account (or read a secret) was about to be sent."""


def is_allowed(service: str, operation: str) -> bool:
    if (service, operation) in ALLOWED:
        return True
    return operation.startswith(READ_PREFIXES) and operation not in SECRET_READS


def _refuse(model: Any = None, **kwargs: Any) -> None:
    operation = getattr(model, "name", None) or "?"
    service = getattr(getattr(model, "service_model", None), "endpoint_prefix", None) or "?"
    if not is_allowed(service, operation):
        raise ReadOnlyViolation(
            f"aws: refused {service}:{operation}: blastscope only reads (Describe/List/Get), "
            "and never reads secret values"
        )


def install_read_only_guard(client: Any) -> Any:
    """Register the guard on the client's first event (parameters not built yet) and again just
    before the call, so no later handler can slip a write through."""
    events = client.meta.events
    events.register_first("provide-client-params.*.*", _refuse, unique_id="blastscope-read-only-params")
    events.register_first("before-call.*.*", _refuse, unique_id="blastscope-read-only-call")
    return client
