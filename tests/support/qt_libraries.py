"""Whether Qt can load here: PySide6's wheel brings Qt, but Qt needs some of the system's own
libraries (EGL, OpenGL, fontconfig, xkbcommon, GLib, D-Bus), which a machine with only Python
may lack. The desktop, end-to-end and Qt packaging tests then skip with the reason (a failure
where system tools are required, as in CI), and the other suites run as usual."""

from __future__ import annotations

import functools

from tests.support.system_tools import missing

PACKAGES = "libegl1 libgl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3"


@functools.cache
def qt_problem() -> str | None:
    """Why Qt's widgets cannot be loaded on this machine, or None when they can."""
    try:
        import PySide6.QtGui  # noqa: F401, TID251
        import PySide6.QtWidgets  # noqa: F401, TID251
    except ImportError as error:
        return f"needs Qt's system libraries (Debian packages {PACKAGES}): {error}"
    return None


def require_qt() -> None:
    """Skip (or fail, where tools are required) the calling test or module without Qt."""
    problem = qt_problem()
    if problem:
        missing(problem)
