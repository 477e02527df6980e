"""Tenders: search and filter imported tenders, read one with its lots, criteria and MVI flags."""

from __future__ import annotations

from typing import Any

import streamlit as st

from buyergroups import tenders
from buyergroups.domain import COUNTRIES, LotResultStatus, NoticeStage, OrganisationType, Theme
from buyergroups.errors import BuyerGroupsError
from ui import context
from ui.auth_gate import plain_markdown
from ui.benchmark_view import render_tender_correction
from ui.i18n import error_text, number, t
from ui.labels import country_formatter, formatter, label, labels

ANY = ""


def _filters(options: dict[str, list[str]]) -> tenders.TenderFilter:
    any_value, country_label, theme_label = t("Any"), country_formatter(), formatter(Theme)
    text = st.text_input(t("Search title, description, buyer or notice id"), key="tenders_text")
    cols = st.columns(4)
    country = cols[0].selectbox(
        t("Buyer country"),
        [ANY, *options["buyer_country"]],
        key="tenders_country",
        format_func=lambda code: country_label(code) if code in COUNTRIES else code or any_value,
    )
    cpv_prefix = cols[1].text_input(t("CPV code or prefix"), key="tenders_cpv")
    procedure = cols[2].selectbox(
        t("Procedure"),
        [ANY, *options["procedure_type"]],
        key="tenders_procedure",
        format_func=lambda code: code or any_value,
    )
    theme = cols[3].selectbox(
        t("MVI theme"),
        [ANY, *(theme.value for theme in Theme)],
        key="tenders_theme",
        format_func=lambda code: theme_label(code) or any_value,
    )
    cols = st.columns(5)
    mvi_only = cols[0].checkbox(t("Sustainable (MVI) only"), key="tenders_mvi_only")
    published_from = cols[1].date_input(t("Published from"), value=None, key="tenders_from")
    published_to = cols[2].date_input(t("Published until"), value=None, key="tenders_to")
    value_min = cols[3].number_input(
        t("Value at least"), value=None, min_value=0.0, key="tenders_min"
    )
    value_max = cols[4].number_input(
        t("Value at most"), value=None, min_value=0.0, key="tenders_max"
    )
    return tenders.TenderFilter(
        text=text,
        country=country or None,
        cpv_prefix=cpv_prefix,
        procedure_type=procedure or None,
        theme=theme or None,
        mvi_only=mvi_only,
        published_from=published_from,
        published_to=published_to,
        value_min=value_min,
        value_max=value_max,
    )


def _table(found: list[dict[str, Any]]) -> None:
    st.dataframe(
        [
            {
                t("Title"): row["title"],
                t("Buyer"): row["buyer_name"],
                t("Country"): row["buyer_country"],
                t("Published"): row["published_on"],
                "CPV": ", ".join(row["cpv_codes"][:3]),
                t("Value"): row["estimated_value"],
                t("Currency"): row["currency"],
                t("Lots"): row["lot_count"],
                t("MVI themes"): labels(Theme, row["mvi_themes"]),
            }
            for row in found
        ],
        hide_index=True,
    )


def _money(amount: float | None, currency: str | None) -> str:
    return "—" if amount is None else f"{number(amount)} {currency or ''}".strip()


def _detail(tender: dict[str, Any]) -> None:
    st.subheader(tender["title"])
    st.caption(
        f"{tender['source']} {tender['source_id']} · {tender['notice_type'] or ''} · "
        + t(
            "published {date} · language {language}",
            date=tender["published_on"] or "—",
            language=tender["language"] or "—",
        )
    )
    if tender["description"]:
        st.text(tender["description"])
    buyers = "; ".join(f"{b['name']} ({b['country'] or '?'})" for b in tender["buyers"])
    st.markdown(
        t(
            "**Buyer:** {buyers}  \n**Procedure:** {procedure}  \n**Estimated value:** {value}",
            buyers=buyers or "—",
            procedure=tender["procedure_type"] or "—",
            value=_money(tender["estimated_value"], tender["currency"]),
        )
    )
    st.markdown(
        "**CPV:** "
        + ", ".join(
            f"{code} {tender['cpv_labels'].get(code, '')}".strip() for code in tender["cpv_codes"]
        )
    )
    _buyer_organisation(tender)
    _mvi(tender)
    render_tender_correction(conn, user, tender["id"])  # the buyer's correction beside it
    _life_cycle(tender)
    _results(tender)
    for lot in tender["lots"]:
        with st.expander(f"{lot['lot_id']}: {lot['title'] or t('(no title)')}"):
            st.caption(
                f"CPV {', '.join(lot['cpv_codes']) or '—'} · "
                + t("value {value}", value=_money(lot["estimated_value"], lot["currency"]))
            )
            if lot["award_criteria"]:
                st.dataframe(_award_rows(lot["award_criteria"]), hide_index=True)
            for condition in lot["conditions"]:
                st.text(t("Performance condition: {condition}", condition=condition))


def _buyer_organisation(tender: dict[str, Any]) -> None:
    found = tender["buyer_organisation"]
    if found is None:
        st.caption(t("The buyer is not matched to an organisation yet (an admin can link it)."))
        return
    kind = label(OrganisationType, found["org_type"]) or t("type not known")
    st.caption(
        t("Buyer organisation: {name} ({type})", name=plain_markdown(found["name"]), type=kind)
    )


def _life_cycle(tender: dict[str, Any]) -> None:
    st.markdown(t("**Life cycle**"))
    st.dataframe(
        [
            {
                t("Stage"): label(NoticeStage, notice["stage"]),
                t("Published"): notice["published_on"],
                t("Notice"): notice["notice_id"],
                t("Type"): notice["notice_type"],
                t("Describes the procurement"): t("yes") if notice["describes"] else "",
            }
            for notice in tender["notices"]
        ],
        hide_index=True,
        key="tenders_life_cycle",
    )


def _results(tender: dict[str, Any]) -> None:
    if not tender["lot_results"]:
        st.caption(t("No award results published yet."))
        return
    st.markdown(
        t(
            "**Award results:** {value} awarded · {lots} lot(s) awarded · {received} tender(s)"
            " received · awarded on {date} · notice value {total}",
            value=_money(tender["awarded_value"], tender["awarded_currency"]),
            lots=tender["lots_awarded"],
            received="—" if tender["tenders_received"] is None else tender["tenders_received"],
            date=tender["awarded_on"] or "—",
            total=_money(tender["notice_total_value"], tender["notice_total_currency"]),
        )
    )
    st.dataframe(
        [
            {
                t("Lot"): lot["lot_id"],
                t("Status"): label(LotResultStatus, lot["result_code"]) or "—",
                t("Awarded value"): _money(lot["awarded_value"], lot["currency"]),
                t("Tenders received"): lot["tenders_received"],
                t("Winners"): "; ".join(_winner(w) for w in lot["winners"]),
            }
            for lot in tender["lot_results"]
        ],
        hide_index=True,
        key="tenders_results",
    )


def _winner(winner: dict[str, Any]) -> str:
    details = [winner["country"] or "", winner["org_identifier"] or ""]
    if winner["sme"] is not None:
        details.append(t("SME") if winner["sme"] else t("not an SME"))
    shown = ", ".join(part for part in details if part)
    return f"{winner['name']} ({shown})" if shown else winner["name"]


def _award_rows(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Award criteria as table rows; a "Lot group" column when a group of lots set some."""
    grouped = any(c["lots_group"] for c in criteria)
    return [
        {
            t("Type"): c["criterion_type"],
            t("Name"): c["name"],
            t("Weight"): c["weight"],
            t("Description"): c["description"],
        }
        | ({t("Lot group"): c["lots_group"] or t("this lot")} if grouped else {})
        for c in criteria
    ]


def _mvi(tender: dict[str, Any]) -> None:
    if not tender["mvi"]:
        st.info(t("No sustainable-procurement (MVI) signals found in this tender."))
        return
    themes = labels(Theme, tender["mvi_themes"]) or t("theme unknown")
    st.success(t("Sustainable procurement (MVI): {themes}", themes=themes))
    st.dataframe(
        [
            {
                t("Theme"): label(Theme, flag["theme"]) or "—",
                t("From"): flag["kind"],
                t("Field"): flag["field"],
                t("Evidence"): flag["evidence"],
            }
            for flag in tender["mvi_evidence"]
        ],
        hide_index=True,
    )


def _links(conn: Any, user: Any, tender: dict[str, Any]) -> None:
    if tender["groups"]:
        st.markdown(
            t("**Linked to:** {groups}", groups=", ".join(g["name"] for g in tender["groups"]))
        )
    groups = tenders.linkable_groups(conn, user)
    if not groups:
        return
    names = {g["id"]: g["name"] for g in groups}
    group_id = st.selectbox(
        t("Buyer group"), list(names), format_func=names.__getitem__, key="tenders_link_group"
    )
    note = st.text_input(t("Note (e.g. which joint criteria it applies)"), key="tenders_link_note")
    cols = st.columns(2)
    if cols[0].button(t("Link to group"), key="tenders_link"):
        added = tenders.link(conn, user, tender["id"], group_id, note)
        st.success(t("Linked.") if added else t("Already linked to that group."))
    if cols[1].button(t("Remove link"), key="tenders_unlink"):
        removed = tenders.unlink(conn, user, tender["id"], group_id)
        st.success(t("Link removed.") if removed else t("It was not linked to that group."))


st.title(t("Tenders"))
user = context.current_user()
conn = context.connection()
try:
    criteria = _filters(tenders.filter_options(conn, user))
    total = tenders.count(conn, user, criteria)
    pages = max(1, -(-total // tenders.PAGE_SIZE))
    page = 1
    if pages > 1:
        page = int(
            st.number_input(t("Page"), min_value=1, max_value=pages, step=1, key="tenders_page")
        )
    first = (page - 1) * tenders.PAGE_SIZE
    found = tenders.search(conn, user, criteria, limit=tenders.PAGE_SIZE, offset=first)
    if pages > 1:
        st.caption(
            t(
                "Tenders {first}–{last} of {total} (newest first, {size} per page; page {page}"
                " of {pages}).",
                first=number(first + 1),
                last=number(first + len(found)),
                total=number(total),
                size=tenders.PAGE_SIZE,
                page=page,
                pages=number(pages),
            )
        )
    else:
        st.caption(t("{count} tender(s) (newest first).", count=total))
    _table(found)
    if found:
        titles = {row["id"]: f"{row['title']} — {row['buyer_name'] or '?'}" for row in found}
        chosen = st.selectbox(
            t("Open a tender"), list(titles), format_func=titles.__getitem__, key="tenders_pick"
        )
        tender = tenders.detail(conn, user, chosen)
        _detail(tender)
        _links(conn, user, tender)
except BuyerGroupsError as exc:
    st.error(error_text(exc))
