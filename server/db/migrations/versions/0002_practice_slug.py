"""practice slug: the portal lives at {public URL}/portal/{slug}/, so the stored portal_url goes

Revision ID: 0002_practice_slug
Revises: 0001
Create Date: 2026-12-01 23:10:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0002_practice_slug"
down_revision = "0001"
branch_labels = None
depends_on = None

# The demo practices' slugs (PORTAL.md); any other practice gets one made from its name.
KNOWN = {"Lakeside Counseling": "lakeside", "Harbor Therapy": "harbor"}


def slug_for(name: str, taken: set[str]) -> str:
    base = KNOWN.get(name) or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56] or "practice"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def upgrade() -> None:
    with op.batch_alter_table("practice") as batch:
        batch.add_column(sa.Column("slug", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    taken: set[str] = set()
    rows = bind.execute(sa.text("SELECT id, name FROM practice ORDER BY id")).all()
    for practice_id, name in rows:
        bind.execute(sa.text("UPDATE practice SET slug = :slug WHERE id = :id"),
                     {"slug": slug_for(name, taken), "id": practice_id})
    with op.batch_alter_table("practice") as batch:
        batch.alter_column("slug", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_practice_slug", ["slug"])
        batch.drop_column("portal_url")


def downgrade() -> None:
    with op.batch_alter_table("practice") as batch:
        batch.add_column(sa.Column("portal_url", sa.String(length=500), nullable=False,
                                   server_default=""))
        batch.drop_constraint("uq_practice_slug", type_="unique")
        batch.drop_column("slug")
