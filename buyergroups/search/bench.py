"""``bench search``: the index on a synthetic corpus against plain numpy brute force.

Builds ``n`` random unit vectors with metadata in a temporary DuckDB file,
loads them the way the app does, and times top-10 queries (unfiltered, a 10%
subset by group, and a 1% subset by country and kind) next to brute force on
the same matrix; checks the results are identical. Optionally times embedding
through the indexer against the model's raw ``encode`` on the same texts.
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from buyergroups import db
from buyergroups.search import indexer, store
from buyergroups.search.embedder import Embedder, import_model_libraries, load_embedder
from buyergroups.search.index import KINDS, Access, Filters, VectorIndex

GROUPS = 100
COUNTRIES = ("NL", "DE", "SE", "DK", "FR", "NO", "FI", "BE", "ES", "IT")
THEMES = ("climate", "circular", "environment_biodiversity", "social_return")
CPV = ("39130000", "43260000", "45221110", "34144910", "30213100", "18100000")
INSERT_CHUNK = 100_000

Report = Callable[[str], None]


def _rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def _one_each(values: tuple[str, ...], picks: np.ndarray) -> pa.ListArray:
    """A list<string> column holding one value per row."""
    offsets = pa.array(np.arange(len(picks) + 1, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(np.array(values, dtype=object)[picks]))


def _synthetic_chunk(rng: np.random.Generator, start: int, count: int, dim: int) -> pa.Table:
    vectors = rng.standard_normal((count, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(start, start + count)
    pick = rng.integers
    flat = pa.array(vectors.ravel())
    return pa.table(
        {
            "item_kind": np.array(KINDS, dtype=object)[pick(0, 4, count)],
            "item_id": ids.astype(np.int32),
            "passage_no": np.zeros(count, np.int32),
            "group_id": (ids % GROUPS + 1).astype(np.int32),
            "visibility": np.where(pick(0, 2, count) == 0, "group", "published").astype(object),
            "title": np.full(count, "synthetic", dtype=object),
            "text": np.full(count, "", dtype=object),
            "text_hash": np.full(count, "", dtype=object),
            "language": np.array(("en", "nl", "de", "sv"), dtype=object)[pick(0, 4, count)],
            "countries": _one_each(COUNTRIES, pick(0, len(COUNTRIES), count)),
            "themes": _one_each(THEMES, pick(0, len(THEMES), count)),
            "cpv_codes": _one_each(CPV, pick(0, len(CPV), count)),
            "item_date": np.full(count, date(2024, 1, 1)),
            "vector": pa.FixedSizeListArray.from_arrays(flat, dim),
        }
    )


def build_corpus(conn: db.Connection, n: int, dim: int, model_id: str, seed: int = 1) -> None:
    """Fill ``search_items`` with ``n`` synthetic rows of ``model_id``."""
    rng = np.random.default_rng(seed)
    columns = "item_kind, item_id, passage_no, group_id, visibility, title, text, text_hash,"
    columns += " language, countries, themes, cpv_codes, item_date"
    for start in range(0, n, INSERT_CHUNK):
        chunk = _synthetic_chunk(rng, start, min(INSERT_CHUNK, n - start), dim)
        with db.transaction(conn) as cur:
            cur.register("synthetic", chunk)
            cur.execute(
                f"INSERT INTO search_items ({columns}, model_id, vector, indexed_at)"  # nosec B608
                f" SELECT {columns}, ?, vector::FLOAT[], now() FROM synthetic",
                [model_id],
            )
            cur.unregister("synthetic")


def _brute_force(matrix: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None) -> list:
    scores = matrix @ query
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
    tied_or_better = np.flatnonzero(scores >= kth)  # ties at the k-th: lower rows first
    return sorted(tied_or_better.tolist(), key=lambda row: (-scores[row], row))[:k]


def _timed(run: Callable[[], object], repeats: int) -> tuple[list[float], list[object]]:
    run()  # warm-up
    times, results = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        results.append(run())
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def _p(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def _bench_query(
    index: VectorIndex, name: str, filters: Filters, queries: np.ndarray, report: Report
) -> bool:
    """Time one kind of query and its brute force; returns whether results were identical."""
    matrix = index.matrix
    got: list[list[int]] = []

    def run_index(q: np.ndarray) -> None:
        mask = index.candidates(filters, Access.everything())
        got.append([hit.row for hit in index.search(q, 10, mask)])

    mask = index.candidates(filters, Access.everything())
    kept = len(index) if mask is None else int(np.count_nonzero(mask))
    it = iter(queries)
    t_index, _ = _timed(lambda: run_index(next(it)), len(queries) - 1)
    it = iter(queries)
    t_brute, expected = _timed(lambda: _brute_force(matrix, next(it), 10, mask), len(queries) - 1)
    same = got[1:] == expected
    report(
        f"{name:<28} rows kept {kept:>9,}  index p50 {_p(t_index, 50):7.2f} ms"
        f"  p95 {_p(t_index, 95):7.2f} ms  | brute force p50 {_p(t_brute, 50):7.2f} ms"
        f"  ratio {_p(t_index, 50) / _p(t_brute, 50):4.2f}x  | identical: {same}"
    )
    return same


def bench_index(n: int, dim: int, queries: int, report: Report) -> bool:
    """Build, load and query a synthetic index of ``n`` rows; returns exactness."""
    with tempfile.TemporaryDirectory() as folder:
        conn = db.connect(Path(folder) / "bench.duckdb")
        start = time.perf_counter()
        build_corpus(conn, n, dim, "synthetic")
        report(
            f"corpus: {n:,} vectors of {dim} dims written in {time.perf_counter() - start:.1f} s"
        )
        gc.collect()
        start = time.perf_counter()
        index = store.load_index(conn, "synthetic", dim)
        load_s = time.perf_counter() - start
        conn.close()
    half = index.half_matrix_nbytes
    report(
        f"load: {load_s:.2f} s; index memory {index.nbytes / 2**20:,.0f} MB"
        f" (float32 matrix {index.matrix.nbytes / 2**20:,.0f} MB, float16 copy"
        f" {half / 2**20:,.0f} MB); process RSS {_rss_mb():,.0f} MB"
    )
    report(
        f"scoring: float16 first pass then float32 re-scoring when at least"
        f" {index.half_pass_min_rows:,} rows are scored, float32 only below that"
    )
    rng = np.random.default_rng(2)
    picks = index.matrix[rng.integers(0, n, queries)] + rng.normal(0, 0.05, (queries, dim))
    picks = (picks / np.linalg.norm(picks, axis=1, keepdims=True)).astype(np.float32)
    results = [
        _bench_query(index, "unfiltered top-10", Filters(), picks, report),
        _bench_query(
            index, "10% subset (10 groups)", Filters(group_ids=tuple(range(1, 11))), picks, report
        ),
        _bench_query(
            index,
            "~2.5% (country + kind)",
            Filters(countries=("SE",), kinds=("criterion",)),
            picks,
            report,
        ),
    ]
    return all(results)


def synthetic_texts(count: int) -> list[str]:
    """Varied procurement-like sentences for the embedding benchmark."""
    subjects = (
        "excavators",
        "office furniture",
        "electric buses",
        "laptops",
        "workwear",
        "catering",
        "road construction",
        "bridge maintenance",
        "cleaning services",
    )
    demands = (
        "shall be emission-free on site",
        "must be remanufactured or refurbished",
        "score points for a lower CO2 footprint",
        "come with spare parts for ten years",
        "are delivered with an environmental product declaration",
    )
    return [
        f"{subjects[i % len(subjects)].capitalize()} {demands[(i // 9) % len(demands)]}; "
        f"requirement {i} at level {('basis', 'significant', 'ambitious')[i % 3]}."
        for i in range(count)
    ]


class _TimedEmbedder:
    """Wraps an embedder and adds up the seconds spent inside ``encode``."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.model_id, self.dim, self.seconds = inner, inner.model_id, inner.dim, 0.0

    def encode(self, texts: list[str]) -> np.ndarray:
        start = time.perf_counter()
        try:
            return self.inner.encode(texts)
        finally:
            self.seconds += time.perf_counter() - start

    def encode_query(self, texts: list[str]) -> np.ndarray:
        """Search texts, timed like stored ones."""
        start = time.perf_counter()
        try:
            return self.inner.encode_query(texts)
        finally:
            self.seconds += time.perf_counter() - start


def bench_embedding(embedder: Embedder, count: int, report: Report, rounds: int = 2) -> float:
    """Indexing throughput against raw ``encode`` on the same texts; returns the best ratio.

    Rounds alternate raw encoding and a full index build, keeping the best of
    each, since other processes on a shared machine make single timings noisy.
    """
    texts = synthetic_texts(count)
    embedder.encode(texts[:16])  # warm-up
    raw, indexing, overhead = [], [], []
    for _ in range(rounds):
        start = time.perf_counter()
        embedder.encode(texts)
        raw.append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as folder:
            conn = db.connect(Path(folder) / "embed.duckdb")
            _store_criteria(conn, texts)
            timed = _TimedEmbedder(embedder)
            start = time.perf_counter()
            indexer.sync(conn, timed)
            indexing.append(time.perf_counter() - start)
            overhead.append(indexing[-1] - timed.seconds)
            conn.close()
    raw_s, index_s = min(raw), min(indexing)
    report(
        f"embedding {count} texts (best of {rounds}): raw encode {count / raw_s:,.0f} texts/s,"
        f" indexing {count / index_s:,.0f} texts/s ({index_s / raw_s:.2f}x raw);"
        f" indexer work outside encode {min(overhead):.2f} s"
        f" ({min(overhead) / index_s:.0%} of indexing)"
    )
    return index_s / raw_s


_COLD_LOAD = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "from buyergroups.search.embedder import load_embedder\n"
    "load_embedder(sys.argv[1], precision=sys.argv[2])\n"
    "print(time.perf_counter() - start)\n"
)


def cold_load_seconds(model: str, precision: str) -> float:
    """Seconds a fresh process takes to import the model code and load ``model``."""
    done = subprocess.run(  # noqa: S603  # nosec B603 - this interpreter, a fixed script
        [sys.executable, "-c", _COLD_LOAD, model, precision],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def query_latencies_ms(embedder: Embedder, queries: int = 40) -> list[float]:
    """Milliseconds to embed one short search text, per query (after a warm-up)."""
    texts = [f"{t} {i}" for i, t in enumerate(synthetic_texts(queries))]
    embedder.encode_query(texts[:2])
    times = []
    for text in texts:
        start = time.perf_counter()
        embedder.encode_query([text])
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_models(models: list[tuple[str, str]], count: int, report: Report) -> None:
    """Load time, query latency and indexing rate of each (model, precision), one line each."""
    import_model_libraries()  # so "load" is the model's own load, as in the warmed-up app
    for model, precision in models:
        cold = cold_load_seconds(model, precision)
        start = time.perf_counter()
        embedder = load_embedder(model, precision=precision)
        warm = time.perf_counter() - start
        latencies = query_latencies_ms(embedder)
        report(
            f"{embedder.model_id:<28} load {warm:.2f} s (libraries imported; a fresh process"
            f" with the imports {cold:.2f} s); query embedding p50 {_p(latencies, 50):.1f} ms"
            f" p95 {_p(latencies, 95):.1f} ms"
        )
        bench_embedding(embedder, count, report)


def _store_criteria(conn: db.Connection, texts: list[str]) -> None:
    # Title holds the text and the body is empty, so the indexer embeds exactly ``texts``.
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO buyer_groups (id, name, sector, programme, phase, created_at, updated_at)"
            " VALUES (1, 'Bench', 'other', 'other', 'forming', now(), now())"
        )
        cur.executemany(
            "INSERT INTO criteria (group_id, criterion_type, theme, ambition_level, title,"
            " created_at, updated_at) VALUES (1, 'award_criterion', 'climate', 'basis', ?,"
            " now(), now())",
            [[text] for text in texts],
        )
