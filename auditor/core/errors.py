"""The one exception tree and the exit codes, documented here and nowhere else in the code.

| code | meaning |
|---|---|
| 0 | nothing at or above --fail-on |
| 1 | findings at or above --fail-on (for `blast`: some dataset loses every copy) |
| 2 | usage or input error: one line naming the file, the resource and the field |
| 3 | incomplete audit: a source could not be read fully, so the tool refuses to call it clean |
| 4 | the audit ran but its alert could not be delivered (`scan --notify`; 3 wins when both) |

Every error a user can cause is a BlastscopeError: the CLI prints its message as one line and
exits with its code; anything else is a bug, still one line, never a traceback.
"""

from __future__ import annotations

EXIT_PASS = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INCOMPLETE = 3
EXIT_UNDELIVERED = 4

EXIT_CODES_HELP = (
    "Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage or input "
    "error; 3 incomplete audit (the source could not be read fully; --allow-partial overrides); "
    "4 the alert could not be delivered (scan --notify)."
)


class BlastscopeError(Exception):
    """Base for errors the CLI reports as one line instead of a traceback."""

    exit_code = EXIT_INPUT


class InputError(BlastscopeError):
    """Bad input: a file, resource or field that cannot be accepted."""

    exit_code = EXIT_INPUT

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        resource: str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.resource = resource
        self.field = field
        self.detail = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.resource is not None:
            where.append(f"resource {self.resource!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ": ".join(where)
        return f"{prefix}: {self.detail}" if prefix else self.detail


class UsageError(BlastscopeError):
    """A command-line option or argument that cannot be honoured."""

    exit_code = EXIT_INPUT


class IncompleteAudit(BlastscopeError):
    """The source could not be read fully; the audit must not be called clean."""

    exit_code = EXIT_INCOMPLETE


class DeliveryFailed(BlastscopeError):
    """An alert could not be delivered after retries."""

    exit_code = EXIT_UNDELIVERED
