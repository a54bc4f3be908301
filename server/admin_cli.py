"""`practice-server create-practice`, `invite` and `import-clients`: setting up a practice from
nothing on the command line. Every refusal is one sentence on stderr and exit status 1."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from server.config import Settings
from server.context import AppContext
from server.db.models import Person
from server.errors import ApiError

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


class Refusal(Exception):
    """A one-sentence reason the command did nothing."""


def _context(settings: Settings) -> AppContext:
    from server.cli import prepare

    prepare(settings)
    return AppContext.create(settings)


def _deliver(ctx: AppContext) -> None:
    """Try to send the queued emails now; what fails stays queued for the server to retry."""
    from server.notify import EmailWorker

    smtp = ctx.settings.smtp
    if smtp.host or smtp.drop_dir:
        EmailWorker(ctx.sessions, ctx.settings).drain()


def _invite(ctx: AppContext, person: Person) -> str:
    from server import audit
    from server.accounts.link_email import enqueue_link_email
    from server.accounts.links import issue_link
    from server.db.models import Practice

    with ctx.sessions() as db:
        person = db.merge(person)
        url = issue_link(db, ctx.settings, person, "invite")
        practice = db.get(Practice, person.practice_id)
        assert practice is not None
        enqueue_link_email(db, practice, person, url, "invite")
        audit.record(db, person.practice_id, None, "invite", "person", person.id)
        db.commit()
    _deliver(ctx)
    return url


def create_practice(args: argparse.Namespace, settings: Settings) -> str:
    from server.accounts import fields
    from server.db.models import Practice
    from server.seed import announce_person

    slug = args.slug.strip().lower()
    name = args.name.strip()
    username = args.admin_username.strip().lower()
    if not name or len(name) > 200:
        raise Refusal("The practice's name must have 1 to 200 characters.")
    if not SLUG.fullmatch(slug):
        raise Refusal(f"The slug {args.slug!r} may hold only letters, digits and hyphens "
                      "(at most 64, not starting or ending with a hyphen).")
    for problem in (fields.username_problem(username), fields.email_problem(args.admin_email)):
        if problem:
            raise Refusal(problem)
    ctx = _context(settings)
    try:
        with ctx.sessions() as db:
            if db.scalar(select(Practice.id).where(Practice.slug == slug)):
                raise Refusal(f"A practice with the slug {slug!r} exists already.")
            if db.scalar(select(Person.id).where(Person.username == username)):
                raise Refusal(f"The username {username!r} is taken already on this server.")
            practice = Practice(name=name, slug=slug)
            db.add(practice)
            db.flush()
            admin = Person(practice_id=practice.id, username=username,
                           name=(args.admin_name or username).strip(), kind="staff",
                           role="admin", has_portal_account=True,
                           email=args.admin_email.strip(), disabled=False)
            db.add(admin)
            db.flush()
            announce_person(db, admin)
            db.commit()
            db.expunge(admin)
        url = _invite(ctx, admin)
    finally:
        ctx.engine.dispose()
    return (f"Created {name} ({slug}) with administrator {username}.\n"
            f"Their invite link (emailed to {args.admin_email.strip()}; it lasts 72 hours):\n"
            f"{url}")


def invite(args: argparse.Namespace, settings: Settings) -> str:
    username = args.username.strip().lower()
    ctx = _context(settings)
    try:
        with ctx.sessions() as db:
            person = db.scalar(select(Person).where(Person.username == username))
            if person is None:
                raise Refusal(f"No one on this server has the username {username!r}.")
            if person.disabled:
                raise Refusal(f"{username} is disabled: enable them before inviting them.")
            db.expunge(person)
        url = _invite(ctx, person)
    finally:
        ctx.engine.dispose()
    where = f" (emailed to {person.email})" if person.email else ""
    return f"A new invite link for {username}{where}; it lasts 72 hours:\n{url}"


def import_clients(args: argparse.Namespace, settings: Settings) -> str:
    from server.accounts.csv_import import import_clients as run_import
    from server.db.models import Practice

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Refusal(f"Cannot read {path}: {exc.strerror or exc}.") from None
    ctx = _context(settings)
    try:
        with ctx.sessions() as db:
            practice_id = db.scalar(select(Practice.id).where(Practice.slug == args.practice))
        if practice_id is None:
            raise Refusal(f"No practice has the slug {args.practice!r}.")
        try:
            created = run_import(ctx, practice_id, None, data, args.dry_run, None)
        except ApiError as exc:
            errors = exc.extra.get("errors", [])
            lines = [f"{path.name}, line {e['line']}"
                     + (f", column {e['column']}" if e["column"] else "") + f": {e['detail']}"
                     for e in errors]
            raise Refusal("\n".join([exc.detail, *lines])) from None
    finally:
        ctx.engine.dispose()
    if args.dry_run:
        return f"{path.name} is valid: {created} client(s) would be imported."
    return f"Imported {created} client(s) into {args.practice}."


def _run(command: Callable[[argparse.Namespace, Settings], str]) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        logging.getLogger("alembic").setLevel(logging.WARNING)  # keep the answer readable
        settings = Settings.build(data_dir=args.data_dir, database_url=args.database)
        if getattr(args, "public_url", None):
            settings.public_url = args.public_url
        try:
            print(command(args, settings))
        except Refusal as exc:
            print(f"practice-server: {exc}", file=sys.stderr)
            return 1
        except (SQLAlchemyError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            print(f"practice-server: the database could not be used ({reason}).",
                  file=sys.stderr)
            return 1
        return 0

    return run


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[..., None],
) -> None:
    def public_url(p: argparse.ArgumentParser) -> None:
        p.add_argument("--public-url", help="the address people reach the server at, the base "
                       "of the link (env PRACTICE_PUBLIC_URL)")

    create = sub.add_parser("create-practice", help="create a practice and its first admin")
    common(create)
    public_url(create)
    create.add_argument("--name", required=True, help="the practice's name")
    create.add_argument("--slug", required=True, help="its portal address: /portal/SLUG/")
    create.add_argument("--admin-username", required=True)
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-name", help="the administrator's name (default: the username)")
    create.set_defaults(func=_run(create_practice))

    inv = sub.add_parser("invite", help="print (and email) a new invite link for USERNAME")
    common(inv)
    public_url(inv)
    inv.add_argument("username")
    inv.set_defaults(func=_run(invite))

    imp = sub.add_parser("import-clients", help="import clients from a CSV file")
    common(imp)
    imp.add_argument("--practice", required=True, help="the practice's slug")
    imp.add_argument("--dry-run", action="store_true", help="check the file, create nobody")
    imp.add_argument("file", help="CSV: name,email[,username,status,assigned_therapist,"
                     "has_portal_account]")
    imp.set_defaults(func=_run(import_clients))
