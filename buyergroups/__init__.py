"""buyergroups: the shared workspace of Buyer Groups in sustainable public procurement.

The package holds all logic and SQL and never imports Streamlit; the UI in
``streamlit_app.py``, ``pages/`` and ``ui/`` calls it.
"""

__version__ = "0.1.0"
