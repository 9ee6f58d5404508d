"""Option values converted without pydantic, for start-up time.

typer (0.2x) converts every option value through a pydantic `TypeAdapter`: importing pydantic
and building the adapters costs about as much as a whole audit of a small inventory. Our
options are plain strings, paths, flags, small numbers and choices, so each value is converted
here with the same functions typer itself uses (`coerce_cli_path`, `coerce_cli_choice`) or with
`str`/`int`/`float` where the text is unambiguous. Whenever a value is not plainly valid, or a
conversion raises, the value goes through typer's own pydantic conversion instead, so every
error message and every edge case stays typer's. A typer without these internals keeps its own
conversion (`install` does nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

#: integers and decimals a person types, which pydantic reads as the same number
_INT = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")
_FLOAT = re.compile(r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,6})?\Z")


class _Unsure(Exception):
    """This value is for typer's own conversion."""


def _fast_converter(annotation: Any, info: Any) -> Any:
    """A function (value, param, ctx) -> converted value for the annotations our commands use,
    or None for anything else."""
    from typer import _param_types as types

    if info.parser is not None or getattr(info, "click_type", None) is not None:
        return None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        inner = _fast_converter(item, info)
        if inner is None:
            return None

        def convert_list(value: Any, param: Any, ctx: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                raise _Unsure
            return [inner(v, param, ctx) for v in value]

        return convert_list
    if annotation is str or annotation is bool:
        exact = annotation

        def convert_exact(value: Any, _param: Any, _ctx: Any) -> Any:
            if type(value) is not exact:
                raise _Unsure
            return value

        return convert_exact
    if annotation in (int, float):
        pattern = _INT if annotation is int else _FLOAT
        low, high = info.min, info.max
        if info.clamp:
            return None

        def convert_number(value: Any, _param: Any, _ctx: Any) -> Any:
            if type(value) is not str or not pattern.match(value):
                raise _Unsure
            number = annotation(value)
            if (low is not None and number < low) or (high is not None and number > high):
                raise _Unsure
            return number

        return convert_number
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = list(annotation)
        case_sensitive = info.case_sensitive

        def convert_choice(value: Any, _param: Any, ctx: Any) -> Any:
            try:
                return types.coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)
            except Exception:  # noqa: BLE001 - typer's conversion words the error
                raise _Unsure from None

        return convert_choice
    if annotation is Path and info.path_type is None:

        def convert_path(value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is not str or not value or "\0" in value:
                raise _Unsure
            try:
                return types.coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
            except Exception:  # noqa: BLE001 - typer's conversion words the error, naming the value as given
                raise _Unsure from None

        return convert_path
    return None


def install() -> None:
    """Make typer convert our option values with `_fast_converter`, falling back to its own."""
    try:
        from typer import _coercion, core

        base = _coercion.RuntimeParam
        typer_build = core.build_runtime_param
    except (ImportError, AttributeError):  # another typer: keep its own conversion
        return
    if getattr(typer_build, "_blastscope", False):
        return

    @dataclass(frozen=True)
    class FastRuntimeParam(base):  # type: ignore[misc, valid-type]
        descriptor: Any
        convert: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value, param, ctx)
            except _Unsure:
                return typer_build(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def build(descriptor: Any) -> Any:
        convert = None
        if descriptor.file_annotation is None:
            convert = _fast_converter(descriptor.annotation, descriptor.parameter_info)
        if convert is None:
            return typer_build(descriptor)
        return FastRuntimeParam(
            annotation=descriptor.annotation,
            parameter_info=descriptor.parameter_info,
            descriptor=descriptor,
            convert=convert,
        )

    build._blastscope = True  # type: ignore[attr-defined]
    core.build_runtime_param = build
