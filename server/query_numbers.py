"""Numbers in the address are plain ASCII decimals.

Python and pydantic also read "١٢" (Arabic-Indic digits), "1_0" and " 12" as numbers; a
server that accepts them lets two spellings name one cursor or page, and other software on
the way may read them differently. Every number a route takes from the query string is
checked here first, against the route's own declaration.
"""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.routing import APIRoute

from server.errors import invalid

_INTEGER = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _number_kind(annotation: Any) -> type | None:
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [_number_kind(arg) for arg in get_args(annotation) if arg is not type(None)]
        return kinds[0] if len(kinds) == 1 else None
    if annotation is bool:
        return None
    if annotation in (int, float):
        return annotation
    return None


def _numeric_params(route: APIRoute) -> dict[str, type]:
    cached: dict[str, type] | None = getattr(route, "_practice_numeric_params", None)
    if cached is None:
        cached = {}
        for field in route.dependant.query_params:
            kind = _number_kind(field.field_info.annotation)
            if kind is not None:
                cached[field.alias] = kind
        route._practice_numeric_params = cached  # type: ignore[attr-defined]
    return cached


async def refuse_odd_numbers(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    for name, kind in _numeric_params(route).items():
        for value in request.query_params.getlist(name):
            pattern = _INTEGER if kind is int else _DECIMAL
            if not pattern.fullmatch(value):
                raise invalid(
                    "validation_error", f"`{name}` must be a number written with the digits 0-9."
                )
