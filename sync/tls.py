"""Why a TLS connection to the server failed, as a kind the desktop turns into a sentence.

OpenSSL reports a refused certificate as `ssl.SSLCertVerificationError` with a verify code,
deep inside the exceptions requests and urllib3 wrap around it; `problem_of` digs it out.
"""

from __future__ import annotations

import enum
import ssl

import requests

from sync.errors import TlsError


class TlsProblem(enum.Enum):
    EXPIRED = "expired"  # or not valid yet: the certificate's dates do not cover now
    WRONG_NAME = "wrong_name"  # made for another host name than the one in the address
    UNKNOWN_AUTHORITY = "unknown_authority"  # signed by a CA this computer does not trust
    OTHER = "other"  # the handshake failed otherwise (old TLS version, not TLS at all, …)


# X509_V_ERR_* codes (openssl/x509_vfy.h)
_CODES = {
    9: TlsProblem.EXPIRED,  # CERT_NOT_YET_VALID
    10: TlsProblem.EXPIRED,  # CERT_HAS_EXPIRED
    18: TlsProblem.UNKNOWN_AUTHORITY,  # DEPTH_ZERO_SELF_SIGNED_CERT
    19: TlsProblem.UNKNOWN_AUTHORITY,  # SELF_SIGNED_CERT_IN_CHAIN
    20: TlsProblem.UNKNOWN_AUTHORITY,  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: TlsProblem.UNKNOWN_AUTHORITY,  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    62: TlsProblem.WRONG_NAME,  # HOSTNAME_MISMATCH
    64: TlsProblem.WRONG_NAME,  # IP_ADDRESS_MISMATCH
}


def _chain(error: BaseException) -> list[BaseException]:
    """The error and every exception it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: list[BaseException] = []
    todo: list[object] = [error]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return seen


def problem_of(error: BaseException) -> TlsProblem:
    for item in _chain(error):
        if isinstance(item, ssl.SSLCertVerificationError):
            return _CODES.get(item.verify_code, TlsProblem.OTHER)
        if isinstance(item, ssl.CertificateError) and "match" in str(item):
            return TlsProblem.WRONG_NAME
    return TlsProblem.OTHER


def tls_error(error: requests.exceptions.SSLError) -> TlsError:
    problem = problem_of(error)
    return TlsError(f"The secure connection to the server failed ({problem.value}): {error}",
                    problem)
