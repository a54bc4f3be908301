"""Packaging fixtures: offscreen Qt, XDG folders inside tmp_path (nothing touches the real home),
the user's keyring put back after each test, and the packaging/ scripts loaded by path."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import importlib.util  # noqa: E402
import sys  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402

import keyring  # noqa: E402
import pytest  # noqa: E402

from desktop.logs import stop_logging_to_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
# Qt's offscreen platform has no window manager; it says so when a window is shown or raised.
# These notes are about the test platform, not the program (packaging/smoke.py explains both).
OFFSCREEN_NOTES = (r"This plugin does not support propagateSizeHints\(\)",
                   r"This plugin does not support raise\(\)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/packaging" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOTES))


def load_script(name: str) -> ModuleType:
    """A packaging/ script as a module (packaging/ is not a package: its name is taken)."""
    module_name = f"packaging_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """XDG folders in tmp_path, and no log file handler left from an earlier test that ran
    the program's main() in this process (it would keep writing to the real home)."""
    home = tmp_path / "home"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    stop_logging_to_file()
    yield home
    stop_logging_to_file()


@pytest.fixture(autouse=True)
def keep_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    try:
        yield
    finally:
        keyring.set_keyring(previous)
