"""Large values a one-shot command has finished with, kept until its process ends.

`blastscope scan` and `gate` leave with os._exit once their output is flushed
(auditor/cli/__init__.py), so nothing they still hold at the end is ever freed. Freeing a
decoded Terraform plan as soon as it has been read costs a third of a second at 50k resources
(every object one by one: a fifth of decoding it), a YAML inventory's composed node tree as
much at 100k, and returns memory the rest of the run barely needs. In such a process
`done_with` keeps the values instead; everywhere else (tests, library use, long-running
commands) it keeps nothing and they are freed as usual.

Only the latest input's values are kept: a scan of a directory of plans frees each earlier
one when the next is done (as before), so memory grows by one input at most.
"""

from __future__ import annotations

_kept: tuple[object, ...] | None = None


def keep_until_exit() -> None:
    """For a process that ends with os._exit when its one command is done (the CLI's entry point)."""
    global _kept
    if _kept is None:
        _kept = ()


def done_with(*values: object) -> None:
    """The caller no longer needs `values`: kept until exit in a one-shot process (in place of
    what the previous call kept, which is freed now), else left to be freed."""
    global _kept
    if _kept is not None:
        _kept = values
