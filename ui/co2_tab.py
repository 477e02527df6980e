"""A group's CO2 tab: progress, estimates, live method forms, status and history."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from buyergroups import activity, auth
from buyergroups.accounts.users import User
from buyergroups.co2 import estimates, export, saving
from buyergroups.co2.methods import CO2_STATUS_TRANSITIONS, Co2Status, Confidence, Method
from buyergroups.co2.rollup import group_progress
from buyergroups.db import Connection
from buyergroups.errors import BuyerGroupsError, PermissionDenied
from buyergroups.exports import spreadsheet
from ui import context
from ui.co2_form import estimate_form
from ui.i18n import error_text, message_text, number, t
from ui.labels import formatter, label

PREFIX = "co2tab"


def render_group_co2(conn: Connection, actor: User, group_id: int) -> None:
    """The CO2 tab of a group's workspace (members read; non-members are pointed to totals)."""
    try:
        found = estimates.list_estimates(conn, actor, group_id)
    except PermissionDenied:
        st.info(
            t(
                "Only the group's members see its CO2 estimates; the CO2 page shows programme "
                "totals."
            )
        )
        return
    allowed = auth.actions_for(conn, actor, group_id)
    try:
        _progress(conn, actor, group_id)
        _estimate_table(found)
        _downloads(conn, actor, group_id)
        if found:
            _selected(conn, actor, found, allowed)
        if auth.Action.CREATE in allowed:
            with st.expander(t("Add an estimate"), expanded=not found):
                _create(conn, actor, group_id)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))


def _progress(conn: Connection, actor: User, group_id: int) -> None:
    factor = context.settings().household_t_per_year
    progress = group_progress(conn, actor, group_id, household_t_per_year=factor)
    totals = progress.totals
    cols = st.columns(4)
    cols[0].metric(
        t("Expected reduction"),
        number(totals.expected_t) + " t",
        help=t(
            "Range {low} – {high} t CO2e, all statuses",
            low=number(totals.low_t),
            high=number(totals.high_t),
        ),
    )
    cols[1].metric(t("Contracted"), number(totals.status_contracted_t) + " t")
    cols[2].metric(t("Realised"), number(totals.status_realised_t) + " t")
    cols[3].metric(
        t("Households equivalent"),
        number(totals.households),
        help=t("Yearly emissions of a household: {factor} t CO2e", factor=number(factor, None)),
    )
    if progress.target_t:
        st.progress(
            min(1.0, (progress.secured_pct_of_target or 0.0) / 100),
            text=t(
                "Target {target} t: {expected}% expected, {secured}% contracted or realised",
                target=number(progress.target_t),
                expected=number(progress.pct_of_target),
                secured=number(progress.secured_pct_of_target),
            ),
        )
    if progress.counted_elsewhere_t:
        st.caption(
            t(
                "{tonnes} t of this comes from tenders another group also counts; the programme "
                "total counts them once.",
                tonnes=number(progress.counted_elsewhere_t),
            )
        )


def _estimate_table(listed: list[estimates.Estimate]) -> None:
    if not listed:
        st.info(t("No CO2 estimates yet. Add one below: pick a method and fill in its inputs."))
        return
    tonnes = [t("Low t"), t("Expected t"), t("High t")]
    table = pd.DataFrame(
        [
            {
                t("Title"): e.title,
                t("Method"): label(Method, e.method),
                t("Status"): label(Co2Status, e.status),
                tonnes[0]: e.low_t,
                tonnes[1]: e.expected_t,
                tonnes[2]: e.high_t,
                t("Period"): f"{e.start_year}–{e.start_year + e.years - 1}",
                t("Confidence"): label(Confidence, e.confidence),
                t("Tender"): e.tender_id,
            }
            for e in listed
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        key=f"{PREFIX}_table",
        column_config={name: st.column_config.NumberColumn(format="%.1f") for name in tonnes},
    )


def _downloads(conn: Connection, actor: User, group_id: int) -> None:
    # The files are built when a button is clicked, not on every rerun of the tab.
    cols = st.columns(2)
    cols[0].download_button(
        t("Download estimates (CSV)"),
        lambda: export.estimates_csv(conn, actor, group_id),
        file_name=f"co2_estimates_group_{group_id}.csv",
        mime=spreadsheet.CSV_MIME,
        key=f"{PREFIX}_csv",
        on_click="ignore",
    )
    cols[1].download_button(
        t("Download estimates (Excel)"),
        lambda: export.estimates_xlsx(conn, actor, group_id),
        file_name=f"co2_estimates_group_{group_id}.xlsx",
        mime=spreadsheet.XLSX_MIME,
        key=f"{PREFIX}_xlsx",
        on_click="ignore",
    )


def _selected(
    conn: Connection,
    actor: User,
    listed: list[estimates.Estimate],
    allowed: frozenset[auth.Action],
) -> None:
    by_id = {e.id: e for e in listed}
    chosen = st.selectbox(
        t("Estimate"),
        list(by_id),
        format_func=lambda i: by_id[i].title,
        key=f"{PREFIX}_selected",
    )
    estimate = by_id[chosen]
    st.text(message_text(estimate.formula))
    st.caption(
        t(
            "Revision {revision} · {status} · confidence {confidence}",
            revision=estimate.current_revision,
            status=label(Co2Status, estimate.status),
            confidence=label(Confidence, estimate.confidence),
        )
        + (" · " + t("project: {project}", project=estimate.project) if estimate.project else "")
    )
    if estimate.assumptions:
        st.markdown(t("**Assumptions:** {text}", text=estimate.assumptions))
    if estimate.source:
        st.markdown(t("**Source:** {text}", text=estimate.source))
    if auth.Action.CHANGE_STATUS in allowed:
        _status_change(conn, actor, estimate)
    if auth.Action.EDIT in allowed:
        with st.expander(t("Edit this estimate")):
            _edit(conn, actor, estimate)
    with st.expander(t("Revision history")):
        _history(conn, actor, estimate)
    if auth.Action.DELETE in allowed and st.button(
        t("Delete this estimate"), key=f"{PREFIX}_delete_{estimate.id}"
    ):
        try:
            saving.delete_estimate(conn, actor, estimate.id, based_on=estimate.current_revision)
            st.rerun()
        except BuyerGroupsError as exc:
            st.error(error_text(exc))


def _status_change(conn: Connection, actor: User, estimate: estimates.Estimate) -> None:
    targets = [s.value for s in CO2_STATUS_TRANSITIONS[Co2Status(estimate.status)]]
    cols = st.columns([3, 1])
    target = cols[0].selectbox(
        t("Move to status"),
        targets,
        format_func=formatter(Co2Status),
        key=f"{PREFIX}_status_{estimate.id}",
    )
    if cols[1].button(t("Change status"), key=f"{PREFIX}_status_save_{estimate.id}"):
        try:
            saving.change_status(
                conn, actor, estimate.id, target, based_on=estimate.current_revision
            )
            _forget(f"{PREFIX}_edit_{estimate.id}")  # the edit form starts from the new revision
            st.rerun()
        except BuyerGroupsError as exc:
            st.error(error_text(exc))


def _edit(conn: Connection, actor: User, estimate: estimates.Estimate) -> None:
    # The form remembers the revision it started from, so a save after someone
    # else's is merged with it (or refused where both changed the same field)
    # instead of silently dropping either edit.
    prefix = f"{PREFIX}_edit_{estimate.id}"
    based_on = st.session_state.setdefault(f"{prefix}_based_on", estimate.current_revision)
    shown = estimate
    if based_on != estimate.current_revision:
        st.warning(
            t(
                "This estimate was saved as revision {current} after this form opened revision "
                "{based_on}; saving merges your changes with that one where you changed "
                "different fields and is refused where you both changed the same field.",
                current=estimate.current_revision,
                based_on=based_on,
            )
        )
        if st.button(t("Load the current revision"), key=f"{prefix}_reload"):
            _forget(prefix)
            st.rerun()
        shown = _as_of(conn, actor, estimate, based_on)
    fields = estimate_form(prefix, shown)
    if fields is None:
        return
    try:
        saving.update_estimate(conn, actor, estimate.id, fields, based_on=based_on)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    _forget(prefix)
    st.rerun()


def _as_of(
    conn: Connection, actor: User, estimate: estimates.Estimate, revision_no: int
) -> estimates.Estimate:
    """The estimate as stored in an earlier revision (keeps the form's prefill stable)."""
    for revision in estimates.estimate_revisions(conn, actor, estimate.id):
        if revision["revision_no"] == revision_no:
            kept = {k: v for k, v in revision["fields"].items() if k in _FORM_FIELDS}
            return replace(estimate, **kept)
    return estimate


_FORM_FIELDS = (
    "title",
    "method",
    "inputs",
    "start_year",
    "years",
    "confidence",
    "assumptions",
    "source",
    "tender_id",
    "project",
)


def _forget(prefix: str) -> None:
    for key in [k for k in st.session_state if str(k).startswith(f"{prefix}_")]:
        del st.session_state[key]


def _create(conn: Connection, actor: User, group_id: int) -> None:
    prefix = f"{PREFIX}_new"
    fields = estimate_form(prefix, None)
    if fields is None:
        return
    try:
        estimates.create_estimate(conn, actor, group_id, fields)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    _forget(prefix)
    st.rerun()


def _history(conn: Connection, actor: User, estimate: estimates.Estimate) -> None:
    revisions = estimates.estimate_revisions(conn, actor, estimate.id)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("Revision"): r["revision_no"],
                    t("Based on"): r["based_on"],
                    t("Change"): message_text(activity.read_summary(r["summary"])),
                    t("By"): r["author"],
                    t("At"): r["created_at"],
                    t("Status"): label(Co2Status, r["fields"]["status"]),
                    t("Expected t"): r["fields"]["expected_t"],
                }
                for r in revisions
            ]
        ),
        hide_index=True,
        key=f"{PREFIX}_history_{estimate.id}",
    )
