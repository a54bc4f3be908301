"""The portal's security properties: headers on every page, forged POSTs refused with nothing
changed, foreign ids 404, and a client who never learns of the other clients of a thread."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from server.db.models import AuditEvent, Message, ThreadState
from server.portal.headers import CSP
from tests.portal.http import PortalHttp, csrf_of
from tests.portal.pages import Portal
from tests.support.api_client import Api
from tests.support.live_server import LiveServer

EVIL = "https://evil.example"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def portal_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The security properties hold on both databases the server runs on."""
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("pg_cluster").create_database()
    live = LiveServer(tmp_path_factory.mktemp("portal-security"), database_url=url).start()
    try:
        yield live
    finally:
        live.stop()


def subject(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:6]}"


def assert_portal_headers(reply: requests.Response, static: bool = False) -> None:
    assert reply.headers["content-security-policy"] == CSP
    assert CSP == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    assert reply.headers["cache-control"] == ("no-cache" if static else "no-store")
    assert reply.headers["referrer-policy"] == "no-referrer"
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_every_page_carries_the_headers(portal_server: LiveServer, staff: Api) -> None:
    blob = staff.as_("dr.rivera").uploaded("plan.txt", b"the plan\n")
    started = staff.as_("dr.rivera").started(["alex"], subject=subject("Headers"),
                                             attachment_ids=[blob["id"]])
    anonymous = requests.get(f"{portal_server.url}/portal/lakeside/", timeout=30)
    assert_portal_headers(anonymous)
    assert "strict-transport-security" not in anonymous.headers
    client = PortalHttp(portal_server)
    paths = ["messages", "messages?folder=sent", "messages?folder=drafts",
             "messages?folder=archive", "messages?folder=trash", "messages/new",
             f"messages/{started['thread']['id']}", f"attachments/{blob['id']}",
             "messages/no-such-thread", "no-such-page"]
    for path in paths:
        reply = client.get(path)
        assert reply.status_code in (200, 404), (path, reply.status_code)
        assert_portal_headers(reply)
    for name in ("portal.css", "portal.js"):
        assert_portal_headers(requests.get(f"{portal_server.url}/portal/static/{name}",
                                           timeout=30), static=True)
    missing = requests.get(f"{portal_server.url}/portal/nowhere/", timeout=30)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert_portal_headers(missing)


def test_over_tls_the_cookie_is_host_prefixed_and_secure_with_hsts(
    portal_server: LiveServer,
) -> None:
    # The server trusts X-Forwarded-Proto from its loopback proxy (Caddy terminates TLS).
    tls = {"X-Forwarded-Proto": "https"}
    page = requests.get(f"{portal_server.url}/portal/lakeside/", headers=tls, timeout=30)
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert "__Host-portal_csrf=" in page.headers["set-cookie"]
    token = csrf_of(page.text)
    signed = requests.post(
        f"{portal_server.url}/portal/lakeside/",
        data={"username": "alex", "password": "lakeside-demo-2026", "csrf_token": token},
        headers={**tls, "Origin": portal_server.url.replace("http://", "https://")},
        cookies={"__Host-portal_csrf": token}, allow_redirects=False, timeout=30,
    )
    assert signed.status_code == 303, signed.text[:300]
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("__Host-portal=")
    for flag in ("HttpOnly", "Secure", "Path=/", "SameSite=strict"):
        assert flag.lower() in cookie.lower(), cookie
    assert "domain=" not in cookie.lower()


def test_no_session_over_plain_http_to_another_computer(portal_server: LiveServer) -> None:
    root = f"{portal_server.url}/portal/lakeside/"
    http = requests.Session()
    remote = {"Host": "portal.lakeside.example"}
    token = csrf_of(http.get(root, headers=remote, timeout=30).text)
    answer = http.post(root, data={"username": "alex", "password": "lakeside-demo-2026",
                                   "csrf_token": token},
                       headers={**remote, "Origin": "http://portal.lakeside.example"},
                       allow_redirects=False, timeout=30)
    assert answer.status_code == 403
    assert "secure (https://) connection" in answer.text
    assert "portal=" not in answer.headers.get("set-cookie", "")


def _state(server: LiveServer, thread_id: str) -> tuple[str, bool]:
    with server.ctx.sessions() as db:
        state = db.scalar(select(ThreadState).where(
            ThreadState.thread_id == thread_id,
            ThreadState.person_id == server.person_id("alex")))
        assert state is not None
        return state.folder, state.unread


def _message_count(server: LiveServer, thread_id: str) -> int:
    with server.ctx.sessions() as db:
        return len(db.scalars(select(Message.id).where(Message.thread_id == thread_id)).all())


@pytest.mark.parametrize("forgery", ["no token", "wrong token", "other origin",
                                     "cross-site fetch", "no origin at all"])
def test_forged_posts_are_refused_and_change_nothing(
    portal_server: LiveServer, staff: Api, forgery: str
) -> None:
    thread_id = staff.as_("dr.rivera").started(["alex"], subject=subject("Forgery"))["thread"]["id"]
    client = PortalHttp(portal_server)
    token: str | None = client.csrf
    origin: str | None = "self"
    headers: dict[str, str] = {}
    if forgery == "no token":
        token = None
    elif forgery == "wrong token":
        token = client.anon_csrf
    elif forgery == "other origin":
        origin = EVIL
    elif forgery == "cross-site fetch":
        origin, headers = "null", {"Sec-Fetch-Site": "cross-site"}
    else:
        origin = None
    form = {"action": "trash", "folder": "inbox", "thread": thread_id}
    reply_form = {"body": "This reply must never be stored."}
    if token:
        form["csrf_token"] = reply_form["csrf_token"] = token
    before = _state(portal_server, thread_id)
    bulk = client.post("messages", form, origin=origin, headers=headers)
    answer = client.post(f"messages/{thread_id}", reply_form, origin=origin, headers=headers)
    upload = client.post("attachments", b"file body\n", origin=origin,
                         headers={**headers, "X-Filename": "x.txt",
                                  **({"X-CSRF-Token": token} if token else {})})
    assert (bulk.status_code, answer.status_code, upload.status_code) == (403, 403, 403)
    assert "did not come from this page" in bulk.text
    assert _state(portal_server, thread_id) == before
    assert _message_count(portal_server, thread_id) == 1
    # The same requests, made properly, go through.
    form["csrf_token"] = client.csrf
    assert client.post("messages", form).status_code == 303
    assert _state(portal_server, thread_id)[0] == "trash"


def test_sign_in_and_sign_out_need_the_token_too(portal_server: LiveServer) -> None:
    http = requests.Session()
    root = f"{portal_server.url}/portal/lakeside/"
    http.get(root, timeout=30)
    forged = http.post(root, data={"username": "alex", "password": "lakeside-demo-2026"},
                       headers={"Origin": portal_server.url}, allow_redirects=False, timeout=30)
    assert forged.status_code == 403
    assert "portal" not in http.cookies
    client = PortalHttp(portal_server)
    out = client.post("sign-out", {"csrf_token": "forged"})
    assert out.status_code == 403
    assert client.get("messages").status_code == 200


def test_xss_payloads_sent_by_staff_never_run(
    portal: Any, staff: Api, xss_payloads: list[str]
) -> None:
    rivera = staff.as_("dr.rivera")
    batch = uuid.uuid4().hex[:6]
    for n, payload in enumerate(xss_payloads):
        name = payload.replace("/", "")[:120] + ".txt"
        blob = rivera.uploaded(name, b"attachment text\n")
        rivera.started(
            ["alex"], subject=f"{payload[:180]} {batch}-{n}",
            body="<p>Padding so the message is long enough to send.</p>" + payload,
            attachment_ids=[blob["id"]],
        )
    p: Portal = portal()
    events: dict[str, list[str]] = {"dialogs": [], "foreign": []}
    p.page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    p.page.context.on("request", lambda r: None if r.url.startswith(
        p.server.url) else events["foreign"].append(r.url))
    p.page.add_init_script("""
        window.__violations = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    """)
    p.signed_in("alex")
    hrefs: list[str] = []
    before = ""
    while True:
        page_links = p.page.locator(".thread__subject").evaluate_all(
            "links => links.map(a => [a.textContent, a.getAttribute('href')])")
        hrefs += [h for text, h in page_links if batch in text]
        assert p.page.evaluate("window.__xss === undefined && window.__violations.length") == 0
        older = p.page.get_by_role("link", name="Older conversations")
        if len(hrefs) >= len(xss_payloads) or older.count() == 0:
            break
        before = older.get_attribute("href") or ""
        older.click()
    assert before or len(hrefs) <= 25
    assert len(hrefs) == len(xss_payloads)
    for href in hrefs:
        p.page.goto(p.server.url + href)
        expect(p.page.locator(".attachment")).to_have_count(1)
        state = p.page.evaluate("[window.__xss, window.__violations]")
        assert state == [None, []], (href, state)
        for link in p.page.locator(".message__body a").all():
            assert link.get_attribute("target") == "_blank"
            assert "noopener" in (link.get_attribute("rel") or "")
            href_value = link.get_attribute("href")
            assert href_value is None or href_value.startswith(("http://", "https://",
                                                                "mailto:")), href_value
        assert p.page.locator(".message__body form, .message__body img, "
                              ".message__body iframe, .message__body [style]").count() == 0
    assert events == {"dialogs": [], "foreign": []}


def test_a_client_never_sees_the_other_client_of_a_thread(portal: Any, staff: Api) -> None:
    title = subject("Group reminder")
    staff.as_("dr.rivera").started(["alex", "blair"], subject=title,
                                   body="<p>The group meets on Thursday at six.</p>")
    p: Portal = portal(js=False).signed_in("alex")
    expect(p.page.locator("body")).not_to_contain_text("Blair")
    p.open_thread(title)
    expect(p.page.locator("body")).not_to_contain_text("Blair")
    expect(p.page.locator("body")).not_to_contain_text("Thompson")
    blocked = p.page.get_by_role("region", name="You cannot reply here")
    expect(blocked).to_contain_text("cannot be replied to")
    expect(blocked.get_by_role("link", name="New message")).to_be_visible()
    assert p.page.get_by_role("form", name="Reply").count() == 0
    html = p.page.content()
    assert staff.id("blair") not in html


def test_another_practices_and_other_peoples_ids_are_404(
    portal_server: LiveServer, staff: Api
) -> None:
    harbor = staff.as_("dr.moss")
    blob = harbor.uploaded("harbor.txt", b"harbor only\n")
    theirs = harbor.started(["erin"], subject=subject("Harbor"), attachment_ids=[blob["id"]])
    not_alex = staff.as_("dr.chen").started(["blair"], subject=subject("Blair only"))
    client = PortalHttp(portal_server)
    for thread_id in (theirs["thread"]["id"], not_alex["thread"]["id"]):
        reply = client.get(f"messages/{thread_id}")
        assert reply.status_code == 404
        assert "does not exist or is not available to you" in reply.text
        assert "Harbor" not in reply.text and "Blair" not in reply.text
        sent = client.post(f"messages/{thread_id}", {"body": "Trying to get in here.",
                                                     "csrf_token": client.csrf})
        assert sent.status_code == 404
        bulk = client.post("messages", {"action": "trash", "thread": thread_id,
                                        "csrf_token": client.csrf})
        assert bulk.status_code == 404
        assert _message_count(portal_server, thread_id) == 1
    assert client.get(f"attachments/{blob['id']}").status_code == 404
    # Alex on Harbor's portal is sent to their own.
    other = client.http.get(f"{portal_server.url}/portal/harbor/messages", timeout=30,
                            allow_redirects=False)
    assert other.status_code == 303
    assert other.headers["location"].endswith("/portal/lakeside/messages")


def test_what_a_client_does_is_audited(portal: Any, portal_server: LiveServer,
                                       staff: Api) -> None:
    title = subject("Audited")
    staff.as_("dr.rivera").started(["alex"], subject=title)
    p: Portal = portal(js=False).signed_in("alex")
    p.open_thread(title)
    p.page.get_by_label("Your reply").fill("This reply is in the audit log.")
    p.page.get_by_role("button", name="Send reply").click()
    expect(p.page.get_by_role("status")).to_be_visible()
    with portal_server.ctx.sessions() as db:
        actions = set(db.scalars(select(AuditEvent.action).where(
            AuditEvent.actor_id == portal_server.person_id("alex"))).all())
    assert {"login", "read_thread", "send"} <= actions


def test_a_page_that_is_not_there_keeps_the_signed_in_frame(portal_server: LiveServer) -> None:
    client = PortalHttp(portal_server)
    missing = client.get("messages/no-such-thread")
    assert missing.status_code == 404
    assert "Sign out" in missing.text
    assert "Go to your messages" in missing.text
    anonymous = requests.get(f"{portal_server.url}/portal/lakeside/nothing-here", timeout=30)
    assert anonymous.status_code == 404
    assert "Sign out" not in anonymous.text
