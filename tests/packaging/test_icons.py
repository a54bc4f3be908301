"""The app icon rendered for each platform: hicolor PNGs, the .ico and the .icns, each readable by
an image reader and showing the icon (not an empty square)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage, QImageReader

from tests.packaging.conftest import load_script

icons = load_script("icons")


def colours(image: QImage) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), max(1, image.width() // 16))
                for y in range(0, image.height(), max(1, image.height() // 16))})


def sizes_in(path: Path) -> list[int]:
    reader = QImageReader(str(path))
    found = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        assert image.width() == image.height()
        found.append(image.width())
    return found


def test_every_platform_gets_its_icons(qapp: Any, tmp_path: Path) -> None:
    written = icons.write_icons(tmp_path)

    for size in icons.HICOLOR_SIZES:
        png = tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "practice-inbox.png"
        image = QImage(str(png))
        assert (image.width(), image.height()) == (size, size)
        assert colours(image) >= 3  # the blue tile, the white envelope, the green lock
        assert image.pixelColor(0, 0).alpha() == 0  # rounded corners stay transparent
    scalable = tmp_path / "hicolor" / "scalable" / "apps" / "practice-inbox.svg"
    assert scalable.read_bytes() == icons.SVG.read_bytes()

    assert sorted(sizes_in(written["ico"])) == sorted(icons.ICO_SIZES)
    assert sorted(sizes_in(written["icns"])) == sorted(icons.ICNS_TYPES)


@pytest.mark.qt_log_ignore(r"Cannot read file .*broken\.svg")
def test_an_unreadable_svg_is_named(qapp: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.svg"
    broken.write_text("<svg", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.svg is not a readable SVG image"):
        icons.render_png(broken, 16)
