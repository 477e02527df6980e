"""The permission matrix of auth.py, checked through the package's real functions.

For each role × action on a private and on a published item, the package
allows exactly what the matrix says and refuses the rest with a clear error.
"""

from __future__ import annotations

import pytest

from buyergroups import auth, comments, criteria, documents, groups, versioned
from buyergroups.auth import Action, Role
from buyergroups.errors import NotSignedIn, PermissionDenied
from tests.factories import CRITERION, make_criterion

ROLES = ["admin", "facilitator", "member", "observer", "outsider", "signed_out"]
ROLE_OF = {
    "admin": Role.ADMIN,
    "facilitator": Role.FACILITATOR,
    "member": Role.MEMBER,
    "observer": Role.OBSERVER,
    "outsider": Role.NON_MEMBER,
    "signed_out": Role.SIGNED_OUT,
}


def _actor(world, role):
    return None if role == "signed_out" else getattr(world, role)


def _publish(conn, world, crit):
    for status in ("in_review", "agreed"):
        versioned.change_status(conn, criteria.KIND, world.member, crit, status)
    versioned.change_status(conn, criteria.KIND, world.facilitator, crit, "published")


def _attempt(conn, world, actor, action, crit):
    group = world.group_a
    if action is Action.LIST:
        listed = criteria.list_criteria(conn, actor, group)
        assert crit in [c["id"] for c in listed] or not listed
        if crit not in [c["id"] for c in listed]:
            raise PermissionDenied("not listed")
    elif action is Action.READ:
        criteria.get_criterion(conn, actor, crit)
    elif action is Action.CREATE:
        criteria.create_criterion(conn, actor, group, **CRITERION)
    elif action is Action.EDIT:
        current = criteria.get_criterion(conn, world.admin, crit)["current_revision"]
        criteria.save_criterion(conn, actor, crit, current, title=f"Edited {current}")
    elif action is Action.COMMENT:
        comments.add_comment(conn, actor, "criterion", crit, "A comment")
    elif action is Action.CHANGE_STATUS:
        item = criteria.get_criterion(conn, world.admin, crit)
        target = "in_review" if item["status"] == "draft" else "agreed"
        if item["status"] == "published":
            raise AssertionError("use a private item")
        versioned.change_status(conn, criteria.KIND, actor, crit, target)
    elif action is Action.PUBLISH:
        item = criteria.get_criterion(conn, world.admin, crit)
        if item["status"] == "published":
            versioned.change_status(conn, criteria.KIND, actor, crit, "agreed")
        else:
            for status in ("in_review", "agreed"):
                versioned.change_status(conn, criteria.KIND, world.admin, crit, status)
            versioned.change_status(conn, criteria.KIND, actor, crit, "published")
    elif action is Action.DELETE:
        versioned.soft_delete(conn, criteria.KIND, actor, crit)
    elif action is Action.EXPORT:
        # Export reads the same way a listing does: the criterion must be readable.
        criteria.get_criterion(conn, actor, crit)
    elif action is Action.MANAGE_MEMBERS:
        groups.add_user_to_group(conn, actor, group, world.outsider.id, "observer")
    elif action is Action.IMPORT:
        with conn.cursor() as cur:
            auth.require(cur, actor, Action.IMPORT, group)


@pytest.mark.parametrize("published", [False, True], ids=["private", "published"])
@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
@pytest.mark.parametrize("role", ROLES)
def test_matrix(conn, world, role, action, published) -> None:
    crit = make_criterion(conn, world.member, world.group_a)
    if published:
        _publish(conn, world, crit)
    if action is Action.CHANGE_STATUS and published:
        pytest.skip("status steps of a published item are the publish action")
    expected = auth.allowed(ROLE_OF[role], action, published=published)
    actor = _actor(world, role)
    if expected:
        _attempt(conn, world, actor, action, crit)
    else:
        with pytest.raises((PermissionDenied, NotSignedIn)) as refused:
            _attempt(conn, world, actor, action, crit)
        assert str(refused.value)


def test_matrix_table_in_docstring_matches_code() -> None:
    expected_member = {
        Action.LIST,
        Action.READ,
        Action.CREATE,
        Action.EDIT,
        Action.COMMENT,
        Action.CHANGE_STATUS,
        Action.EXPORT,
    }
    assert auth.PRIVATE[Role.MEMBER] == expected_member
    assert auth.PRIVATE[Role.OBSERVER] == {Action.LIST, Action.READ, Action.EXPORT}
    assert auth.PUBLISHED[Role.NON_MEMBER] == {Action.LIST, Action.READ, Action.EXPORT}
    assert auth.PRIVATE[Role.NON_MEMBER] == frozenset()
    assert auth.PRIVATE[Role.FACILITATOR] == frozenset(Action)


def test_non_member_never_sees_private_drafts(conn, world) -> None:
    crit = make_criterion(conn, world.member, world.group_a)
    doc = documents.create_document(
        conn,
        world.member,
        world.group_a,
        "specification",
        title="Draft spec",
        body="x",
        language="nl",
    )
    assert criteria.list_criteria(conn, world.outsider, world.group_a) == []
    assert documents.list_documents(conn, world.outsider, world.group_a) == []
    with pytest.raises(PermissionDenied, match="may not read"):
        criteria.get_criterion(conn, world.outsider, crit)
    with pytest.raises(PermissionDenied):
        documents.get_document(conn, world.outsider, doc)
    with pytest.raises(PermissionDenied):
        versioned.history(conn, documents.KIND, world.outsider, doc)
    with pytest.raises(PermissionDenied):
        comments.list_comments(conn, world.outsider, "document", doc)
