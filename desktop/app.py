"""`practice-inbox`: the staff inbox's command line and start-up.

    practice-inbox                       sign in to a practice server
    practice-inbox --demo                the demo practice, signed in as dr.rivera
    practice-inbox --demo --as frontdesk another staff member of the demo
    practice-inbox --demo --demo-activity   demo clients write now and then
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

DEMO_STAFF = ("dr.rivera", "dr.chen", "frontdesk", "billing", "admin", "agent.kim")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="practice-inbox", description="The secure staff inbox of a therapy practice.")
    parser.add_argument("--demo", action="store_true",
                        help="start an embedded practice server with the demo practice and "
                             "sign in to it (nothing is kept afterwards)")
    parser.add_argument("--as", dest="demo_user", default="dr.rivera", metavar="USER",
                        help=f"with --demo: the staff member to sign in as "
                             f"({', '.join(DEMO_STAFF)}); default dr.rivera")
    parser.add_argument("--demo-activity", action="store_true",
                        help="with --demo: demo clients write now and then, to see alerts")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the encrypted cache is kept (default: the user data folder)")
    parser.add_argument("--quit-after", type=float, default=None, metavar="SECONDS",
                        help=argparse.SUPPRESS)  # smoke tests of a packaged build
    parser.add_argument("--self-test", nargs="?", const="", default=None, metavar="PNG",
                        help="check offscreen that this installation syncs, sends and alerts "
                             "(with the demo server), then exit; PNG saves the window's picture")
    return parser


#: How often a thread holding the GIL hands it over to one waiting for it (Python's default is
#: 5 ms). The GUI thread waits whenever a background thread holds it (reading rows, syncing):
#: each millisecond keeps frames short (bench/desktop_open.py: frames over 50 ms while
#: scrolling 100,000 threads 222 -> 99, and 79 -> 47 with a core busy).
GIL_SWITCH_SECONDS = 0.001


def make_application() -> Any:
    """The QApplication with the inbox's names, icon, palette and style."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from desktop.palette import follow_system_scheme
    from desktop.resources import app_icon, style_sheet

    QCoreApplication.setOrganizationName("Practice Inbox")
    QCoreApplication.setApplicationName("Practice Inbox")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)
    follow_system_scheme(app)
    app.setStyleSheet(style_sheet())
    return app


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test is not None:
        from desktop.self_test import run_self_test

        return run_self_test(args.self_test or None)
    problem = _argument_problem(args)
    if problem:
        print(f"practice-inbox: {problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from desktop.logs import log_to_file

    log_to_file()
    return _run_inbox(args)


def _argument_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with options that only make sense together, in a sentence."""
    if (args.demo_user != "dr.rivera" or args.demo_activity) and not args.demo:
        return "--as and --demo-activity go with --demo."
    if args.demo and args.demo_user not in DEMO_STAFF:
        return (f"{args.demo_user!r} is not a demo staff member; choose one of "
                f"{', '.join(DEMO_STAFF)}.")
    return None


def _run_inbox(args: argparse.Namespace) -> int:
    """The application until it quits (with the demo's server and activity when asked)."""
    from desktop.qt_free_first import import_qt_free_parts

    import_qt_free_parts()
    from PySide6.QtCore import QSettings, QTimer

    from desktop.settings import AppSettings
    from desktop.startup import Startup

    app = make_application()
    demo = activity = None
    data_root = args.data_dir
    if args.demo:
        demo, activity, data_root = _start_demo(args, data_root)
    settings = AppSettings(QSettings(str(data_root / "settings.ini"), QSettings.Format.IniFormat)
                           if args.demo and data_root else None)
    startup = Startup(app, settings, data_root=data_root, demo=demo, demo_user=args.demo_user)
    _report_unexpected_errors(startup)
    if not args.demo:  # the demo's settings are thrown away: it leaves the computer's alone
        from desktop.autostart import follow_setting

        follow_setting(settings, startup.notices)
    try:
        if activity is not None:
            startup.demoReady.connect(activity.start)
        if not startup.start():
            return startup.exit_code or 1
        if args.quit_after is not None:
            QTimer.singleShot(int(args.quit_after * 1000), startup.quit)
        code = app.exec()
        return code or startup.exit_code
    finally:
        if activity is not None:
            activity.stop()
        if demo is not None:
            demo.stop()


def _report_unexpected_errors(startup) -> None:  # noqa: ANN001
    """An error nobody caught is logged for support and told in one plain sentence in the
    status bar; the user never sees a traceback and the inbox keeps running."""
    log = logging.getLogger("desktop")

    def hook(kind, error, trace) -> None:  # noqa: ANN001
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        log.error("unexpected error", exc_info=(kind, error, trace))
        startup.notices.error.emit(startup.tr(
            "Something went wrong inside Practice Inbox; it was noted in the log."))

    sys.excepthook = hook


def _start_demo(args: argparse.Namespace, data_root: Path | None):  # noqa: ANN202
    from desktop.demo.activity import DemoActivity
    from desktop.demo.embedded_server import EmbeddedServer

    # The server is seeded and started by the inbox, behind its window (Startup.start).
    demo = EmbeddedServer(starter_conversations=True)
    print(f"Demo server on {demo.url} (signed in as {args.demo_user}; password "
          "lakeside-demo-2026 for everyone).", file=sys.stderr)
    print(f"Client portal: {demo.portal_url} (sign in as alex to answer as a client).",
          file=sys.stderr)
    activity = DemoActivity(demo.url, args.demo_user) if args.demo_activity else None
    return demo, activity, data_root or demo.data_dir / "inbox"


if __name__ == "__main__":
    sys.exit(main())
