"""buyergroups: entry point. Page config, demo label, sign-in gate, navigation."""

from __future__ import annotations

import streamlit as st

from buyergroups import auth, demo
from ui import context, search_resources
from ui.auth_gate import render_account_menu, require_login
from ui.i18n import N_, t

st.set_page_config(page_title="buyergroups", page_icon=":material/handshake:", layout="wide")
st.session_state.setdefault("workspace_group_id", None)

conn = context.connection()
settings = context.settings()
# The language model and the search index load in the background from the first page view on.
search_resources.start()
demo_banner = st.sidebar.empty()
if label := demo.demo_label(conn):
    demo_banner.warning(t("DEMO DATA · {label}", label=t(label)))

PAGES = [
    ("pages/home.py", N_("Groups"), ":material/groups:"),
    ("pages/workspace.py", N_("Group workspace"), ":material/folder_open:"),
    ("pages/find_similar.py", N_("Find similar"), ":material/search:"),
    ("pages/tenders.py", N_("Tenders"), ":material/description:"),
    ("pages/import_tenders.py", N_("Import tenders"), ":material/upload:"),
    ("pages/co2.py", N_("CO2 reduction"), ":material/eco:"),
    ("pages/network.py", N_("Network"), ":material/hub:"),
    ("pages/monitoring.py", N_("Monitoring"), ":material/monitoring:"),
    ("pages/benchmark.py", N_("MVI benchmark"), ":material/leaderboard:"),
]
ADMIN_PAGE = ("pages/admin.py", N_("Admin"), ":material/admin_panel_settings:")


def _pages(is_admin: bool) -> list[st.Page]:
    shown = [*PAGES, ADMIN_PAGE] if is_admin else PAGES
    return [
        st.Page(path, title=t(title), icon=icon, default=path == "pages/home.py")
        for path, title, icon in shown
    ]


# Before sign-in the pages are registered but not listed (the gate shows sign-in only).
user = require_login(conn, settings, pages=_pages(is_admin=True))
if label:  # again, now in the signed-in user's language
    demo_banner.warning(t("DEMO DATA · {label}", label=t(label)))
render_account_menu(conn, settings)

pages = _pages(user.is_admin)
# A page asks for the user's roles many times per run; they are read once per run.
with auth.remembering_roles():
    st.navigation(pages).run()
