"""Sentences for people about what went wrong, one place for the whole desktop: keyed on the
typed errors of `sync.errors` (an answer's code, a network error that timed out, a certificate
problem's kind), never on an error's English text."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication

from sync.errors import ApiError, InsecureServerAddress, NetworkError, ProtocolError, TlsError
from sync.tls import TlsProblem


def _tr(text: str) -> str:
    return QCoreApplication.translate("ErrorText", text)


def describe_error(error: BaseException) -> str:
    return getattr(error, "detail", None) or getattr(error, "reason", None) or str(error)


def admin_error_text(error: BaseException) -> str:
    """A sentence for the user for a failed administration call."""
    if isinstance(error, ApiError):
        if error.code == "forbidden":
            return _tr("Your role may not do this. %s") % error.detail
        return error.detail
    if isinstance(error, NetworkError):
        return _tr("The server cannot be reached just now; nothing was changed. Try again "
                   "in a moment.")
    if isinstance(error, ProtocolError):
        return _tr("The server's answer was not understood: %s") % error.detail
    if isinstance(error, OSError):
        return _tr("The file could not be used: %s") % (error.strerror or error)
    return _tr("That did not work: %s") % error


def certificate_error_text(error: TlsError, server_url: str = "") -> str:
    """What is wrong with the server's certificate, in plain words; nothing was sent."""
    if error.kind is TlsProblem.EXPIRED:
        return _tr("The server's security certificate has expired (or is not valid yet), so "
                   "nothing was sent. Ask your administrator to renew it, and check that this "
                   "computer's date and time are right.")
    if error.kind is TlsProblem.WRONG_NAME:
        host = urlsplit(server_url.strip()).hostname or _tr("this address")
        return _tr("The server's security certificate is made out to another name than %s, "
                   "so nothing was sent. Check the server address, or ask your administrator "
                   "for the right one.") % host
    if error.kind is TlsProblem.UNKNOWN_AUTHORITY:
        return _tr("The server's security certificate was issued by an authority this computer "
                   "does not trust, so nothing was sent. If your practice has its own "
                   "certificate authority, choose its file under \u201cPractice CA\u201d; "
                   "otherwise ask your administrator.")
    return _tr("The secure connection to the server could not be set up, so nothing was sent. "
               "Ask your administrator to check the server's certificate and HTTPS settings.")


def sign_in_error_text(error: BaseException, server_url: str = "") -> str:
    """A sentence for the user for any failure of a sign-in attempt."""
    if isinstance(error, ApiError):
        if error.code == "invalid_credentials":
            return _tr("The username or password is not right. Check them and try again.")
        if error.code == "too_many_attempts":
            return too_many_attempts_text(error.retry_after)
        if error.code == "totp_required":
            return _tr("Enter the 6-digit code from your authenticator app.")
        if error.code == "mfa_required":
            return _tr("Your practice requires two-step sign-in: set it up to continue.")
        if error.code in ("invalid_totp", "totp_invalid"):
            return _tr("That code is not right or has expired. Enter the current code.")
        return error.detail or _tr("The server refused the sign-in.")
    if isinstance(error, InsecureServerAddress):
        return _tr("This address uses plain http://. Use the https:// address of your "
                   "practice's server.")
    if isinstance(error, ValueError):
        return _tr("That is not a server address. It looks like https://inbox.example.org")
    if isinstance(error, TlsError):
        return certificate_error_text(error, server_url)
    if isinstance(error, NetworkError):
        if error.timed_out:
            return _tr("The server did not answer in time. Check your connection and try again.")
        return _tr("The server cannot be reached. Check the address and your network "
                   "connection.")
    if isinstance(error, ProtocolError):
        return _tr("That address answers, but not as a Practice Inbox server. Check the address.")
    return _tr("Signing in failed: %s") % error


def too_many_attempts_text(retry_after: float | None) -> str:
    if not retry_after:
        return _tr("Too many failed attempts. Wait a few minutes and try again.")
    minutes = max(1, math.ceil(retry_after / 60))
    if minutes == 1:
        return _tr("Too many failed attempts. Try again in 1 minute.")
    return _tr("Too many failed attempts. Try again in %d minutes.") % minutes
