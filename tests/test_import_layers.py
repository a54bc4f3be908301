"""The layers of the code, checked by import-linter against the contracts in pyproject.toml:
the desktop sits on the sync engine, the engine and the server know nothing of each other,
only the desktop's demo practice imports the server, Qt stays inside the desktop, and SQLAlchemy
(the server's) stays out of the desktop and its cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_contract_is_kept() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())",
            "--no-cache",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout
    assert run.stdout.count(" KEPT") == 5, run.stdout
