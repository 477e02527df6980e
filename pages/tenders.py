"""Tenders: search and filter imported tenders, read one with its lots, criteria and MVI flags."""

from __future__ import annotations

from typing import Any

import streamlit as st

from buyergroups import tenders
from buyergroups.domain import COUNTRIES, Theme
from buyergroups.errors import BuyerGroupsError
from ui import context
from ui.labels import label, labels

ANY = ""


def _filters(options: dict[str, list[str]]) -> tenders.TenderFilter:
    text = st.text_input("Search title, description, buyer or notice id", key="tenders_text")
    cols = st.columns(4)
    country = cols[0].selectbox(
        "Buyer country", [ANY, *options["buyer_country"]], key="tenders_country",
        format_func=lambda code: "Any" if not code else f"{code} {COUNTRIES.get(code, '')}",
    )  # fmt: skip
    cpv_prefix = cols[1].text_input("CPV code or prefix", key="tenders_cpv")
    procedure = cols[2].selectbox(
        "Procedure", [ANY, *options["procedure_type"]], key="tenders_procedure",
        format_func=lambda code: code or "Any",
    )  # fmt: skip
    theme = cols[3].selectbox(
        "MVI theme", [ANY, *(t.value for t in Theme)], key="tenders_theme",
        format_func=lambda code: label(Theme, code) or "Any",
    )  # fmt: skip
    cols = st.columns(5)
    mvi_only = cols[0].checkbox("Sustainable (MVI) only", key="tenders_mvi_only")
    published_from = cols[1].date_input("Published from", value=None, key="tenders_from")
    published_to = cols[2].date_input("Published until", value=None, key="tenders_to")
    value_min = cols[3].number_input("Value at least", value=None, min_value=0.0, key="tenders_min")
    value_max = cols[4].number_input("Value at most", value=None, min_value=0.0, key="tenders_max")
    return tenders.TenderFilter(
        text=text, country=country or None, cpv_prefix=cpv_prefix,
        procedure_type=procedure or None, theme=theme or None, mvi_only=mvi_only,
        published_from=published_from, published_to=published_to,
        value_min=value_min, value_max=value_max,
    )  # fmt: skip


def _table(found: list[dict[str, Any]]) -> None:
    st.dataframe(
        [
            {
                "Title": row["title"],
                "Buyer": row["buyer_name"],
                "Country": row["buyer_country"],
                "Published": row["published_on"],
                "CPV": ", ".join(row["cpv_codes"][:3]),
                "Value": row["estimated_value"],
                "Currency": row["currency"],
                "Lots": row["lot_count"],
                "MVI themes": labels(Theme, row["mvi_themes"]),
            }
            for row in found
        ],
        hide_index=True,
    )


def _money(amount: float | None, currency: str | None) -> str:
    return "—" if amount is None else f"{amount:,.0f} {currency or ''}".strip()


def _detail(tender: dict[str, Any]) -> None:
    st.subheader(tender["title"])
    st.caption(
        f"{tender['source']} {tender['source_id']} · {tender['notice_type'] or ''} · "
        f"published {tender['published_on'] or '—'} · language {tender['language'] or '—'}"
    )
    if tender["description"]:
        st.text(tender["description"])
    buyers = "; ".join(f"{b['name']} ({b['country'] or '?'})" for b in tender["buyers"])
    st.markdown(f"**Buyer:** {buyers or '—'}  \n**Procedure:** {tender['procedure_type'] or '—'}"
                f"  \n**Estimated value:** {_money(tender['estimated_value'], tender['currency'])}")  # fmt: skip
    st.markdown("**CPV:** " + ", ".join(
        f"{code} {tender['cpv_labels'].get(code, '')}".strip() for code in tender["cpv_codes"]
    ))  # fmt: skip
    _mvi(tender)
    for lot in tender["lots"]:
        with st.expander(f"{lot['lot_id']}: {lot['title'] or '(no title)'}"):
            st.caption(f"CPV {', '.join(lot['cpv_codes']) or '—'} · "
                       f"value {_money(lot['estimated_value'], lot['currency'])}")  # fmt: skip
            if lot["award_criteria"]:
                st.dataframe(
                    [
                        {"Type": c["criterion_type"], "Name": c["name"], "Weight": c["weight"],
                         "Description": c["description"]}
                        for c in lot["award_criteria"]
                    ],
                    hide_index=True,
                )  # fmt: skip
            for condition in lot["conditions"]:
                st.text(f"Performance condition: {condition}")


def _mvi(tender: dict[str, Any]) -> None:
    if not tender["mvi"]:
        st.info("No sustainable-procurement (MVI) signals found in this tender.")
        return
    st.success(
        f"Sustainable procurement (MVI): {labels(Theme, tender['mvi_themes']) or 'theme unknown'}"
    )
    st.dataframe(
        [
            {"Theme": label(Theme, flag["theme"]) or "—", "From": flag["kind"],
             "Field": flag["field"], "Evidence": flag["evidence"]}
            for flag in tender["mvi_evidence"]
        ],
        hide_index=True,
    )  # fmt: skip


def _links(conn: Any, user: Any, tender: dict[str, Any]) -> None:
    if tender["groups"]:
        st.markdown("**Linked to:** " + ", ".join(g["name"] for g in tender["groups"]))
    groups = tenders.linkable_groups(conn, user)
    if not groups:
        return
    names = {g["id"]: g["name"] for g in groups}
    group_id = st.selectbox(
        "Buyer group", list(names), format_func=names.__getitem__, key="tenders_link_group"
    )
    note = st.text_input("Note (e.g. which joint criteria it applies)", key="tenders_link_note")
    cols = st.columns(2)
    if cols[0].button("Link to group", key="tenders_link"):
        added = tenders.link(conn, user, tender["id"], group_id, note)
        st.success("Linked." if added else "Already linked to that group.")
    if cols[1].button("Remove link", key="tenders_unlink"):
        removed = tenders.unlink(conn, user, tender["id"], group_id)
        st.success("Link removed." if removed else "It was not linked to that group.")


st.title("Tenders")
user = context.current_user()
conn = context.connection()
try:
    criteria = _filters(tenders.filter_options(conn, user))
    found = tenders.search(conn, user, criteria)
    st.caption(f"{len(found)} tender(s) shown (newest first, at most 200).")
    _table(found)
    if found:
        titles = {row["id"]: f"{row['title']} — {row['buyer_name'] or '?'}" for row in found}
        chosen = st.selectbox(
            "Open a tender", list(titles), format_func=titles.__getitem__, key="tenders_pick"
        )
        tender = tenders.detail(conn, user, chosen)
        _detail(tender)
        _links(conn, user, tender)
except BuyerGroupsError as exc:
    st.error(str(exc))
