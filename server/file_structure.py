"""A stored upload's structure checked against its extension, after the first bytes matched.

The magic bytes alone let anything follow a valid header (`%PDF-` and then an executable,
`GIF89a` and then a script). Each type is opened the way a reader would, by a well-kept
library where there is one, and refused when that fails:
- images are decoded whole by Pillow (verify, then load) and must be the format named by
  the extension, within Pillow's decompression-bomb pixel limit;
- HEIC (which Pillow cannot decode) must be a well-formed ISO base media file: top-level
  boxes that tile the file exactly, an `ftyp` box first with a HEIF brand, and a `meta` box;
- PDFs must parse with pypdf, with a catalog and at least one page;
- `.docx` must be a ZIP holding the OOXML parts of a Word document (`[Content_Types].xml`
  naming the main document part, and `word/document.xml`);
- `.txt` may hold no NUL byte anywhere.
`.doc` and `.rtf` keep the header check only (no well-kept parser for their whole structure
that is cheap); every download is sent as an attachment with `nosniff`, so none of them is
ever rendered by a browser.

These run on the finished file, off the event loop and outside any database transaction.
"""

from __future__ import annotations

import logging
import struct
import zipfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from server.filetypes import HEIC_BRANDS

IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".bmp": "BMP"}
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
DOCX_MAIN_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main"
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
READ_CHUNK = 1024 * 1024

logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about odd files are not news


def structure_ok(ext: str, path: Path) -> bool:
    check = _CHECKS.get(ext)
    if check is None:
        return True
    try:
        return check(ext, path)
    except Exception:  # a parser's refusal takes many shapes; each one means "not this type"
        return False


def _image(ext: str, path: Path) -> bool:
    with Image.open(path) as image:
        if image.format != IMAGE_FORMATS[ext]:
            return False
        image.verify()
    with Image.open(path) as image:
        image.load()
    return True


def _pdf(_ext: str, path: Path) -> bool:
    reader = PdfReader(path, strict=False)
    root = reader.trailer["/Root"].get_object()
    if not isinstance(root, DictionaryObject) or root.get("/Type") != "/Catalog":
        return False
    return len(reader.pages) >= 1


def _docx(_ext: str, path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if not all(part in names for part in DOCX_PARTS):
            return False
        info = archive.getinfo(DOCX_PARTS[0])
        if info.file_size > MAX_CONTENT_TYPES_BYTES:
            return False
        return DOCX_MAIN_TYPE in archive.read(info)


def _heic(_ext: str, path: Path) -> bool:
    size = path.stat().st_size
    seen: list[bytes] = []
    with open(path, "rb") as file:
        offset = 0
        while offset < size:
            file.seek(offset)
            header = file.read(16)
            box_size, kind = struct.unpack(">I4s", header[:8])
            if box_size == 1:
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:
                box_size = size - offset  # the last box runs to the end of the file
            if box_size < 8 or offset + box_size > size:
                return False
            if not seen and (kind != b"ftyp" or header[8:12] not in HEIC_BRANDS):
                return False
            seen.append(kind)
            offset += box_size
    return b"meta" in seen


def _text(_ext: str, path: Path) -> bool:
    with open(path, "rb") as file:
        while chunk := file.read(READ_CHUNK):
            if b"\x00" in chunk:
                return False
    return True


_CHECKS = {
    **{ext: _image for ext in IMAGE_FORMATS},
    ".pdf": _pdf,
    ".docx": _docx,
    ".heic": _heic,
    ".txt": _text,
}
