"""Which certificate authorities the inbox trusts for its server: this computer's usual ones,
or the practice's own CA file chosen at sign-in (kept in settings as `account/ca_file`)."""

from __future__ import annotations

import ssl
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from desktop.settings import AppSettings


def _tr(text: str) -> str:
    return QCoreApplication.translate("ServerTrust", text)


def verify_for(ca_file: str) -> bool | str:
    """What requests' `verify` gets: True, or the CA file's path."""
    return ca_file.strip() or True


def verify_setting(settings: AppSettings) -> bool | str:
    return verify_for(str(settings.get("account/ca_file")))


def ca_file_problem(ca_file: str) -> str | None:
    """A sentence when the chosen CA file cannot be used, else None (also for no file)."""
    path = ca_file.strip()
    if not path:
        return None
    if not Path(path).is_file():
        return _tr("The certificate authority file %s does not exist.") % path
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError, ValueError):
        return _tr("%s is not a certificate authority file (a PEM .crt or .pem file).") % path
    return None
