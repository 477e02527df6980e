"""Load the embedding model and open the vector index in a background thread.

The app starts both when it starts (the UI keeps one :class:`Background`
model per process and one :class:`IndexWarmup` per database), so the first
search finds them ready, or waits only for what is left. Nothing here imports
torch or sentence-transformers itself: the ``load_model`` callable does, in
the thread.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from buyergroups import db
from buyergroups.search import indexer, service
from buyergroups.search.embedder import Embedder
from buyergroups.search.index import VectorIndex

T = TypeVar("T")
# How much lower than the server's threads the warm-up runs (Linux nice steps): pages
# stay responsive while the model loads and the index embeds on a busy 2-core machine.
BACKGROUND_NICE = 10


def _lower_priority() -> None:
    """Lower this thread's CPU priority (threads it starts, e.g. OpenMP's, inherit it)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)


class Background(Generic[T]):
    """A value made by ``make`` in a daemon thread; :meth:`result` waits for it."""

    def __init__(self, name: str, make: Callable[[], T]) -> None:
        self.name = name
        self._make = make
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._starting = threading.Lock()
        self.started_at = 0.0
        self.seconds = 0.0

    def start(self) -> Background[T]:
        """Start making the value (once); returns self."""
        with self._starting:
            if not self.started_at:
                self.started_at = time.perf_counter()
                self._thread.start()
        return self

    def _run(self) -> None:
        _lower_priority()
        try:
            self._value = self._make()
        except BaseException as exc:  # handed to whoever asks for the value
            self._error = exc
        finally:
            self.seconds = time.perf_counter() - self.started_at
            self._done.set()

    @property
    def done(self) -> bool:
        """True once the value (or its error) is there."""
        return self._done.is_set()

    @property
    def failed(self) -> bool:
        """True when making the value raised."""
        return self._done.is_set() and self._error is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (None: as long as it takes); True when done."""
        self.start()
        return self._done.wait(timeout)

    def result(self) -> T:
        """The value, waiting for it; re-raises the error making it raised."""
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


@dataclass(frozen=True)
class WarmupStatus:
    """Where an index warm-up is: ``model``, ``embedding`` (done of total), ``ready``, ``failed``."""

    phase: str
    done: int = 0
    total: int = 0


class IndexWarmup(Background[VectorIndex]):
    """Waits for the model, embeds what the stored vectors lack, then loads the index.

    What is missing is everything on a first start or after a model change
    (the stored vectors carry the id of the model that made them).
    """

    def __init__(self, conn: db.Connection, model: Background[Embedder]) -> None:
        super().__init__("search index warm-up", self._build)
        self.conn = conn
        self.model = model
        self._phase = "model"
        self._progress = (0, 0)

    def _on_progress(self, done: int, total: int) -> None:
        self._progress = (done, total)

    def _build(self) -> VectorIndex:
        embedder = self.model.result()
        self._phase = "embedding"
        indexer.sync(self.conn, embedder, self._on_progress)
        self._phase = "loading"
        return service.open_index(self.conn, embedder)

    @property
    def status(self) -> WarmupStatus:
        """The phase now, with the embedding progress."""
        if self.done:
            return WarmupStatus("failed" if self.failed else "ready", *self._progress)
        return WarmupStatus(self._phase, *self._progress)
