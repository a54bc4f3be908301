"""Request bodies of the accounts and administration endpoints."""

from __future__ import annotations

from pydantic import Field

from server.api.schemas import Body


class NewPersonIn(Body):
    kind: str = Field(pattern="^(staff|client)$")
    username: str = Field(max_length=100)
    name: str = Field(max_length=1000)
    email: str = Field(max_length=1000)
    role: str | None = Field(default=None, max_length=40)
    status: str | None = Field(default=None, max_length=20)
    assigned_therapist_ids: list[str] | None = Field(default=None, max_length=200)
    has_portal_account: bool | None = None


class PersonPatchIn(Body):
    username: str | None = Field(default=None, max_length=100)
    name: str | None = Field(default=None, max_length=1000)
    email: str | None = Field(default=None, max_length=1000)
    role: str | None = Field(default=None, max_length=40)
    status: str | None = Field(default=None, max_length=20)
    assigned_therapist_ids: list[str] | None = Field(default=None, max_length=200)
    has_portal_account: bool | None = None
    disabled: bool | None = None


class PracticePatchIn(Body):
    name: str | None = Field(default=None, max_length=1000)
    require_mfa_for_staff: bool | None = None
    portal_notice: str | None = Field(default=None, max_length=100_000)


class PasswordResetIn(Body):
    username: str = Field(max_length=100)


class SetPasswordIn(Body):
    token: str = Field(max_length=200)
    new_password: str = Field(max_length=1000)


class ChangePasswordIn(Body):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)


class TotpConfirmIn(Body):
    code: str = Field(max_length=20)


class TotpOffIn(Body):
    password: str = Field(max_length=1000)
