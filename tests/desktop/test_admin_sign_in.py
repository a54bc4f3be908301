"""What administration adds to signing in: "Forgot your password?" (the same words whatever the
server knows, a real email for a real person), the two-step set-up a practice can require
before the inbox opens, and the Administration menu shown per the session's capabilities."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from PySide6.QtWidgets import QApplication

from desktop.admin.mfa_gate import MfaSetupDialog
from desktop.dialogs.sign_in import SignInDialog
from desktop.tasks import TaskRunner
from tests.desktop.admin_support import (  # noqa: F401  (fixtures)
    WAIT_MS,
    mailing_server,
    runner,
    sign_in,
    smtp,
)
from tests.desktop.conftest import PASSWORD


def make_dialog(qtbot: Any, url: str, username: str) -> SignInDialog:
    dialog = SignInDialog(TaskRunner(), url, username)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def forgot(qtbot: Any, dialog: SignInDialog) -> str:
    dialog.forgot.on_link_linkActivated("#reset")
    qtbot.waitUntil(lambda: "on its way" in dialog.forgot.message.text()
                    or "cannot be reached" in dialog.forgot.message.text(), timeout=WAIT_MS)
    return dialog.forgot.message.text()


def test_forgot_password_says_the_same_for_anyone_and_emails_real_people(
        qtbot: Any, mailing_server: Any, smtp: Any) -> None:  # noqa: F811
    known = forgot(qtbot, make_dialog(qtbot, mailing_server.url, "dr.rivera"))
    unknown = forgot(qtbot, make_dialog(qtbot, mailing_server.url, "nobody.here"))
    assert "on its way" in known
    assert known.replace("dr.rivera", "X") == unknown.replace("nobody.here", "X")
    qtbot.waitUntil(lambda: len(smtp.messages) >= 1, timeout=WAIT_MS)
    assert len(smtp.messages) == 1
    assert re.search(r"/reset/[A-Za-z0-9_-]{20,}", smtp.messages[0].get_content())


def test_forgot_password_asks_for_a_username_first(qtbot: Any, live_server: Any) -> None:
    dialog = make_dialog(qtbot, live_server.url, "")
    dialog.forgot.on_link_linkActivated("#reset")
    assert "your username first" in dialog.forgot.message.text()


def held_for_set_up(qtbot: Any, admin: Any, url: str,
                    username: str) -> tuple[SignInDialog, MfaSetupDialog]:
    """The practice requires two-step sign-in and ``username`` signs in without it."""
    admin.update_practice({"require_mfa_for_staff": True})
    dialog = make_dialog(qtbot, url, username)
    dialog.password.setText(PASSWORD)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), MfaSetupDialog),
                    timeout=WAIT_MS)
    return dialog, QApplication.activeModalWidget()


def test_a_required_second_factor_is_set_up_before_the_inbox_opens(
        qtbot: Any, sign_in: Any, live_server: Any) -> None:  # noqa: F811
    dialog, setup = held_for_set_up(qtbot, sign_in("admin"), live_server.url, "dr.rivera")
    assert not dialog.result_login  # the inbox is not open yet
    panel = setup.panel
    qtbot.waitUntil(lambda: panel.pages.currentWidget() is panel.setup_page, timeout=WAIT_MS)
    secret = panel.secret.text().replace(" ", "")
    panel.code.setText(pyotp.TOTP(secret).now())
    panel.confirm_button.click()
    qtbot.waitUntil(lambda: panel.pages.currentWidget() is panel.codes_page, timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        panel.codes_done_button.click()
    assert dialog.result_login["user"]["username"] == "dr.rivera"
    dialog.api.folders()  # no longer held back


def test_cancelling_the_required_set_up_signs_out(qtbot: Any, sign_in: Any,  # noqa: F811
                                                  live_server: Any) -> None:
    dialog, setup = held_for_set_up(qtbot, sign_in("admin"), live_server.url, "dr.chen")
    setup.panel.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.result_login is None and dialog.isVisible()


def test_the_menu_follows_the_capabilities(qtbot: Any, open_inbox: Any) -> None:
    def shown(inbox: Any) -> dict[str, bool]:
        menu = inbox.window.admin_menu
        qtbot.waitUntil(lambda: bool(menu.capabilities), timeout=WAIT_MS)
        return {"people": menu.people_action.isVisible(),
                "audit": menu.audit_action.isVisible(),
                "practice": menu.practice_action.isVisible(),
                "account": menu.account_action.isVisible()}

    assert shown(open_inbox("admin")) == {"people": True, "audit": True, "practice": True,
                                          "account": True}
    frontdesk = open_inbox("frontdesk")
    assert shown(frontdesk) == {"people": True, "audit": False, "practice": False,
                                "account": True}
    people = frontdesk.window.admin_menu.open_people()
    qtbot.addWidget(people)
    assert people.kind.count() == 1  # clients only
    assert shown(open_inbox("dr.rivera")) == {"people": False, "audit": False,
                                              "practice": False, "account": True}


def test_a_saved_sign_in_sets_up_a_newly_required_second_factor_first(
        qtbot: Any, sign_in: Any, live_server: Any, app_settings: Any,  # noqa: F811
        tmp_path: Any) -> None:
    from PySide6.QtCore import QTimer

    from desktop.session import account_name
    from desktop.startup import Startup
    from sync.keys import save_token

    save_token(account_name(live_server.url, "frontdesk"), live_server.token("frontdesk"))
    app_settings.set("account/server_url", live_server.url)
    app_settings.set("account/username", "frontdesk")
    sign_in("admin").update_practice({"require_mfa_for_staff": True})
    seen: list[str] = []

    def answer() -> None:
        setup = QApplication.activeModalWidget()
        if not isinstance(setup, MfaSetupDialog):
            return
        panel = setup.panel
        if panel.pages.currentWidget() is panel.setup_page and not seen:
            seen.append(panel.secret.text())
            panel.code.setText(pyotp.TOTP(panel.secret.text().replace(" ", "")).now())
            panel.confirm_button.click()
        elif panel.pages.currentWidget() is panel.codes_page:
            timer.stop()
            panel.codes_done_button.click()

    timer = QTimer()
    timer.timeout.connect(answer)
    timer.start(20)
    startup = Startup(QApplication.instance(), app_settings, data_root=tmp_path / "inbox")
    try:
        assert startup.start()
        assert seen  # the set-up came first
        assert startup.window is not None
        startup.session.api.folders()  # and the inbox may read now
    finally:
        timer.stop()
        startup._close_session()
        startup.runner.shutdown()


def test_admin_windows_hide_while_the_inbox_is_locked(qtbot: Any, open_inbox: Any) -> None:
    inbox = open_inbox("admin")
    people = inbox.window.admin_menu.open_people()
    assert people.isVisible()
    inbox.window.lock()
    assert not people.isVisible()
    inbox.window.unlock()
    assert people.isVisible()


def test_held_back_mid_session_the_set_up_opens_and_syncing_resumes(
        qtbot: Any, open_inbox: Any, sign_in: Any, live_server: Any) -> None:  # noqa: F811
    from tests.desktop.people import Person

    inbox = open_inbox("frontdesk")
    stopped_engine = inbox.session.bridge.engine
    sign_in("admin").update_practice({"require_mfa_for_staff": True})
    thread = Person(live_server, "alex").send(["frontdesk"], "Parking", "Where do I park now?")
    menu = inbox.window.admin_menu
    qtbot.waitUntil(lambda: menu.mfa_dialog is not None, timeout=60_000)
    assert stopped_engine.stopped[0] == "mfa_required"
    panel = menu.mfa_dialog.panel
    qtbot.waitUntil(lambda: panel.pages.currentWidget() is panel.setup_page, timeout=WAIT_MS)
    panel.code.setText(pyotp.TOTP(panel.secret.text().replace(" ", "")).now())
    panel.confirm_button.click()
    qtbot.waitUntil(lambda: panel.pages.currentWidget() is panel.codes_page, timeout=WAIT_MS)
    panel.codes_done_button.click()
    qtbot.waitUntil(lambda: inbox.session.bridge.engine is not stopped_engine
                    and inbox.window.thread_model.row_of(thread["id"]) >= 0, timeout=60_000)
    assert "sync-stopped" not in inbox.session.notices.lasting


def test_without_the_flag_the_gate_asks_an_endpoint_the_rule_covers(
        sign_in: Any) -> None:  # noqa: F811
    from desktop.admin.mfa_gate import setup_required

    admin = sign_in("admin")
    rivera = sign_in("dr.rivera")
    assert not setup_required(rivera.api)
    admin.update_practice({"require_mfa_for_staff": True})
    assert setup_required(rivera.api)
    assert setup_required(rivera.api, {"mfa_required": True})
    assert not setup_required(rivera.api, {"mfa_required": False})
