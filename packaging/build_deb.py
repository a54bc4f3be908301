"""Packages the PyInstaller bundle (dist/practice-inbox) as a Debian package with dpkg-deb, and
checks that it installs, runs its self-test from the launcher on the PATH, and removes cleanly.

    python packaging/build_deb.py           # build dist/practice-inbox_<version>_<arch>.deb
    python packaging/build_deb.py --check   # and install, self-test, remove it (needs root)

The package puts the bundle in /opt/practice-inbox, the launcher /usr/bin/practice-inbox (a
symlink to it), the menu entry in /usr/share/applications and the icons in the hicolor theme.
Its Depends are computed like dpkg-shlibdeps does: every library the bundle's programs and
libraries load from the system (objdump's NEEDED, located with ldd) is looked up with dpkg -S.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import icons  # noqa: E402
import smoke  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "practice-inbox"
INSTALL_DIR = Path("/opt/practice-inbox")
LAUNCHER = Path("/usr/bin/practice-inbox")
DESKTOP_FILE = ROOT / "resources" / "linux" / "practice-inbox.desktop"
MAINTAINER = "Practice Inbox maintainers <maintainers@practice-inbox.invalid>"
# The Wayland platform plugin is optional (Qt falls back to X11, which every Wayland desktop
# offers through XWayland): its libraries are recommended, not required.
OPTIONAL_PREFIXES = ("PySide6/Qt/plugins/wayland-", "PySide6/Qt/plugins/platforms/libqwayland",
                     "PySide6/Qt/lib/libQt6Wayland", "PySide6/Qt/lib/libQt6WlShell")
RECOMMENDS = ("libwayland-client0", "libwayland-cursor0", "libwayland-egl1")
# Qt draws text with fontconfig, which needs at least one font installed.
FONTS = "fonts-dejavu-core | fonts-liberation2 | fonts-noto-core"


def version() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(pyproject["project"]["version"])


def architecture() -> str:
    return _run(["dpkg", "--print-architecture"]).strip()


def _run(command: list[str], **kwargs: object) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True,
                          **kwargs).stdout  # type: ignore[call-overload]


# what the bundle needs from the system -------------------------------------------------------
def elf_files(bundle: Path) -> list[Path]:
    found = []
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def needed_libraries(elf: Path) -> list[str]:
    dynamic = _run(["objdump", "-p", str(elf)])
    return re.findall(r"^\s*NEEDED\s+(\S+)", dynamic, flags=re.MULTILINE)


def resolved_libraries(elf: Path, library_path: str) -> dict[str, str]:
    """Library name -> the path ldd finds for it ("" when not found)."""
    env = dict(os.environ, LD_LIBRARY_PATH=library_path)
    answer = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, env=env)
    found = {}
    for line in answer.stdout.splitlines():
        match = re.match(r"\s*(\S+) => (not found|(\S+))", line)
        if match:
            found[match.group(1)] = match.group(3) or ""
        elif re.match(r"\s*/\S+ \(0x", line):  # the dynamic loader, named by its path
            path = line.split()[0]
            found[Path(path).name] = path
    return found


def package_of(path: str, cache: dict[str, str]) -> str:
    """The Debian package that installed a library file ("" if none did)."""
    if path in cache:
        return cache[path]
    real = os.path.realpath(path)
    candidates = []
    for candidate in (path, real):
        candidates.append(candidate)
        candidates.append(candidate[4:] if candidate.startswith("/usr/") else "/usr" + candidate)
    package = ""
    for candidate in candidates:
        answer = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        line = next((ln for ln in answer.stdout.splitlines() if not ln.startswith("diversion")),
                    "")
        if answer.returncode == 0 and line:
            package = line.split(":", 1)[0].split(",")[0].strip()
            break
    cache[path] = package
    return package


def system_packages(bundle: Path) -> tuple[set[str], set[str], list[str]]:
    """(required packages, optional packages, problems) for what the bundle loads from the
    system; a problem is a required library that is missing or that no package installed."""
    internal = bundle / "_internal"
    library_path = f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"
    required: set[str] = set()
    optional: set[str] = set()
    problems: list[str] = []
    owners: dict[str, str] = {}
    for elf in elf_files(bundle):
        relative = elf.relative_to(internal).as_posix() if elf.is_relative_to(internal) else ""
        is_optional = relative.startswith(OPTIONAL_PREFIXES)
        locations = resolved_libraries(elf, library_path)
        for name in needed_libraries(elf):
            location = locations.get(name, "")
            if location and Path(location).is_relative_to(bundle):
                continue
            if (bundle / "_internal" / name).exists():
                continue
            package = package_of(location, owners) if location else ""
            if package:
                (optional if is_optional else required).add(package)
            elif not is_optional:
                problems.append(f"{relative or elf.name} needs {name}, "
                                f"{'which no package installed' if location else 'not found'}")
    return required, optional - required, problems


# building ------------------------------------------------------------------------------------
def control_file(depends: set[str], recommends: set[str], installed_kb: int) -> str:
    return "\n".join([
        f"Package: {PACKAGE}",
        f"Version: {version()}",
        f"Architecture: {architecture()}",
        f"Maintainer: {MAINTAINER}",
        f"Installed-Size: {installed_kb}",
        f"Depends: {', '.join(sorted(depends) + [FONTS])}",
        f"Recommends: {', '.join(sorted(recommends | set(RECOMMENDS)))}",
        "Section: mail",
        "Priority: optional",
        "Description: secure staff inbox of a therapy practice",
        " Practice Inbox is the desktop inbox where a practice's staff exchange secure",
        " messages and attachments with clients and colleagues. It keeps an encrypted",
        " copy of the user's messages and syncs with the practice server.",
        "",
    ])


def _normalise_modes(root: Path) -> None:
    """Directories 755, files 644, or 755 when they were executable (umask-independent)."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)


def stage(bundle: Path, staging: Path) -> Path:
    """Lays out the package's files under ``staging`` (emptied first); returns it."""
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(bundle, staging / INSTALL_DIR.relative_to("/"), symlinks=True)
    launcher = staging / LAUNCHER.relative_to("/")
    launcher.parent.mkdir(parents=True)
    launcher.symlink_to(INSTALL_DIR / PACKAGE)
    applications = staging / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copy2(DESKTOP_FILE, applications / DESKTOP_FILE.name)
    rendered = staging.parent / "deb-icons"
    subprocess.run([sys.executable, str(Path(icons.__file__)), str(rendered)], check=True,
                   stdout=subprocess.DEVNULL)
    shutil.copytree(rendered / "hicolor", staging / "usr" / "share" / "icons" / "hicolor")
    docs = staging / "usr" / "share" / "doc" / PACKAGE
    docs.mkdir(parents=True)
    (docs / "README").write_text(
        "Practice Inbox: start it from the applications menu or with `practice-inbox`.\n"
        "`practice-inbox --demo` opens the demo practice; `practice-inbox --self-test` checks "
        "this installation.\n", encoding="utf-8")
    return staging


def build_deb(bundle: Path, out_dir: Path, work_dir: Path) -> tuple[Path, dict]:
    """Builds the .deb; returns its path and facts about it (size, Depends)."""
    if not (bundle / PACKAGE).is_file():
        raise SystemExit(f"no bundle at {bundle}: run packaging/build.py first")
    depends, recommends, problems = system_packages(bundle)
    if problems:
        raise SystemExit("the bundle needs libraries this system cannot name a package for:\n  "
                         + "\n  ".join(problems))
    staging = stage(bundle, work_dir / "deb-root")
    installed_kb = sum(p.lstat().st_size for p in staging.rglob("*")) // 1024 + 1
    (staging / "DEBIAN").mkdir()
    (staging / "DEBIAN" / "control").write_text(
        control_file(depends, recommends, installed_kb), encoding="utf-8")
    _normalise_modes(staging)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{version()}_{architecture()}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", str(staging),
                    str(deb)], check=True, stdout=subprocess.DEVNULL)
    return deb, {"deb": str(deb), "deb_mb": round(deb.stat().st_size / 1e6, 1),
                 "installed_mb": round(installed_kb / 1024, 1), "depends": sorted(depends)}


# checking ------------------------------------------------------------------------------------
def leftovers() -> list[str]:
    left = [str(p) for p in (INSTALL_DIR, LAUNCHER) if p.exists() or p.is_symlink()]
    left += [str(p) for p in Path("/usr/share/applications").glob(f"{PACKAGE}.desktop")]
    left += [str(p) for p in Path("/usr/share/icons/hicolor").glob(f"*/apps/{PACKAGE}.*")]
    return left


def check_install(deb: Path) -> dict:
    """dpkg -i, the self-test through the launcher on the PATH, dpkg -r, nothing left behind.
    Raises SystemExit with the reason on any failure (removing the package first)."""
    if os.geteuid() != 0:
        raise SystemExit("installing the package needs root (run as root, or leave out --check)")
    _run(["dpkg", "-i", str(deb)])
    try:
        found = shutil.which(PACKAGE)
        if found != str(LAUNCHER):
            raise SystemExit(f"{PACKAGE} on the PATH is {found}, not {LAUNCHER}")
        result = smoke.run_self_test(PACKAGE)
        if not result.passed:
            raise SystemExit(f"the installed program failed: {result.problem()}")
    finally:
        subprocess.run(["dpkg", "-r", PACKAGE], check=True, capture_output=True)
    left = leftovers()
    if left:
        raise SystemExit(f"dpkg -r left files behind: {', '.join(left)}")
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], capture_output=True,
                            text=True).stdout
    if "installed" in status.split():
        raise SystemExit(f"{PACKAGE} is still installed after dpkg -r ({status})")
    return {"installed_self_test_s": result.seconds,
            "installed_start_to_window_s": result.start_to_window_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="install the package, run its self-test, remove it (needs root)")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / PACKAGE)
    args = parser.parse_args(argv)
    deb, facts = build_deb(args.bundle, ROOT / "dist", ROOT / "build")
    print(f"built {deb} ({facts['deb_mb']} MB, {facts['installed_mb']} MB installed)")
    print(f"Depends: {', '.join(facts['depends'])}")
    if args.check:
        facts.update(check_install(deb))
        print(f"installed, self-tested through {LAUNCHER} in {facts['installed_self_test_s']} s, "
              "removed cleanly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
