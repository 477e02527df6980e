"""Who may do what: the one place that decides permissions.

Every package function that reads or writes group content calls
:func:`require` (or filters with :func:`visible_sql`) with the acting user;
pages never decide by themselves. The matrix, also printed in README.md:

================  ====  ====  ======  ====  =======  ======  =======  ======  ======  =======  ==============
role              list  read  create  edit  comment  status  publish  delete  export  members  import tenders
================  ====  ====  ======  ====  =======  ======  =======  ======  ======  =======  ==============
admin             all   all   yes     yes   yes      yes     yes      yes     all     yes      yes
facilitator       all   all   yes     yes   yes      yes     yes      yes     all     yes      yes
member            all   all   yes     yes   yes      yes     no       no      all     no       no
observer          all   all   no      no    no       no      no       no      all     no       no
non-member        pub   pub   no      no    no       no      no       no      pub     no       no
signed out        no    no    no      no    no       no      no       no      no      no       no
================  ====  ====  ======  ====  =======  ======  =======  ======  ======  =======  ==============

"all" means private (visibility "group") and published items of the group;
"pub" means published items only. "status" is moving along draft → in review
→ agreed; "publish" is the step to published and back. "delete" covers restoring
a deleted item; "members" covers the group's people, organisations and profile.
"import tenders" (:attr:`Action.IMPORT`) is importing tender notices into the
group; importing criteria from a spreadsheet stores draft criteria and needs
:attr:`Action.CREATE`, as adding them one by one does, so members may; linking
one tender to the group needs :attr:`Action.EDIT`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

from buyergroups import db
from buyergroups.accounts.users import User, group_role, groups_of, roles_of
from buyergroups.domain import GroupRole
from buyergroups.errors import Message, NotSignedIn, PermissionDenied, msg


class Action(StrEnum):
    LIST = "list"
    READ = "read"
    CREATE = "create"
    EDIT = "edit"
    COMMENT = "comment"
    CHANGE_STATUS = "change_status"
    PUBLISH = "publish"
    DELETE = "delete"
    EXPORT = "export"
    MANAGE_MEMBERS = "manage_members"
    IMPORT = "import"


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    MEMBER = "member"
    OBSERVER = "observer"
    NON_MEMBER = "non_member"
    SIGNED_OUT = "signed_out"


_READS = {Action.LIST, Action.READ, Action.EXPORT}
_WRITES = {Action.CREATE, Action.EDIT, Action.COMMENT, Action.CHANGE_STATUS}

# What each role may do on a group's private items.
PRIVATE: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.FACILITATOR: frozenset(Action),
    Role.MEMBER: frozenset(_READS | _WRITES),
    Role.OBSERVER: frozenset(_READS),
    Role.NON_MEMBER: frozenset(),
    Role.SIGNED_OUT: frozenset(),
}
# What each role may do on a group's published items.
PUBLISHED: dict[Role, frozenset[Action]] = {
    **PRIVATE,
    Role.NON_MEMBER: frozenset(_READS),
}

# What the actor tried, as the end of "You may not ...": one message each, so that a
# translation can put the words in its own order.
_VERBS: dict[Action, Message] = {
    Action.LIST: msg("list this group"),
    Action.READ: msg("read this group"),
    Action.CREATE: msg("create items in this group"),
    Action.EDIT: msg("edit items of this group"),
    Action.COMMENT: msg("comment in this group"),
    Action.CHANGE_STATUS: msg("change the status of items in this group"),
    Action.PUBLISH: msg("publish or unpublish items of this group"),
    Action.DELETE: msg("delete or restore items of this group"),
    Action.EXPORT: msg("export this group"),
    Action.MANAGE_MEMBERS: msg("manage the members of this group"),
    Action.IMPORT: msg("import tenders into this group"),
}
# The roles a refusal names ("... as observer").
_ROLE_NAMES: dict[Role, Message] = {
    Role.ADMIN: msg("admin"),
    Role.FACILITATOR: msg("facilitator"),
    Role.MEMBER: msg("member"),
    Role.OBSERVER: msg("observer"),
}
SIGN_IN_FIRST = msg("Please sign in first.")


# Inside remembering_roles(): each user's group roles, read once (user id -> group -> role).
_REMEMBERED: ContextVar[dict[int, dict[int, GroupRole]] | None] = ContextVar(
    "remembered_roles", default=None
)


@contextlib.contextmanager
def remembering_roles() -> Iterator[None]:
    """Within the block, a user's roles in all groups are read in one query, once.

    The UI wraps one script run in it: a page asks for roles dozens of times
    (every ``require``, every list) and they cannot change in between except by
    a change of roles in the same run, which forgets them (:func:`forget_roles`).
    Another session's change is seen on the next run: nothing outlives the block.
    """
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


def forget_roles() -> None:
    """Drop the remembered roles (after any change of a user's access to a group)."""
    remembered = _REMEMBERED.get()
    if remembered is not None:
        remembered.clear()


def _group_roles(cur: db.Connection, user_id: int) -> dict[int, GroupRole]:
    remembered = _REMEMBERED.get()
    if remembered is None:
        return roles_of(cur, user_id)
    if user_id not in remembered:
        remembered[user_id] = roles_of(cur, user_id)
    return remembered[user_id]


def role_of(cur: db.Connection, actor: User | None, group_id: int) -> Role:
    """The actor's role for one group."""
    if actor is None or actor.disabled:
        return Role.SIGNED_OUT
    if actor.is_admin:
        return Role.ADMIN
    if _REMEMBERED.get() is None:
        role = group_role(cur, actor.id, group_id)
    else:
        role = _group_roles(cur, actor.id).get(group_id)
    return Role(role.value) if role else Role.NON_MEMBER


def _role_in(roles: dict[int, GroupRole], actor: User | None, group_id: int) -> Role:
    if actor is None or actor.disabled:
        return Role.SIGNED_OUT
    if actor.is_admin:
        return Role.ADMIN
    role = roles.get(group_id)
    return Role(role.value) if role else Role.NON_MEMBER


def allowed(role: Role, action: Action, *, published: bool = False) -> bool:
    """Whether ``role`` may do ``action`` on a private (or published) item."""
    return action in (PUBLISHED if published else PRIVATE)[role]


def require(
    cur: db.Connection,
    actor: User | None,
    action: Action,
    group_id: int,
    *,
    published: bool = False,
) -> Role:
    """Return the actor's role when allowed; raise NotSignedIn or PermissionDenied."""
    role = role_of(cur, actor, group_id)
    if role is Role.SIGNED_OUT:
        raise NotSignedIn(SIGN_IN_FIRST)
    if not allowed(role, action, published=published):
        if role in _ROLE_NAMES:
            raise PermissionDenied(
                msg(
                    "You may not {action} as {role}.", action=_VERBS[action], role=_ROLE_NAMES[role]
                )
            )
        raise PermissionDenied(msg("You may not {action}.", action=_VERBS[action]))
    return role


def require_signed_in(actor: User | None) -> User:
    """The actor, or NotSignedIn."""
    if actor is None or actor.disabled:
        raise NotSignedIn(SIGN_IN_FIRST)
    return actor


def require_admin(actor: User | None) -> User:
    """The actor when a platform admin, or PermissionDenied."""
    actor = require_signed_in(actor)
    if not actor.is_admin:
        raise PermissionDenied(msg("Only a platform admin may do this."))
    return actor


def member_group_ids(cur: db.Connection, actor: User | None) -> list[int] | None:
    """Groups whose private items the actor may read; None means all (admin)."""
    if actor is None or actor.disabled:
        return []
    if actor.is_admin:
        return None
    return sorted(groups_of(cur, actor.id))


def groups_allowing(
    conn: db.Connection, actor: User | None, action: Action
) -> list[dict[str, Any]]:
    """The live groups (id, name; by name) where the actor may do ``action`` on private items."""
    require_signed_in(actor)
    with db.reading(conn) as cur:
        groups = db.rows(
            cur, "SELECT id, name FROM buyer_groups WHERE deleted_at IS NULL ORDER BY lower(name)"
        )
        roles = _group_roles(cur, actor.id) if actor and not actor.is_admin else {}
        return [group for group in groups if allowed(_role_in(roles, actor, group["id"]), action)]


def visible_sql(cur: db.Connection, actor: User | None, alias: str) -> tuple[str, list[Any]]:
    """A WHERE fragment (and its parameters) keeping rows of ``alias`` the actor may read.

    ``alias`` is a table alias written in the package's own SQL, never user text.
    The table needs ``group_id`` and ``visibility`` columns.
    """
    if actor is None or actor.disabled:
        return "FALSE", []
    ids = member_group_ids(cur, actor)
    if ids is None:
        return "TRUE", []
    return (
        f"({alias}.visibility = 'published' OR {alias}.group_id IN (SELECT unnest(?::INTEGER[])))",
        [ids],
    )


def actions_for(conn: db.Connection, actor: User | None, group_id: int) -> frozenset[Action]:
    """What the actor may do on the group's private items (for showing the right controls)."""
    with db.reading(conn) as cur:
        return PRIVATE[role_of(cur, actor, group_id)]


def buyer_side(cur: db.Connection, actor: User | None, tender: dict[str, Any]) -> bool:
    """Whether the actor speaks for the buyer of ``tender`` (its ``id`` and ``buyer_org_id``).

    The benchmark's steps 2 and 3 (correction, contract and realisation): a member of the
    buying organisation (``users.organisation_id`` is the tender's matched buyer), a
    facilitator of a group the tender is linked to, or a platform admin.
    """
    if actor is None or actor.disabled:
        return False
    if actor.is_admin:
        return True
    buyer = tender.get("buyer_org_id")
    if buyer is not None and actor.organisation_id == buyer:
        return True
    linked = db.rows(cur, "SELECT group_id FROM tender_groups WHERE tender_id = ?", [tender["id"]])
    return any(role_of(cur, actor, g["group_id"]) is Role.FACILITATOR for g in linked)


def require_buyer_side(cur: db.Connection, actor: User | None, tender: dict[str, Any]) -> User:
    """The actor when :func:`buyer_side` allows; NotSignedIn or PermissionDenied otherwise."""
    actor = require_signed_in(actor)
    if not buyer_side(cur, actor, tender):
        raise PermissionDenied(
            msg(
                "Only a member of the buying organisation, a facilitator of a group this "
                "tender is linked to, or an admin may correct this tender or answer for it."
            )
        )
    return actor


def require_organisation_view(actor: User | None, organisation_id: int) -> User:
    """The actor when it may see an organisation's own benchmark (its members and admins)."""
    actor = require_signed_in(actor)
    if not actor.is_admin and actor.organisation_id != organisation_id:
        raise PermissionDenied(
            msg(
                "Only members of an organisation (and admins) see its benchmark with its "
                "corrections, answers and ambitions."
            )
        )
    return actor
