"""The README's test command on a machine with only Python: without Qt's system libraries the
suites that need Qt skip with the reason and the others run; where system tools are required
(CI) those skips are failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT

PICKED = ("test_visible_text_agrees_with_the_server_on_any_string or "
          "test_the_document_is_counted_as_the_server_counts_it or "
          "test_every_platform_gets_its_icons")


def run_suite(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """The README's command (no paths given), narrowed to three tests, with a libEGL that the
    dynamic loader cannot load standing in for one that is not installed."""
    broken = tmp_path / "no-qt-libraries"
    broken.mkdir(parents=True)
    (broken / "libEGL.so.1").write_text("not a library")
    clean = {k: v for k, v in os.environ.items() if k != "PRACTICE_REQUIRE_SYSTEM_TOOLS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-k", PICKED],
        cwd=ROOT, env={**clean, "LD_LIBRARY_PATH": str(broken), **env},
        capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="simulates a missing Linux library")
def test_without_qt_libraries_the_qt_suites_skip_and_the_others_run(tmp_path: Path) -> None:
    result = run_suite(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout and "skipped" in result.stdout
    assert "needs Qt's system libraries (Debian packages libegl1" in result.stdout
    assert "INTERNALERROR" not in result.stdout + result.stderr

    required = run_suite(tmp_path / "ci", PRACTICE_REQUIRE_SYSTEM_TOOLS="1")
    assert required.returncode != 0
    assert "required here but missing: needs Qt's system libraries" in required.stdout
