""""Forgot your password?" on the sign-in dialog: asks the server to email a link to set a new
one and says so in the same words whatever the server answers, since the server never tells
who has an account."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.tasks import TaskRunner
from sync.admin_api import AdminApi
from sync.api import ApiClient
from sync.errors import NetworkError


class ForgotPassword(QWidget):
    """A link under the password field and the sentence said after it was used."""

    def __init__(self, runner: TaskRunner, server: QLineEdit, username: QLineEdit,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.server = server
        self.username = username
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.link = QLabel(f"<a href='#reset'>{self.tr('Forgot your password?')}</a>")
        self.link.setObjectName("forgotPassword")
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                          | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.link.linkActivated.connect(self.on_link_linkActivated)
        layout.addWidget(self.link)
        self.message = QLabel()
        self.message.setObjectName("forgotPasswordMessage")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        # A wrapped label in a form row does not ask for its height: give it what it needs.
        self.message.setMinimumHeight(
            self.message.heightForWidth(max(self.server.width(), 240)))
        dialog = self.window()
        layout = dialog.layout()
        if layout is not None and layout.hasHeightForWidth():
            dialog.resize(dialog.width(), layout.totalHeightForWidth(dialog.width()))
        else:
            dialog.adjustSize()

    @Slot(str)
    def on_link_linkActivated(self, _link: str = "") -> None:
        server, username = self.server.text().strip(), self.username.text().strip()
        if not server or not username:
            self.say(self.tr("Enter the server address and your username first; a link to set "
                             "a new password is emailed to you."))
            return
        try:
            api = ApiClient(server)
        except ValueError:
            self.say(self.tr("That is not a server address. It looks like "
                             "https://inbox.example.org"))
            return
        self.link.setEnabled(False)
        self.say(self.tr("Asking the server…"))
        sent = self.tr("If %s has an account, an email with a link to set a new password is "
                       "on its way to the address the practice has on file. The link works for "
                       "one hour.") % username

        def done(_result: object) -> None:
            self.link.setEnabled(True)
            self.say(sent)
            api.close()

        def failed(error: BaseException) -> None:
            self.link.setEnabled(True)
            api.close()
            if isinstance(error, NetworkError):
                self.say(self.tr("The server cannot be reached, so no email was asked for. "
                                 "Check the address and your network connection."))
            else:
                self.say(sent)

        self.runner.run(lambda: AdminApi(api).request_password_reset(username), done, failed)
