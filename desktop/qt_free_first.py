"""Imports the Qt-free libraries of the inbox before Qt itself, to start sooner.

Once PySide6 is imported, its import hook reads the source of every module imported after it
(looking for `from __feature__ import …`): for requests and the sync engine that is a good
part of a tenth of a second of start-up. Imported before PySide6, they are not read.
"""

from __future__ import annotations


def import_qt_free_parts() -> None:
    import requests  # noqa: F401

    import sync.api  # noqa: F401
    import sync.cache  # noqa: F401
    import sync.engine  # noqa: F401
