"""Process-wide search resources for pages: the embedding model and the vector index.

Both are cached once per process (``st.cache_resource``). The index is kept in
step with saves by the package (``service.search`` reloads what changed), and
``reindex`` is what a page calls right after saving an item.
"""

from __future__ import annotations

import streamlit as st

from buyergroups.errors import BuyerGroupsError
from buyergroups.search import indexer, service
from buyergroups.search.embedder import Embedder, load_embedder
from buyergroups.search.index import VectorIndex
from ui import context
from ui.i18n import t


@st.cache_resource(show_spinner="Loading the language model…")
def _embedder(model: str) -> Embedder:
    return load_embedder(model)


def embedder() -> Embedder:
    """The embedding model named by the settings (loaded once per process)."""
    return _embedder(context.settings().model)


@st.cache_resource(show_spinner="Preparing similarity search…")
def _index(db_path: str, model_id: str) -> VectorIndex:
    conn = context.connection()
    model = embedder()
    indexer.sync(conn, model)  # first start or model change: embed what is missing
    return service.open_index(conn, model)


def search_index() -> VectorIndex:
    """The in-memory vector index of the configured database and model."""
    return _index(str(context.settings().db_path), embedder().model_id)


def reindex(item_kind: str, item_id: int) -> None:
    """Re-embed one item after a save or delete (other sessions catch up on their next search)."""
    indexer.reindex_item(context.connection(), embedder(), item_kind, item_id)


def after_save(item_kind: str, item_id: int) -> None:
    """Bring one saved item into the search index; a failure here never undoes the save."""
    try:
        reindex(item_kind, item_id)
    except BuyerGroupsError as exc:
        st.warning(t("Saved, but the search index could not be updated yet: {error}", error=exc))


def after_bulk_change() -> None:
    """Bring everything changed in bulk (imports) into the search index, incrementally."""
    try:
        with st.spinner(t("Updating the search index…")):
            indexer.sync(context.connection(), embedder())
    except BuyerGroupsError as exc:
        st.warning(t("Stored, but the search index could not be updated yet: {error}", error=exc))
