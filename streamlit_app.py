"""buyergroups: entry point. Page config, demo label, sign-in gate, navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from buyergroups import demo
from ui import context
from ui.auth_gate import render_account_menu, require_login
from ui.i18n import N_, t

HERE = Path(__file__).parent

st.set_page_config(page_title="buyergroups", page_icon=":material/handshake:", layout="wide")
st.session_state.setdefault("workspace_group_id", None)

conn = context.connection()
settings = context.settings()
demo_banner = st.sidebar.empty()
if label := demo.demo_label(conn):
    demo_banner.warning(t("DEMO DATA · {label}", label=label))

user = require_login(conn, settings)
if label:  # again, now in the signed-in user's language
    demo_banner.warning(t("DEMO DATA · {label}", label=label))
render_account_menu(conn, settings)

PAGES = [
    ("pages/home.py", N_("Groups"), ":material/groups:", True),
    ("pages/workspace.py", N_("Group workspace"), ":material/folder_open:", False),
]
OPTIONAL_PAGES = [
    ("pages/find_similar.py", N_("Find similar"), ":material/search:"),
    ("pages/tenders.py", N_("Tenders"), ":material/description:"),
    ("pages/import_tenders.py", N_("Import tenders"), ":material/upload:"),
    ("pages/co2.py", N_("CO2 reduction"), ":material/eco:"),
    ("pages/network.py", N_("Network"), ":material/hub:"),
    ("pages/monitoring.py", N_("Monitoring"), ":material/monitoring:"),
]
pages = [
    st.Page(path, title=t(title), icon=icon, default=default)
    for path, title, icon, default in PAGES
]
pages += [
    st.Page(path, title=t(title), icon=icon)
    for path, title, icon in OPTIONAL_PAGES
    if (HERE / path).exists()
]
if user.is_admin:
    pages.append(
        st.Page("pages/admin.py", title=t("Admin"), icon=":material/admin_panel_settings:")
    )
st.navigation(pages).run()
