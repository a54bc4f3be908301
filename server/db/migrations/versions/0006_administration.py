"""administration: disabled people, set-password links, recovery codes, practice settings

Also the indexes that keep the people list and the audit log fast over their whole history.

Revision ID: 0006_administration
Revises: 0005_blob_store
Create Date: 2026-12-01 23:30:00
"""

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "0006_administration"
down_revision = "0005_blob_store"
branch_labels = None
depends_on = None

UTC = server.db.types.UtcDateTime


def upgrade() -> None:
    op.add_column("practice", sa.Column("require_mfa_for_staff", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column("practice", sa.Column("portal_notice", sa.String(length=300), nullable=False,
                                        server_default=""))
    op.add_column("person", sa.Column("disabled", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.add_column("person", sa.Column("totp_pending_secret", sa.String(length=64)))
    op.add_column("person", sa.Column("invite_sent_at", UTC()))
    op.add_column("person", sa.Column("last_login_at", UTC()))
    # The people list: ordered by name within a practice (and kind), paged by (name, id).
    op.create_index("ix_person_practice_name", "person",
                    ["practice_id", sa.text("lower(name)"), "id"])
    op.create_index("ix_person_practice_kind_name", "person",
                    ["practice_id", "kind", sa.text("lower(name)"), "id"])
    # The audit log's filters, newest first over the whole history.
    op.create_index("ix_audit_event_practice_id_id", "audit_event", ["practice_id", "id"])
    op.create_index("ix_audit_event_actor", "audit_event", ["practice_id", "actor_id", "id"])
    op.create_index("ix_audit_event_target", "audit_event", ["practice_id", "target_id", "id"])
    op.create_index("ix_audit_event_action", "audit_event", ["practice_id", "action", "id"])
    op.create_index("ix_audit_event_at", "audit_event", ["practice_id", "at"])

    op.create_table(
        "account_link",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("person_id", sa.String(length=36), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.Column("used_at", UTC()),
        sa.Column("voided_at", UTC()),
    )
    op.create_index("ix_account_link_person_id", "account_link", ["person_id"])
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("person_id", sa.String(length=36), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", UTC()),
    )
    op.create_index("ix_recovery_code_person_id", "recovery_code", ["person_id"])
    op.create_table(
        "reset_request",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", UTC(), nullable=False),
    )
    op.create_index("ix_reset_request_username_at", "reset_request", ["username", "at"])
    op.create_index("ix_reset_request_address_at", "reset_request", ["address", "at"])


def downgrade() -> None:
    op.drop_table("reset_request")
    op.drop_table("recovery_code")
    op.drop_table("account_link")
    for name in ("ix_audit_event_at", "ix_audit_event_action", "ix_audit_event_target",
                 "ix_audit_event_actor", "ix_audit_event_practice_id_id"):
        op.drop_index(name, table_name="audit_event")
    op.drop_index("ix_person_practice_kind_name", table_name="person")
    op.drop_index("ix_person_practice_name", table_name="person")
    # Plain DROP COLUMN (SQLite 3.35+): copying `person` anew would break its foreign keys.
    for table, columns in (
        ("person", ("last_login_at", "invite_sent_at", "totp_pending_secret", "disabled")),
        ("practice", ("portal_notice", "require_mfa_for_staff")),
    ):
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
