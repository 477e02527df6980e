"""A group's documents of given kinds: list, create, read, edit with stale-edit handling."""

from __future__ import annotations

import streamlit as st

from buyergroups import documents
from buyergroups.accounts.users import User
from buyergroups.auth import Action
from buyergroups.domain import LANGUAGES, DocumentKind, Status, Theme
from buyergroups.errors import BuyerGroupsError, StaleEditError
from ui import item_panel
from ui.i18n import error_text, t
from ui.labels import formatter, label, labels
from ui.search_resources import after_save
from ui.similar_panel import render_similar_elsewhere


def render_documents(
    conn, user: User, group_id: int, kinds: list[str], prefix: str, allowed: frozenset
) -> None:
    """List the group's documents of ``kinds`` and open one."""
    try:
        docs = [d for d in documents.list_documents(conn, user, group_id) if d["kind"] in kinds]
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    if Action.CREATE in allowed:
        _new_document_form(conn, user, group_id, kinds, prefix)
    if not docs:
        st.info(
            t("No documents here yet. Start one with “New document” above.")
            if Action.CREATE in allowed
            else t("Nothing here is visible to you yet.")
        )
        return
    by_id = {d["id"]: d for d in docs}
    chosen = st.selectbox(
        t("Document"),
        list(by_id),
        format_func={i: _choice(doc) for i, doc in by_id.items()}.get,
        key=f"{prefix}_pick",
    )
    render_document(conn, user, by_id[chosen], prefix, allowed)
    item_panel.deleted_list(conn, user, documents.KIND, group_id, prefix)


def _choice(doc: dict) -> str:
    """A document in the picker: title (kind, language it is written in, status)."""
    kind, status = label(DocumentKind, doc["kind"]), label(Status, doc["status"])
    return f"{doc['title']} ({kind}, {doc['language']}, {status})"


def _new_document_form(conn, user: User, group_id: int, kinds: list[str], prefix: str) -> None:
    with st.expander(t("New document")), st.form(key=f"{prefix}_new_form", clear_on_submit=False):
        kind = st.selectbox(
            t("Kind"), kinds, format_func=formatter(DocumentKind), key=f"{prefix}_new_kind"
        )
        title = st.text_input(t("Title"), key=f"{prefix}_new_title")
        language = st.selectbox(
            t("Language (of the text)"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            key=f"{prefix}_new_language",
        )
        themes = st.multiselect(
            t("MVI themes"),
            [theme.value for theme in Theme],
            format_func=formatter(Theme),
            key=f"{prefix}_new_themes",
        )
        body = st.text_area(t("Text (Markdown)"), height=200, key=f"{prefix}_new_body")
        if st.form_submit_button(t("Create draft"), key=f"{prefix}_new_submit"):
            try:
                new_id = documents.create_document(
                    conn,
                    user,
                    group_id,
                    kind,
                    title=title,
                    body=body,
                    language=language,
                    themes=themes,
                )
                after_save("document", new_id)
                st.rerun()
            except BuyerGroupsError as exc:
                st.error(error_text(exc))


def render_document(conn, user: User, doc: dict, prefix: str, allowed: frozenset) -> None:
    """One document: read, edit, history, comments."""
    st.subheader(doc["title"])
    st.caption(
        label(DocumentKind, doc["kind"])
        + " · "
        + t(
            "language: {language} · themes: {themes} · revision {revision}",
            language=LANGUAGES.get(doc["language"], doc["language"]),
            themes=labels(Theme, doc["themes"]) or "—",
            revision=doc["current_revision"],
        )
    )
    if Action.CHANGE_STATUS in allowed:
        item_panel.status_buttons(conn, user, documents.KIND, doc, prefix)
    read, edit, history, talk = st.tabs([t("Read"), t("Edit"), t("History"), t("Comments")])
    with read:
        st.markdown(doc["body"] or t("_(empty)_"))
    with edit:
        if Action.EDIT in allowed:
            _editor(conn, user, doc, prefix, allowed)
        else:
            st.info(t("Only members of this group can edit it."))
    with history:
        item_panel.history_panel(conn, user, documents.KIND, doc, prefix)
    with talk:
        item_panel.comments_panel(conn, user, "document", doc["id"], prefix)
    render_similar_elsewhere(conn, user, "document", doc["id"])


def _editor(conn, user: User, doc: dict, prefix: str, allowed: frozenset) -> None:
    keys = {name: f"{prefix}_{name}_{doc['id']}" for name in ("base", "title", "body")}
    st.session_state.setdefault(keys["base"], doc["current_revision"])
    title = st.text_input(t("Title"), value=doc["title"], key=keys["title"])
    body = st.text_area(t("Text (Markdown)"), value=doc["body"], height=320, key=keys["body"])
    with st.expander(t("Preview")):
        st.markdown(body)
    st.caption(t("Editing on revision {revision}.", revision=st.session_state[keys["base"]]))
    save, delete = st.columns([1, 1])
    if save.button(t("Save"), key=f"{prefix}_save_{doc['id']}", type="primary"):
        try:
            outcome = documents.save_document(
                conn, user, doc["id"], st.session_state[keys["base"]], title=title, body=body
            )
        except StaleEditError as exc:
            item_panel.stale_edit_notice(exc, f"{prefix}_{doc['id']}")
        except BuyerGroupsError as exc:
            st.error(error_text(exc))
        else:
            after_save("document", doc["id"])
            for key in keys.values():
                st.session_state.pop(key, None)
            st.session_state[f"{prefix}_flash"] = (
                t(
                    "Saved as revision {revision}, merged with another edit saved in between.",
                    revision=outcome.revision_no,
                )
                if outcome.merged
                else t("Saved as revision {revision}.", revision=outcome.revision_no)
            )
            st.rerun()
    item_panel.rebase_button(f"{prefix}_{doc['id']}", keys["base"])
    if flash := st.session_state.pop(f"{prefix}_flash", None):
        st.success(flash)
    if Action.DELETE in allowed:
        with delete:
            item_panel.delete_button(conn, user, documents.KIND, doc, prefix)
