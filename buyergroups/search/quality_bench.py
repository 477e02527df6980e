"""The ``bench quality`` command: recall per language pair for every available model.

Prints, per task (see :mod:`quality`), recall@1 and recall@5 of the raw
semantic score and of the hybrid ranking for every ordered language pair and
their mean, every model side by side; then the mean of each prompt mode of
the e5 model with ``--prompt-modes``; with ``--tune``, the mean recall@1 of the hybrid ranking over a
grid of bonus scales (how the weights in :mod:`ranking` were chosen).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from buyergroups.config import MODEL_PRECISIONS, load_settings
from buyergroups.errors import BuyerGroupsError
from buyergroups.search import cpv_terms, quality
from buyergroups.search.embedder import (
    DEFAULT_MODEL_NAME,
    MINILM_MODEL_NAME,
    Embedder,
    SentenceTransformerEmbedder,
    load_embedder,
    model_id_of,
    model_precision,
)
from buyergroups.search.quality import QualityRun, Report
from buyergroups.search.ranking import WEIGHTS, BonusWeights, ConceptMatcher

# (label, query prompt, passage prompt); the first is what the app uses.
E5_PROMPT_MODES = (
    ("query:/passage:", "query: ", "passage: "),
    ("query: on both", "query: ", "query: "),
    ("passage: on both", "passage: ", "passage: "),
    ("no prefix", "", ""),
)
TUNE_CPV = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)
TUNE_THEME = (0.0, 0.005, 0.01, 0.02, 0.04)
TUNE_TYPE = (0.0, 0.005, 0.01, 0.02)


def _matcher(path: Path | None, report: Report) -> ConceptMatcher:
    if path is None:
        labels = cpv_terms.builtin_labels()
        report(f"CPV concepts: the built-in terms ({len(labels)} codes)")
        return ConceptMatcher.from_labels(labels, curated=True)
    from buyergroups.ingest.cpv import parse_cpv_list

    codes = parse_cpv_list(path.read_bytes(), path.name)
    labels = {
        code.code: [code.labels.get("en", ""), *code.labels.values()]
        for code in codes
        if code.code.isdigit()
    }
    labels = {code: [t for t in dict.fromkeys(texts) if t] for code, texts in labels.items()}
    report(f"CPV concepts: the labels of {path.name} ({len(labels)} codes)")
    return ConceptMatcher.from_labels(labels)


def model_names(requested: list[str] | None) -> list[str]:
    """The models to compare: those asked for, else the two named ones plus the configured one."""
    if requested:
        return list(dict.fromkeys(requested))
    names = [DEFAULT_MODEL_NAME, MINILM_MODEL_NAME]
    configured = load_settings().model
    if model_id_of(configured) not in {model_id_of(n) for n in names}:
        names.append(configured)
    return names


def _load(names: list[str], report: Report) -> dict[str, Embedder]:
    """Each model in the configured precision; the default model in both (int8 beside float32)."""
    loaded = {}
    for name in names:
        precisions = [model_precision()]
        if model_id_of(name, "float32") == DEFAULT_MODEL_NAME:
            precisions += [p for p in MODEL_PRECISIONS if p not in precisions]
        for precision in precisions:
            try:
                embedder = load_embedder(name, precision=precision)
            except BuyerGroupsError as exc:
                report(f"{name}: not available ({exc})")
                break
            loaded[embedder.model_id] = embedder
    return loaded


def _prompt_modes(
    run_set: quality.EvalSet, embedder: Embedder, matcher: ConceptMatcher, report: Report
) -> None:
    if not isinstance(embedder, SentenceTransformerEmbedder) or not embedder.query_prompt:
        return
    report("")
    report(f"prompt modes of {embedder.model_id} (mean over language pairs; first = used)")
    report(f"{'mode':<20}{'item raw r@1 r@5':<20}{'text raw r@1 r@5':<20}")
    for label, query, passage in E5_PROMPT_MODES:
        run = QualityRun(run_set, embedder.with_prompts(query, passage), matcher)
        cells = []
        for task in quality.TASKS:
            raw = quality.mean_scores(run.pairs(task)).raw
            cells.append(f"{raw[0]:.3f} {raw[1]:.3f}")
        report(f"{label:<20}{cells[0]:<20}{cells[1]:<20}")


def tune(runs: dict[str, QualityRun], report: Report) -> None:
    """Mean hybrid recall@1 per task and model over the bonus grid (scales of today's CPV bonus)."""
    report("")
    report("bonus grid: mean hybrid r@1 per task (item, text) for each model")
    width = max(22, *(len(name) for name in runs))
    report(f"{'cpv x':>6} {'theme':>6} {'type':>6}  " + "  ".join(f"{n:<{width}}" for n in runs))
    base = BonusWeights()
    for cpv, theme, kind in itertools.product(TUNE_CPV, TUNE_THEME, TUNE_TYPE):
        weights = base.scaled(cpv, theme, kind)
        cells = []
        for run in runs.values():
            item = quality.mean_scores(run.pairs("item", weights)).hybrid[0]
            text = quality.mean_scores(run.pairs("text", weights)).hybrid[0]
            cells.append(f"{item:.3f} {text:.3f}")
        report(
            f"{cpv:>6.2f} {theme:>6.3f} {kind:>6.3f}  " + "  ".join(f"{c:<{width}}" for c in cells)
        )


def run_bench_quality(args: argparse.Namespace, report: Report = print) -> int:
    """Print the recall tables; exit code 1 when no model could be loaded."""
    eval_set = quality.load_eval_set(args.set)
    report(f"bench quality: {quality.describe(eval_set)}")
    matcher = _matcher(args.cpv_labels, report)
    report(
        f"hybrid weights: CPV {', '.join(f'{n} {b:.3f}' for _d, n, b in WEIGHTS.cpv)};"
        f" theme {WEIGHTS.theme:.3f}; type {WEIGHTS.type:.3f}"
    )
    embedders = _load(model_names(args.model), report)
    if not embedders:
        return 1
    runs = {name: QualityRun(eval_set, embedder, matcher) for name, embedder in embedders.items()}
    for task, title in (
        ("item", "a stored item as the query, with the CPV code, theme and type its group entered"),
        ("text", "an item's title typed as the query (CPV concepts recognised in it)"),
    ):
        report("")
        report(f"task {task}: {title}")
        quality.report_table(task, runs, report)
    if args.prompt_modes:
        for embedder in embedders.values():
            _prompt_modes(eval_set, embedder, matcher, report)
    if args.tune:
        tune(runs, report)
    return 0
