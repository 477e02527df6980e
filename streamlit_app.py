"""buyergroups: entry point. Page config, demo label, sign-in gate, navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from buyergroups import demo
from ui import context
from ui.auth_gate import render_account_menu, require_login

HERE = Path(__file__).parent

st.set_page_config(page_title="buyergroups", page_icon=":material/handshake:", layout="wide")
st.session_state.setdefault("workspace_group_id", None)

conn = context.connection()
settings = context.settings()
if label := demo.demo_label(conn):
    st.sidebar.warning(f"DEMO DATA · {label}")

user = require_login(conn, settings)
render_account_menu(conn, settings)

PAGES = [
    ("pages/home.py", "Groups", ":material/groups:", True),
    ("pages/workspace.py", "Group workspace", ":material/folder_open:", False),
]
OPTIONAL_PAGES = [
    ("pages/find_similar.py", "Find similar", ":material/search:"),
    ("pages/tenders.py", "Tenders", ":material/description:"),
    ("pages/import_tenders.py", "Import tenders", ":material/upload:"),
    ("pages/co2.py", "CO2 reduction", ":material/eco:"),
    ("pages/network.py", "Network", ":material/hub:"),
    ("pages/monitoring.py", "Monitoring", ":material/monitoring:"),
]
pages = [
    st.Page(path, title=title, icon=icon, default=default) for path, title, icon, default in PAGES
]
pages += [
    st.Page(path, title=title, icon=icon)
    for path, title, icon in OPTIONAL_PAGES
    if (HERE / path).exists()
]
if user.is_admin:
    pages.append(st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:"))
st.navigation(pages).run()
