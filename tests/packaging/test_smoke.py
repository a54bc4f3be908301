"""The smoke-test judge used on the bundle and the installed package, run against small stand-in
programs: what passes, what fails (exit code, stray stderr, no summary, a hang), and the clean
environment the program gets."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.packaging.conftest import ROOT, load_script

smoke = load_script("smoke")

PASSING = '''
import json, os, sys, time
print("self-test: libraries done in 0.01 s", flush=True)
time.sleep(0.3)
print("self-test: demo_server done in 0.30 s", flush=True)
time.sleep(0.2)
print("self-test: window done in 0.20 s", flush=True)
print("This plugin does not support propagateSizeHints()", file=sys.stderr)
env = {k: os.environ.get(k) for k in ("QT_QPA_PLATFORM", "PYTHONPATH", "XDG_STATE_HOME")}
print(json.dumps({"self_test": "passed", "steps": {"demo_server_s": 0.3},
                  "argv": sys.argv[1:], "cwd": os.getcwd(), "env": env}))
'''


def stand_in(tmp_path: Path, body: str) -> Path:
    program = tmp_path / "practice-inbox"
    program.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    program.chmod(0o755)
    return program


def test_a_clean_run_passes_and_is_timed(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = smoke.run_self_test(str(stand_in(tmp_path, PASSING)), tmp_path / "shot.png")

    assert result.passed and result.problem() == ""
    assert result.summary["argv"] == ["--self-test", str(tmp_path / "shot.png")]
    # the program chooses offscreen itself, and nothing leaks in from a source checkout
    assert result.summary["env"]["QT_QPA_PLATFORM"] is None
    assert result.summary["env"]["PYTHONPATH"] is None
    scratch = Path(result.summary["cwd"])
    assert Path(result.summary["env"]["XDG_STATE_HOME"]).is_relative_to(scratch)
    assert not scratch.exists()  # the scratch folder is removed afterwards
    # launch to "window done", without the 0.3 s the demo server took
    assert result.start_to_window_s is not None and result.start_to_window_s >= 0.15


def test_a_stray_stderr_line_fails(tmp_path: Path) -> None:
    body = PASSING + 'print("Traceback (most recent call last):", file=sys.stderr)\n'
    result = smoke.run_self_test(str(stand_in(tmp_path, body)))
    assert result.exit_code == 0 and not result.passed
    assert result.unexpected_stderr == ["Traceback (most recent call last):"]
    assert result.problem() == ("unexpected output on stderr: "
                                "'Traceback (most recent call last):'")


def test_a_failed_self_test_reports_its_own_line(tmp_path: Path) -> None:
    body = ('import sys\nprint("practice-inbox self-test failed: sending: timed out", '
            'file=sys.stderr)\nsys.exit(1)\n')
    result = smoke.run_self_test(str(stand_in(tmp_path, body)))
    assert not result.passed
    assert result.problem().endswith(
        "--self-test exited 1: practice-inbox self-test failed: sending: timed out")


def test_no_summary_is_a_failure(tmp_path: Path) -> None:
    result = smoke.run_self_test(str(stand_in(tmp_path, 'print("started")\n')))
    assert result.exit_code == 0 and not result.passed
    assert result.problem() == "the self-test did not print its summary"


def test_a_hang_is_stopped(tmp_path: Path) -> None:
    result = smoke.run_self_test(str(stand_in(tmp_path, "import time\ntime.sleep(60)\n")),
                                 timeout=1)
    assert result.exit_code is None and not result.passed
    assert "did not finish" in result.problem()
    assert result.seconds < 30

