"""`practice-inbox --self-test [SCREENSHOT.png]`: proves an installed program works, offscreen.

It starts the embedded demo server, signs in as dr.rivera, waits for the initial sync, renders
the main window (and checks the picture is not blank), sends a message with an attachment from
the composer, has the demo client alex check the file and answer through the server, and waits
for the tray's alert of that answer (in its no-PHI wording). It exits 0 with one JSON line on
stdout, or 1 with one line on stderr saying what failed. Progress lines ("self-test: ...") go
to stdout as each step ends, so a caller can time them.

Nothing is left behind: the server's data, the cache and the settings live in a temporary
folder, and the cache key in an in-memory keyring (the user's keyring is never touched).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.session import Session

log = logging.getLogger(__name__)

STEP_TIMEOUT = 60.0
WATCHDOG_SECONDS = 240.0
SUBJECT = "Self-test: worksheet for Thursday"
BODY = "Here is the worksheet we talked about; please bring it on Thursday."
REPLY = "Thank you, the worksheet arrived and I will bring it."
ATTACHMENT_NAME = "self-test-worksheet.txt"
ATTACHMENT_BYTES = ("Worksheet\n" + "practice line\n" * 2000).encode()
# Words that must never appear in an alert or the log file.
PRIVATE_TEXTS = (SUBJECT, BODY, REPLY, ATTACHMENT_NAME, "practice line")


class SelfTestFailed(Exception):
    """One step failed; the text says which and why, in one line."""


def run_self_test(screenshot: str | None = None) -> int:
    """The --self-test entry point: returns the exit code."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from desktop.logs import log_to_file

    log_path = log_to_file()
    check = SelfTest(Path(screenshot) if screenshot else None, log_path)
    watchdog = threading.Timer(WATCHDOG_SECONDS, check.give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        summary = check.run()
    except SelfTestFailed as error:
        return _fail(f"{check.step}: {error}")
    except Exception as error:  # the reason goes to the log file, one line to stderr
        log.exception("self-test failed while %s", check.step)
        return _fail(f"{check.step}: {type(error).__name__}: {error}")
    finally:
        watchdog.cancel()
        check.clean_up()
    print(json.dumps(summary), flush=True)
    return 0


def _fail(text: str) -> int:
    print(f"practice-inbox self-test failed: {' '.join(text.split())}", file=sys.stderr,
          flush=True)
    return 1


class SelfTest:
    """The steps, in order; ``step`` names the one running (for the failure line)."""

    def __init__(self, screenshot: Path | None, log_path: Path | None) -> None:
        self.screenshot = screenshot
        self.log_path = log_path
        self.step = "starting"
        self.started = time.monotonic()
        self.timings: dict[str, float] = {}
        self.work = Path(tempfile.mkdtemp(prefix="practice-inbox-self-test-"))
        self.app: Any = None
        self.demo: Any = None
        self.startup: Any = None

    # the steps ---------------------------------------------------------------------------------
    def run(self) -> dict:
        from desktop.app import make_application

        self.begin("checking the bundled libraries")
        self.app = make_application()
        use_memory_keyring()
        check_keyring_backends()
        check_resources()
        self.done("libraries")

        self.begin("starting the demo server")
        from desktop.demo.conversations import write_starter_conversations
        from desktop.demo.embedded_server import EmbeddedServer

        self.demo = EmbeddedServer(self.work / "server").start()
        write_starter_conversations(self.demo.url)
        self.done("demo_server")

        self.begin("signing in and showing the main window")
        window = self.sign_in()
        self.done("window")

        self.begin("completing the initial sync")
        session = self.startup.session
        engine = session.bridge.engine
        self.wait_until(lambda: engine.puller.generation > 0 and engine.stopped is None,
                        "the initial sync")
        self.wait_until(lambda: window.thread_model.rowCount() > 0, "threads in the inbox list")
        self.done("initial_sync")

        self.begin("rendering the main window")
        check_not_blank(window.grab().toImage(), self.screenshot)
        self.done("render")

        self.begin("sending a message with an attachment")
        self.send_with_attachment(window, session)
        self.done("send")

        self.begin("receiving the answer and its tray alert")
        thread_id = reply_as_client(self.demo.url)
        self.wait_for_alert(thread_id)
        self.done("answer_alert")

        self.begin("quitting")
        self.quit()
        check_log_is_private(self.log_path)
        self.done("quit")
        return {"self_test": "passed", "seconds": round(time.monotonic() - self.started, 2),
                "steps": self.timings, "log": str(self.log_path) if self.log_path else None}

    def sign_in(self) -> Any:
        from PySide6.QtCore import QSettings

        from desktop.settings import AppSettings
        from desktop.startup import Startup

        settings = AppSettings(QSettings(str(self.work / "settings.ini"),
                                         QSettings.Format.IniFormat))
        self.startup = Startup(self.app, settings, data_root=self.work / "inbox", demo=self.demo,
                               demo_user="dr.rivera")
        if not self.startup.start() or self.startup.window is None:
            raise SelfTestFailed("the inbox did not open")
        window = self.startup.window
        self.wait_until(window.isVisible, "the main window to show")
        self.app.processEvents()
        return window

    def send_with_attachment(self, window: Any, session: Session) -> None:
        attachment = self.work / ATTACHMENT_NAME
        attachment.write_bytes(ATTACHMENT_BYTES)
        alex = next((p for p in session.cache.people() if p["username"] == "alex"), None)
        if alex is None:
            raise SelfTestFailed("the demo client alex is not in the directory")
        composer = window.open_composer(files=[attachment])
        if not composer.recipients.add_address(f"person:{alex['id']}"):
            raise SelfTestFailed("alex cannot be picked as a recipient")
        composer.subject.setText(SUBJECT)
        composer.body.setPlainText(BODY)
        queued: list[str] = []
        composer.sent.connect(queued.append)
        self.wait_until(lambda: not composer.attachments.busy(), "the attachment to be attached")
        if not composer.validate():
            raise SelfTestFailed(f"the composer refuses to send: {composer.hint.text()}")
        composer.send()
        self.wait_until(lambda: bool(queued), "the composer to queue the message")
        self.wait_until(lambda: session.cache.outbox_count() == 0,
                        "the message to reach the server")
        errors = [text for kind, text in session.notices.history if kind == "error"]
        if errors:
            raise SelfTestFailed(f"sending reported an error: {errors[-1]}")

    def wait_for_alert(self, thread_id: str) -> None:
        from desktop.tray import NO_PHI_TEXT

        tray, window = self.startup.tray, self.startup.window
        self.wait_until(lambda: tray.alert_thread_id == thread_id, "the tray alert of the answer")
        title, body = tray.last_alert or ("", "")
        if title != NO_PHI_TEXT:
            raise SelfTestFailed(f"the alert says {title!r} instead of {NO_PHI_TEXT!r}")
        if any(text.lower() in f"{title} {body}".lower() for text in PRIVATE_TEXTS + ("Alex",)):
            raise SelfTestFailed("the alert shows the sender or the content")
        tray.on_icon_messageClicked()  # what a click on the alert does
        self.wait_until(lambda: window.conversation_model.thread_id == thread_id,
                        "the alert's thread to open")
        conversation = self.startup.session.cache.conversation(thread_id)
        bodies = [m["body_html"] for m in conversation["messages"]] if conversation else []
        if not any(REPLY in body for body in bodies):
            raise SelfTestFailed("the answer is not in the local copy")

    def quit(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        startup, self.startup = self.startup, None
        if startup is not None:
            startup.quit()
            startup.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        demo, self.demo = self.demo, None
        if demo is not None:
            demo.stop()

    # helpers -----------------------------------------------------------------------------------
    def begin(self, step: str) -> None:
        self.step = step
        self._step_started = time.monotonic()

    def done(self, name: str) -> None:
        seconds = round(time.monotonic() - self._step_started, 2)
        self.timings[f"{name}_s"] = seconds
        print(f"self-test: {name} done in {seconds:.2f} s", flush=True)

    def wait_until(self, condition: Callable[[], Any], what: str,
                   timeout: float = STEP_TIMEOUT) -> None:
        from PySide6.QtCore import QEventLoop

        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SelfTestFailed(f"timed out after {timeout:.0f} s waiting for {what}")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)

    def give_up(self) -> None:
        """The watchdog: a step hung (a modal dialog, a blocked call); end the process."""
        _fail(f"{self.step}: no progress for {WATCHDOG_SECONDS:.0f} s")
        os._exit(1)

    def clean_up(self) -> None:
        """After a failure: close whatever is still open; always: remove the scratch folder."""
        try:
            self.quit()
        except Exception:
            log.exception("closing the inbox after a failed self-test")
        from desktop.logs import stop_logging_to_file

        stop_logging_to_file()
        shutil.rmtree(self.work, ignore_errors=True)


# checks that need no running inbox --------------------------------------------------------------
def use_memory_keyring() -> None:
    """Keeps the self-test's cache key in memory, out of the user's keyring."""
    import keyring

    from sync.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())


def check_keyring_backends() -> None:
    """The platform's keyring backend must be findable (keyring looks them up by entry point)."""
    from importlib.metadata import entry_points

    wanted = {"win32": "Windows", "darwin": "macOS"}.get(sys.platform, "SecretService")
    found = {ep.name: ep for ep in entry_points(group="keyring.backends")}
    if wanted not in found:
        raise SelfTestFailed(f"the {wanted} keyring backend is missing")
    found[wanted].load()


def check_resources() -> None:
    """Every icon draws and the style sheet reads (SVG support and data files are present)."""
    from PySide6.QtGui import QIcon

    from desktop.resources import app_icon, resource_files, resource_path, style_sheet

    if not style_sheet().strip():
        raise SelfTestFailed("the style sheet is empty")
    icons = [name for name in resource_files() if name.endswith(".svg")]
    if not icons:
        raise SelfTestFailed("no icons found in the resources folder")
    for name in icons:
        if QIcon(str(resource_path(name))).pixmap(32, 32).isNull():
            raise SelfTestFailed(f"the icon {name} does not draw")
    check_not_blank(app_icon().pixmap(64, 64).toImage(), None, minimum_colours=3)


def check_not_blank(image: Any, save_to: Path | None, minimum_colours: int = 8) -> None:
    """Fails when the image is empty or (nearly) one colour; saves it as PNG when asked."""
    if image.isNull() or image.width() < 16 or image.height() < 16:
        raise SelfTestFailed("the picture is empty")
    colours = {image.pixel(x, y) for x in range(0, image.width(), max(1, image.width() // 97))
               for y in range(0, image.height(), max(1, image.height() // 89))}
    if len(colours) < minimum_colours:
        raise SelfTestFailed(f"the picture is blank ({len(colours)} colours)")
    if save_to is not None:
        save_to.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(save_to), "PNG"):
            raise SelfTestFailed(f"could not save the screenshot to {save_to}")


def reply_as_client(url: str) -> str:
    """alex finds the message, checks the attachment byte for byte and answers it; returns the
    thread id."""
    from desktop.demo.conversations import DEMO_PASSWORD
    from sync.api import ApiClient

    api = ApiClient(url)
    try:
        api.login("alex", DEMO_PASSWORD)
        items = api.threads("inbox", limit=50)["items"]
        thread = next((i["thread"] for i in items if i["thread"]["subject"] == SUBJECT), None)
        if thread is None:
            raise SelfTestFailed("alex did not receive the message")
        message = api.thread(thread["id"])["messages"][0]
        if BODY not in message["body_html"]:
            raise SelfTestFailed("alex received a different text")
        files = message.get("attachments") or []
        if [f.get("filename") for f in files] != [ATTACHMENT_NAME]:
            raise SelfTestFailed("alex did not receive the attachment")
        with api.download_blob(files[0]["id"]) as response:
            received = b"".join(response.iter_content(65536))
        if received != ATTACHMENT_BYTES:
            raise SelfTestFailed("the attachment alex downloaded differs from the file sent")
        api.add_message(thread["id"], f"<p>{REPLY}</p>", [], idempotency_key=str(uuid.uuid4()))
        return str(thread["id"])
    finally:
        api.close()


def check_log_is_private(log_path: Path | None) -> None:
    """No subject, text or file name of the self-test's messages is in the log files."""
    if log_path is None:
        return
    for path in sorted(log_path.parent.glob(log_path.name + "*")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for private in PRIVATE_TEXTS:
            if private in text:
                raise SelfTestFailed(f"the log file {path.name} contains message text")
