"""Right after sign-in: when the practice requires two-step sign-in and this staff member has
none yet, the server answers 403 `mfa_required` to everything but `/session` and
`/account/totp*`. Then the set-up is shown at once, before the inbox opens; cancelling it
signs out again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from desktop.admin.two_step import TwoStepPanel
from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi
from sync.api import ApiClient
from sync.errors import ApiError


def setup_required(api: ApiClient, answer: dict | None = None) -> bool:
    """Whether the signed-in person must set up two-step sign-in first (runs on a worker).
    The sign-in or session answer says so in `mfa_required`; without it a small endpoint
    the rule covers is asked. Any other failure is left to the inbox to meet."""
    if answer is not None and isinstance(answer.get("mfa_required"), bool):
        return bool(answer["mfa_required"])
    try:
        api.folders()
    except ApiError as error:
        return error.code == "mfa_required"
    except Exception:
        return False
    return False


class MfaSetupDialog(QDialog):
    """Two-step sign-in set-up that cannot be skipped: accepted once it is on and the recovery
    codes have been seen."""

    def __init__(self, api: ApiClient, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mfaSetupDialog")
        self.setWindowTitle(self.tr("Set up two-step sign-in"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        notice = QLabel(self.tr(
            "Your practice requires two-step sign-in for staff. Set it up now to open your "
            "inbox: it takes a minute and an authenticator app on your phone."))
        notice.setObjectName("mfaRequiredNotice")
        notice.setWordWrap(True)
        notice.setStyleSheet("font-weight: bold;")
        layout.addWidget(notice)
        self.panel = TwoStepPanel(AdminApi(api), runner, enabled=False)
        layout.addWidget(self.panel, 1)
        self.panel.cancel_button.setText(self.tr("Sign out"))
        self.panel.cancel_button.clicked.disconnect()
        self.panel.cancel_button.clicked.connect(self.reject)
        self.panel.codes_done_button.clicked.disconnect()
        self.panel.codes_done_button.clicked.connect(self.accept)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.panel.start_setup()


def after_sign_in(parent: QWidget, runner: TaskRunner, api: ApiClient,
                  ready: Callable[[], None], gave_up: Callable[[], None],
                  answer: dict | None = None) -> None:
    """Calls ``ready`` once the person may use the inbox, after the set-up if it is needed
    first; ``gave_up`` when they cancel it (signed out again)."""

    def checked(required: bool) -> None:
        if not required:
            ready()
            return
        dialog = MfaSetupDialog(api, runner, parent)
        dialog.accepted.connect(ready)
        dialog.rejected.connect(lambda: runner.run(api.logout, lambda _r: gave_up(),
                                                   lambda _e: gave_up()))
        dialog.open()

    runner.run(lambda: setup_required(api, answer), checked, lambda _error: ready())
