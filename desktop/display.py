"""How times, sizes and people's roles are written for the user (locale-aware, local time)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QTimeZone


def _tr(text: str) -> str:
    return QCoreApplication.translate("display", text)


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _local(value: datetime) -> QDateTime:
    stamp = QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000), QTimeZone.utc())
    return stamp.toLocalTime()


def short_time(value: str | datetime | None, now: datetime | None = None) -> str:
    """'10:42' today, 'Mar 3' this year, '2025-03-03' before."""
    moment = parse_time(value)
    if moment is None:
        return ""
    local = _local(moment)
    today = _local(now or datetime.now(UTC)).date()
    locale = QLocale()
    if local.date() == today:
        return locale.toString(local.time(), "HH:mm")
    if local.date().year() == today.year():
        return locale.toString(local.date(), "MMM d")
    return local.date().toString("yyyy-MM-dd")


def long_time(value: str | datetime | None) -> str:
    moment = parse_time(value)
    if moment is None:
        return ""
    return QLocale().toString(_local(moment), "ddd d MMM yyyy, HH:mm")


def clock_time(value: str | datetime | None) -> str:
    moment = parse_time(value)
    if moment is None:
        return ""
    return QLocale().toString(_local(moment).time(), "HH:mm")


def clock_time_now() -> str:
    return clock_time(datetime.now(UTC))


def file_size(size: int | None) -> str:
    size = int(size or 0)
    if size < 1024:
        return _tr("%1 bytes").replace("%1", str(size))
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


ROLE_NAMES = {
    "therapist": "Therapist",
    "front_office": "Front office",
    "biller": "Billing",
    "admin": "Administrator",
    "external_agent": "External agent",
}


def role_label(person: Mapping[str, Any] | None) -> str:
    """The badge text for a person: a staff role, or 'Client' / 'Inactive client'."""
    if not person:
        return ""
    if person.get("kind") == "client":
        if person.get("status") == "inactive":
            return _tr("Inactive client")
        return _tr("Client")
    return _tr(ROLE_NAMES.get(person.get("role") or "", "Staff"))
