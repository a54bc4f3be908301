"""Dragging an attachment out of the inbox onto another program, on a real X display.

The inbox runs as its own program on an Xvfb display of this test's own; a second program
stands in for the desktop (a window that accepts dropped files). xdotool moves the real mouse:
press on the attachment's button, move in steps onto the other window, release. The other
program must receive a local file whose bytes are the decrypted attachment, through the X
drag-and-drop protocol (XDND) between the two processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sync.blobs import upload
from tests.desktop.people import Person
from tests.support import sample_files
from tests.support.system_tools import require

ROOT = Path(__file__).resolve().parents[2]
TARGET_AT = (900, 150)  # the drop target's top-left corner; the inbox window is left of it
TARGET_SIZE = 300
STEPS = 24


def wait_for(predicate: Any, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def x_display() -> Iterator[str]:
    """An Xvfb display of this test's own (no window manager): its name, like ":93"."""
    require("Xvfb", package="xvfb")
    require("xdotool", package="xdotool")
    read_end, write_end = os.pipe()  # Xvfb picks a free display and writes its number here
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0",
                               "1280x800x24", "-nolisten", "tcp"], pass_fds=(write_end,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as announced:
            number = announced.readline().strip().decode()
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def start(module: str, args: list[str], display: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb",
               PYTHONPATH=str(ROOT))
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                                stdout=output, stderr=subprocess.STDOUT)


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=dict(os.environ, DISPLAY=display), check=True,
                   timeout=10)


def test_an_attachment_dragged_onto_another_program_arrives_as_the_decrypted_file(
        live_server: Any, tmp_path: Path, x_display: str) -> None:
    alex = Person(live_server, "alex")
    content = sample_files.pdf("Sleep log: Mon 6 h, Tue 7 h, Wed 8 h") + os.urandom(2048)
    original = tmp_path / "sleep-log.pdf"
    original.write_bytes(content)
    attachment = upload(alex.api, original, alex.api.session()["limits"])
    thread = alex.api.create_thread([alex.address("dr.rivera")], "Sleep log",
                                    "<p>Here is my log.</p>", [attachment["id"]],
                                    idempotency_key=str(uuid.uuid4()))["thread"]

    dropped, placed = tmp_path / "dropped.json", tmp_path / "button.json"
    target = start("tests.desktop.x_drop_target",
                   [str(dropped), str(TARGET_AT[0]), str(TARGET_AT[1])], x_display,
                   tmp_path / "target.log")
    source = start("tests.desktop.x_drag_source",
                   [live_server.url, "dr.rivera", str(tmp_path / "inbox"), thread["id"],
                    str(placed)], x_display, tmp_path / "source.log")
    try:
        wait_for(lambda: placed.exists() or source.poll() is not None,
                 "the inbox to show the fetched attachment", timeout=60)
        assert source.poll() is None, (tmp_path / "source.log").read_text()
        button = json.loads(placed.read_text(encoding="utf-8"))
        assert Path(button["path"]).read_bytes() == content  # decrypted, not the cached blob

        start_x, start_y = button["x"], button["y"]
        end_x = TARGET_AT[0] + TARGET_SIZE // 2
        end_y = TARGET_AT[1] + TARGET_SIZE // 2
        xdotool(x_display, "mousemove", "--sync", str(start_x), str(start_y))
        time.sleep(0.2)
        xdotool(x_display, "mousedown", "1")
        for step in range(1, STEPS + 1):
            x = start_x + (end_x - start_x) * step // STEPS
            y = start_y + (end_y - start_y) * step // STEPS
            xdotool(x_display, "mousemove", str(x), str(y))
            time.sleep(0.03)
        time.sleep(0.3)  # the target's last position reply, before the drop
        xdotool(x_display, "mouseup", "1")
        wait_for(dropped.exists, "the drop to arrive in the other program", timeout=20)
    finally:
        for process in (source, target):
            process.terminate()
        for process in (source, target):
            process.wait(10)
        if not dropped.exists():  # shown with the failure
            for log in ("source.log", "target.log"):
                print(f"--- {log}\n{(tmp_path / log).read_text()}")

    received = json.loads(dropped.read_text(encoding="utf-8"))
    assert len(received["urls"]) == 1 and received["urls"][0].startswith("file:///")
    assert received["urls"][0].endswith("/sleep-log.pdf")
    assert received["sha256"] == hashlib.sha256(content).hexdigest()
