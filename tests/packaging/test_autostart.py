"""Start at login: the XDG autostart entry on Linux, written and removed through the setting and
the settings dialog; the macOS LaunchAgent and the Windows Run value as they would be written."""

from __future__ import annotations

import configparser
import os
import plistlib
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox

from desktop import autostart
from desktop.dialogs.settings_dialog import SettingsDialog
from desktop.notices import Notices
from desktop.settings import AppSettings

KEY = autostart.SETTING_KEY


@pytest.fixture
def settings(tmp_path: Path, qapp: Any) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def entry_path(private_home: Path) -> Path:
    return private_home / "xdg_config_home" / "autostart" / "practice-inbox.desktop"


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_the_setting_writes_and_removes_the_xdg_autostart_entry(
        settings: AppSettings, entry_path: Path) -> None:
    notices = Notices()
    autostart.follow_setting(settings, notices)
    assert not entry_path.exists()

    settings.set(KEY, True)
    entry = read_entry(entry_path)
    assert entry["Type"] == "Application" and entry["Name"] == "Practice Inbox"
    assert entry["Icon"] == "practice-inbox" and entry["X-GNOME-Autostart-enabled"] == "true"
    program = shlex.split(entry["Exec"])
    assert program == autostart.program_command()
    assert os.access(program[0], os.X_OK)

    settings.set(KEY, False)
    assert not entry_path.exists()
    assert notices.history == []


def test_the_settings_dialog_turns_it_on(
        qtbot: Any, settings: AppSettings, entry_path: Path) -> None:
    autostart.follow_setting(settings, Notices())
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    box = dialog.findChild(QCheckBox, KEY)
    assert box is not None and not box.isChecked()
    assert box.text() == "Start when I sign in to this computer"
    box.setChecked(True)
    dialog.accept()
    assert entry_path.is_file()


def test_at_start_the_setting_shows_what_is_really_there(
        settings: AppSettings, entry_path: Path) -> None:
    entry_path.parent.mkdir(parents=True)
    entry_path.write_text("[Desktop Entry]\nType=Application\nExec=/old/place/practice-inbox\n",
                          encoding="utf-8")
    autostart.follow_setting(settings, Notices())
    assert settings.get(KEY) is True
    assert shlex.split(read_entry(entry_path)["Exec"]) == autostart.program_command()

    entry_path.unlink()  # removed by hand (or by another tool) while the program was closed
    again = AppSettings(QSettings(settings._store.fileName(), QSettings.Format.IniFormat))
    autostart.follow_setting(again, Notices())
    assert again.get(KEY) is False


def test_an_unwritable_autostart_folder_is_a_clear_notice_and_the_box_goes_back(
        settings: AppSettings, private_home: Path) -> None:
    (private_home / "xdg_config_home").mkdir(parents=True)
    (private_home / "xdg_config_home" / "autostart").write_text("a file, not a folder")
    notices = Notices()
    autostart.follow_setting(settings, notices)
    settings.set(KEY, True)
    assert len(notices.history) == 1
    kind, text = notices.history[0]
    assert kind == "error" and text.startswith("Could not turn on starting at sign-in:")
    assert settings.get(KEY) is False


def test_a_path_with_spaces_is_quoted_as_the_desktop_entry_format_asks(
        private_home: Path) -> None:
    command = ["/opt/Practice Inbox/practice-inbox", "--data-dir", "/srv/50% share"]
    entry = autostart.XdgAutostart()
    entry.enable(command)
    assert read_entry(entry.path)["Exec"] == (
        '"/opt/Practice Inbox/practice-inbox" --data-dir "/srv/50%% share"')


def test_the_macos_launch_agent(tmp_path: Path) -> None:
    agent = autostart.LaunchAgent(tmp_path / "LaunchAgents")
    command = ["/Applications/Practice Inbox.app/Contents/MacOS/practice-inbox"]
    autostart.apply(True, agent, command)
    plist = plistlib.loads(agent.path.read_bytes())
    assert agent.path.name == "org.practiceinbox.PracticeInbox.plist"
    assert plist == {"Label": "org.practiceinbox.PracticeInbox", "ProgramArguments": command,
                     "RunAtLoad": True, "ProcessType": "Interactive"}
    assert agent.is_enabled()
    autostart.apply(False, agent)
    assert not agent.path.exists() and not agent.is_enabled()


def test_the_windows_run_value_quotes_the_program() -> None:
    assert autostart.run_value([r"C:\Program Files\Practice Inbox\practice-inbox.exe"]) == \
        r'"C:\Program Files\Practice Inbox\practice-inbox.exe"'
    assert autostart.run_value([r"C:\Apps\practice-inbox.exe"]) == r"C:\Apps\practice-inbox.exe"


def test_the_bundle_starts_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/practice-inbox/practice-inbox")
    assert autostart.program_command() == ["/opt/practice-inbox/practice-inbox"]
