"""Shared panels for versioned items (documents and criteria): status, history, comments, delete."""

from __future__ import annotations

import streamlit as st

from buyergroups import activity, comments, versioned
from buyergroups.accounts.users import User
from buyergroups.domain import STATUS_TRANSITIONS, Status
from buyergroups.errors import BuyerGroupsError
from buyergroups.merge import unified_diff
from ui.i18n import enum_label, error_text, message_text, t
from ui.search_resources import after_save


def status_buttons(conn, user: User, kind: versioned.ItemKind, item: dict, prefix: str) -> None:
    """Buttons for the allowed next steps of the status flow."""
    current = Status(item["status"])
    audience = t("everyone signed in") if item["visibility"] == "published" else t("group members")
    st.caption(
        t(
            "Status: **{status}** · visible to: {audience}",
            status=enum_label(current),
            audience=audience,
        )
    )
    columns = st.columns(len(STATUS_TRANSITIONS[current]) or 1)
    for column, target in zip(columns, STATUS_TRANSITIONS[current], strict=False):
        if column.button(
            f"→ {enum_label(target)}", key=f"{prefix}_status_{item['id']}_{target.value}"
        ):
            try:
                versioned.change_status(conn, kind, user, item["id"], target.value)
                after_save(kind.name, item["id"])
                st.rerun()
            except BuyerGroupsError as exc:
                st.error(error_text(exc))


def history_panel(conn, user: User, kind: versioned.ItemKind, item: dict, prefix: str) -> None:
    """Revision list, a diff between two revisions, and restoring an old one."""
    try:
        revisions = versioned.history(conn, kind, user, item["id"])
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    st.dataframe(
        [
            {
                t("revision"): r["revision_no"],
                t("author"): r["author"],
                t("saved"): r["created_at"],
                t("note"): message_text(activity.read_summary(r["summary"])),
            }
            for r in revisions
        ],
        hide_index=True,
        key=f"{prefix}_history_table_{item['id']}",
    )
    numbers = [r["revision_no"] for r in revisions]
    if len(numbers) < 2:
        return
    by_no = {r["revision_no"]: r for r in revisions}
    left, right = st.columns(2)
    old = left.selectbox(t("Compare revision"), numbers[1:], key=f"{prefix}_diff_old_{item['id']}")
    new = right.selectbox(t("with revision"), numbers, key=f"{prefix}_diff_new_{item['id']}")
    diff = unified_diff(
        by_no[old]["body"],
        by_no[new]["body"],
        t("revision {number}", number=old),
        t("revision {number}", number=new),
    )
    st.code(diff or t("No difference in the text."), language="diff")
    if st.button(t("Restore revision {number}", number=old), key=f"{prefix}_restore_{item['id']}"):
        try:
            versioned.restore_revision(
                conn, kind, user, item["id"], old, based_on=item["current_revision"]
            )
            after_save(kind.name, item["id"])
            st.success(t("Revision {number} restored as a new revision.", number=old))
            st.rerun()
        except BuyerGroupsError as exc:
            st.error(error_text(exc))


def comments_panel(conn, user: User, item_kind: str, item_id: int, prefix: str) -> None:
    """The item's comments and a form to add one."""
    try:
        for comment in comments.list_comments(conn, user, item_kind, item_id):
            st.markdown(f"**{comment['author']}** · {comment['created_at']:%Y-%m-%d %H:%M}")
            st.text(comment["body"])
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    with st.form(key=f"{prefix}_comment_form_{item_id}", clear_on_submit=True):
        body = st.text_area(t("Add a comment"), key=f"{prefix}_comment_text_{item_id}")
        if st.form_submit_button(t("Post comment"), key=f"{prefix}_comment_submit_{item_id}"):
            try:
                comments.add_comment(conn, user, item_kind, item_id, body)
                st.rerun()
            except BuyerGroupsError as exc:
                st.error(error_text(exc))


def delete_button(conn, user: User, kind: versioned.ItemKind, item: dict, prefix: str) -> None:
    """Soft delete (facilitators); the item can be restored from the group's deleted list."""
    if st.button(t("Delete"), key=f"{prefix}_delete_{item['id']}", type="secondary"):
        try:
            versioned.soft_delete(conn, kind, user, item["id"])
            after_save(kind.name, item["id"])
            st.success(t("Deleted. A facilitator can restore it under 'Deleted items'."))
            st.rerun()
        except BuyerGroupsError as exc:
            st.error(error_text(exc))


def deleted_list(conn, user: User, kind: versioned.ItemKind, group_id: int, prefix: str) -> None:
    """Soft-deleted items with a restore button (shown only to those who may restore)."""
    try:
        deleted = versioned.deleted_items(conn, kind, user, group_id)
    except BuyerGroupsError:
        return
    if not deleted:
        return
    with st.expander(t("Deleted items ({count})", count=len(deleted))):
        for item in deleted:
            if st.button(
                t("Restore “{title}”", title=item["title"]), key=f"{prefix}_undelete_{item['id']}"
            ):
                versioned.undelete(conn, kind, user, item["id"])
                after_save(kind.name, item["id"])
                st.rerun()


def rebase_button(prefix: str, base_key: str) -> None:
    """After a refused edit: let the user base their kept text on the saved revision."""
    stale = st.session_state.get(f"{prefix}_stale_revision")
    if stale and st.button(
        t("Base my text on the saved revision {number}", number=stale), key=f"{prefix}_rebase"
    ):
        st.session_state[base_key] = stale
        del st.session_state[f"{prefix}_stale_revision"]
        st.rerun()


def stale_edit_notice(exc, prefix: str) -> None:
    """Show a refused stale edit: the other edit beside yours, as a diff."""
    st.error(error_text(exc))
    theirs = (exc.theirs or {}).get("body", "")
    mine = (exc.mine or {}).get("body", "")
    st.markdown(t("**Their version (saved) compared with yours (kept in the editor):**"))
    st.code(
        unified_diff(theirs, mine, t("saved version"), t("your version"))
        or t("The bodies are equal; other fields differ."),
        language="diff",
    )
    st.session_state[f"{prefix}_stale_revision"] = exc.current_revision
