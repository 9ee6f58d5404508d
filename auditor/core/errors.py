"""Error types the CLI turns into exit codes (SPEC §7).

InputError → exit 2 with one line naming the file, the resource and the field.
IncompleteAudit → exit 3: the source could not be read fully.
"""

from __future__ import annotations


class BlastscopeError(Exception):
    """Base for errors the CLI reports as one line instead of a traceback."""

    exit_code = 2


class InputError(BlastscopeError):
    """Bad input: a file, resource or field that cannot be accepted."""

    exit_code = 2

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

    exit_code = 2


class IncompleteAudit(BlastscopeError):
    """The source could not be read fully; the audit must not be called clean."""

    exit_code = 3
