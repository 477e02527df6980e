"""Streamlit helpers shared by the pages; only ui/, pages/ and the entry file import streamlit."""
