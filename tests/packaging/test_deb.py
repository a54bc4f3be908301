"""The Debian package, built with dpkg-deb from a small stand-in bundle: its layout (bundle under
/opt, launcher on the PATH, menu entry, hicolor icons), owners and modes, control fields, and
Depends computed from what the bundle's libraries load from the system."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, load_script
from tests.support.system_tools import require

build_deb = load_script("build_deb")
icons = load_script("icons")

DESKTOP_FILE = ROOT / "resources" / "linux" / "practice-inbox.desktop"


def fake_bundle(tmp_path: Path, with_sqlite: bool = False) -> Path:
    bundle = tmp_path / "dist" / "practice-inbox"
    (bundle / "_internal").mkdir(parents=True)
    program = bundle / "practice-inbox"
    program.write_text("#!/bin/sh\necho bundled\n", encoding="utf-8")
    program.chmod(0o700)
    (bundle / "_internal" / "data.txt").write_text("data", encoding="utf-8")
    (bundle / "_internal" / "data.txt").chmod(0o600)
    if with_sqlite:  # a real extension module that links the system's SQLite
        import _sqlite3

        module = Path(_sqlite3.__file__)
        shutil.copy2(module, bundle / "_internal" / module.name)
    return bundle


def test_the_menu_entry_is_valid_and_names_the_launcher_and_icon() -> None:
    require("desktop-file-validate", package="desktop-file-utils")
    check = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True,
                           text=True)
    assert check.returncode == 0 and check.stdout == "", check.stdout
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP_FILE, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Exec"] == build_deb.LAUNCHER.name == "practice-inbox"
    assert entry["Icon"] == icons.ICON_NAME
    assert entry["Name"] == "Practice Inbox" and entry["Terminal"] == "false"


def test_depends_are_the_packages_of_the_system_libraries_loaded(tmp_path: Path) -> None:
    require("objdump", package="binutils")
    require("dpkg-deb", package="dpkg")
    bundle = fake_bundle(tmp_path, with_sqlite=True)
    required, optional, problems = build_deb.system_packages(bundle)
    assert problems == []
    assert required == {"libsqlite3-0", "libc6"}
    assert optional == set()


def test_the_package_layout_owners_modes_and_fields(tmp_path: Path) -> None:
    require("dpkg-deb", package="dpkg")
    bundle = fake_bundle(tmp_path)
    deb, facts = build_deb.build_deb(bundle, tmp_path / "out", tmp_path / "work")

    assert deb.name == f"practice-inbox_{build_deb.version()}_{build_deb.architecture()}.deb"
    fields = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True,
                            check=True).stdout
    assert "Package: practice-inbox\n" in fields
    assert f"Version: {build_deb.version()}\n" in fields
    assert f"Depends: {build_deb.FONTS}\n" in fields  # nothing linked: only a font
    assert "Recommends: libwayland-client0, libwayland-cursor0, libwayland-egl1\n" in fields

    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    entries = {line.split()[-1] if " -> " not in line else line.split()[-3]: line
               for line in listing}
    program = entries["./opt/practice-inbox/practice-inbox"]
    assert program.startswith("-rwxr-xr-x root/root")
    assert entries["./opt/practice-inbox/_internal/data.txt"].startswith("-rw-r--r-- root/root")
    assert entries["./usr/bin/practice-inbox"].startswith("lrwxrwxrwx root/root")
    assert entries["./usr/bin/practice-inbox"].endswith("-> /opt/practice-inbox/practice-inbox")
    assert "./usr/share/applications/practice-inbox.desktop" in entries
    for size in icons.HICOLOR_SIZES:
        assert f"./usr/share/icons/hicolor/{size}x{size}/apps/practice-inbox.png" in entries
    assert "./usr/share/icons/hicolor/scalable/apps/practice-inbox.svg" in entries
    assert not any(name.startswith("./usr/local") for name in entries)

    unpacked = tmp_path / "unpacked"
    subprocess.run(["dpkg-deb", "--extract", str(deb), str(unpacked)], check=True)
    assert (unpacked / "usr/share/applications/practice-inbox.desktop").read_bytes() == \
        DESKTOP_FILE.read_bytes()
    assert facts["deb_mb"] >= 0 and facts["depends"] == []


def test_no_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no bundle at .*run packaging/build.py first"):
        build_deb.build_deb(tmp_path / "missing", tmp_path / "out", tmp_path / "work")
