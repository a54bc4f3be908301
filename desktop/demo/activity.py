"""`--demo-activity`: demo clients write now and then, so new-message alerts can be seen."""

from __future__ import annotations

import logging
import random
import threading
import uuid

from sync.api import ApiClient
from sync.errors import ApiError, NetworkError

log = logging.getLogger(__name__)

LINES = (
    "Thanks for the reminder, I'll be there.",
    "Could you send me the worksheet again? I can't find it.",
    "I tried the breathing exercise twice today and it helped.",
    "Is there parking at the new office?",
    "I need to cancel Friday, my daughter is sick. Can we find another time?",
)
SUBJECTS = ("Quick question", "About Friday", "Worksheet", "Update from this week")


# Who writes to whom: a client of the signed-in therapist, else a client to the front office.
WRITER_FOR = {"dr.rivera": "alex", "dr.chen": "blair", "frontdesk": "alex", "billing": "dana"}


class DemoActivity:
    """A background thread where alex writes to ``recipient`` every ``every`` seconds or so."""

    def __init__(self, url: str, recipient_username: str, every: float = 45.0,
                 password: str = "lakeside-demo-2026") -> None:
        self.url = url
        self.recipient_username = recipient_username
        self.every = every
        self.password = password
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="demo-activity")
        self._rng = random.Random()

    def start(self) -> DemoActivity:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def write_once(self, api: ApiClient) -> None:
        people = {p["username"]: p["id"] for p in api.directory()["people"]}
        target = people.get(self.recipient_username) or people.get("frontdesk")
        if target is None:
            return
        api.create_thread([f"person:{target}"], self._rng.choice(SUBJECTS),
                          f"<p>{self._rng.choice(LINES)}</p>", [],
                          idempotency_key=str(uuid.uuid4()))

    def _run(self) -> None:
        api = ApiClient(self.url)
        try:
            writer = WRITER_FOR.get(self.recipient_username, "frontdesk")
            if writer == "dana":  # no portal account: dana cannot sign in
                writer = "alex"
            api.login(writer, self.password)
            while not self._stop.wait(self.every * self._rng.uniform(0.6, 1.4)):
                try:
                    self.write_once(api)
                except (ApiError, NetworkError) as error:
                    log.info("demo activity skipped a message: %s", error)
        except (ApiError, NetworkError) as error:
            log.warning("demo activity stopped: %s", error)
        finally:
            api.close()
