"""Attachment types: the allowlist and a check that the content matches the extension."""

from __future__ import annotations

import os
import re
import unicodedata

ALLOWED_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".txt",
    ".rtf",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".bmp",
    ".heic",
)
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".rtf": "application/rtf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".heic": "image/heic",
}
SNIFF_BYTES = 4096
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".docx": (b"PK\x03\x04",),
    ".rtf": (b"{\\rtf",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".bmp": (b"BM",),
}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_EXECUTABLE = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


# Characters that change how a name displays without showing: bidi controls (U+202A-U+202E,
# U+2066-U+2069), zero-width and other format characters (Cf), separators and the unassigned.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _visible(name: str) -> str:
    out = []
    for char in name:
        category = unicodedata.category(char)
        if category in _INVISIBLE_CATEGORIES:
            continue
        out.append(" " if category == "Zs" else char)
    return " ".join("".join(out).split())


def clean_filename(raw: str) -> str:
    """Keep the last path component; drop control, reserved and invisible characters, so
    the name shown is the name it has: "report", U+202E, "fdp.txt" (which displays as
    "reporttxt.pdf") becomes "reportfdp.txt"."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").split("/")[-1]
    name = _visible(_UNSAFE.sub("", name)).strip().strip(".")
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext)] + ext
    return name or "attachment"


def extension(filename: str) -> str:
    return os.path.splitext(filename)[1].lower()


def content_matches(ext: str, head: bytes) -> bool:
    """Does the start of the file look like what its extension says?"""
    if ext in _MAGIC:
        return any(head.startswith(m) for m in _MAGIC[ext])
    if ext == ".heic":
        return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS
    if ext == ".txt":
        return b"\x00" not in head and not head.startswith(_EXECUTABLE)
    return False
