"""The bundled program's entry point: PyInstaller starts the inbox's command line from here."""

import sys

from desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
