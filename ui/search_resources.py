"""Process-wide search resources for pages: the embedding model and the vector index.

Both are cached once per process (``st.cache_resource``). The index is kept in
step with saves by the package (``service.search`` reloads what changed), and
``reindex`` is what a page calls right after saving an item.

Every failure reaches the page as a package error with a translatable message:
the package's own errors as they are (a missing model names the fix), anything
unexpected as a short message while the server log keeps the traceback.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import streamlit as st

from buyergroups.errors import BuyerGroupsError, Message, msg
from buyergroups.search import indexer, service
from buyergroups.search.embedder import Embedder, load_embedder
from buyergroups.search.index import VectorIndex
from ui import context
from ui.i18n import N_, error_text, t

_LOG = logging.getLogger(__name__)

MODEL_FAILED = msg(
    "The language model for similarity search could not be loaded; the server log says why."
)
INDEX_FAILED = msg("Similarity search could not be prepared; the server log says why.")
REINDEX_FAILED = msg("The search index could not be updated; the server log says why.")


@contextlib.contextmanager
def _failing_as(failure: Message) -> Iterator[None]:
    """Let package errors through; turn anything else into ``failure`` (logged in full)."""
    try:
        yield
    except BuyerGroupsError:
        raise
    except Exception as exc:
        _LOG.exception("%s", failure)
        raise BuyerGroupsError(failure) from exc


@st.cache_resource(show_spinner=False)
def _embedder(model: str) -> Embedder:
    return load_embedder(model)


def embedder() -> Embedder:
    """The embedding model named by the settings (loaded once per process)."""
    model = context.settings().model
    with (
        _failing_as(MODEL_FAILED),
        context.loading(("embedder", model), N_("Loading the language model…")),
    ):
        return _embedder(model)


@st.cache_resource(show_spinner=False)
def _index(db_path: str, model_id: str) -> VectorIndex:
    conn = context.connection()
    model = embedder()
    indexer.sync(conn, model)  # first start or model change: embed what is missing
    return service.open_index(conn, model)


def search_index() -> VectorIndex:
    """The in-memory vector index of the configured database and model."""
    key = (str(context.settings().db_path), embedder().model_id)
    with (
        _failing_as(INDEX_FAILED),
        context.loading(("index", *key), N_("Preparing similarity search…")),
    ):
        return _index(*key)


def reindex(item_kind: str, item_id: int) -> None:
    """Re-embed one item after a save or delete (other sessions catch up on their next search)."""
    model = embedder()
    with _failing_as(REINDEX_FAILED):
        indexer.reindex_item(context.connection(), model, item_kind, item_id)


PENDING_WARNING = "search_index_warning"


def after_save(item_kind: str, item_id: int) -> None:
    """Bring one saved item into the search index; a failure here never undoes the save.

    Pages rerun right after a save, which would wipe a warning shown here; so the warning
    waits in the session for :func:`show_pending_warning` on the next run.
    """
    try:
        reindex(item_kind, item_id)
    except BuyerGroupsError as exc:
        st.session_state[PENDING_WARNING] = t(
            "Saved, but the search index could not be updated yet: {error}", error=error_text(exc)
        )


def show_pending_warning() -> None:
    """Show (once) the warning of a search-index update that failed after the last save."""
    if warning := st.session_state.pop(PENDING_WARNING, None):
        st.warning(warning)


def after_bulk_change() -> None:
    """Bring everything changed in bulk (imports) into the search index, incrementally."""
    try:
        model = embedder()
        with _failing_as(REINDEX_FAILED), st.spinner(t("Updating the search index…")):
            indexer.sync(context.connection(), model)
    except BuyerGroupsError as exc:
        st.warning(
            t(
                "Stored, but the search index could not be updated yet: {error}",
                error=error_text(exc),
            )
        )
