"""sign-in devices and per-pair failure counts

Revision ID: 0004_hardening_abuse
Revises: 0002_practice_slug
"""

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "0004_hardening_abuse"
down_revision = "0002_practice_slug"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_device",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", server.db.types.UtcDateTime(), nullable=False),
        sa.Column("last_used_at", server.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("login_device", schema=None) as batch_op:
        batch_op.create_index("ix_login_device_person_id", ["person_id"], unique=False)
    op.create_table(
        "login_pair",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("peer", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", server.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "peer"),
    )
    with op.batch_alter_table("login_pair", schema=None) as batch_op:
        batch_op.create_index("ix_login_pair_last_failure_at", ["last_failure_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_pair", schema=None) as batch_op:
        batch_op.drop_index("ix_login_pair_last_failure_at")
    op.drop_table("login_pair")
    with op.batch_alter_table("login_device", schema=None) as batch_op:
        batch_op.drop_index("ix_login_device_person_id")
    op.drop_table("login_device")
