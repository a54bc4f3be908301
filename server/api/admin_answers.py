"""What the administration, account, chart-note, client-status and audit routes answer, as
pydantic models for the served OpenAPI document (see `server.api.answers` for the inbox's).

The routes build these answers as dicts (`server/accounts/people.py`, `api/admin_practice.py`,
`api/clients.py`, `api/audit_log.py`, `accounts/second_factor.py`); the models describe them.
"""

from __future__ import annotations

from server.api.answers import Answer, PersonOut


class AdminPersonOut(PersonOut):
    """A person as the People window shows them (`people.admin_people_json`)."""

    email: str | None
    disabled: bool
    assigned_therapist_ids: list[str]
    mfa_enabled: bool
    password_set: bool
    invite_sent_at: str | None
    last_login_at: str | None
    created_at: str | None


class AdminPeoplePage(Answer):
    people: list[AdminPersonOut]
    next: str | None


class ImportDone(Answer):
    created: int
    dry_run: bool


class ImportPreview(ImportDone):
    """A dry run: nobody is created; `would_create` says how many would be."""

    would_create: int


class PracticeSettingsOut(Answer):
    id: str
    name: str
    slug: str
    portal_url: str
    require_mfa_for_staff: bool
    portal_notice: str


class TotpStarted(Answer):
    secret: str
    otpauth_uri: str


class RecoveryCodes(Answer):
    recovery_codes: list[str]


class NoteOut(Answer):
    id: str
    client_id: str
    author_id: str
    created_at: str
    body: str
    thread_id: str | None


class NotesOut(Answer):
    notes: list[NoteOut]


class NoteSaved(Answer):
    note: NoteOut


class AuditEventOut(Answer):
    id: int
    at: str
    actor_id: str | None
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None


class AuditPage(Answer):
    events: list[AuditEventOut]
    next: int | None


# The success answer of each route, by (method, path under the API prefix).
SUCCESS: dict[tuple[str, str], type[Answer]] = {
    ("patch", "/clients/{client_id}"): PersonOut,
    ("get", "/clients/{client_id}/notes"): NotesOut,
    ("post", "/threads/{thread_id}/quick-note"): NoteSaved,
    ("get", "/audit"): AuditPage,
    ("get", "/admin/people"): AdminPeoplePage,
    ("post", "/admin/people"): AdminPersonOut,
    ("patch", "/admin/people/{person_id}"): AdminPersonOut,
    ("post", "/admin/people/{person_id}/invite"): AdminPersonOut,
    ("post", "/admin/people/import"): ImportDone,
    ("get", "/admin/practice"): PracticeSettingsOut,
    ("patch", "/admin/practice"): PracticeSettingsOut,
    ("post", "/account/totp"): TotpStarted,
    ("post", "/account/totp/confirm"): RecoveryCodes,
}
# Routes with a second success answer: (method, path) -> (status, model).
ALSO_SUCCESS: dict[tuple[str, str], tuple[int, type[Answer]]] = {
    ("post", "/admin/people/import"): (200, ImportPreview),  # ?dry_run=1
}
