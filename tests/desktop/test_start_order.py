"""The inbox imports its Qt-free parts before Qt, so PySide6's import hook never reads their
sources (a tenth of a second of every start)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import desktop.app, desktop.logs
assert "PySide6" not in sys.modules, "Qt was imported before the inbox started"
from desktop.qt_free_first import import_qt_free_parts
import_qt_free_parts()
assert "PySide6" not in sys.modules, "a Qt-free part imported Qt"
assert {"sqlalchemy", "requests", "sync.engine"} <= set(sys.modules)
print("ok")
"""


def test_the_qt_free_parts_are_imported_before_qt() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
