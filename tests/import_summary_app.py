"""A host for ui/import_summary.py, driven by tests/test_pages_tenders.py."""

import streamlit as st

from ui.import_summary import render_summary

render_summary(st.session_state["import_test_summary"])
