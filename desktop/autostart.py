""""Start when I sign in to this computer": the platform's own per-user autostart entry.

Linux: an XDG autostart entry, $XDG_CONFIG_HOME/autostart/practice-inbox.desktop.
Windows: the value "Practice Inbox" under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run.
macOS: a LaunchAgent, ~/Library/LaunchAgents/org.practiceinbox.PracticeInbox.plist.

The entry starts the program that is running now (the installed bundle, or the source
checkout's ``practice-inbox`` script), so it follows the program when it is reinstalled.
"""

from __future__ import annotations

import logging
import os
import plistlib
import shutil
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SETTING_KEY = "startup/start_at_login"
ENTRY_NAME = "practice-inbox"
RUN_VALUE_NAME = "Practice Inbox"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
AGENT_LABEL = "org.practiceinbox.PracticeInbox"


class AutostartError(Exception):
    """The autostart entry could not be written or removed; the text says why."""


def program_command() -> list[str]:
    """The command that starts this program: the bundle's executable, the installed launcher,
    or the interpreter running the app module."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name.startswith(ENTRY_NAME) and script.is_file():
        return [str(script.resolve())]
    found = shutil.which(ENTRY_NAME)
    if found:
        return [found]
    return [sys.executable, "-m", "desktop.app"]


# Linux ----------------------------------------------------------------------------------------
def xdg_autostart_dir() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "autostart"


def desktop_entry(command: list[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=Practice Inbox",
        "Comment=Secure messages between a therapy practice and its clients",
        f"Exec={_desktop_exec(command)}",
        f"Icon={ENTRY_NAME}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])


def _desktop_exec(command: list[str]) -> str:
    """Quotes arguments as the Desktop Entry specification asks (and doubles a literal %)."""
    quoted = []
    for arg in command:
        arg = arg.replace("%", "%%")
        if any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
            arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        quoted.append(arg)
    return " ".join(quoted)


class XdgAutostart:
    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or xdg_autostart_dir()) / f"{ENTRY_NAME}.desktop"

    def is_enabled(self) -> bool:
        return self.path.is_file()

    def enable(self, command: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".desktop.tmp")
        temporary.write_text(desktop_entry(command), encoding="utf-8")
        temporary.replace(self.path)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


# macOS ----------------------------------------------------------------------------------------
def launch_agent(command: list[str]) -> bytes:
    return plistlib.dumps({"Label": AGENT_LABEL, "ProgramArguments": list(command),
                           "RunAtLoad": True, "ProcessType": "Interactive"})


class LaunchAgent:
    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or Path.home() / "Library" / "LaunchAgents"
        self.path = folder / f"{AGENT_LABEL}.plist"

    def is_enabled(self) -> bool:
        return self.path.is_file()

    def enable(self, command: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(launch_agent(command))

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


# Windows --------------------------------------------------------------------------------------
def run_value(command: list[str]) -> str:
    return " ".join(f'"{arg}"' if " " in arg else arg for arg in command)


class RunKey:
    def __init__(self) -> None:
        import winreg  # only on Windows

        self._winreg: Any = winreg

    def is_enabled(self) -> bool:
        reg = self._winreg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                reg.QueryValueEx(key, RUN_VALUE_NAME)
        except FileNotFoundError:
            return False
        return True

    def enable(self, command: list[str]) -> None:
        reg = self._winreg
        with reg.CreateKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
            reg.SetValueEx(key, RUN_VALUE_NAME, 0, reg.REG_SZ, run_value(command))

    def disable(self) -> None:
        reg = self._winreg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, RUN_VALUE_NAME)
        except FileNotFoundError:
            pass


# the setting ----------------------------------------------------------------------------------
def platform_entry() -> Any:
    if sys.platform == "win32":
        return RunKey()
    if sys.platform == "darwin":
        return LaunchAgent()
    return XdgAutostart()


def apply(enabled: bool, entry: Any = None, command: list[str] | None = None) -> None:
    """Writes (or removes) the autostart entry; AutostartError says what went wrong."""
    entry = entry or platform_entry()
    try:
        if enabled:
            entry.enable(command or program_command())
        else:
            entry.disable()
    except OSError as error:
        verb = "turn on" if enabled else "turn off"
        raise AutostartError(f"Could not {verb} starting at sign-in: {error}") from error


def follow_setting(settings: Any, notices: Any = None, entry: Any = None) -> None:
    """Keeps the autostart entry in step with the setting from now on.

    At start the setting takes the entry's real state (someone may have removed it by hand), and
    an existing entry is rewritten so it starts the program running now. Failures are shown
    through ``notices.error`` and the setting goes back to what is really there.
    """
    entry = entry or platform_entry()

    def report(error: AutostartError) -> None:
        log.warning("%s", error)
        if notices is not None:
            notices.error.emit(str(error))

    reverting = False

    def on_changed(key: str) -> None:
        nonlocal reverting
        if key != SETTING_KEY or reverting:
            return
        wanted = bool(settings.get(SETTING_KEY))
        try:
            apply(wanted, entry)
        except AutostartError as error:
            report(error)
            if entry.is_enabled() != wanted:
                reverting = True  # putting the box back must not try again
                try:
                    settings.set(SETTING_KEY, entry.is_enabled())
                finally:
                    reverting = False

    present = entry.is_enabled()
    if bool(settings.get(SETTING_KEY)) != present:
        settings.set(SETTING_KEY, present)
    if present:
        try:
            apply(True, entry)
        except AutostartError as error:
            report(error)
    settings.changed.connect(on_changed)

