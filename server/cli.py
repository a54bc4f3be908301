"""`practice-server`: serve, seed-demo, migrate, and the administration commands."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from server.config import Settings
from server.db.engine import make_engine
from server.db.migrate import upgrade


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.build(data_dir=args.data_dir, database_url=args.database)


def prepare(settings: Settings) -> None:
    """Make the data folder and bring the database to the current schema."""
    settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def cmd_migrate(args: argparse.Namespace) -> int:
    prepare(_settings(args))
    print("The database is at the current schema.")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from server.context import AppContext
    from server.seed import seed_demo
    from server.seed_volume import seed_volume

    settings = _settings(args)
    prepare(settings)
    ctx = AppContext.create(settings)
    with ctx.sessions() as db:
        created = seed_demo(db)
    print(f"Demo practices ready ({len(created)} people created).")
    if args.volume:
        with ctx.sessions() as db:
            count = seed_volume(db, ctx.blobs, args.volume)
        print(f"Added {count} messages to {'Lakeside Counseling'}.")
    ctx.engine.dispose()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from server.runner import serve_forever

    settings = _settings(args)
    prepare(settings)
    if args.public_url:
        settings.public_url = args.public_url
    if args.demo_mail_dir:
        settings.smtp.drop_dir = Path(args.demo_mail_dir)
    serve_forever(settings, args.host, args.port, args.log_level)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="practice-server", description="The practice server.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--database",
            help="database URL (default: SQLite in the data folder; env PRACTICE_DATABASE_URL)",
        )
        p.add_argument("--data-dir", help="data folder (env PRACTICE_DATA_DIR)")

    serve = sub.add_parser("serve", help="run the server")
    common(serve)
    serve.add_argument(
        "--host",
        default=os.environ.get("PRACTICE_HOST", "127.0.0.1"),
        help="address to listen on (env PRACTICE_HOST)",
    )
    serve.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PRACTICE_PORT", "8765")),
        help="port to listen on (env PRACTICE_PORT)",
    )
    serve.add_argument(
        "--public-url",
        help="the address people reach this server at, the base of portal links "
        "(default: the address served on; env PRACTICE_PUBLIC_URL)",
    )
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--demo-mail-dir", help="write notification emails here instead of SMTP")
    serve.set_defaults(func=cmd_serve)

    seed = sub.add_parser("seed-demo", help="create the demo practices (repeatable)")
    common(seed)
    seed.add_argument(
        "--volume", type=int, default=0, help="also add this many realistic messages for benchmarks"
    )
    seed.set_defaults(func=cmd_seed)

    migrate = sub.add_parser("migrate", help="bring the database to the current schema")
    common(migrate)
    migrate.set_defaults(func=cmd_migrate)

    from server.admin_cli import add_commands

    add_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
