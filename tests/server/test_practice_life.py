"""The whole life of a practice, from `practice-server create-practice` (the real command) on
a server with no demo to a client and a therapist exchanging messages, with every email
received by a real SMTP server and every step in the audit log. Also the commands' refusals:
one sentence, exit status 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.config import SmtpSettings
from tests.server.admin_support import (
    GOOD_PASSWORD,
    bearer,
    code_for,
    login,
    set_password,
    token_of,
    wait_for,
)
from tests.support.live_server import LiveServer
from tests.support.smtp_sink import SmtpSink


@pytest.fixture
def bare_server(
    tmp_path: Path, smtp: SmtpSink, database_url: str | None
) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "data", database_url=database_url, seed_demo=False,
                      smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, starttls=False))
    live.start()
    yield live
    live.stop()


def cli(server: LiveServer, smtp: SmtpSink, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "server.cli", *args, "--data-dir", str(server.data_dir),
           "--database", server.settings.database_url]
    env = {**os.environ, "PRACTICE_SMTP_HOST": "127.0.0.1", "PRACTICE_SMTP_PORT": str(smtp.port),
           "PRACTICE_SMTP_STARTTLS": "0", "PRACTICE_PUBLIC_URL": server.url}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("practice-server: ") and words in lines[0], result.stderr


def emailed_link(smtp: SmtpSink, address: str, count: int = 1) -> str:
    found = wait_for(lambda: [m for m in smtp.messages if m["To"] == address][count - 1:])
    assert found, f"no email to {address}"
    return str(found[0].get_body().get_content())


def test_from_create_practice_to_a_signed_in_client(bare_server: LiveServer,
                                                     smtp: SmtpSink) -> None:
    api = bare_server.api
    made = cli(bare_server, smtp, "create-practice", "--name", "Willow Family Therapy",
               "--slug", "willow", "--admin-username", "office.lee", "--admin-email",
               "lee@willow.example", "--admin-name", "Lee Office")
    assert made.returncode == 0, made.stderr
    assert "Traceback" not in made.stderr
    printed = token_of(made.stdout)
    mail = emailed_link(smtp, "lee@willow.example")
    assert token_of(mail) == printed and "Willow Family Therapy" in mail
    assert f"{bare_server.url}/portal/willow/welcome/" in made.stdout

    assert set_password(bare_server, printed).status_code == 204
    admin = login(bare_server, "office.lee", GOOD_PASSWORD).json()["token"]
    session = requests.get(f"{api}/session", headers=bearer(admin), timeout=30).json()
    assert session["practice"]["name"] == "Willow Family Therapy"
    assert session["practice"]["portal_url"] == f"{bare_server.url}/portal/willow/"
    assert session["capabilities"]["manage_staff"] is True

    # Two-step sign-in for the admin.
    secret = requests.post(f"{api}/account/totp", headers=bearer(admin), timeout=30
                           ).json()["secret"]
    first_code = code_for(secret)
    codes = requests.post(f"{api}/account/totp/confirm", json={"code": first_code},
                          headers=bearer(admin), timeout=30).json()["recovery_codes"]
    admin = login(bare_server, "office.lee", GOOD_PASSWORD, codes[0]).json()["token"]

    def admin_post(path: str, body: object = None, **kw: object) -> requests.Response:
        return requests.post(f"{api}{path}", json=body, headers=bearer(admin), timeout=60,
                             **kw)  # type: ignore[arg-type]

    therapist = admin_post("/admin/people", {
        "kind": "staff", "username": "dr.ash", "name": "Dr. Robin Ash",
        "email": "ash@willow.example", "role": "therapist"}).json()
    assert admin_post(f"/admin/people/{therapist['id']}/invite").status_code == 202
    rows = "".join(f"Client {i:03d},client{i:03d}@mail.example,,,dr.ash\n" for i in range(500))
    imported = requests.post(f"{api}/admin/people/import",
                             data=("name,email,username,status,assigned_therapist\n" + rows),
                             headers={**bearer(admin), "Content-Type": "text/csv"}, timeout=60)
    assert imported.status_code == 201 and imported.json()["created"] == 500
    client = requests.get(f"{api}/admin/people", params={"q": "client042"},
                          headers=bearer(admin), timeout=30).json()["people"][0]
    assert client["username"] == "client042"
    assert admin_post(f"/admin/people/{client['id']}/invite").status_code == 202

    # The therapist and the client set their passwords from their emails and talk.
    assert set_password(bare_server, token_of(emailed_link(smtp, "ash@willow.example"))
                        ).status_code == 204
    assert set_password(bare_server, token_of(emailed_link(smtp, "client042@mail.example")),
                        "my own long passphrase").status_code == 204
    ash = login(bare_server, "dr.ash", GOOD_PASSWORD).json()["token"]
    me = login(bare_server, "client042", "my own long passphrase")
    assert me.status_code == 200 and me.json()["user"]["kind"] == "client"
    mine = me.json()["token"]
    sent = requests.post(f"{api}/threads", json={
        "to": [f"person:{client['id']}"], "subject": "Welcome",
        "body_html": "<p>Welcome to the practice portal.</p>"},
        headers={**bearer(ash), "Idempotency-Key": "welcome-1"}, timeout=30)
    assert sent.status_code == 201, sent.text
    thread_id = sent.json()["thread"]["id"]
    answer = requests.post(f"{api}/threads/{thread_id}/messages",
                           json={"body_html": "<p>Thank you, glad to be here.</p>"},
                           headers={**bearer(mine), "Idempotency-Key": "reply-1"}, timeout=30)
    assert answer.status_code == 201, answer.text

    audit = requests.get(f"{api}/audit", params={"limit": 1000}, headers=bearer(admin),
                         timeout=30).json()["events"]
    actions = [e["action"] for e in audit]
    for action in ("invite", "password_set", "login", "mfa_enable", "person_create", "import",
                   "send"):
        assert action in actions, action
    assert actions.count("person_create") == 501
    # Every email of this life named the practice and held no client's name.
    for message in smtp.messages:
        text = message.get_body().get_content()
        assert "Willow Family Therapy" in text and "Client 042" not in text


def test_the_commands_refuse_in_one_sentence(bare_server: LiveServer, smtp: SmtpSink,
                                             tmp_path: Path) -> None:
    base = ["create-practice", "--name", "Elm Clinic", "--slug", "elm", "--admin-username",
            "elm.admin", "--admin-email", "admin@elm.example"]
    assert cli(bare_server, smtp, *base).returncode == 0
    refused(cli(bare_server, smtp, *base), "exists already")
    taken = base.copy()
    taken[taken.index("elm")] = "elm-two"
    refused(cli(bare_server, smtp, *taken), "taken")
    refused(cli(bare_server, smtp, "create-practice", "--name", "X", "--slug", "Bad Slug!",
                "--admin-username", "x.admin", "--admin-email", "x@x.example"), "slug")
    refused(cli(bare_server, smtp, "invite", "no.such.user"), "no.such.user")
    again = cli(bare_server, smtp, "invite", "elm.admin")
    assert again.returncode == 0 and token_of(again.stdout)
    bad = tmp_path / "clients.csv"
    bad.write_text("name,email,status\nGood One,good@example.org,active\n"
                   "Bad One,not-an-email,active\nOdd One,odd@example.org,paused\n")
    result = cli(bare_server, smtp, "import-clients", "--practice", "elm", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "clients.csv, line 3, column email" in result.stderr
    assert "clients.csv, line 4, column status" in result.stderr
    refused(cli(bare_server, smtp, "import-clients", "--practice", "nope", str(bad)), "nope")
    refused(cli(bare_server, smtp, "import-clients", "--practice", "elm",
                str(tmp_path / "missing.csv")), "Cannot read")
    good = tmp_path / "good.csv"
    good.write_text("name,email\nGood One,good@example.org\n")
    done = cli(bare_server, smtp, "import-clients", "--practice", "elm", str(good))
    assert done.returncode == 0 and "Imported 1 client" in done.stdout
