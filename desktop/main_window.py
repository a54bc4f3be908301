"""The main window: folders, thread list and conversation side by side, the search field,
the status bar and the lock screen. It wires the views to the engine bridge and holds no
business rule of its own."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.admin.menu import AdminMenu
from desktop.dialogs.settings_dialog import SettingsDialog
from desktop.idle import IdleWatcher
from desktop.models.conversation_model import ConversationModel
from desktop.models.folder_model import FolderModel
from desktop.models.thread_list_model import ThreadListModel
from desktop.resources import app_icon, icon
from desktop.thread_moves import ThreadMover
from desktop.unlock import PasswordCheck
from desktop.widgets.bulk_toolbar import BulkToolBar
from desktop.widgets.composer import ComposerWindow
from desktop.widgets.conversation_view import ConversationView
from desktop.widgets.draft_files import OpenedDraft
from desktop.widgets.file_drops import FileDropTarget
from desktop.widgets.first_sync_notice import FirstSyncNotice
from desktop.widgets.folder_pane import FolderPane
from desktop.widgets.list_header import ListHeader
from desktop.widgets.lock_screen import LockScreen, WindowCovers
from desktop.widgets.search_field import SearchField
from desktop.widgets.search_note import IncompleteSearchNote
from desktop.widgets.status_bar import InboxStatusBar
from desktop.widgets.thread_list import ThreadList
from desktop.widgets.undo_notice import UndoNotice
from sync.cache.rows import ConversationThread, DraftRow
from sync.events import Change

if TYPE_CHECKING:
    from desktop.session import Session

LIST_KINDS = frozenset({Change.THREADS, Change.STATES, Change.MESSAGES, Change.FOLDERS})
FOLDER_KINDS = LIST_KINDS | {Change.DRAFTS}
CONVERSATION_KINDS = frozenset({Change.THREADS, Change.MESSAGES, Change.PEOPLE})


class MainWindow(FileDropTarget, QMainWindow):
    """Signals:
    signOutRequested()
    quitRequested()
    """

    signOutRequested = Signal()
    quitRequested = Signal()

    def __init__(self, session: Session, tray: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.tray = tray
        self.composers: list[ComposerWindow] = []
        self.locked = False
        self.quitting = False
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        runner, cache = session.runner, session.cache
        self.folder_model = FolderModel(cache, runner, self)
        self.thread_model = ThreadListModel(cache, runner, self)
        self.conversation_model = ConversationModel(cache, runner, self)
        # Read while the widgets are built: the rows are there when the window first paints.
        self.folder_model.refresh()
        self.thread_model.show_folder("inbox")

        self.folder_pane = FolderPane(session, self.folder_model)
        self.thread_list = ThreadList(self.thread_model)
        self.mover = ThreadMover(session, self.folder_model.name_of, self)
        self.bulk_bar = BulkToolBar(session, self.thread_model, self.folder_model, self.mover)
        self.list_header = ListHeader(self.thread_model, self.folder_model, self.bulk_bar,
                                      self.thread_list)
        self.first_sync = FirstSyncNotice(self.thread_list, self.thread_model, session.bridge)
        self.search_note = IncompleteSearchNote(self.thread_model, session.bridge)
        self.conversation = ConversationView(session, self.conversation_model)

        list_host = QWidget()
        list_layout = QVBoxLayout(list_host)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(0)
        list_layout.addWidget(self.list_header)
        list_layout.addWidget(self.search_note)
        list_layout.addWidget(self.thread_list, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.folder_pane)
        self.splitter.addWidget(list_host)
        self.splitter.addWidget(self.conversation)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([190, 640, 450])

        self.lock_screen = LockScreen(
            session.user.get("name") or session.user.get("username") or "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)

        self._build_toolbar()
        self.status = InboxStatusBar(session.notices)
        self.setStatusBar(self.status)
        self.undo_notice = UndoNotice()
        self.status.insertPermanentWidget(0, self.undo_notice, 1)
        undo = QAction(self)
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        undo.triggered.connect(lambda: None if self.locked else self.undo_notice.undo())
        self.addAction(undo)

        self.idle = IdleWatcher(session.settings.get("security/idle_lock_minutes"), self)
        _application().installEventFilter(self.idle)
        self.password_check = PasswordCheck(session, self)
        self.covers = WindowCovers(self.lock_screen.user_name, self.password_check, self)
        self._connect()
        self.update_title()

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Main"))
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.compose_action = QAction(icon("compose"), self.tr("New message"), self)
        self.compose_action.setShortcut(QKeySequence.StandardKey.New)
        self.compose_action.triggered.connect(lambda: self.open_composer())
        bar.addAction(self.compose_action)
        bar.addSeparator()
        self.search = SearchField()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search all messages (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), SearchField.ActionPosition.LeadingPosition)
        self.search.setMaximumWidth(420)
        self.search.textChanged.connect(self.on_search_textChanged)
        bar.addWidget(self.search)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.on_find_triggered)
        self.addAction(find)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding,
                             spacer.sizePolicy().verticalPolicy().Preferred)
        bar.addWidget(spacer)
        self.lock_action = QAction(icon("lock"), self.tr("Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        bar.addAction(self.lock_action)
        self.admin_menu = AdminMenu(self, self.session)
        bar.addWidget(self.admin_menu.button)
        self.settings_action = QAction(icon("settings"), self.tr("Settings"), self)
        self.settings_action.triggered.connect(self.open_settings)
        bar.addAction(self.settings_action)
        self.sign_out_action = QAction(icon("sign-out"), self.tr("Sign out"), self)
        self.sign_out_action.triggered.connect(self.signOutRequested)
        bar.addAction(self.sign_out_action)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.quitRequested)
        self.addAction(self.quit_action)
        self.addToolBar(bar)

    def _connect(self) -> None:
        bridge = self.session.bridge
        self.folder_pane.folderSelected.connect(self.on_folder_pane_folderSelected)
        self.folder_model.threadsDropped.connect(self.on_folder_model_threadsDropped)
        self.folder_model.loaded.connect(self.update_title)
        self.thread_list.threadOpened.connect(self.on_thread_list_threadOpened)
        self.thread_list.draftOpened.connect(self.on_thread_list_draftOpened)
        self.thread_list.trashRequested.connect(lambda ids: self.mover.move(ids, "trash"))
        self.thread_list.starToggled.connect(
            lambda thread_id, starred: bridge.command(
                lambda engine: engine.set_state([thread_id], starred=starred)))
        self.mover.moved.connect(self.undo_notice.offer)
        self.conversation.replyRequested.connect(lambda thread: self.open_composer(thread=thread))
        self.conversation.composeRequested.connect(
            lambda prefill: self.open_composer(subject=prefill.get("subject", "")))
        inline_reply = self.conversation.inline_reply
        inline_reply.drafts_in_composers = lambda: {c.draft_id for c in self.composers}
        inline_reply.composerRequested.connect(
            lambda thread, draft: self.open_composer(thread=thread, draft=draft or None))
        inline_reply.sent.connect(lambda _id: self.session.notices.info.emit(self._sent_notice()))
        bridge.cacheChanged.connect(self.on_bridge_cacheChanged)
        bridge.capabilitiesChanged.connect(self.on_bridge_capabilitiesChanged)
        self.on_bridge_capabilitiesChanged()
        bridge.syncStatus.connect(self.status.on_bridge_syncStatus)
        bridge.syncProgress.connect(self.status.on_bridge_syncProgress)
        bridge.cacheRebuilt.connect(
            lambda reason: self.session.notices.info.emit(
                self.tr("Fetching everything again from the server: %s") % reason))
        self.idle.idle.connect(self.lock)
        self.stack.currentChanged.connect(
            lambda i: self.admin_menu.locked(self.stack.widget(i) is self.lock_screen))
        self.session.settings.changed.connect(self.on_settings_changed)
        self.lock_screen.unlockRequested.connect(self.password_check.check)
        self.password_check.accepted.connect(self.unlock)
        self.password_check.refused.connect(self.lock_screen.show_error)
        if self.tray is not None:
            bridge.newMessage.connect(self.tray.on_bridge_newMessage)
            self.tray.threadRequested.connect(self.show_thread)
            self.tray.openRequested.connect(self.bring_to_front)

    # reacting to the cache -------------------------------------------------------------------
    @Slot()
    def on_bridge_capabilitiesChanged(self) -> None:
        self.folder_model.set_move_targets(self.session.capabilities().get("move_targets") or ())

    @Slot(object, object)
    def on_bridge_cacheChanged(self, kinds: frozenset[Change], thread_ids: frozenset[str]) -> None:
        if Change.PEOPLE in kinds or Change.SESSION in kinds:
            self.session.forget_people()
        if kinds & FOLDER_KINDS:
            self.folder_model.refresh()
        if kinds & LIST_KINDS or (self.thread_model.is_drafts and Change.DRAFTS in kinds):
            self.thread_model.refresh()
        current = self.conversation_model.thread_id
        shown = self.conversation_model.thread_row
        waiting = shown is not None and shown["pending"]
        if current and (current in thread_ids or (kinds & CONVERSATION_KINDS and not thread_ids)
                        or Change.PEOPLE in kinds or waiting):
            # A thread still waiting in the outbox is followed to the id the server gives it.
            self.conversation_model.refresh()

    @Slot()
    def update_title(self) -> None:
        unread = self.folder_model.unread("inbox")
        if self.tray is not None:
            self.tray.set_unread(unread)
        if self.locked:  # the taskbar shows this title: no name while locked
            self.setWindowTitle(self.tr("Practice Inbox (locked)"))
            return
        user = self.session.user.get("name") or self.session.user.get("username") or ""
        title = self.tr("Practice Inbox")
        if unread:
            title += " " + self.tr("(%n unread)", "", unread)
        self.setWindowTitle(f"{title} — {user}" if user else title)

    # navigation --------------------------------------------------------------------------------
    @Slot(str)
    def on_folder_pane_folderSelected(self, folder_id: str) -> None:
        if self.search.text():
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.conversation.set_highlight("")
        self.thread_model.show_folder(folder_id)

    @Slot(str)
    def on_thread_list_threadOpened(self, thread_id: str) -> None:
        self.conversation_model.show_thread(thread_id or None)
        if thread_id:
            # A row still being read may be unread: the engine checks its cache and sends
            # nothing for a thread that is read already.
            row = self.thread_model.row_of(thread_id)
            record = self.thread_model.record_if_read(row) if row >= 0 else None
            if record is None or record.get("unread"):
                self.session.bridge.command(lambda engine: engine.mark_thread_read(thread_id))

    @Slot(dict)
    def on_thread_list_draftOpened(self, draft: DraftRow) -> None:
        thread_id = draft["thread_id"]
        if not thread_id:
            self.open_composer(draft=draft)
            return
        # A reply's draft opens in a reply composer: its thread is read off the GUI thread.
        cache = self.session.cache

        def thread_of() -> ConversationThread | None:
            conversation = cache.conversation(thread_id)
            return conversation["thread"] if conversation else None

        self.session.runner.run(thread_of,
                                lambda thread: self.open_composer(thread=thread, draft=draft))

    @Slot(list, str)
    def on_folder_model_threadsDropped(self, ids: list, folder_id: str) -> None:
        self.mover.move(ids, folder_id)
        self.thread_model.clear_checks()

    @Slot()
    def on_find_triggered(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    @Slot(str)
    def on_search_textChanged(self, text: str) -> None:
        if text.strip():
            self.folder_pane.start_search()
            self.thread_model.show_search(text.strip())
        else:
            self.folder_pane.end_search()
        self.conversation.set_highlight(text.strip())

    @Slot(str)
    def show_thread(self, thread_id: str) -> None:
        """Open a thread from wherever it is (a tray alert): Inbox first, then its folder."""
        self.bring_to_front()
        if self.thread_list.select_thread(thread_id):
            return
        self.folder_pane.select_folder("inbox")
        self.conversation_model.show_thread(thread_id)
        self.session.bridge.command(lambda engine: engine.mark_thread_read(thread_id))

    def bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # composing ---------------------------------------------------------------------------------
    def open_composer(self, thread: ConversationThread | None = None,
                      draft: OpenedDraft | None = None,
                      subject: str = "", files: list[Path] | None = None) -> ComposerWindow:
        composer = ComposerWindow(self.session, thread=thread, draft=draft)
        if subject and not thread:
            composer.subject.setText(subject)
        if files:
            composer.add_files(files)
        composer.destroyed.connect(lambda _=None, c=composer: self._forget_composer(c))
        composer.sent.connect(lambda _id: self.session.notices.info.emit(self._sent_notice()))
        self.composers.append(composer)
        composer.show()
        return composer

    def _forget_composer(self, composer: ComposerWindow) -> None:
        self.composers = [c for c in self.composers if c is not composer]

    def _sent_notice(self) -> str:
        return self.tr("Message queued: it is sent as soon as the server can be reached.") \
            if self._offline() else self.tr("Message sent.")

    def _offline(self) -> bool:
        status = self.session.bridge.last_status
        return status is not None and status.state == "offline"

    def takes_files(self) -> bool:
        return not self.locked

    def files_dropped(self, paths: list[Path]) -> None:
        self.open_composer(files=paths)

    # settings, locking, closing ----------------------------------------------------------------
    def open_settings(self) -> None:
        SettingsDialog(self.session.settings, self).exec()

    @Slot(str)
    def on_settings_changed(self, key: str) -> None:
        if key == "security/idle_lock_minutes":
            self.idle.set_minutes(self.session.settings.get(key))
        if key == "cache/attachment_cap_mb" and self.session.blob_cache is not None:
            self.session.blob_cache.cap_bytes = self.session.settings.get(key) * 1024 * 1024

    @Slot()
    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        self.idle.pause()
        for composer in self.composers:
            composer.hide()
        for bar in self.findChildren(QToolBar):
            if bar is not self.bulk_bar:  # shown with the list, which the lock screen covers
                bar.setVisible(False)
        self.stack.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset()
        self._show_locked(True)

    def _show_locked(self, locked: bool) -> None:
        """Everywhere else the program shows itself: the title, the tray, the status bar's
        notices and the other windows still open (a dialog waiting for an answer)."""
        self.update_title()
        self.status.set_locked(locked)
        if self.tray is not None:
            self.tray.set_locked(locked)
        if locked:
            self.covers.cover([w for w in QApplication.topLevelWidgets()
                               if w is not self and w not in self.composers])
        else:
            self.covers.uncover()

    @Slot()
    def unlock(self) -> None:
        self.locked = False
        self._show_locked(False)
        for bar in self.findChildren(QToolBar):
            if bar is not self.bulk_bar:
                bar.setVisible(True)
        self.stack.setCurrentWidget(self.splitter)
        for composer in self.composers:
            composer.show()
        self.idle.resume()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.quitting and self.tray is not None and self.tray.available():
            self.hide()
            for composer in self.composers:
                composer.hide()
            self.session.notices.info.emit(self.tr("Practice Inbox keeps running in the tray."))
            event.ignore()
            return
        _application().removeEventFilter(self.idle)
        self.conversation.inline_reply.flush()
        for composer in list(self.composers):
            composer.close()
        super().closeEvent(event)
        if not self.quitting:
            self.quitRequested.emit()

    def quit_now(self) -> None:
        self.quitting = True
        self.close()


def _application() -> QCoreApplication:
    app = QApplication.instance()
    assert app is not None  # a window exists only inside the application
    return app
