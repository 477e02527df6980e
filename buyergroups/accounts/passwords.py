"""Password hashing (argon2id, OWASP parameters) and the password policy.

Passwords are only ever held in memory long enough to hash or verify them;
nothing here logs or stores one in clear.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from buyergroups.errors import ValidationError, msg

MIN_LENGTH = 8
# Long enough for any passphrase; short enough that hashing cannot be abused to
# burn the server's CPU with megabyte-sized "passwords".
MAX_LENGTH = 1024

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
_HASHER = PasswordHasher(memory_cost=19456, time_cost=2, parallelism=1)


def hash_password(password: str) -> str:
    """The argon2id hash string (``$argon2id$v=19$m=19456,t=2,p=1$...``) of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False for a missing or broken hash.

    Always spends the time of one verification, also when there is no hash
    (an unknown email), so response times do not tell which emails exist.
    """
    candidate = password[:MAX_LENGTH] if isinstance(password, str) else ""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), candidate) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("not a password of anyone: only here to spend the same time")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of most common passwords, lower-cased."""
    text = (resources.files("buyergroups.accounts") / "common_passwords.txt").read_text(
        encoding="utf-8"
    )
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def check_password(password: str, *, email: str = "", name: str = "") -> str:
    """Return ``password`` when the policy accepts it; ValidationError saying why not.

    Policy: at least 8 and at most 1,024 characters, not one of the most
    common passwords, and not the account's own email, its part before the
    ``@``, or the person's name.
    """
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValidationError(
            msg("The password needs at least {count} characters.", count=MIN_LENGTH),
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise ValidationError(
            msg("The password is too long (at most {count} characters).", count=f"{MAX_LENGTH:,}"),
            field="password",
        )
    lowered = password.strip().lower()
    if lowered in common_passwords():
        raise ValidationError(
            msg("That password is one of the most common ones; choose another."), field="password"
        )
    if lowered in _personal_words(email, name):
        raise ValidationError(
            msg("The password may not be your email address or your name."), field="password"
        )
    return password


def _personal_words(email: str, name: str) -> set[str]:
    email = (email or "").strip().lower()
    name = (name or "").strip().lower()
    words = {email, email.split("@", 1)[0], name, name.replace(" ", "")}
    return {word for word in words if word}
