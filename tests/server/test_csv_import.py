"""Importing clients from CSV: all or nothing, every bad line named with its column and reason,
a dry run that creates nobody, and 10,000 rows that then list and search."""

from __future__ import annotations

from typing import Any

import requests

from tests.support.api_client import Api, User, assert_problem


def post_csv(user: User, text: str | bytes, dry_run: bool = False) -> requests.Response:
    path = "/admin/people/import" + ("?dry_run=1" if dry_run else "")
    return user.post(path, data=text if isinstance(text, bytes) else text.encode(),
                     headers={"Content-Type": "text/csv"}, key=None)


def client_count(user: User) -> int:
    total, params = 0, {"kind": "client", "limit": 500, "include_disabled": 1}
    while True:
        page = user.get("/admin/people", params=params).json()
        total += len(page["people"])
        if not page["next"]:
            return total
        params["after"] = page["next"]


BAD = (
    "name,email,username,status,assigned_therapist,has_portal_account\n"   # 1
    "Good Person,good@example.org,,active,dr.rivera,yes\n"                 # 2
    ",missing-name@example.org,,,,\n"                                      # 3
    "No Email,not-an-email,,,,\n"                                          # 4
    '"Multi\nLine Name",ml@example.org,,,,\n'                              # 5-6
    "Taken Name,taken@example.org,alex,,,\n"                               # 7
    "Twice One,t1@example.org,twice,,,\n"                                  # 8
    "Twice Two,t2@example.org,twice,,,\n"                                  # 9
    "Odd Status,odd@example.org,,paused,,\n"                               # 10
    "Who Therapist,who@example.org,,,dr.nobody,\n"                         # 11
    "Not A Therapist,nat@example.org,,,frontdesk,\n"                       # 12
    "Portal Maybe,pm@example.org,,,,maybe\n"                               # 13
    "Too,many,fields,here,x,y,z\n"                                         # 14
    "Nul\x00Name,nul@example.org,,,,\n"                                     # 15
)
EXPECTED_ERRORS = [
    (3, "name"), (4, "email"), (7, "username"), (9, "username"), (10, "status"),
    (11, "assigned_therapist"), (12, "assigned_therapist"), (13, "has_portal_account"),
    (14, None), (15, "name"),
]


def test_any_bad_line_imports_nothing_and_every_bad_line_is_named(shared_api: Api) -> None:
    admin = shared_api.as_("admin")
    before = client_count(admin)
    problem = assert_problem(post_csv(admin, BAD), 422, "import_invalid")
    got = [(e["line"], e["column"]) for e in problem["errors"]]
    assert got == EXPECTED_ERRORS
    assert all(e["detail"].strip() for e in problem["errors"])
    assert "alex" in problem["errors"][2]["detail"]
    assert client_count(admin) == before
    assert_problem(post_csv(admin, BAD, dry_run=True), 422, "import_invalid")


def test_header_problems_are_line_one(shared_api: Api) -> None:
    admin = shared_api.as_("admin")
    problem = assert_problem(post_csv(admin, "name,e-mail,shoe_size\nA,a@b.org,9\n"), 422,
                             "import_invalid")
    assert [(e["line"], e["column"]) for e in problem["errors"]] == [
        (1, "e-mail"), (1, "shoe_size"), (1, "email")]
    empty = assert_problem(post_csv(admin, ""), 422, "import_invalid")
    assert empty["errors"][0]["line"] == 1
    latin1 = assert_problem(post_csv(admin, "name,email\nRenée,r@example.org\n".encode("latin-1")),
                            422, "import_invalid")
    assert "UTF-8" in latin1["errors"][0]["detail"]
    wrong_type = admin.post("/admin/people/import", data=b"name,email\n", key=None,
                            headers={"Content-Type": "application/json"})
    assert_problem(wrong_type, 415, "unsupported_media_type")


def test_dry_run_checks_and_creates_nobody(shared_api: Api) -> None:
    admin = shared_api.as_("admin")
    before = client_count(admin)
    reply = post_csv(admin, "name,email\nDry One,dry1@example.org\nDry Two,dry2@example.org\n",
                     dry_run=True)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"created": 0, "would_create": 2, "dry_run": True}
    assert client_count(admin) == before


def test_a_good_file_creates_every_client(shared_api: Api) -> None:
    front = shared_api.as_("frontdesk")
    text = ("\ufeffName,Email,Status,Assigned_Therapist,Has_Portal_Account\n"
            "Quinn Imported,quinn.imported@example.org,inactive,dr.chen,no\n"
            "\n"
            "Riley Imported,riley.imported@example.org,,,\n")
    reply = post_csv(front, text)
    assert reply.status_code == 201, reply.text
    assert reply.json()["created"] == 2
    found = {p["username"]: p for p in front.get(
        "/admin/people", params={"q": "imported"}).json()["people"]}
    assert set(found) == {"quinn.imported", "riley.imported"}
    quinn, riley = found["quinn.imported"], found["riley.imported"]
    assert quinn["status"] == "inactive" and quinn["has_portal_account"] is False
    assert quinn["assigned_therapist_ids"] == [shared_api.id("dr.chen")]
    assert riley["status"] == "active" and riley["has_portal_account"] is True
    assert riley["password_set"] is False
    chen_sees = {p["username"] for p in shared_api.as_("dr.chen").changes()["people"]}
    assert {"quinn.imported", "riley.imported"} <= chen_sees
    audit = shared_api.as_("admin")
    imports = audit.get("/audit", params={"order": "newest", "action": "import"}).json()
    assert imports["events"][0]["actor_id"] == shared_api.id("frontdesk")
    for person in (quinn, riley):
        created = audit.get("/audit", params={"target_id": person["id"]}).json()["events"]
        assert [e["action"] for e in created] == ["person_create"]
    again = assert_problem(post_csv(front, "name,email,username\nQ,q@example.org,quinn.imported\n"),
                           422, "import_invalid")
    assert again["errors"][0]["column"] == "username"


def test_ten_thousand_rows(shared_api: Api) -> None:
    admin = shared_api.as_("admin")
    before = client_count(admin)
    rows = "".join(f"Bulk Client {i:05d},bulk{i:05d}@example.org,,,dr.rivera\n"
                   for i in range(10_000))
    reply = post_csv(admin, "name,email,username,status,assigned_therapist\n" + rows)
    assert reply.status_code == 201, reply.text[:500]
    assert reply.json()["created"] == 10_000
    assert client_count(admin) == before + 10_000
    hit: Any = admin.get("/admin/people", params={"q": "bulk04321"}).json()["people"]
    assert [p["name"] for p in hit] == ["Bulk Client 04321"]
    assert hit[0]["assigned_therapist_ids"] == [shared_api.id("dr.rivera")]
    first = admin.get("/admin/people", params={"kind": "client", "q": "bulk client",
                                               "limit": 50}).json()
    assert [p["name"] for p in first["people"]] == [f"Bulk Client {i:05d}" for i in range(50)]
