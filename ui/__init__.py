"""Streamlit helpers shared by the pages (with pages/ and streamlit_app.py, all that imports streamlit)."""
