"""Server-side sessions: random tokens in the browser, their SHA-256 hashes on the server.

A session ends on logout, on a password change, when the account is disabled,
after ``session_idle_minutes`` without a request and after
``session_absolute_hours`` in all. Public functions are also available as
``buyergroups.accounts.<name>``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from buyergroups import activity, db
from buyergroups.accounts.users import User, get_user
from buyergroups.config import Settings
from buyergroups.errors import AuthenticationFailed, WriteConflict, msg

SIGN_IN_FAILED = msg("Email or password is wrong, or the account is locked or disabled.")

# last_seen_at is written at most this often, so that every Streamlit rerun
# does not turn into a write (and a possible write conflict between tabs).
_TOUCH_EVERY = timedelta(seconds=30)
_MAX_TOKEN_LENGTH = 200


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(
    conn: db.Connection,
    user_id: int,
    settings: Settings,
    *,
    method: str = "password",
    now: datetime | None = None,
) -> str:
    """Open a server-side session for an enabled user and return its random token.

    Only the token's SHA-256 hash is stored; the token goes to the browser.
    """
    at = now or db.now()
    user = get_user(conn, user_id)
    if user.disabled:
        raise AuthenticationFailed(SIGN_IN_FAILED)
    token = secrets.token_urlsafe(32)
    expires_at = at + timedelta(hours=settings.session_absolute_hours)
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [_token_hash(token), user_id, at, at, expires_at],
        )
        activity.record(
            cur,
            user,
            "sign_in",
            "user",
            user_id,
            summary=activity.summary("Signed in ({method})", method=msg(method)),
        )
    return token


def resolve_session(
    conn: db.Connection, token: str | None, settings: Settings, *, now: datetime | None = None
) -> User | None:
    """The user of a live session token, or None (unknown, ended, expired or disabled).

    A live session's last_seen_at is moved forward (idle expiry counts from it);
    an expired one is ended on the way.
    """
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    at = now or db.now()
    token_hash = _token_hash(token)
    with db.reading(conn) as cur:
        found = db.row(
            cur,
            "SELECT u.id, u.name, u.email, u.organisation_id, u.language, u.is_admin, u.disabled,"
            " s.created_at, s.last_seen_at, s.expires_at, s.ended_at"
            " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
            [token_hash],
        )
    if found is None or found["ended_at"] is not None:
        return None
    expired = _expiry_reason(found, settings, at)
    if expired:
        _end_quietly(conn, token_hash, expired, at)
        return None
    if found["disabled"]:
        return None
    if at - found["last_seen_at"] >= _TOUCH_EVERY:
        _touch(conn, token_hash, at)
    return User(**{key: found[key] for key in User.__dataclass_fields__})


def _expiry_reason(found: dict[str, Any], settings: Settings, at: datetime) -> str | None:
    absolute_end = min(
        found["expires_at"], found["created_at"] + timedelta(hours=settings.session_absolute_hours)
    )
    if at >= absolute_end:
        return "expired_absolute"
    if at >= found["last_seen_at"] + timedelta(minutes=settings.session_idle_minutes):
        return "expired_idle"
    return None


def _touch(conn: db.Connection, token_hash: str, at: datetime) -> None:
    try:
        with db.transaction(conn) as cur:
            cur.execute(
                "UPDATE sessions SET last_seen_at = greatest(last_seen_at, ?)"
                " WHERE token_hash = ? AND ended_at IS NULL",
                [at, token_hash],
            )
    except WriteConflict:
        # Another tab of the same session touched it at the same moment: it is fresh.
        return


def _end_quietly(conn: db.Connection, token_hash: str, reason: str, at: datetime) -> None:
    try:
        with db.transaction(conn) as cur:
            _end_by_hash(cur, token_hash, reason, at)
    except WriteConflict:
        # Someone else ended or touched it at the same moment; it is refused either way.
        return


def _end_by_hash(cur: db.Connection, token_hash: str, reason: str, at: datetime) -> int | None:
    """End one live session; the user id when it was live, else None."""
    ended = cur.execute(
        "UPDATE sessions SET ended_at = ?, ended_reason = ?"
        " WHERE token_hash = ? AND ended_at IS NULL RETURNING user_id",
        [at, reason, token_hash],
    ).fetchone()
    return None if ended is None else int(ended[0])


def end_session(conn: db.Connection, token: str | None, *, now: datetime | None = None) -> None:
    """End the session of this token (logout); nothing happens for an unknown or ended one."""
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LENGTH:
        return
    token_hash = _token_hash(token)
    with db.reading(conn) as cur:
        user_id = db.value(
            cur,
            "SELECT user_id FROM sessions WHERE token_hash = ? AND ended_at IS NULL",
            [token_hash],
        )
    if user_id is None:
        return
    user = get_user(conn, user_id)
    with db.transaction(conn) as cur:
        if _end_by_hash(cur, token_hash, "logout", now or db.now()) is not None:
            activity.record(
                cur,
                user,
                "sign_out",
                "user",
                user.id,
                summary=activity.summary("Signed out"),
            )


def end_all(cur: db.Connection, user_id: int, reason: str, at: datetime) -> int:
    """End every live session of a user inside the caller's transaction; how many ended."""
    return db.changed(
        cur,
        "UPDATE sessions SET ended_at = ?, ended_reason = ? WHERE user_id = ? AND ended_at IS NULL",
        [at, reason, user_id],
    )


def live_sessions(conn: db.Connection, user_id: int) -> int:
    """How many not-ended sessions a user has (expired ones count until they are seen)."""
    with db.reading(conn) as cur:
        return int(
            db.value(
                cur,
                "SELECT count(*) FROM sessions WHERE user_id = ? AND ended_at IS NULL",
                [user_id],
            )
        )
