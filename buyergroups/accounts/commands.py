"""``python -m buyergroups user add|passwd|disable|enable|unlock|list``: accounts from the shell.

The operator at the command line holds the database file, so these commands
act as ``actor=None`` (recorded in the activity log without a user). The first
admin is made with ``python -m buyergroups user add --admin ...``.
Passwords come from standard input (``--password-stdin``, one line) or an
interactive prompt; never from an argument, where they would end up in the
shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from buyergroups import i18n
from buyergroups.accounts import manage, signin
from buyergroups.cli import db_parent, open_db
from buyergroups.config import load_settings
from buyergroups.errors import ValidationError, msg


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``user`` with its subcommands add, passwd, disable, enable, unlock and list."""
    user = subparsers.add_parser("user", parents=[db_parent()], help="manage user accounts")
    commands = user.add_subparsers(dest="user_command", required=True)

    add = commands.add_parser("add", parents=[db_parent()], help="create a user")
    add.add_argument("--name", required=True, help="the person's full name")
    add.add_argument("--email", required=True, help="sign-in email (unique)")
    add.add_argument("--admin", action="store_true", help="make a platform admin")
    add.add_argument("--org-id", type=int, default=None, help="organisation id")
    add.add_argument("--language", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE)
    _password_source(add)
    add.set_defaults(func=_add)

    passwd = commands.add_parser("passwd", parents=[db_parent()], help="set a new password")
    passwd.add_argument("email")
    _password_source(passwd)
    passwd.set_defaults(func=_passwd)

    disable = commands.add_parser(
        "disable", parents=[db_parent()], help="disable a user and end their sessions"
    )
    disable.add_argument("email")
    disable.set_defaults(func=_disable)

    enable = commands.add_parser("enable", parents=[db_parent()], help="enable a user again")
    enable.add_argument("email")
    enable.set_defaults(func=_enable)
    unlock = commands.add_parser(
        "unlock", parents=[db_parent()], help="end a lock-out after failed sign-ins"
    )
    unlock.add_argument("email")
    unlock.set_defaults(func=_unlock)

    listing = commands.add_parser("list", parents=[db_parent()], help="list users")
    listing.set_defaults(func=_list)


def _password_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (for scripts)",
    )


def read_password(args: argparse.Namespace) -> str:
    """The new password from stdin (``--password-stdin``) or typed twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ValidationError(
            msg("The two passwords differ; nothing was changed."), field="password"
        )
    return first


def _add(args: argparse.Namespace) -> int:
    password = read_password(args)
    conn = open_db(args)
    try:
        user = manage.create_user(
            conn,
            None,
            args.name,
            args.email,
            password,
            organisation_id=args.org_id,
            language=args.language,
            is_admin=args.admin,
        )
    finally:
        conn.close()
    role = "admin" if user.is_admin else "user"
    print(f"Created {role} {user.name} <{user.email}> (id {user.id}).")
    return 0


def _on_user(args: argparse.Namespace, change: Callable[..., None], done: str) -> int:
    """Apply ``change(conn, None, user_id)`` to the user named by ``args.email``; print ``done``."""
    conn = open_db(args)
    try:
        user = manage.user_by_email(conn, args.email)
        change(conn, None, user.id)
    finally:
        conn.close()
    print(done.format(email=user.email))
    return 0


def _passwd(args: argparse.Namespace) -> int:
    password = read_password(args)
    return _on_user(
        args,
        lambda conn, actor, user_id: manage.reset_password(conn, actor, user_id, password),
        "Password of {email} changed; their sessions were ended.",
    )


def _disable(args: argparse.Namespace) -> int:
    return _on_user(args, manage.disable_user, "Disabled {email}; their sessions were ended.")


def _enable(args: argparse.Namespace) -> int:
    return _on_user(args, manage.enable_user, "Enabled {email}.")


def _unlock(args: argparse.Namespace) -> int:
    return _on_user(args, signin.unlock_user, "Unlocked {email}; they can sign in again.")


def _list(args: argparse.Namespace) -> int:
    conn = open_db(args)
    try:
        found = signin.users_with_lock_state(conn, load_settings())
    finally:
        conn.close()
    yes_no = {True: "yes", False: "no"}
    print(f"{'id':>4}  {'email':<32} {'name':<28} {'lang':<4} {'admin':<5} {'disabled':<8} locked")
    for user in found:
        print(
            f"{user['id']:>4}  {user['email']:<32} {user['name']:<28} {user['language']:<4}"
            f" {yes_no[user['is_admin']]:<5} {yes_no[user['disabled']]:<8}"
            f" {yes_no[user['locked']]}"
        )
    return 0
