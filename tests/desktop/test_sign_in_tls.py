"""Sign-in to an HTTPS server of a practice with its own CA: the CA file is chosen in the dialog,
and every certificate problem is said in plain words, never worked around."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from desktop.dialogs.sign_in import SignInDialog
from desktop.tasks import TaskRunner
from tests.desktop.conftest import PASSWORD
from tests.desktop.modal import DialogAnswer
from tests.support.server_process import ServerProcess
from tests.support.tls import ca_file, leaf, tls_server


@pytest.fixture(scope="module")
def practice_ca() -> trustme.CA:
    return trustme.CA(organization_name="Lakeside Counseling")


@pytest.fixture(scope="module")
def servers(practice_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[dict[str, Any]]:
    """A right, an expired and a wrong-name HTTPS server, all signed by the practice CA."""
    folder = tmp_path_factory.mktemp("tls-desktop")
    ca = ca_file(practice_ca, folder)
    made: dict[str, Any] = {"ca": ca}
    try:
        made["right"] = tls_server(folder / "right", leaf(practice_ca, folder, "right"), ca)
        made["expired"] = tls_server(
            folder / "expired", leaf(practice_ca, folder, "expired", expired=True), ca)
        made["elsewhere"] = tls_server(
            folder / "elsewhere", leaf(practice_ca, folder, "elsewhere", "inbox.example.org"), ca)
        yield made
    finally:
        for server in made.values():
            if isinstance(server, ServerProcess):
                server.stop()


def dialog_for(qtbot: Any, url: str, ca: Path | str = "") -> SignInDialog:
    dialog = SignInDialog(TaskRunner(), url, "dr.rivera", ca_file=str(ca))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def attempt(qtbot: Any, dialog: SignInDialog) -> None:
    dialog.password.setText(PASSWORD)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled(), timeout=15_000)


def test_with_the_practice_ca_file_sign_in_works(qtbot: Any, servers: dict[str, Any]) -> None:
    dialog = dialog_for(qtbot, servers["right"].url, servers["ca"])
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        dialog.password.setText(PASSWORD)
        dialog.sign_in_button.click()
    assert dialog.result_login["user"]["username"] == "dr.rivera"
    assert dialog.api is not None and dialog.api.verify == str(servers["ca"])
    assert dialog.ca_file_text() == str(servers["ca"])


def test_without_it_the_unknown_authority_is_said(qtbot: Any, servers: dict[str, Any]) -> None:
    dialog = dialog_for(qtbot, servers["right"].url)
    attempt(qtbot, dialog)
    text = dialog.error.text()
    assert "authority this computer does not trust" in text and "Practice CA" in text
    assert dialog.result_login is None


def test_an_expired_certificate_is_said(qtbot: Any, servers: dict[str, Any]) -> None:
    dialog = dialog_for(qtbot, servers["expired"].url, servers["ca"])
    attempt(qtbot, dialog)
    assert "has expired" in dialog.error.text()
    assert dialog.result_login is None


def test_a_certificate_for_another_name_is_said(qtbot: Any, servers: dict[str, Any]) -> None:
    dialog = dialog_for(qtbot, servers["elsewhere"].url, servers["ca"])
    attempt(qtbot, dialog)
    assert "made out to another name than localhost" in dialog.error.text()
    assert dialog.result_login is None


def test_a_ca_file_that_is_not_one_is_refused_before_connecting(
        qtbot: Any, servers: dict[str, Any], tmp_path: Path) -> None:
    not_a_ca = tmp_path / "notes.pem"
    not_a_ca.write_text("these are not certificates")
    dialog = dialog_for(qtbot, servers["right"].url, not_a_ca)
    dialog.password.setText(PASSWORD)
    dialog.sign_in_button.click()
    assert "is not a certificate authority file" in dialog.error.text()
    assert dialog.sign_in_button.isEnabled()  # nothing was started
    dialog.ca_file.setText(str(tmp_path / "missing.pem"))
    dialog.sign_in_button.click()
    assert "does not exist" in dialog.error.text()
    assert dialog.password.text() == PASSWORD  # what was typed stays


def test_a_saved_sign_in_whose_certificate_fails_asks_again_and_says_why(
        qtbot: Any, servers: dict[str, Any], app_settings: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.session import account_name
    from desktop.startup import Startup
    from sync.api import ApiClient
    from sync.keys import save_token

    url = servers["right"].url
    api = ApiClient(url, verify=str(servers["ca"]))
    save_token(account_name(url, "dr.rivera"), api.login("dr.rivera", PASSWORD)["token"])
    api.close()
    app_settings.set("account/server_url", url)
    app_settings.set("account/username", "dr.rivera")  # and no CA file kept: not trusted
    seen: list[str] = []
    answer = DialogAnswer("cancel", before=lambda dialog: seen.append(dialog.error.text()))
    startup = Startup(QApplication.instance(), app_settings, data_root=tmp_path / "inbox")
    assert not startup.start()  # never opened offline on an unverified server
    assert answer.answered
    assert seen and "authority this computer does not trust" in seen[0]
    assert startup.session is None
