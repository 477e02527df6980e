"""CLI: ``reindex``, ``search "TEXT" --k 10 --json``, ``search --batch FILE``, ``model install``,
``bench search --n 100000`` and ``bench quality``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from buyergroups.accounts import users
from buyergroups.accounts.users import User
from buyergroups.cli import command_group, db_parent, open_db
from buyergroups.config import MODEL_PRECISIONS, load_settings
from buyergroups.errors import NotFoundError, ValidationError, msg
from buyergroups.search import batch, bench, indexer, model_install, quality_bench, service
from buyergroups.search.embedder import (
    DEFAULT_MODEL_NAME,
    MINILM_MODEL_NAME,
    Embedder,
    load_embedder,
)
from buyergroups.search.index import KINDS, Filters
from buyergroups.search.quality import EVAL_SET

# Searching from the command line without --as/--all: what any signed-in user sees.
PUBLIC_READER = User(id=0, name="command line", email="")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the search subcommands."""
    reindex = subparsers.add_parser(
        "reindex", parents=[db_parent()], help="bring the similarity-search index up to date"
    )
    reindex.set_defaults(func=run_reindex)
    search = subparsers.add_parser(
        "search", parents=[db_parent()], help="find similar criteria, documents and tenders"
    )
    search.add_argument("text", nargs="?", help="the text to search for")
    search.add_argument(
        "--batch",
        metavar="FILE",
        help='one JSON query per line ({"id", "text", "filters"}); "-" reads standard input',
    )
    search.add_argument("--k", type=int, default=10, help="number of hits (default 10)")
    search.add_argument("--json", action="store_true", help="print the hits as JSON")
    search.add_argument("--kind", choices=KINDS, action="append", help="only this kind")
    search.add_argument("--country", action="append", help="only this country (ISO code)")
    search.add_argument("--language", action="append", help="only this language (ISO code)")
    search.add_argument("--group", type=int, action="append", help="only this group (id)")
    who = search.add_mutually_exclusive_group()
    who.add_argument("--as", dest="as_email", help="search as this user (their access)")
    who.add_argument("--all", action="store_true", help="include every group's private items")
    search.set_defaults(func=run_search)
    model = command_group(subparsers, "model", "the embedding model")
    install = model.add_parser(
        "install", help="build the default multilingual model folder (skipped when valid)"
    )
    install.add_argument("--force", action="store_true", help="rebuild even when valid")
    install.set_defaults(func=run_model_install)
    bench_search = _bench_subparsers(subparsers)
    bench_search.add_argument("--n", type=int, default=100_000, help="synthetic vectors")
    bench_search.add_argument("--dim", type=int, default=384, help="vector size")
    bench_search.add_argument("--queries", type=int, default=60, help="queries per kind")
    bench_search.add_argument(
        "--texts",
        type=int,
        default=512,
        help="texts to embed per model, the configured one beside all-MiniLM-L6-v2 (0: skip)",
    )
    bench_search.set_defaults(func=run_bench_search)
    _register_bench_quality(command_group(subparsers, "bench", "benchmarks"))


def _register_bench_quality(bench: argparse._SubParsersAction) -> None:
    """Add ``bench quality`` to the ``bench`` group."""
    parser = bench.add_parser(
        "quality", parents=[db_parent()], help="cross-language recall of every available model"
    )
    parser.add_argument(
        "--model", action="append", help="a model name or folder (default: every available one)"
    )
    parser.add_argument("--set", type=Path, default=EVAL_SET, help="evaluation set (JSON)")
    parser.add_argument(
        "--cpv-labels", type=Path, help="CPV list CSV (24 languages) instead of the built-in terms"
    )
    parser.add_argument(
        "--prompt-modes", action="store_true", help="also compare the e5 prompt modes"
    )
    parser.add_argument("--tune", action="store_true", help="also print the bonus-weight grid")
    parser.set_defaults(func=quality_bench.run_bench_quality)


def _bench_subparsers(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``bench search`` parser."""
    return command_group(subparsers, "bench", "benchmarks").add_parser(
        "search", parents=[db_parent()], help="vector index against numpy brute force"
    )


def _progress_bar() -> tuple[Any, Any]:
    from tqdm import tqdm

    bar = tqdm(total=0, unit="passage", desc="embedding", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, progress


def run_reindex(args: argparse.Namespace) -> int:
    """Embed what changed since the last run (everything after a model change)."""
    conn = open_db(args)
    try:
        embedder = load_embedder(load_settings().model)
        status = service.index_status(conn, embedder)
        for other, count in status.other_models.items():
            print(
                f"{count} stored passages have vectors of {other}:"
                f" re-embedding them with {embedder.model_id}",
                file=sys.stderr,
            )
        bar, progress = _progress_bar()
        counts = indexer.sync(conn, embedder, progress)
        bar.close()
    finally:
        conn.close()
    print(
        f"search index ({embedder.model_id}): {counts['embedded']} passages embedded, "
        f"{counts['metadata_updated']} updated, {counts['removed']} removed, "
        f"{counts['unchanged']} unchanged"
    )
    return 0


def run_model_install(args: argparse.Namespace) -> int:
    """Build (or check) the default multilingual model folder."""
    folder = load_settings().models_dir / DEFAULT_MODEL_NAME
    model_install.install(folder, force=args.force)
    return 0


def _actor(conn: Any, args: argparse.Namespace) -> User:
    if args.all:
        return User(id=0, name="command line (all)", email="", is_admin=True)
    if not args.as_email:
        return PUBLIC_READER
    with conn.cursor() as cur:
        found = users.find_by_email(cur, args.as_email)
    if found is None:
        raise NotFoundError(msg("There is no user with the email {email}.", email=args.as_email))
    return found


def _hit_dict(hit: service.Hit) -> dict[str, Any]:
    found = asdict(hit)
    found["explanation"] = {**asdict(hit.explanation), "summary": hit.explanation.summary()}
    return found


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(
        kinds=tuple(args.kind or ()),
        countries=tuple(c.upper() for c in args.country or ()),
        languages=tuple(args.language or ()),
        group_ids=tuple(args.group or ()),
    )


def _batch_lines(path: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            msg("Cannot read {path}: {error}", path=path, error=str(exc))
        ) from exc


def _print_hits(hits: list[service.Hit]) -> None:
    for rank, hit in enumerate(hits, start=1):
        where = f"{hit.group_name or 'tender'} ({', '.join(hit.countries)})"
        print(f"{rank:>2}. {hit.score:.3f}  {hit.item_kind} {hit.item_id}  {hit.title}  — {where}")
        print(f"      {hit.explanation.summary()}")


def _run_batch(args: argparse.Namespace, conn: Any, embedder: Embedder, actor: User) -> int:
    lines = _batch_lines(args.batch)
    index = service.open_index(conn, embedder)

    def search(text: str, filters: Filters) -> list[service.Hit]:
        return service.search(conn, index, embedder, actor, text, filters, args.k)

    failed = 0
    for result in batch.run_batch(lines, search):
        if "error" in result:
            failed += 1
            print(f"line {result['line']}: {result['error']}", file=sys.stderr)
        if args.json:
            print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
        elif "hits" in result:
            print(f"== {result['id']}")
            for rank, hit in enumerate(result["hits"], start=1):
                print(
                    f"{rank:>2}. {hit['score']:.3f}  {hit['item_kind']} {hit['item_id']}  {hit['title']}"
                )
    return 1 if failed else 0


def run_search(args: argparse.Namespace) -> int:
    """Print the ranked hits for a text, or one result line per query of a batch file."""
    if (args.text is None) == (args.batch is None):
        raise ValidationError(msg("Give a text to search for or --batch FILE, not both."))
    conn = open_db(args)
    try:
        embedder = load_embedder(load_settings().model)
        service.require_current_vectors(conn, embedder)
        actor = _actor(conn, args)
        if args.batch is not None:
            return _run_batch(args, conn, embedder, actor)
        index = service.open_index(conn, embedder)
        hits = service.search(conn, index, embedder, actor, args.text, _filters(args), args.k)
    finally:
        conn.close()
    if args.json:
        print(json.dumps([_hit_dict(hit) for hit in hits], indent=2, default=str))
        return 0
    if not hits and len(index) == 0:
        print("The search index is empty: run `python -m buyergroups reindex` first.")
    _print_hits(hits)
    return 0


def run_bench_search(args: argparse.Namespace) -> int:
    """Print load time, latencies, memory and the brute-force comparison."""
    exact = bench.bench_index(args.n, args.dim, args.queries, print)
    if args.texts > 0:
        settings = load_settings()
        other = next(p for p in MODEL_PRECISIONS if p != settings.model_precision)
        # The configured model in both precisions, beside all-MiniLM-L6-v2 as the baseline.
        models = [
            (settings.model, settings.model_precision),
            (settings.model, other),
            (MINILM_MODEL_NAME, settings.model_precision),
        ]
        bench.bench_models(list(dict.fromkeys(models)), args.texts, print)
    return 0 if exact else 1
