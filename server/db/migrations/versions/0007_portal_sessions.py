"""portal sessions: the client portal's signed-in browsers, stored hashed

Revision ID: 0007_portal_sessions
Revises: 0006_administration
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "0007_portal_sessions"
down_revision = "0006_administration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", server.db.types.UtcDateTime(), nullable=False),
        sa.Column("last_used_at", server.db.types.UtcDateTime(), nullable=False),
        sa.Column("expires_at", server.db.types.UtcDateTime(), nullable=False),
        sa.Column("revoked_at", server.db.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("portal_session") as batch:
        batch.create_index(batch.f("ix_portal_session_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("portal_session") as batch:
        batch.drop_index(batch.f("ix_portal_session_person_id"))
    op.drop_table("portal_session")
