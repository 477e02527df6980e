"""MVI benchmark: an organisation's year in three steps, against its ambitions and its peers."""

from __future__ import annotations

from datetime import date

import streamlit as st

from buyergroups.benchmark import figures
from buyergroups.errors import BuyerGroupsError
from buyergroups.organisations import list_organisations
from ui import context
from ui.benchmark_forms import render_ambitions, render_correction, render_realisation, show_flash
from ui.benchmark_view import render_figures, render_programme, render_report
from ui.i18n import error_text, t

conn = context.connection()
user = context.current_user()

st.title(t("MVI benchmark"))
st.caption(
    t(
        "Step 1: sustainable tenders are read from the published notices. Step 2: your "
        "organisation corrects that reading where needed. Step 3: for awarded tenders, was "
        "it contracted and realised, and with what effect. Compared with your own ambitions "
        "and with organisations of the same type."
    )
)
show_flash()

organisations = {o["id"]: o["name"] for o in list_organisations(conn)}
if user.is_admin:
    organisation_id = st.selectbox(
        t("Organisation"),
        list(organisations),
        index=list(organisations).index(user.organisation_id)
        if user.organisation_id in organisations
        else 0,
        format_func=organisations.get,
        key="bm_organisation",
    )
else:
    organisation_id = user.organisation_id

if organisation_id is None:
    st.info(
        t(
            "Your account belongs to no organisation, so there is no own benchmark: the "
            "programme-wide figures are below. An admin can link your account."
        )
    )
    render_programme(conn, user, None)
    st.stop()

try:
    years = figures.benchmark_years(conn, user, organisation_id)
except BuyerGroupsError as exc:
    st.error(error_text(exc))
    st.stop()
# The latest year with tenders or a plan first; the current year to start next year's plan.
choices = sorted({*years, date.today().year}, reverse=True)
year = st.selectbox(
    t("Year"), choices, index=choices.index(years[0]) if years else 0, key="bm_year"
)

try:
    found = figures.organisation_benchmark(conn, user, organisation_id, year)
except BuyerGroupsError as exc:
    st.error(error_text(exc))
    st.stop()

st.header(f"{organisations.get(organisation_id, '')} · {year}")
tabs = st.tabs(
    [
        t("Benchmark"),
        t("Step 2: correct"),
        t("Step 3: contract and realisation"),
        t("Ambitions"),
        t("Programme-wide"),
        t("Yearly report"),
    ]
)
with tabs[0]:
    render_figures(found)
with tabs[1]:
    render_correction(conn, user, organisation_id, year)
with tabs[2]:
    render_realisation(conn, user, organisation_id, year)
with tabs[3]:
    render_ambitions(conn, user, organisation_id, year)
with tabs[4]:
    render_programme(conn, user, year)
with tabs[5]:
    render_report(found)
