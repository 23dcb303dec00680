"""`mash-console`: serve the console, or manage staff accounts.

    mash-console                      serve (MASH_CONSOLE_* settings)
    mash-console users demo           create the demo staff (development only) and print them
    mash-console users add NAME --role ROLE [--agency A] --display-name "..."  (asks a password)
    mash-console users list
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime

import uvicorn

from mash_common.logging import configure_logging
from mash_schemas.codes import AGENCIES
from mash_schemas.roles import Role

from .bootstrap import MIGRATIONS, build_app, build_store
from .config import ConsoleSettings
from .domain.staff import DEMO_PASSWORD, DEMO_STAFF, InvalidStaffMember, StaffMember


def serve(settings: ConsoleSettings) -> None:
    config = uvicorn.Config(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    asyncio.run(uvicorn.Server(config).serve())


async def users(settings: ConsoleSettings, args: argparse.Namespace) -> int:
    store = build_store(settings)
    await store.db.migrate(MIGRATIONS)
    now = datetime.now(UTC)
    try:
        if args.action == "demo":
            if settings.env == "production":
                print("demo users are for development only", file=sys.stderr)
                return 2
            for member in DEMO_STAFF:
                await store.add_member(member, DEMO_PASSWORD, now, replace=True)
            print(f"\n  Demo staff (password for each: {DEMO_PASSWORD})\n")
            for member in DEMO_STAFF:
                print(f"    {member.username:<16} {member.role_label}")
            print()
        elif args.action == "add":
            password = getpass.getpass("Password (12 characters or more): ")
            member = StaffMember(args.username, args.display_name or args.username,
                                 Role(args.role), args.agency)
            await store.add_member(member, password, now)
            print(f"added {member.username} ({member.role_label})")
        else:
            for member in await store.members():
                print(f"{member.username:<20} {member.role_label}")
    except InvalidStaffMember as exc:
        print(f"not added: {exc}", file=sys.stderr)
        return 2
    finally:
        await store.db.dispose()
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mash-console", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    u = sub.add_parser("users", help="manage staff accounts")
    usub = u.add_subparsers(dest="action", required=True)
    usub.add_parser("demo", help="create the demo staff and print their credentials")
    usub.add_parser("list", help="list staff accounts")
    add = usub.add_parser("add", help="add a staff account (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--agency", choices=AGENCIES)
    add.add_argument("--display-name")
    args = parser.parse_args(argv)
    settings = ConsoleSettings()
    configure_logging("console", settings.log_level)
    if args.command == "users":
        raise SystemExit(asyncio.run(users(settings, args)))
    serve(settings)


if __name__ == "__main__":
    main()
