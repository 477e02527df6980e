"""A host for ui/co2_tab.py, driven by tests/test_co2_pages.py (the group is in session state)."""

import streamlit as st

from ui import context
from ui.co2_tab import render_group_co2

render_group_co2(context.connection(), context.current_user(), st.session_state["co2_test_group"])
