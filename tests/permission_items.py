"""The steps of tests/test_permissions.py for criteria and documents (and their comments).

Both kinds share the versioned machinery, so the same steps run through each kind's
own module functions; the exports and the spreadsheet import are per kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from buyergroups import comments, criteria, db, documents, versioned
from buyergroups.accounts.users import User
from buyergroups.exports import criteria_import, group_sheets, word
from tests.factories import CRITERION
from tests.permission_world import (
    EDITED,
    PREPARED_COMMENT,
    TITLE,
    Prepare,
    Steps,
    Workspace,
    csv_column,
    docx_paragraphs,
    no_item,
    only,
    registry,
    xlsx_column,
)

STEPS: Steps = {}
step = registry(STEPS)


@dataclass(frozen=True)
class Versioned:
    """Criteria and documents: the same machinery, each with its own module functions."""

    name: str
    kind: versioned.ItemKind
    create: Callable[[db.Connection, User, int, str], int]
    insert: Callable[..., int]
    listing: Callable[[db.Connection, Any, int], list[dict[str, Any]]]
    read: Callable[[db.Connection, Any, int], dict[str, Any]]
    save: Callable[..., versioned.SaveOutcome]


def _create_criterion(conn: db.Connection, actor: User, group_id: int, title: str) -> int:
    return criteria.create_criterion(conn, actor, group_id, **{**CRITERION, "title": title})


def _insert_criterion(cur: db.Connection, actor: User, group_id: int, **extra: Any) -> int:
    content = {**CRITERION, "title": TITLE["criterion"]}
    return criteria.insert_criterion(cur, actor, group_id, content, **extra)


def _insert_document(cur: db.Connection, actor: User, group_id: int, **extra: Any) -> int:
    content = {"title": TITLE["document"], "body": "# Vision\n\nText.", "language": "en"}
    return documents.insert_document(cur, actor, group_id, "market_vision", content, **extra)


def _create_document(conn: db.Connection, actor: User, group_id: int, title: str) -> int:
    return documents.create_document(
        conn, actor, group_id, "market_vision", title=title, body="# Vision\n\nText.", language="en"
    )


VERSIONED = (
    Versioned(
        "criterion",
        criteria.KIND,
        _create_criterion,
        _insert_criterion,
        criteria.list_criteria,
        criteria.get_criterion,
        criteria.save_criterion,
    ),
    Versioned(
        "document",
        documents.KIND,
        _create_document,
        _insert_document,
        documents.list_documents,
        documents.get_document,
        documents.save_document,
    ),
)


def _item_maker(
    item: Versioned,
    status: str = "draft",
    *,
    deleted: bool = False,
    comment: bool = False,
    edited: bool = False,
) -> Prepare:
    """A prepare storing one item: private in ``status``, or published (``on``).

    The item is stored in its state directly, as the demo loader stores its items;
    then, when asked, commented on, edited (revision 2) or deleted by the facilitator.
    """

    def prepare(ws: Workspace, group_id: int, on: str) -> int:
        state = {"status": status, "visibility": "group"}
        if on == "published":
            state = {"status": "published", "visibility": "published"}
        with db.transaction(ws.conn) as cur:
            item_id = item.insert(cur, ws.facilitator, group_id, **state)
        if comment:
            comments.add_comment(ws.conn, ws.facilitator, item.name, item_id, PREPARED_COMMENT)
        if edited:
            item.save(ws.conn, ws.facilitator, item_id, 1, title=EDITED)
        if deleted:
            versioned.soft_delete(ws.conn, item.kind, ws.facilitator, item_id)
        return item_id

    return prepare


def _register_versioned(item: Versioned) -> None:
    name, kind, table = item.name, item.kind, item.kind.table

    def state(ws: Workspace, item_id: int) -> tuple[Any, ...]:
        return ws.rows(
            f"SELECT status, visibility, deleted_at IS NOT NULL, deleted_by FROM {table}"  # nosec B608
            " WHERE id = ?",
            item_id,
        )[0]

    @step(name, "list", _item_maker(item))
    def _list(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        listed = item.listing(ws.conn, actor, group_id)
        assert [entry["id"] for entry in listed] == only(item_id, shown)
        return set()

    @step(name, "read", _item_maker(item))
    def _read(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        found = item.read(ws.conn, actor, item_id)
        assert (found["id"], found["title"], found["current_revision"]) == (
            item_id,
            TITLE[name],
            1,
        )
        return set()

    @step(name, "history", _item_maker(item))
    def _history(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        found = versioned.history(ws.conn, kind, actor, item_id)
        assert [(r["revision_no"], r["title"]) for r in found] == [(1, TITLE[name])]
        return set()

    @step(name, "read_comments", _item_maker(item, comment=True))
    def _comments(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        found = comments.list_comments(ws.conn, actor, name, item_id)
        assert [(c["author"], c["body"]) for c in found] == [
            (ws.facilitator.name, PREPARED_COMMENT)
        ]
        return set()

    @step(name, "create", no_item)
    def _create(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
        new_id = item.create(ws.conn, actor, group_id, "Created in the cell")
        assert ws.rows(
            f"SELECT group_id, title, status, visibility, current_revision, created_by"  # nosec B608
            f" FROM {table} WHERE id = ?",
            new_id,
        ) == [(group_id, "Created in the cell", "draft", "group", 1, actor.id)]
        assert ws.last_activity(group_id) == (actor.id, "create", name, new_id)
        return {table, kind.revisions, "activity"}

    @step(name, "edit", _item_maker(item))
    def _edit(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        before = state(ws, item_id)
        outcome = item.save(ws.conn, actor, item_id, 1, title=EDITED)
        assert (outcome.revision_no, outcome.merged) == (2, False)
        assert ws.rows(
            f"SELECT title, current_revision, updated_by FROM {table} WHERE id = ?",  # nosec B608
            item_id,
        ) == [(EDITED, 2, actor.id)]
        assert ws.rows(
            f"SELECT revision_no, title, author_id FROM {kind.revisions}"  # nosec B608
            f" WHERE {kind.key} = ? ORDER BY revision_no",
            item_id,
        ) == [(1, TITLE[name], ws.facilitator.id), (2, EDITED, actor.id)]
        assert state(ws, item_id) == before
        return {table, kind.revisions, "activity"}

    @step(name, "comment", _item_maker(item))
    def _comment(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        comment_id = comments.add_comment(ws.conn, actor, name, item_id, "A remark from the cell")
        assert ws.rows(
            "SELECT id, author_id, body FROM comments WHERE item_kind = ? AND item_id = ?",
            name,
            item_id,
        ) == [(comment_id, actor.id, "A remark from the cell")]
        return {"comments", "activity"}

    @step(name, "restore_revision", _item_maker(item, edited=True))
    def _restore_revision(
        ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool
    ) -> set[str]:
        before = state(ws, item_id)
        outcome = versioned.restore_revision(ws.conn, kind, actor, item_id, 1, 2)
        assert (outcome.revision_no, outcome.merged) == (3, False)
        assert ws.rows(
            f"SELECT revision_no, title, author_id, summary FROM {kind.revisions}"  # nosec B608
            f" WHERE {kind.key} = ? ORDER BY revision_no",
            item_id,
        ) == [
            (1, TITLE[name], ws.facilitator.id, "created"),
            (2, EDITED, ws.facilitator.id, "edited"),
            (3, TITLE[name], actor.id, "restored revision 1"),
        ]
        assert state(ws, item_id) == before
        return {table, kind.revisions, "activity"}

    def status_step(action: str, prepare: Prepare, target: str, visibility: str) -> None:
        @step(name, action, prepare)
        def _status(
            ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool
        ) -> set[str]:
            versioned.change_status(ws.conn, kind, actor, item_id, target)
            assert state(ws, item_id) == (target, visibility, False, None)
            assert ws.last_activity(group_id) == (actor.id, "status", name, item_id)
            return {table, "activity"}

    status_step("status", _item_maker(item), "in_review", "group")
    status_step("publish", _item_maker(item, "agreed"), "published", "published")
    status_step("unpublish", _item_maker(item), "agreed", "group")

    @step(name, "delete", _item_maker(item))
    def _delete(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        status, visibility, *_ = state(ws, item_id)
        versioned.soft_delete(ws.conn, kind, actor, item_id)
        assert state(ws, item_id) == (status, visibility, True, actor.id)
        assert item.listing(ws.conn, ws.facilitator, group_id) == []
        return {table, "activity"}

    @step(name, "list_deleted", _item_maker(item, deleted=True))
    def _deleted(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        found = versioned.deleted_items(ws.conn, kind, actor, group_id)
        assert [(e["id"], e["deleted_by"]) for e in found] == [(item_id, ws.facilitator.id)]
        return set()

    @step(name, "restore", _item_maker(item, deleted=True))
    def _restore(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
        status, visibility, *_ = state(ws, item_id)
        versioned.undelete(ws.conn, kind, actor, item_id)
        assert state(ws, item_id) == (status, visibility, False, None)
        assert [e["id"] for e in item.listing(ws.conn, ws.facilitator, group_id)] == [item_id]
        return {table, "activity"}


for _item in VERSIONED:
    _register_versioned(_item)

_criterion = _item_maker(VERSIONED[0])
_document = _item_maker(VERSIONED[1])

# ---------------------------------------------------------------- exports and import


@step("criterion", "export_word", _criterion)
def _criteria_docx(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
    data = word.criteria_docx(ws.conn, actor, group_id)
    assert docx_paragraphs(data, "Heading 3") == only(TITLE["criterion"], shown)
    return set()


@step("criterion", "export_sheet", _criterion)
def _criteria_sheets(
    ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool
) -> set[str]:
    xlsx = group_sheets.criteria_xlsx(ws.conn, actor, group_id)
    assert xlsx_column(xlsx, "Criteria", "Title") == only(TITLE["criterion"], shown)
    sheet = group_sheets.criteria_csv(ws.conn, actor, group_id)
    assert csv_column(sheet, "Title") == only(TITLE["criterion"], shown)
    return set()


@step("criterion", "import", no_item)
def _criteria_import(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    report = criteria_import.parse_rows(criteria_import.template_xlsx(), "template.xlsx")
    stored = criteria_import.store_valid(ws.conn, actor, group_id, report)
    assert ws.rows(
        "SELECT id, title, status, visibility, created_by FROM criteria WHERE group_id = ?",
        group_id,
    ) == [(stored[0], "Emission-free equipment on site", "draft", "group", actor.id)]
    return {"criteria", "criterion_revisions", "activity"}


@step("document", "export_word", _document)
def _document_docx(ws: Workspace, actor: Any, group_id: int, item_id: int, shown: bool) -> set[str]:
    data = word.document_docx(ws.conn, actor, group_id, item_id)
    assert docx_paragraphs(data, "Title") == [TITLE["document"]]
    return set()
