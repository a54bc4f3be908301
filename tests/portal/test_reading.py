"""Reading and answering in the portal: folders with unread counts, a thread and its
attachments, replies (JavaScript on and off, and by keyboard), paging and bulk actions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.portal.pages import Portal
from tests.support.api_client import Api


def subject(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:6]}"


def test_folders_show_unread_counts_and_opening_reads(portal: Any, staff: Api) -> None:
    title = subject("Homework for next week")
    staff.as_("dr.rivera").started(["alex"], subject=title,
                                   body="<p>Please try the <b>breathing</b> exercise.</p>")
    p: Portal = portal().signed_in("alex")
    folders = p.folders()
    for name in ("Inbox", "Sent", "Drafts", "Archive", "Trash"):
        expect(folders.get_by_role("link", name=name)).to_have_count(1)
    inbox = folders.get_by_role("link", name="Inbox")
    expect(inbox).to_contain_text("unread")
    unread_before = int(inbox.locator(".count").inner_text().split()[0])
    row = p.page.locator(".thread", has=p.page.get_by_role("link", name=title))
    expect(row).to_contain_text("Unread")
    expect(row).to_contain_text("With Dr. Sofia Rivera")
    expect(p.page.get_by_role("checkbox", name=title)).to_be_visible()
    p.open_thread(title)
    expect(p.page.get_by_role("heading", level=2, name="Dr. Sofia Rivera")).to_be_visible()
    expect(p.page.locator(".message__body b")).to_have_text("breathing")
    p.goto("messages")
    row = p.page.locator(".thread", has=p.page.get_by_role("link", name=title))
    expect(row).not_to_contain_text("Unread")
    counts = p.folders().get_by_role("link", name="Inbox").locator(".count")
    if unread_before == 1:
        expect(counts).to_have_count(0)
    else:
        expect(counts).to_contain_text(str(unread_before - 1))
    # The therapist sees the read receipt, as through the API.
    listing = staff.as_("dr.rivera").listing("sent")
    thread_id = next(i["thread"]["id"] for i in listing if i["thread"]["subject"] == title)
    message = staff.as_("dr.rivera").thread(thread_id)["messages"][0]
    assert message["receipts"][0]["read_at"] is not None


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_read_the_attachment_and_reply(portal: Any, staff: Api, js: bool) -> None:
    rivera = staff.as_("dr.rivera")
    blob = rivera.uploaded("worksheet.txt", b"Thought record worksheet\n")
    title = subject("Your worksheet")
    started = rivera.started(["alex"], subject=title, attachment_ids=[blob["id"]],
                             body="<p>Here is the worksheet we talked about.</p>")
    p: Portal = portal(js=js, accept_downloads=True).signed_in("alex")
    p.open_thread(title)
    link = p.page.get_by_role("link", name="worksheet.txt")
    expect(p.page.locator(".attachments")).to_contain_text("(25 bytes)")
    with p.page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert path is not None and path.read_bytes() == b"Thought record worksheet\n"
    form = p.page.get_by_role("form", name="Reply")
    form.get_by_label("Your reply").fill("Thank you, I will fill it in tonight.")
    form.get_by_role("button", name="Send reply").click()
    expect(p.page.get_by_role("status")).to_contain_text("Your message was sent.")
    expect(p.page.get_by_role("heading", level=2, name="You")).to_be_visible()
    seen = rivera.thread(started["thread"]["id"])["messages"]
    assert seen[-1]["body_text"] == "Thank you, I will fill it in tonight."
    assert seen[-1]["sender_id"] == staff.id("alex")


def test_a_refused_reply_keeps_what_was_typed(portal: Any, staff: Api) -> None:
    title = subject("Short answer")
    staff.as_("dr.rivera").started(["alex"], subject=title)
    p: Portal = portal(js=False).signed_in("alex")
    p.open_thread(title)
    p.page.get_by_label("Your reply").fill("Ok")
    p.page.get_by_role("button", name="Send reply").click()
    expect(p.page.get_by_role("alert")).to_contain_text("at least 10 characters")
    expect(p.page.locator("#reply-error")).to_contain_text("at least 10 characters")
    expect(p.page.get_by_label("Your reply")).to_have_value("Ok")


def test_keyboard_only_reading_and_replying(portal: Any, staff: Api) -> None:
    title = subject("Keyboard check")
    started = staff.as_("dr.rivera").started(["alex"], subject=title)
    p: Portal = portal().signed_in("alex")
    keys = p.page.keyboard
    for _ in range(60):
        keys.press("Tab")
        if p.page.evaluate("document.activeElement.textContent.trim()") == title:
            break
    else:
        raise AssertionError("the thread's link is not reachable by Tab")
    keys.press("Enter")
    expect(p.page.get_by_role("heading", level=1, name=title)).to_be_visible()
    for _ in range(60):
        keys.press("Tab")
        if p.page.evaluate("document.activeElement.id") == "reply":
            break
    else:
        raise AssertionError("the reply box is not reachable by Tab")
    keys.type("Answered with the keyboard alone.")
    for _ in range(10):
        keys.press("Tab")
        if p.page.evaluate("document.activeElement.textContent.trim()") == "Send reply":
            break
    keys.press("Enter")
    expect(p.page.get_by_role("status")).to_contain_text("Your message was sent.")
    last = staff.as_("dr.rivera").thread(started["thread"]["id"])["messages"][-1]
    assert last["body_text"] == "Answered with the keyboard alone."


def test_a_long_folder_is_paged_newest_first(portal: Any, staff: Api) -> None:
    rivera = staff.as_("dr.rivera")
    batch = uuid.uuid4().hex[:6]
    titles = [f"Paging {batch} {n:02d}" for n in range(30)]
    for title in titles:
        rivera.started(["alex"], subject=title)
    p: Portal = portal(js=False).signed_in("alex")
    first = p.page.locator(".thread__subject").all_inner_texts()
    assert first[0] == titles[-1]
    assert len(first) == 25
    p.page.get_by_role("link", name="Older conversations").click()
    second = p.page.locator(".thread__subject").all_inner_texts()
    assert second[:5] == list(reversed(titles))[25:30]
    assert not set(first) & set(second)
    expect(p.page.get_by_role("link", name="Newest")).to_be_visible()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_bulk_actions_on_checked_threads(portal: Any, staff: Api, js: bool) -> None:
    rivera = staff.as_("dr.rivera")
    one, two = subject("Bulk one"), subject("Bulk two")
    for title in (one, two):
        rivera.started(["alex"], subject=title)
    p: Portal = portal(js=js).signed_in("alex")
    for title in (one, two):
        p.page.get_by_role("checkbox", name=title).check()
    p.page.get_by_role("button", name="Mark as read").click()
    expect(p.page.get_by_role("status")).to_contain_text("2 conversations marked as read.")
    for title in (one, two):
        row = p.page.locator(".thread", has=p.page.get_by_role("link", name=title))
        expect(row).not_to_contain_text("Unread")
    p.page.get_by_role("checkbox", name=one).check()
    p.page.get_by_role("button", name="Archive").click()
    expect(p.page.get_by_role("link", name=one)).to_have_count(0)
    p.folders().get_by_role("link", name="Archive").click()
    expect(p.page.get_by_role("heading", level=1, name="Archive")).to_be_visible()
    p.page.get_by_role("checkbox", name=one).check()
    p.page.get_by_role("button", name="Move to Trash").click()
    p.folders().get_by_role("link", name="Trash").click()
    p.page.get_by_role("checkbox", name=one).check()
    p.page.get_by_role("button", name="Mark as unread").click()
    p.page.get_by_role("checkbox", name=one).check()
    p.page.get_by_role("button", name="Move to Inbox").click()
    p.folders().get_by_role("link", name="Inbox").click()
    row = p.page.locator(".thread", has=p.page.get_by_role("link", name=one))
    expect(row).to_contain_text("Unread")
    # Nothing checked: said beside the list, nothing changes.
    p.page.get_by_role("button", name="Mark as read").click()
    expect(p.page.get_by_role("alert")).to_contain_text("Select at least one conversation")
    expect(p.page.locator(".thread", has=p.page.get_by_role("link", name=one))).to_contain_text(
        "Unread")


def test_select_all_checks_every_thread_with_scripts(portal: Any, staff: Api) -> None:
    staff.as_("dr.rivera").started(["alex"], subject=subject("Choose every row"))
    p: Portal = portal().signed_in("alex")
    p.page.get_by_label("Select all", exact=True).check()
    boxes = p.page.locator(".thread__check")
    assert boxes.count() > 0
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
