"""Builds the installable Practice Inbox and proves the result works.

    .venv/bin/python packaging/build.py                    # bundle + its self-test
    .venv/bin/python packaging/build.py --deb              # ... and the Debian package
    .venv/bin/python packaging/build.py --deb --install-check
                                                           # ... and dpkg -i, self-test, dpkg -r

1. PyInstaller runs packaging/practice-inbox.spec into dist/practice-inbox (work files in build/).
2. The bundled program runs its own `--self-test` (packaging/smoke.py): demo server, sign-in,
   initial sync, main window rendered, a message with an attachment sent, an answer received
   with its tray alert. The build fails on a non-zero exit or on any stderr line not in
   smoke.ALLOWED_STDERR (two notes of Qt's offscreen platform, explained there).
3. With --deb, packaging/build_deb.py makes the .deb; with --install-check it is installed, the
   launcher on the PATH runs the self-test again, and it is removed leaving nothing behind.

Prints the bundle's size and the bundled program's start-to-window time; the last line is one
JSON object with every figure (and "passed"). Exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import smoke  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "practice-inbox.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
NAME = "practice-inbox"


class BuildFailed(Exception):
    pass


def bundle_dir() -> Path:
    if sys.platform == "darwin":
        return DIST / "Practice Inbox.app"
    return DIST / NAME


def bundled_program() -> Path:
    if sys.platform == "darwin":
        return bundle_dir() / "Contents" / "MacOS" / NAME
    return bundle_dir() / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def run_pyinstaller(clean: bool) -> float:
    started = time.monotonic()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)]
    if clean:
        command.insert(3, "--clean")
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise BuildFailed("PyInstaller failed (its messages are above)")
    return round(time.monotonic() - started, 1)


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def smoke_test(program: str, screenshot: Path | None, label: str) -> smoke.SmokeResult:
    result = smoke.run_self_test(program, screenshot)
    allowed = [line for line in result.stderr if line in smoke.ALLOWED_STDERR]
    if not result.passed:
        for line in result.stderr:
            print(f"  stderr: {line}", file=sys.stderr)
        raise BuildFailed(f"{label}: {result.problem()}")
    print(f"{label}: self-test passed in {result.seconds:.1f} s; start to window "
          f"{result.start_to_window_s} s (launch to main window, not counting the "
          f"{result.summary['steps']['demo_server_s']} s the embedded demo server took); "
          f"{len(allowed)} allowed stderr lines")
    return result


def build(args: argparse.Namespace, figures: dict) -> None:
    if not args.skip_pyinstaller:
        figures["pyinstaller_s"] = run_pyinstaller(args.clean)
    program = bundled_program()
    if not program.is_file():
        raise BuildFailed(f"no bundled program at {program}")
    size, files = folder_size(bundle_dir())
    figures.update(bundle=str(bundle_dir().relative_to(ROOT)), bundle_mb=round(size / 1e6, 1),
                   bundle_files=files)
    print(f"bundle: {figures['bundle']} ({figures['bundle_mb']} MB in {files} files)")

    result = smoke_test(str(program), WORK / "self-test.png", "bundled program")
    figures.update(self_test_s=result.seconds, start_to_window_s=result.start_to_window_s,
                   self_test_steps=result.summary.get("steps"))

    if args.deb or args.install_check:
        if not sys.platform.startswith("linux"):
            raise BuildFailed("the .deb is built on Linux only")
        import build_deb

        started = time.monotonic()
        deb, facts = build_deb.build_deb(bundle_dir(), DIST, WORK)
        figures.update(facts, deb=str(deb.relative_to(ROOT)),
                       deb_build_s=round(time.monotonic() - started, 1))
        print(f"deb: {figures['deb']} ({facts['deb_mb']} MB; Depends "
              f"{len(facts['depends'])} packages)")
        if args.install_check:
            try:
                figures.update(build_deb.check_install(deb))
            except SystemExit as error:
                raise BuildFailed(str(error)) from error
            print(f"deb: installed, self-test through {build_deb.LAUNCHER} passed in "
                  f"{figures['installed_self_test_s']} s, removed without leftovers")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deb", action="store_true", help="also build the Debian package")
    parser.add_argument("--install-check", action="store_true",
                        help="also install the .deb, self-test it, remove it (root; implies --deb)")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first")
    parser.add_argument("--skip-pyinstaller", action="store_true",
                        help="test the bundle already in dist/ instead of building it")
    args = parser.parse_args(argv)
    started = time.monotonic()
    figures: dict = {"passed": False}
    try:
        build(args, figures)
        figures["passed"] = True
    except (BuildFailed, SystemExit) as error:
        figures["problem"] = str(error)
        print(f"build failed: {error}", file=sys.stderr)
    figures["total_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures))
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
