"""IAM policy documents as typed values: statements with their actions and resources."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class PolicyError(ValueError):
    """A policy document that is not the shape IAM accepts."""


@dataclass(frozen=True)
class Statement:
    """One statement. Exactly one of actions/not_actions and of resources/not_resources is set
    (`None` for the other); patterns keep IAM's spelling, matching is done by `matches_*`."""

    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    conditional: bool = False

    def matches_action(self, action: str) -> bool:
        if self.actions is not None:
            return any(action_pattern(p).match(action) for p in self.actions)
        return not any(action_pattern(p).match(action) for p in self.not_actions or ())

    def matches_arn(self, arn: str | None, open_tail: bool = False) -> bool | None:
        """Whether the statement's resources cover `arn`; None when the ARN is unknown and the
        statement names specific resources (the caller decides which way unknown falls).
        `open_tail`: `arn` is a prefix (a bucket's objects: `arn:aws:s3:::b/`), any completion counts."""
        patterns = self.resources if self.resources is not None else self.not_resources or ()
        if arn is None:
            if self.resources is not None and "*" in patterns:
                return True
            return None
        hit = any(arn_matches(p, arn, open_tail) for p in patterns)
        return hit if self.resources is not None else not hit


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]

    @classmethod
    def parse(cls, document: Any) -> PolicyDocument:
        """From a JSON string or a decoded mapping (what `jsonencode(...)` and the AWS API give)."""
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError as exc:
                raise PolicyError(f"not JSON: {exc}") from None
        if not isinstance(document, Mapping):
            raise PolicyError("a policy document is a JSON object")
        raw = document.get("Statement")
        if raw is None:
            raise PolicyError("no Statement")
        raw_list = raw if isinstance(raw, list) else [raw]
        return cls(tuple(_statement(s, i) for i, s in enumerate(raw_list)))


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) for v in items):
        raise PolicyError(f"{where}: expected a string or a list of strings")
    return tuple(items)


def _statement(raw: Any, index: int) -> Statement:
    where = f"Statement[{index}]"
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: expected an object")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{where}.Effect: expected Allow or Deny")
    if ("Action" in raw) == ("NotAction" in raw):
        raise PolicyError(f"{where}: needs exactly one of Action and NotAction")
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyError(f"{where}: has both Resource and NotResource")
    actions = _strings(raw["Action"], f"{where}.Action") if "Action" in raw else None
    not_actions = _strings(raw["NotAction"], f"{where}.NotAction") if "NotAction" in raw else None
    if "NotResource" in raw:
        resources, not_resources = None, _strings(raw["NotResource"], f"{where}.NotResource")
    else:  # trust policies have no Resource; identity policies must — absent reads as none
        resources, not_resources = (_strings(raw["Resource"], f"{where}.Resource") if "Resource" in raw else ()), None
    return Statement(effect, actions, not_actions, resources, not_resources, bool(raw.get("Condition")))


@lru_cache(maxsize=4096)
def action_pattern(pattern: str) -> re.Pattern[str]:
    """`s3:Delete*` → a case-insensitive regex; `*` and `?` are IAM's only wildcards."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"(?is){body}\\Z")


_VARIABLE = re.compile(r"\$\{[^}]*\}")


@lru_cache(maxsize=8192)
def _arn_regex(pattern: str) -> re.Pattern[str]:
    # policy variables (${aws:username}) stand for values we cannot know: any text
    parts = _VARIABLE.split(pattern)
    body = ".*".join("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in part) for part in parts)
    return re.compile(f"(?s){body}")


def arn_matches(pattern: str, arn: str, open_tail: bool = False) -> bool:
    """IAM's ARN matching: case-sensitive, `*`/`?` wildcards across segments. With `open_tail`,
    `arn` is a prefix and the pattern only needs to match some string that starts with it."""
    if pattern == "*":
        return True
    regex = _arn_regex(pattern)
    if not open_tail:
        return regex.fullmatch(arn) is not None
    return _prefix_can_match(pattern, arn)


def _prefix_can_match(pattern: str, prefix: str) -> bool:
    """Is there a completion of `prefix` that `pattern` matches? Glob automaton walk."""
    pattern = _VARIABLE.sub("*", pattern)
    states = {0}
    for ch in prefix:
        states = _closure(pattern, states)
        nxt = set()
        for i in states:
            if i < len(pattern) and (pattern[i] == "*"):
                nxt.add(i)
            elif i < len(pattern) and (pattern[i] == "?" or pattern[i] == ch):
                nxt.add(i + 1)
        if not nxt:
            return False
        states = nxt
    return bool(states)  # any live state can be completed (add the rest of the pattern literally)


def _closure(pattern: str, states: set[int]) -> set[int]:
    out = set(states)
    for i in states:
        j = i
        while j < len(pattern) and pattern[j] == "*":
            j += 1
            out.add(j)
    return out
