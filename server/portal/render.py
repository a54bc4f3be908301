"""Rendering portal pages: the Jinja2 environment, its filters, and the page's shared frame."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.db.models import Practice
from server.portal.sessions import Live

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def when(stamp: str | datetime) -> str:
    """`2026-12-01T09:30:00Z` as `1 Dec 2026, 09:30 UTC`."""
    moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(
        stamp.replace("Z", "+00:00")
    )
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


env.filters["file_size"] = file_size
env.filters["when"] = when


def portal_base(request: Request, practice: Practice) -> str:
    return f"{request.scope.get('root_path', '')}/{practice.slug}/"


def render(
    request: Request,
    template: str,
    practice: Practice | None,
    live: Live | None = None,
    status: int = 200,
    csrf: str | None = None,
    **values: Any,
) -> HTMLResponse:
    """A whole page; `csrf` is the token its forms carry (the session's when signed in)."""
    root = request.scope.get("root_path", "")
    page = env.get_template(template).render(
        practice=practice,
        notice=practice.portal_notice if practice is not None else None,
        live=live,
        csrf=csrf or (live.csrf_token if live else ""),
        base=portal_base(request, practice) if practice is not None else f"{root}/",
        static=f"{root}/static/",
        errors=values.pop("errors", None) or [],
        **values,
    )
    return HTMLResponse(page, status_code=status)
