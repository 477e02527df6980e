"""Process-wide search resources for pages: the embedding model and the vector index.

Both are loaded once per process in a background thread that the entry file
starts (:func:`start`), so that the first search finds them ready or waits
only for what is left. The model is kept per model name, the index per
database and model (``st.cache_resource``). The index is kept in step with
saves by the package (``service.search`` reloads what changed), and
``reindex`` is what a page calls right after saving an item. Importing this
module imports neither torch nor sentence-transformers: only the thread does.

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
from buyergroups.search import indexer
from buyergroups.search.embedder import Embedder, load_embedder
from buyergroups.search.index import VectorIndex
from buyergroups.search.warmup import Background, IndexWarmup
from ui import context
from ui.i18n import error_text, t

_LOG = logging.getLogger(__name__)
POLL_SECONDS = 0.25

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
def _model(model: str) -> Background[Embedder]:
    return Background(f"load {model}", lambda: load_embedder(model)).start()


@st.cache_resource(show_spinner=False)
def _index(db_path: str, model: str) -> IndexWarmup:
    # First start or model change: the warm-up embeds what is missing, then loads.
    return IndexWarmup(context.connection(), _model(model)).start()


def start() -> None:
    """Start loading the model and the index in the background (cheap after the first call)."""
    current = context.settings()
    if current.preload_search:
        _index(str(current.db_path), current.model)


def embedder() -> Embedder:
    """The embedding model named by the settings (loaded once per process)."""
    load = _model(context.settings().model)
    with _failing_as(MODEL_FAILED):
        if not load.done:
            with st.spinner(t("Loading the language model…")):
                load.wait()
        if load.failed:
            _model.clear()  # let the next run try again (e.g. after `model install`)
        return load.result()


def search_index() -> VectorIndex:
    """The in-memory vector index of the configured database and model."""
    embedder()  # a model that fails to load is reported as such, not as an index failure
    current = context.settings()
    warm = _index(str(current.db_path), current.model)
    with _failing_as(INDEX_FAILED):
        if not warm.done:
            with st.spinner(t("Preparing similarity search…")):
                shown = st.empty()
                while not warm.wait(POLL_SECONDS):
                    status = warm.status
                    if status.phase == "embedding" and status.total:
                        shown.progress(
                            status.done / status.total,
                            text=t(
                                "Embedding {done} of {total} passages for the search index…",
                                done=status.done,
                                total=status.total,
                            ),
                        )
                shown.empty()
        if warm.failed:
            _index.clear()
            _model.clear()
        return warm.result()


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
