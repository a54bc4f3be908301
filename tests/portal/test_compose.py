"""Writing a new message in the portal: recipients from the directory, attachments (chosen,
dropped, refused), drafts, the formatting toolbar, and nothing lost when a send is refused."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.portal.pages import Portal
from tests.support.api_client import Api


def subject(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:6]}"


def thread_seen_by(user: Any, title: str) -> dict[str, Any]:
    item = next(i for i in user.listing("inbox") if i["thread"]["subject"] == title)
    return dict(user.thread(item["thread"]["id"]))


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_new_message_with_attachments_reaches_the_therapist(
    portal: Any, staff: Api, tmp_files: Path, js: bool
) -> None:
    first, second = tmp_files / "mood-diary.txt", tmp_files / "notes.txt"
    first.write_text("Monday: calm\n")
    second.write_text("Questions for Tuesday\n")
    title = subject("Question about Tuesday")
    p: Portal = portal(js=js).signed_in("alex")
    p.folders().get_by_role("link", name="New message").click()
    expect(p.page.get_by_role("heading", level=1, name="New message")).to_be_visible()
    p.page.get_by_role("group", name="To").get_by_label("Dr. Sofia Rivera").check()
    p.page.get_by_label("Subject").fill(title)
    p.page.get_by_label("Message").fill("Can we move Tuesday's session to 4pm?")
    p.page.get_by_label("Attach files").set_input_files([first, second])
    if js:  # uploaded at once, each shown as a kept file
        expect(p.page.get_by_role("checkbox", name="mood-diary.txt (13 bytes)")).to_be_checked()
        expect(p.page.get_by_role("checkbox", name="notes.txt (22 bytes)")).to_be_checked()
    p.page.get_by_role("button", name="Send", exact=True).click()
    expect(p.page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(p.page.get_by_role("link", name="mood-diary.txt")).to_be_visible()
    seen = thread_seen_by(staff.as_("dr.rivera"), title)
    message = seen["messages"][0]
    assert message["body_text"] == "Can we move Tuesday's session to 4pm?"
    assert sorted(a["filename"] for a in message["attachments"]) == ["mood-diary.txt",
                                                                     "notes.txt"]


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_a_refused_send_keeps_text_recipients_and_files(
    portal: Any, staff: Api, tmp_files: Path, js: bool
) -> None:
    upload = tmp_files / "letter.txt"
    upload.write_text("For my employer\n")
    p: Portal = portal(js=js).signed_in("alex")
    p.goto("messages/new")
    p.page.get_by_label("Front Desk").check()
    p.page.get_by_label("Message").fill("Could you write a letter for my employer?")
    p.page.get_by_label("Attach files").set_input_files(upload)
    if js:
        expect(p.page.get_by_role("checkbox", name="letter.txt (16 bytes)")).to_be_checked()
    p.page.get_by_role("button", name="Send", exact=True).click()
    summary = p.page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Add a subject.")
    expect(p.page.locator("#subject-error")).to_contain_text("Add a subject.")
    expect(p.page.get_by_label("Jamie Front Desk")).to_be_checked()
    expect(p.page.get_by_label("Message")).to_contain_text("letter for my employer") if js else \
        expect(p.page.get_by_label("Message")).to_have_value(
            "Could you write a letter for my employer?")
    kept = p.page.get_by_role("checkbox", name="letter.txt (16 bytes)")
    expect(kept).to_be_checked()
    title = subject("Employer letter")
    p.page.get_by_label("Subject").fill(title)
    p.page.get_by_role("button", name="Send", exact=True).click()
    expect(p.page.get_by_role("heading", level=1, name=title)).to_be_visible()
    message = thread_seen_by(staff.as_("frontdesk"), title)["messages"][0]
    assert message["body_text"] == "Could you write a letter for my employer?"
    assert [a["filename"] for a in message["attachments"]] == ["letter.txt"]


def test_every_field_error_is_listed_in_the_summary(portal: Any) -> None:
    p: Portal = portal(js=False).signed_in("alex")
    p.goto("messages/new")
    p.page.get_by_role("button", name="Send", exact=True).click()
    items = p.page.get_by_role("alert").get_by_role("link")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_have_attribute("href", "#to")
    expect(items.nth(1)).to_have_attribute("href", "#subject")
    expect(items.nth(2)).to_have_attribute("href", "#body")
    expect(p.page.locator("#to-error")).to_be_visible()
    expect(p.page.locator("#body-error")).to_contain_text("at least 10 characters")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_drafts_save_reopen_and_delete(portal: Any, staff: Api, js: bool) -> None:
    title = subject("Draft about billing")
    p: Portal = portal(js=js).signed_in("alex")
    p.goto("messages/new")
    p.page.get_by_label("Pat Billing").check()
    p.page.get_by_label("Subject").fill(title)
    p.page.get_by_label("Message").fill("I think my last invoice was charged twice.")
    p.page.get_by_role("button", name="Save draft").click()
    expect(p.page.get_by_role("status")).to_contain_text("Draft saved.")
    drafts = staff.as_("alex").get("/drafts").json()["drafts"]
    assert any(d["subject"] == title for d in drafts)
    p.folders().get_by_role("link", name="Drafts").click()
    p.page.get_by_role("link", name=title).click()
    expect(p.page.get_by_label("Subject")).to_have_value(title)
    expect(p.page.get_by_label("Pat Billing")).to_be_checked()
    if js:
        expect(p.page.get_by_label("Message")).to_contain_text("charged twice")
    else:
        expect(p.page.get_by_label("Message")).to_have_value(
            "I think my last invoice was charged twice.")
    p.page.get_by_role("button", name="Delete draft").click()
    expect(p.page.get_by_role("status")).to_contain_text("Draft deleted.")
    expect(p.page.get_by_role("link", name=title)).to_have_count(0)
    drafts = staff.as_("alex").get("/drafts").json()["drafts"]
    assert not any(d["subject"] == title for d in drafts)


def test_sending_a_draft_removes_it(portal: Any, staff: Api) -> None:
    title = subject("Draft then send")
    p: Portal = portal(js=False).signed_in("alex")
    p.goto("messages/new")
    p.page.get_by_label("Pat Billing").check()
    p.page.get_by_label("Subject").fill(title)
    p.page.get_by_label("Message").fill("Please send me a receipt for November.")
    p.page.get_by_role("button", name="Save draft").click()
    p.page.get_by_role("button", name="Send", exact=True).click()
    expect(p.page.get_by_role("heading", level=1, name=title)).to_be_visible()
    drafts = staff.as_("alex").get("/drafts").json()["drafts"]
    assert not any(d["subject"] == title for d in drafts)


def test_formatting_toolbar_makes_bold_and_lists(portal: Any, staff: Api) -> None:
    title = subject("Formatted")
    p: Portal = portal().signed_in("alex")
    p.goto("messages/new")
    toolbar = p.page.get_by_role("toolbar", name="Formatting")
    for name in ("Bold", "Italic", "Underline", "Bulleted list", "Numbered list", "Link"):
        expect(toolbar.get_by_role("button", name=name)).to_be_visible()
    p.page.get_by_label("Dr. Sofia Rivera").check()
    p.page.get_by_label("Subject").fill(title)
    editor = p.page.get_by_role("textbox", name="Message")
    editor.click()
    toolbar.get_by_role("button", name="Bold").click()
    expect(toolbar.get_by_role("button", name="Bold")).to_have_attribute("aria-pressed", "true")
    p.page.keyboard.type("Important")
    toolbar.get_by_role("button", name="Bold").click()
    p.page.keyboard.type(" and plain")
    p.page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Bulleted list").click()
    p.page.keyboard.type("first point")
    p.page.get_by_role("button", name="Send", exact=True).click()
    expect(p.page.locator(".message__body b, .message__body strong")).to_have_text("Important")
    expect(p.page.locator(".message__body li")).to_have_text("first point")
    body = thread_seen_by(staff.as_("dr.rivera"), title)["messages"][0]["body_html"]
    assert "<b>Important</b>" in body or "<strong>Important</strong>" in body
    assert "<li>first point</li>" in body.replace("<br>", "")


def test_dropped_files_upload_with_progress(portal: Any, staff: Api) -> None:
    p: Portal = portal().signed_in("alex")
    p.goto("messages/new")
    p.page.evaluate("""() => {
        window.__sawProgress = false;
        new MutationObserver(() => {
            if (document.querySelector('.file-list progress')) { window.__sawProgress = true; }
        }).observe(document.body, {subtree: true, childList: true});
    }""")
    dropped = p.page.evaluate_handle("""() => {
        const data = new DataTransfer();
        data.items.add(new File(['x'.repeat(3 * 1024 * 1024)], 'scan.txt', {type: 'text/plain'}));
        data.items.add(new File(['second file'], 'second.txt', {type: 'text/plain'}));
        return data;
    }""")
    p.page.dispatch_event(".drop-zone", "drop", {"dataTransfer": dropped})
    expect(p.page.get_by_role("checkbox", name="scan.txt (3.0 MB)")).to_be_checked()
    expect(p.page.get_by_role("checkbox", name="second.txt (11 bytes)")).to_be_checked()
    assert p.page.evaluate("window.__sawProgress") is True


def test_a_file_over_the_limit_is_refused_before_upload_with_the_reason(
    portal: Any, tmp_files: Path
) -> None:
    big = tmp_files / "huge.pdf"
    big.write_bytes(b"%PDF-" + b"0" * (10 * 1024 * 1024))
    wrong = tmp_files / "program.exe"
    wrong.write_bytes(b"MZ\x90\x00")
    p: Portal = portal().signed_in("alex")
    p.goto("messages/new")
    uploads: list[str] = []
    p.page.on("request", lambda r: uploads.append(r.url) if r.method == "POST" else None)
    p.page.get_by_label("Attach files").set_input_files([big, wrong])
    items = p.page.locator(".file-list__item")
    expect(items.filter(has_text="huge.pdf")).to_contain_text("at most 10 MB each")
    expect(items.filter(has_text="program.exe")).to_contain_text("not allowed")
    assert uploads == []


def test_without_scripts_the_server_refuses_the_large_file_and_says_so(
    portal: Any, tmp_files: Path
) -> None:
    big = tmp_files / "huge.pdf"
    big.write_bytes(b"%PDF-" + b"0" * (10 * 1024 * 1024))
    small = tmp_files / "fine.txt"
    small.write_text("a small file\n")
    p: Portal = portal(js=False).signed_in("alex")
    p.goto("messages/new")
    p.page.get_by_label("Dr. Sofia Rivera").check()
    p.page.get_by_label("Subject").fill("With files")
    p.page.get_by_label("Message").fill("Two files are attached to this message.")
    p.page.get_by_label("Attach files").set_input_files([big, small])
    p.page.get_by_role("button", name="Send", exact=True).click()
    expect(p.page.locator("#files-error")).to_contain_text("huge.pdf: Attachments can be at most")
    expect(p.page.get_by_role("checkbox", name="fine.txt (13 bytes)")).to_be_checked()
    expect(p.page.get_by_label("Subject")).to_have_value("With files")


def test_an_inactive_client_is_offered_front_office_and_billing_and_told_why(
    portal: Any,
) -> None:
    p: Portal = portal().signed_in("casey")
    p.goto("messages/new")
    to = p.page.get_by_role("group", name="To")
    expect(to).to_contain_text("Your account is inactive")
    names = to.locator("label").all_inner_texts()
    assert sorted(names) == ["Jamie Front Desk", "Pat Billing"]


def test_with_scripts_a_draft_saves_itself_while_typing(portal: Any, staff: Api) -> None:
    title = subject("Saved while typing")
    p: Portal = portal().signed_in("alex")
    p.goto("messages/new")
    p.page.get_by_label("Pat Billing").check()
    p.page.get_by_label("Subject").fill(title)
    p.page.get_by_role("textbox", name="Message").click()
    p.page.keyboard.type("Is my insurance card on file?")
    expect(p.page.get_by_role("status")).to_contain_text("Draft saved at", timeout=20_000)
    drafts = staff.as_("alex").get("/drafts").json()["drafts"]
    saved = next(d for d in drafts if d["subject"] == title)
    assert "Is my insurance card on file?" in saved["body_html"]
    assert saved["to"] == [f"person:{staff.id('billing')}"]
