"""Small real files of each allowed type, made with the same libraries the server checks
them with, so uploads in tests pass the structure check for the right reason."""

from __future__ import annotations

import io
import struct
import zipfile

from PIL import Image
from pypdf import PdfWriter

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def pdf(marker: str = "") -> bytes:
    """A one-page PDF; `marker` goes into its metadata so files can differ."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Subject": marker or "test"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(fmt: str, size: tuple[int, int] = (8, 8)) -> bytes:
    """An image in Pillow's format name: "PNG", "JPEG", "GIF" or "BMP"."""
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def docx(text: str = "Worksheet") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            f'main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def heic() -> bytes:
    """The box layout of a HEIF file: ftyp (brand heic), meta, mdat."""
    return (
        box(b"ftyp", b"heic" + b"\x00\x00\x00\x00" + b"mif1heic")
        + box(b"meta", b"\x00\x00\x00\x00" + box(b"hdlr", b"\x00" * 8 + b"pict" + b"\x00" * 13))
        + box(b"mdat", b"\x00" * 64)
    )
