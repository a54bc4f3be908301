"""Runs an installed or bundled program's ``--self-test`` and judges it: the exit code, every
line on stderr (only the known-harmless lines below may appear), and how long it took from
launch to the main window.

The program runs in a scratch folder with its own XDG folders, without QT_QPA_PLATFORM (the
switch itself must choose offscreen) and without PYTHONPATH/PYTHONHOME (so nothing can come from
a source checkout).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# stderr lines that are expected and harmless, with why.
ALLOWED_STDERR = {
    "This plugin does not support propagateSizeHints()":
        "Qt's offscreen platform (used by the self-test) has no window manager to pass size "
        "hints to; it says so once per top-level window shown. A real display never prints it.",
    "This plugin does not support raise()":
        "the same platform cannot raise a window; the self-test clicks the tray alert, which "
        "brings the main window to the front.",
}
TIMEOUT = 300.0


@dataclass
class SmokeResult:
    command: list[str]
    exit_code: int | None
    seconds: float
    stdout: list[tuple[float, str]] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    @property
    def unexpected_stderr(self) -> list[str]:
        return [line for line in self.stderr if line.strip() and line not in ALLOWED_STDERR]

    @property
    def passed(self) -> bool:
        return (self.exit_code == 0 and not self.unexpected_stderr
                and self.summary.get("self_test") == "passed")

    @property
    def start_to_window_s(self) -> float | None:
        """Launch to the main window on screen, less the embedded demo server's start (a
        workstation signs in to the practice's server instead of starting one)."""
        shown = next((t for t, line in self.stdout if line.startswith("self-test: window done")),
                     None)
        demo = self.summary.get("steps", {}).get("demo_server_s")
        if shown is None or demo is None:
            return None
        return round(shown - demo, 2)

    def problem(self) -> str:
        """One line saying why the smoke test failed ("" when it passed)."""
        if self.exit_code is None:
            return f"{self.command[0]} --self-test did not finish within {TIMEOUT:.0f} s"
        if self.exit_code != 0:
            last = next((line for line in reversed(self.stderr) if line.strip()), "no output")
            return f"{self.command[0]} --self-test exited {self.exit_code}: {last}"
        if self.unexpected_stderr:
            return f"unexpected output on stderr: {self.unexpected_stderr[0]!r}" + (
                f" (and {len(self.unexpected_stderr) - 1} more lines)"
                if len(self.unexpected_stderr) > 1 else "")
        if self.summary.get("self_test") != "passed":
            return "the self-test did not print its summary"
        return ""


def clean_environment(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(scratch / name.lower())
    return env


def run_self_test(program: str | list[str], screenshot: Path | None = None,
                  timeout: float = TIMEOUT) -> SmokeResult:
    """Starts ``program --self-test [screenshot]`` and collects what it says, line by line.
    ``program`` is a path, a name on the PATH, or a command (an interpreter and a module)."""
    command = [program] if isinstance(program, str) else list(program)
    if os.sep in command[0]:  # a path, not a name looked up on PATH: it must survive the cwd
        command[0] = str(Path(command[0]).absolute())
    command += ["--self-test"] + ([str(screenshot)] if screenshot else [])
    result = SmokeResult(command, None, 0.0)
    with tempfile.TemporaryDirectory(prefix="practice-inbox-smoke-") as folder:
        scratch = Path(folder)
        started = time.monotonic()
        with subprocess.Popen(command, cwd=scratch, env=clean_environment(scratch),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, encoding="utf-8",
                              errors="replace") as process:

            def read_stdout() -> None:
                assert process.stdout is not None
                for line in process.stdout:
                    result.stdout.append((time.monotonic() - started, line.rstrip("\n")))

            def read_stderr() -> None:
                assert process.stderr is not None
                result.stderr.extend(line.rstrip("\n") for line in process.stderr)

            readers = [threading.Thread(target=read_stdout, daemon=True),
                       threading.Thread(target=read_stderr, daemon=True)]
            for reader in readers:
                reader.start()
            try:
                result.exit_code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            for reader in readers:
                reader.join(timeout=10)
        result.seconds = round(time.monotonic() - started, 2)
    if result.stdout:
        try:
            result.summary = json.loads(result.stdout[-1][1])
        except ValueError:
            result.summary = {}
    return result
