"""`serve --workers N`: N server processes on one listening socket, bound once here.

Each worker is a whole server (its own pool, email and maintenance workers, LISTEN
connection); they share everything through PostgreSQL, which is why more than one worker
needs it. A worker that dies is started again; SIGTERM or SIGINT stops them all gracefully.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from multiprocessing.process import BaseProcess
from types import FrameType

from server.config import Settings
from server.runner import default_public_url
from server.transport.https import is_loopback

log = logging.getLogger(__name__)

RESTART_PAUSE_SECONDS = 1.0


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(settings: Settings, sock: socket.socket, log_level: str) -> None:
    from server.runner import serve_on

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    serve_on(settings, [sock], log_level)


def workers_refusal(settings: Settings, count: int) -> str | None:
    if count < 1:
        return "--workers must be at least 1."
    if count > 1 and not settings.database_url.startswith(("postgres", "postgresql")):
        return (
            "Several workers need a PostgreSQL database (--database postgresql://…): with "
            "SQLite, a message sent through one worker would not wake the others' clients."
        )
    return None


def serve_workers(settings: Settings, host: str, port: int, count: int, log_level: str) -> None:
    """Run `count` workers until SIGTERM/SIGINT; each is restarted if it dies."""
    sock = bind(host, port)
    default_public_url(settings, host, port)
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(settings, sock, log_level),
                                  name="practice-server-worker")
        process.start()
        return process

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheme = "https" if settings.tls_cert else "http"
    shown = f"[{host}]" if ":" in host else host
    log.info("%d workers on %s://%s:%d%s", count, scheme, shown, port,
             "" if is_loopback(host) or settings.tls_cert else " (behind a proxy)")
    processes = [start() for _ in range(count)]
    try:
        while not stopping.wait(RESTART_PAUSE_SECONDS):
            for index, process in enumerate(processes):
                if not process.is_alive():
                    log.warning("worker %s ended (exit code %s); starting it again",
                                process.pid, process.exitcode)
                    processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                process.terminate()
        for process in processes:
            process.join(timeout=15)
            if process.is_alive():
                process.kill()
                process.join()
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
