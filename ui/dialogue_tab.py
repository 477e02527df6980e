"""A group's market-dialogue events: list, record, edit."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from buyergroups import dialogue, records
from buyergroups.accounts.users import User
from buyergroups.auth import Action
from buyergroups.domain import LANGUAGES, DialogueKind
from buyergroups.errors import BuyerGroupsError
from ui.i18n import error_text, t
from ui.labels import formatter, label, options
from ui.search_resources import after_save

PREFIX = "dlg"


def render_dialogue(conn, user: User, group_id: int, allowed: frozenset) -> None:
    """Events newest first, each editable; a form to record a new one."""
    try:
        events = dialogue.list_events(conn, user, group_id)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    if Action.CREATE in allowed:
        _new_event_form(conn, user, group_id)
    if not events:
        st.info(
            t("No market-dialogue events yet: record your RFI, consultation or supplier day above.")
        )
    for event in events:
        with st.expander(
            f"{event['held_on']:%Y-%m-%d} · {label(DialogueKind, event['kind'])} · {event['title']}"
        ):
            st.caption(
                t(
                    "Participants: {participants} · language: {language}",
                    participants=", ".join(event["participants"]) or "—",
                    language=event["language"],
                )
            )
            st.markdown(t("**Notes**"))
            st.markdown(event["notes"] or "—")
            st.markdown(t("**Takeaways**"))
            st.markdown(event["takeaways"] or "—")
            if Action.EDIT not in allowed:
                continue
            _edit_form(conn, user, event)


def _edit_form(conn, user: User, event: dict) -> None:
    prefix = f"{PREFIX}_edit_{event['id']}"
    # The version the form was opened on and the event as it was then, so a save
    # after someone else's is merged with it (refused only where both changed a field).
    base = st.session_state.setdefault(f"{prefix}_base", event["version"])
    opened = st.session_state.setdefault(
        f"{prefix}_opened", records.fields_of(dialogue.EVENT, event)
    )
    with st.form(key=f"{PREFIX}_edit_form_{event['id']}"):
        fields = _event_form(event, prefix)
        submitted = st.form_submit_button(
            t("Save changes"), key=f"{PREFIX}_edit_submit_{event['id']}"
        )
    if not submitted:
        return
    try:
        dialogue.update_event(conn, user, event["id"], base, base_fields=opened, **fields)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    after_save("dialogue", event["id"])
    for key in [k for k in st.session_state if str(k).startswith(f"{prefix}_")]:
        del st.session_state[key]
    st.rerun()


def _new_event_form(conn, user: User, group_id: int) -> None:
    with st.expander(t("Record a dialogue event")), st.form(key=f"{PREFIX}_new_form"):
        fields = _event_form({}, f"{PREFIX}_new")
        if st.form_submit_button(t("Save event"), key=f"{PREFIX}_new_submit"):
            try:
                new_id = dialogue.create_event(conn, user, group_id, **fields)
                after_save("dialogue", new_id)
                st.rerun()
            except BuyerGroupsError as exc:
                st.error(error_text(exc))


def _event_form(event: dict, prefix: str) -> dict:
    kinds = options(DialogueKind)
    languages = list(LANGUAGES)
    return {
        "kind": st.selectbox(
            t("Kind"),
            kinds,
            index=kinds.index(event.get("kind", kinds[0])),
            format_func=formatter(DialogueKind),
            key=f"{prefix}_kind",
        ),
        "title": st.text_input(t("Title"), value=event.get("title", ""), key=f"{prefix}_title"),
        "held_on": st.date_input(
            t("Date"), value=event.get("held_on", dt.date.today()), key=f"{prefix}_date"
        ),
        "participants": [
            p.strip()
            for p in st.text_input(
                t("Participants (comma separated)"),
                value=", ".join(event.get("participants", [])),
                key=f"{prefix}_participants",
            ).split(",")
        ],
        "notes": st.text_area(
            t("Notes (Markdown)"), value=event.get("notes", ""), key=f"{prefix}_notes"
        ),
        "takeaways": st.text_area(
            t("Takeaways"), value=event.get("takeaways", ""), key=f"{prefix}_takeaways"
        ),
        "language": st.selectbox(
            t("Language (of the text)"),
            languages,
            index=languages.index(event.get("language", "en")),
            format_func=LANGUAGES.get,
            key=f"{prefix}_language",
        ),
    }
