"""The benchmark page's figures: shares against ambition and peers, trend, programme, report."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from buyergroups.accounts.users import User
from buyergroups.benchmark import corrections, figures, report
from buyergroups.domain import AmbitionLevel, OrganisationType, Theme
from buyergroups.errors import BuyerGroupsError
from ui.auth_gate import plain_markdown
from ui.i18n import N_, error_text, number, t
from ui.i18n import language as session_language
from ui.labels import label, labels

COLUMN_LABELS = {
    "theme": N_("Theme"),
    "tenders": N_("Tenders"),
    "mvi_tenders": N_("MVI tenders"),
    "share_pct": N_("Share by count (%)"),
    "value_eur": N_("Value (EUR)"),
    "mvi_value_eur": N_("MVI value (EUR)"),
    "value_share_pct": N_("Share by value (%)"),
    "peers": N_("Peers"),
    "peer_mean_pct": N_("Peer average (%)"),
    "peer_min_pct": N_("Peer lowest (%)"),
    "peer_max_pct": N_("Peer highest (%)"),
    "peer_std_pct": N_("Peer spread (std, %)"),
    "ambition_level": N_("Ambition level"),
    "target_tender_share": N_("Target: share of tenders (%)"),
    "tender_target_met": N_("Tender target met"),
    "target_spend_share": N_("Target: share of spend (%)"),
    "spend_target_met": N_("Spend target met"),
    "cpv_division": N_("CPV division"),
    "label": N_("Label"),
    "year": N_("Year"),
    "realised": N_("Realised"),
    "organisation": N_("Organisation"),
    "published_mvi_tenders": N_("MVI tenders (published reading)"),
    "published_share_pct": N_("Share (published reading, %)"),
    "org_type": N_("Organisation type"),
    "country": N_("Country"),
    "organisations": N_("Organisations"),
    "corrected": N_("Corrected"),
}


def _theme(code: str) -> str:
    return t("Any MVI theme") if code == figures.ANY else label(Theme, code)


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.copy()
    if "theme" in shown:
        shown["theme"] = shown["theme"].map(_theme)
    if "ambition_level" in shown:
        shown["ambition_level"] = shown["ambition_level"].map(
            lambda code: label(AmbitionLevel, code)
        )
    if "org_type" in shown:
        shown["org_type"] = shown["org_type"].map(
            lambda code: label(OrganisationType, code) or t("(not known)")
        )
    for column in ("tender_target_met", "spend_target_met"):
        if column in shown:
            shown[column] = shown[column].map(
                lambda met: "" if met is None else (t("yes") if met else t("no"))
            )
    return shown


def table(frame: pd.DataFrame, key: str, empty: str) -> None:
    """A read-only table with headers in the session's language, or ``empty``."""
    if frame.empty:
        st.info(empty)
        return
    headers = {name: t(COLUMN_LABELS[name]) for name in frame.columns if name in COLUMN_LABELS}
    st.dataframe(_shown(frame), hide_index=True, key=key, column_config=headers)


def _comparison_chart(by_theme: pd.DataFrame) -> alt.Chart:
    own, peers = t("Own share"), t("Peer average")
    long = pd.concat(
        [
            by_theme.assign(who=own, pct=by_theme["share_pct"]),
            by_theme.assign(who=peers, pct=by_theme["peer_mean_pct"]),
        ]
    )
    long = long.assign(theme=long["theme"].map(_theme), pct=long["pct"].astype(float))
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("theme:N", title=t("Theme"), axis=alt.Axis(labelLimit=320)),
            yOffset="who:N",
            x=alt.X("pct:Q", title=t("% of tenders MVI"), scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("who:N", title=""),
            tooltip=[alt.Tooltip("who:N", title=""), alt.Tooltip("pct:Q", format=".1f")],
        )
    )


def _metrics(found: dict[str, Any]) -> None:
    overall = found["by_theme"][found["by_theme"]["theme"] == figures.ANY].iloc[0]
    cols = st.columns(4)
    cols[0].metric(t("Tenders"), number(overall["tenders"]))
    share = overall["share_pct"]
    value = overall["value_share_pct"]
    cols[1].metric(t("MVI by count"), "–" if share is None else f"{number(share, 1)} %")
    cols[2].metric(t("MVI by value"), "–" if value is None else f"{number(value, 1)} %")
    cols[3].metric(t("Corrected by you"), number(found["corrected"]))


def _realisation(counts: dict[str, int]) -> None:
    cols = st.columns(4)
    cols[0].metric(t("Sustainable tenders"), number(counts["mvi_tenders"]))
    cols[1].metric(t("Contracted"), number(counts["contracted"]))
    cols[2].metric(
        t("Realised (partly)"),
        f"{number(counts['realised'])} ({number(counts['partly_realised'])})",
    )
    cols[3].metric(t("Only asked for"), number(counts["only_asked_for"]))


def render_figures(found: dict[str, Any]) -> None:
    """An organisation's year: shares, against ambition and peers, CPV, realisation, trend."""
    organisation = found["organisation"]
    _metrics(found)
    kind = organisation["org_type"]
    st.caption(
        t(
            "Counted on the corrected reading (your corrections, else the automatic "
            "detection). Peers: the other organisations of the type {kind} with tenders in "
            "{year}; their corrections and answers count in the averages, never shown.",
            kind=label(OrganisationType, kind) or t("(not known)"),
            year=found["year"],
        )
    )
    st.subheader(t("Per theme, against peers"))
    st.altair_chart(_comparison_chart(found["by_theme"]), key="bm_chart_themes")
    table(found["by_theme"], "bm_table_themes", t("No tenders in this year."))
    st.subheader(t("Against your ambition"))
    if found["ambition"]["ambition_level"].isna().all():
        st.info(t("No action plan for this year yet: set your ambitions on the Ambitions tab."))
    table(found["ambition"], "bm_table_ambition", t("No tenders in this year."))
    st.subheader(t("Realised and only asked for"))
    _realisation(found["realisation"])
    st.subheader(t("Per CPV division"))
    table(found["by_cpv_division"], "bm_table_cpv", t("No tenders in this year."))
    st.subheader(t("Trend"))
    trend = found["trend"]
    if len(trend) > 1:
        chart = (
            alt.Chart(trend.assign(share_pct=trend["share_pct"].astype(float)))
            .mark_line(point=True)
            .encode(
                x=alt.X("year:O", title=t("Year")),
                y=alt.Y(
                    "share_pct:Q", title=t("% of tenders MVI"), scale=alt.Scale(domain=[0, 100])
                ),
            )
        )
        st.altair_chart(chart, key="bm_chart_trend")
    table(trend, "bm_table_trend", t("No tenders yet."))
    st.subheader(t("Peers by name (from their published tenders)"))
    table(found["peers"], "bm_table_peers", t("No peers with tenders in this year."))


def render_programme(conn, user: User, year: int | None) -> None:
    """Programme-wide per organisation type and country (counts only)."""
    try:
        frame = figures.programme_benchmark(conn, user, year)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    st.caption(
        t(
            "Every organisation's tenders on the corrected reading, per organisation type and "
            "country; counts only."
        )
    )
    table(frame, "bm_table_programme", t("No tenders in this year."))


def render_report(found: dict) -> None:
    """Download buttons for the yearly report, Word and Excel (built when clicked)."""
    st.caption(t("The figures of the Benchmark tab, for your leadership."))
    language = session_language()  # the report in the language the page is read in
    left, right = st.columns(2)
    left.download_button(
        t("Yearly report (Word)"),
        lambda: report.document_for(found, language),
        file_name=report.file_name(found, "docx"),
        mime=report.DOCX_MIME,
        key="bm_report_docx",
        on_click="ignore",
    )
    right.download_button(
        t("Yearly report (Excel)"),
        lambda: report.workbook_bytes(found),
        file_name=report.file_name(found, "xlsx"),
        mime=report.XLSX_MIME,
        key="bm_report_xlsx",
        on_click="ignore",
    )


def render_tender_correction(conn, user: User, tender_id: int) -> None:
    """On a tender's detail: whether its buyer corrected the MVI reading shown above."""
    try:
        reading = corrections.tender_reading(conn, user, tender_id)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    correction = reading["correction"]
    if correction is not None:
        themes = labels(Theme, correction["themes"]) if correction["sustainable"] else ""
        st.warning(
            t(
                "Corrected by its buyer (revision {revision}): {reading}. Reason: {reason}. "
                "The benchmark and Monitoring count the correction; the reading above is the "
                "automatic one of the latest import.",
                revision=reading["revision"],
                reading=themes or t("not sustainable"),
                reason=plain_markdown(correction["reason"]),
            )
        )
    elif reading["corrected"]:
        st.caption(
            t(
                "Its buyer corrected this reading; the benchmark and Monitoring count the "
                "correction (shown to the buyer's side only)."
            )
        )
    elif reading["may_correct"]:
        st.caption(t("You may correct this reading on the MVI benchmark page (step 2)."))
