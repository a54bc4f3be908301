"""`practice-server`: serve, seed-demo, migrate, backup, restore, verify-backup, and the
administration commands (server.admin_cli)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from server.config import Settings
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.transport.https import LOOPBACK_PROXIES, listen_refusal, tls_files_problem


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


def _serve_settings(args: argparse.Namespace) -> Settings:
    settings = _settings(args)
    settings.tls_cert = Path(args.tls_cert).resolve() if args.tls_cert else None
    settings.tls_key = Path(args.tls_key).resolve() if args.tls_key else None
    settings.behind_proxy = bool(args.behind_proxy)
    if settings.behind_proxy:
        settings.trusted_proxies = tuple(args.trusted_proxy or LOOPBACK_PROXIES)
    if args.public_url:
        settings.public_url = args.public_url
    if args.demo_mail_dir:
        settings.smtp.drop_dir = Path(args.demo_mail_dir)
    return settings


def cmd_serve(args: argparse.Namespace) -> int:
    from server.runner import serve_forever
    from server.workers import serve_workers, workers_refusal

    settings = _serve_settings(args)
    refusal = (
        tls_files_problem(settings)
        or listen_refusal(settings, args.host)
        or workers_refusal(settings, args.workers)
    )
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    prepare(settings)
    if args.workers > 1:
        serve_workers(settings, args.host, args.port, args.workers, args.log_level)
    else:
        serve_forever(settings, args.host, args.port, args.log_level)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from server.backup import BackupProblem, take

    try:
        manifest = take(_settings(args), Path(args.to).resolve())
    except BackupProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    files = manifest["files"]
    size = sum(f["size"] for f in files.values())
    print(f"Backup written to {args.to} ({len(files)} files, {size / 1e6:.1f} MB). "
          "It holds protected health information: keep it encrypted and access-controlled.")
    if manifest["attachments_missing"]:
        print(f"{manifest['attachments_missing']} attachments no message or draft used were "
              "removed while the backup ran and are not in it.")
    return 0


def cmd_verify_backup(args: argparse.Namespace) -> int:
    from server.backup import BackupProblem, verify

    try:
        manifest = verify(Path(args.folder).resolve())
    except BackupProblem as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"The backup in {args.folder} is complete ({len(manifest['files'])} files, "
          f"{manifest['database']} database).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from server.backup import BackupProblem, restore

    settings = _settings(args)
    try:
        restore(Path(args.source).resolve(), settings)
    except BackupProblem as problem:
        print(f"{problem} Nothing was changed.", file=sys.stderr)
        return 1
    print(f"Restored {args.source} into {settings.data_dir}; the database is at the current "
          "schema. Start the server with serve.")
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
    serve.add_argument("--tls-cert", default=os.environ.get("PRACTICE_TLS_CERT"),
                       help="serve HTTPS with this certificate chain (PEM; env PRACTICE_TLS_CERT)")
    serve.add_argument("--tls-key", default=os.environ.get("PRACTICE_TLS_KEY"),
                       help="the certificate's private key (PEM; env PRACTICE_TLS_KEY)")
    serve.add_argument(
        "--behind-proxy",
        action="store_true",
        default=os.environ.get("PRACTICE_BEHIND_PROXY") == "1",
        help="a reverse proxy terminates HTTPS in front of this server: requests that did not "
        "come over HTTPS are refused (env PRACTICE_BEHIND_PROXY=1)",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[a for a in os.environ.get("PRACTICE_TRUSTED_PROXIES", "").split(",") if a],
        metavar="ADDRESS",
        help="with --behind-proxy: an address (or network) whose X-Forwarded-For/-Proto are "
        "believed; repeatable (default: loopback; env PRACTICE_TRUSTED_PROXIES, comma-separated)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("PRACTICE_WORKERS", "1")),
        help="server processes on this machine (more than one needs PostgreSQL; "
        "env PRACTICE_WORKERS)",
    )
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

    backup = sub.add_parser(
        "backup", help="write a consistent copy of the database and attachments (while serving)")
    common(backup)
    backup.add_argument("--to", required=True, metavar="DIR", help="a new or empty folder")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore", help="restore a backup into an empty database and data folder")
    common(restore)
    restore.add_argument("--from", dest="source", required=True, metavar="DIR")
    restore.set_defaults(func=cmd_restore)

    verify = sub.add_parser("verify-backup", help="check a backup without restoring it")
    verify.add_argument("folder", metavar="DIR")
    verify.set_defaults(func=cmd_verify_backup)
    from server.admin_cli import add_commands

    add_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
