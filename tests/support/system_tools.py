"""System programs some tests need (PostgreSQL, Xvfb, chromium, caddy, …): a test asks for them
here and is skipped with the reason when one is missing, so the README's test command passes on
a machine with only Python. `.ci/run` installs them all and sets PRACTICE_REQUIRE_SYSTEM_TOOLS=1,
under which every skip of the run is reported as a failure (see tests/conftest.py)."""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRED_ENV = "PRACTICE_REQUIRE_SYSTEM_TOOLS"


def tools_required() -> bool:
    """True where a missing tool is a failure, never a skip (CI)."""
    return os.environ.get(REQUIRED_ENV) == "1" or os.environ.get("PRACTICE_REQUIRE_POSTGRES") == "1"


def missing(reason: str) -> None:
    """Skip the test or module (or fail it, where tools are required) because `reason` is
    missing; called from a conftest, it skips that folder."""
    if tools_required():
        pytest.fail(f"required here but missing: {reason}")
    pytest.skip(reason, allow_module_level=True)


def require(*programs: str, package: str) -> None:
    """Skip (or fail) unless every program is on the PATH; `package` names what installs them."""
    absent = [name for name in programs if shutil.which(name) is None]
    if absent:
        missing(f"needs {', '.join(absent)} (Debian package {package})")
