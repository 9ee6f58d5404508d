"""Small value classes for the guard's fast path.

`dataclasses` imports `inspect` (and with it a good share of the guard's start-up budget); the
guard's values need only keyword construction, defaults, equality, a repr and `replace`.
"""

from __future__ import annotations

from typing import Any, dataclass_transform


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Any) -> None:
        self.make = make


def factory(*, default_factory: Any) -> Any:
    """A default made fresh for each instance (like dataclasses' field(default_factory=…))."""
    return _Factory(default_factory)


@dataclass_transform(field_specifiers=(factory,))
def record(cls):  # type: ignore[no-untyped-def]
    """Give `cls` an __init__ over its annotated fields (in order), __eq__, __repr__, replace()."""
    names = tuple(cls.__dict__.get("__annotations__", {}))
    defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]  # noqa: N807
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__} takes {len(names)} fields")
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names or key in values:
                raise TypeError(f"{cls.__name__}: unexpected or repeated field {key!r}")
            values[key] = value
        for name in names:
            if name not in values:
                if name not in defaults:
                    raise TypeError(f"{cls.__name__}: missing field {name!r}")
                default = defaults[name]
                values[name] = default.make() if isinstance(default, _Factory) else default
            object.__setattr__(self, name, values[name])

    def __eq__(self, other) -> bool:  # type: ignore[no-untyped-def]  # noqa: N807
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in names)

    def __repr__(self) -> str:  # noqa: N807
        return f"{cls.__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

    def replace(self, **changes):  # type: ignore[no-untyped-def]
        return cls(**{**{n: getattr(self, n) for n in names}, **changes})

    cls.__init__ = __init__
    cls.__eq__ = __eq__
    cls.__hash__ = None
    cls.__repr__ = __repr__
    cls.replace = replace
    cls.fields = names
    return cls
