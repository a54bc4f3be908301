"""attachments as chunked rows (the blob store of PostgreSQL deployments)

Revision ID: 0005_blob_store
Revises: 0004_hardening_abuse
"""

import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "0005_blob_store"
down_revision = "0004_hardening_abuse"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_chunk",
        sa.Column("blob_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", server.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("blob_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("blob_chunk")
