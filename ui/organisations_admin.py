"""Admin tab: organisations (type, national id) and buyers of tenders that match none yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from buyergroups import db, organisations
from buyergroups.accounts.users import User
from buyergroups.domain import OrganisationKind, OrganisationType
from buyergroups.errors import BuyerGroupsError
from ui.auth_gate import plain_markdown
from ui.i18n import error_text, t
from ui.labels import formatter, label, options

PREFIX = "orgadm"


def render(conn: db.Connection, admin: User) -> None:
    """The organisations table, the form that sets type and national id, the unmatched buyers."""
    notice = st.session_state.pop(f"{PREFIX}_notice", None)
    if notice:
        st.success(notice)
    known = organisations.list_organisations(conn)
    st.subheader(t("Organisations"))
    st.dataframe(
        [
            {
                t("Name"): o["name"],
                t("Country"): o["country"],
                t("Kind"): label(OrganisationKind, o["kind"]),
                t("Type"): label(OrganisationType, o["org_type"]),
                t("National registration number"): o["national_id"],
                t("Groups"): o["groups"],
            }
            for o in known
        ],
        hide_index=True,
        key=f"{PREFIX}_table",
    )
    _edit_form(conn, admin, known)
    _unmatched(conn, admin, known)


def _names(known: list[dict[str, Any]]) -> dict[int, str]:
    return {o["id"]: f"{o['name']} ({o['country']})" for o in known}


def _edit_form(conn: db.Connection, admin: User, known: list[dict[str, Any]]) -> None:
    if not known:
        return
    by_id = {o["id"]: o for o in known}
    names = _names(known)
    st.subheader(t("Change an organisation"))
    chosen = st.selectbox(
        t("Organisation"), list(names), format_func=names.get, key=f"{PREFIX}_edit_pick"
    )
    current = by_id[chosen]
    types = [None, *options(OrganisationType)]
    with st.form(f"{PREFIX}_edit_form"):
        org_type = st.selectbox(
            t("Type"),
            types,
            index=types.index(current["org_type"]),
            format_func=formatter(OrganisationType, none=t("(not known)")),
            key=f"{PREFIX}_edit_type_{chosen}",
        )
        national_id = st.text_input(
            t("National registration number (e.g. KvK)"),
            value=current["national_id"] or "",
            key=f"{PREFIX}_edit_national_id_{chosen}",
        )
        if st.form_submit_button(t("Save organisation"), key=f"{PREFIX}_edit_submit"):
            _act(
                lambda: organisations.update_organisation(
                    conn, admin, chosen, org_type, national_id
                ),
                lambda matched: t(
                    "Saved {name}; {count} tender(s) newly matched.",
                    name=plain_markdown(current["name"]),
                    count=matched,
                ),
            )


def _unmatched(conn: db.Connection, admin: User, known: list[dict[str, Any]]) -> None:
    st.subheader(t("Buyers without an organisation"))
    if st.button(t("Match all buyers again"), key=f"{PREFIX}_rematch"):
        _act(
            lambda: organisations.match_buyers(conn, admin),
            lambda matched: t("{count} tender(s) newly matched.", count=matched),
        )
    buyers = organisations.unmatched_buyers(conn, admin)
    if not buyers:
        st.info(t("Every buyer of the imported tenders matches an organisation."))
        return
    st.caption(
        t(
            "Buyers are matched by national registration number, then by name and country. "
            "Link each remaining buyer to its organisation, or register it."
        )
    )
    st.dataframe(
        [
            {
                t("Buyer"): b["name"],
                t("Country"): b["country"],
                t("National registration number"): b["national_id"],
                t("Tenders"): b["tenders"],
                t("Latest"): b["latest"],
            }
            for b in buyers
        ],
        hide_index=True,
        key=f"{PREFIX}_unmatched_table",
    )
    shown = {
        index: f"{b['name']} ({b['country'] or '?'}) · {b['tenders']}"
        for index, b in enumerate(buyers)
    }
    index = st.selectbox(t("Buyer"), list(shown), format_func=shown.get, key=f"{PREFIX}_buyer")
    buyer = buyers[index]
    _link_form(conn, admin, buyer, known)
    _create_form(conn, admin, buyer)


def _link_form(
    conn: db.Connection, admin: User, buyer: dict[str, Any], known: list[dict[str, Any]]
) -> None:
    if not known:
        return
    # Organisations of the buyer's country first: the likely ones.
    ordered = sorted(known, key=lambda o: (o["country"] != buyer["country"], o["name"].lower()))
    names = _names(ordered)
    bare = {o["id"]: o["name"] for o in ordered}
    with st.form(f"{PREFIX}_link_form"):
        st.markdown(t("**Link to an existing organisation**"))
        org_id = st.selectbox(
            t("Organisation"), list(names), format_func=names.get, key=f"{PREFIX}_link_org"
        )
        if st.form_submit_button(t("Link buyer"), key=f"{PREFIX}_link_submit"):
            _act(
                lambda: organisations.link_buyer(conn, admin, buyer, org_id),
                lambda matched: t(
                    "Linked {buyer} to {organisation}; {count} tender(s) matched.",
                    buyer=plain_markdown(buyer["name"]),
                    organisation=plain_markdown(bare[org_id]),
                    count=matched,
                ),
            )


def _create_form(conn: db.Connection, admin: User, buyer: dict[str, Any]) -> None:
    with st.form(f"{PREFIX}_create_form"):
        st.markdown(t("**Register it as a new organisation**"))
        org_type = st.selectbox(
            t("Type"),
            options(OrganisationType),
            format_func=formatter(OrganisationType),
            key=f"{PREFIX}_create_type",
        )
        if st.form_submit_button(
            t("Register buyer as organisation"), key=f"{PREFIX}_create_submit"
        ):
            _act(
                lambda: organisations.create_from_buyer(conn, admin, buyer, org_type)[1],
                lambda matched: t(
                    "Registered {buyer}; {count} tender(s) matched.",
                    buyer=plain_markdown(buyer["name"]),
                    count=matched,
                ),
            )


def _act(change: Callable[[], int], done: Callable[[int], str]) -> None:
    try:
        matched = change()
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    st.session_state[f"{PREFIX}_notice"] = done(matched)
    st.rerun()
