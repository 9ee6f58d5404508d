"""Finding and reading the policy file.

`--policy FILE` wins; otherwise `.blastscope.yaml` is looked for in the working directory and
then in each parent up to the repository root (the first directory holding `.git`), the way
linters find their configuration, so a run from a subdirectory of a repository uses the
repository's policy.
"""

from __future__ import annotations

from pathlib import Path

from auditor.core.errors import InputError
from auditor.core.policy import Policy, parse_policy
from auditor.io.files import display_name, read_input

DEFAULT_POLICY_FILE = ".blastscope.yaml"


def discover_policy(start: Path | None = None) -> Path | None:
    """The nearest `.blastscope.yaml` from `start` up to the repository root, or None."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / DEFAULT_POLICY_FILE
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def load_policy(path: str | Path | None) -> Policy:
    """Explicit file, else the discovered `.blastscope.yaml`, else the defaults."""
    if path is None:
        found = discover_policy()
        if found is None:
            return Policy()
        path = found
    if str(path) != "-" and not Path(path).is_file():
        raise InputError("policy file not found", file=str(path))
    from auditor.io.yamlio import load_yaml_bytes  # PyYAML only when there is a file (the guard's start-up)

    origin = display_name(path)
    return parse_policy(load_yaml_bytes(read_input(path), origin), origin)
