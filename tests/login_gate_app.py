"""A tiny app behind the sign-in gate, driven by tests/test_pages_login.py."""

import streamlit as st

from ui import context
from ui.auth_gate import render_account_menu, require_login

conn = context.connection()
settings = context.settings()
user = require_login(conn, settings)
render_account_menu(conn, settings)
st.text(f"signed in as {user.name}")
