"""Monitoring in the spirit of the national benchmark: how much is bought sustainably, and how.

Each table is a pandas DataFrame; :func:`csv_bytes` turns any of them into a
download (through the one CSV writer and formula guard of
:mod:`buyergroups.exports.spreadsheet`). Tenders are public data; criteria count as numbers, and only
published criteria are named. The rules:

* *MVI share*: tenders MVI in the corrected reading (a buyer's correction, else ``mvi``)
  ÷ all imported tenders. Per theme the
  count is of tenders flagged with that theme (themes overlap); per CPV
  division the tender's main (first) CPV code decides; per country the buyer's.
* *Ambition mix*: a group's live criteria per theme and ambition level.
* *Most reused published criteria*: copies along ``derived_from`` chains,
  followed transitively; groups reached exclude the criterion's own group.
* *Sustainability weight of a tender*: per lot, the weight of its non-price
  award criteria (type not ``price`` or ``cost``) whose name or description
  matches an MVI phrase of :mod:`buyergroups.ingest.mvi`, as a % of the lot's
  total award weight; a tender scores its best lot (ties: the higher non-price %).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from buyergroups import auth, db
from buyergroups.accounts.users import User
from buyergroups.benchmark import corrections
from buyergroups.domain import AmbitionLevel, Phase, Theme
from buyergroups.exports import spreadsheet
from buyergroups.ingest.mvi import PHRASES

_MVI_TEXT = {
    theme: re.compile(r"(?<![\w])(?:" + "|".join(phrases) + r")", re.IGNORECASE)
    for theme, phrases in PHRASES.items()
}
PRICE_TYPES = frozenset({"price", "cost"})
SHARE_COLUMNS = ["tenders", "mvi_tenders", "share_pct"]

# MVI counts are of the corrected reading (benchmark.corrections): a buyer's correction
# where there is one, else the automatic detection.
_CORRECTED = " LEFT JOIN tender_assessments a ON a.id = tenders.id"
_MVI = "coalesce(a.sustainable, mvi)"
_THEME_SQL = (
    "SELECT t.theme, (SELECT count(*) FROM tenders) AS tenders,"  # nosec B608 - the package's own SQL fragments, no user text
    f" (SELECT count(*) FROM tenders y WHERE {corrections.theme_condition('y', 't.theme')})"
    " AS mvi_tenders FROM (SELECT unnest(?::VARCHAR[]) AS theme) t"
)
_DIVISION_SQL = (
    "SELECT d.cpv_division, coalesce(c.label_en, '') AS label, d.tenders, d.mvi_tenders FROM ("  # nosec B608 - the package's own SQL fragments, no user text
    "  SELECT coalesce(substr(cpv_codes[1], 1, 2), '') AS cpv_division, count(*) AS tenders,"
    f"  count(*) FILTER (WHERE {_MVI}) AS mvi_tenders FROM tenders{_CORRECTED} GROUP BY 1) d"
    " LEFT JOIN cpv_codes c ON c.code = d.cpv_division || '000000' ORDER BY d.cpv_division"
)
_COUNTRY_SQL = (
    "SELECT coalesce(buyer_country, '') AS country, count(*) AS tenders,"  # nosec B608 - the package's own SQL fragments, no user text
    f" count(*) FILTER (WHERE {_MVI}) AS mvi_tenders FROM tenders{_CORRECTED}"
    " GROUP BY 1 ORDER BY 1"
)
_AMBITION_SQL = (
    "SELECT g.name AS group_name, c.theme, c.ambition_level, count(*) AS criteria"
    " FROM criteria c JOIN buyer_groups g ON g.id = c.group_id"
    " WHERE c.deleted_at IS NULL AND g.deleted_at IS NULL GROUP BY ALL"
)
_PHASE_SQL = (
    "SELECT phase, count(*) AS groups FROM buyer_groups WHERE deleted_at IS NULL GROUP BY phase"
)
# Roots are published criteria; the chain follows every copy, private ones only as counts.
_REUSED_SQL = (
    "WITH RECURSIVE chain(root, id) AS ("
    "  SELECT id, id FROM criteria WHERE visibility = 'published' AND deleted_at IS NULL"
    "  UNION ALL SELECT chain.root, d.id FROM criteria d JOIN chain ON d.derived_from = chain.id)"
    " SELECT r.id AS criterion_id, r.title, g.name AS group_name, r.theme, r.ambition_level,"
    " count(DISTINCT d.id) AS reuses,"
    " count(DISTINCT d.group_id) FILTER (WHERE d.group_id <> r.group_id) AS groups_reached,"
    " array_to_string(list_sort(list_distinct(flatten("
    "   list(dg.countries) FILTER (WHERE d.group_id <> r.group_id)))), ', ') AS countries_reached"
    " FROM chain JOIN criteria r ON r.id = chain.root JOIN buyer_groups g ON g.id = r.group_id"
    " JOIN criteria d ON d.id = chain.id AND d.id <> r.id AND d.deleted_at IS NULL"
    " JOIN buyer_groups dg ON dg.id = d.group_id AND dg.deleted_at IS NULL"
    " WHERE g.deleted_at IS NULL GROUP BY ALL"
    " ORDER BY reuses DESC, groups_reached DESC, criterion_id LIMIT ?"
)
_AWARD_SQL = (
    "SELECT a.tender_id, a.lot_position, a.lots_group, lower(a.criterion_type) AS criterion_type,"
    " a.name, a.description, a.weight FROM tender_award_criteria a"
    " WHERE a.weight IS NOT NULL AND a.weight > 0"
)
_TENDER_NAMES_SQL = (
    "SELECT id AS tender_id, title, buyer_name, buyer_country FROM tenders"
    " WHERE id IN (SELECT unnest(?::INTEGER[]))"
)


def _with_share(frame: pd.DataFrame) -> pd.DataFrame:
    tenders = frame["tenders"].astype(float)
    share = (100 * frame["mvi_tenders"] / tenders.where(tenders > 0)).round(1).fillna(0.0)
    return frame.assign(share_pct=share)


def _frame(cur: db.Connection, sql: str, params: list[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(db.rows(cur, sql, params), columns=columns)


def mvi_share_by_theme(conn: db.Connection, actor: User | None) -> pd.DataFrame:
    """Per MVI theme: all tenders, tenders flagged with the theme, and the share in %."""
    auth.require_signed_in(actor)
    codes = [theme.value for theme in Theme]
    with db.reading(conn) as cur:
        frame = _frame(cur, _THEME_SQL, [codes], ["theme", "tenders", "mvi_tenders"])
    frame = frame.set_index("theme").loc[codes].reset_index()
    return _with_share(frame)[["theme", *SHARE_COLUMNS]]


def mvi_share_by_cpv_division(conn: db.Connection, actor: User | None) -> pd.DataFrame:
    """Per CPV division of the main CPV code: tenders, MVI tenders, share in %."""
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        frame = _frame(cur, _DIVISION_SQL, [], ["cpv_division", "label", "tenders", "mvi_tenders"])
    return _with_share(frame)


def mvi_share_by_country(conn: db.Connection, actor: User | None) -> pd.DataFrame:
    """Per buyer country: tenders, MVI tenders, share in % ('' when the country is unknown)."""
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        frame = _frame(cur, _COUNTRY_SQL, [], ["country", "tenders", "mvi_tenders"])
    return _with_share(frame)


def corrected_tenders(conn: db.Connection, actor: User | None) -> int:
    """How many tenders their buyer corrected (the shares count the corrected reading)."""
    auth.require_signed_in(actor)
    return corrections.corrected_count(conn)


def ambition_mix(conn: db.Connection, actor: User | None) -> pd.DataFrame:
    """Per group and theme: how many criteria at each ambition level (counts only)."""
    auth.require_signed_in(actor)
    levels = [level.value for level in AmbitionLevel]
    with db.reading(conn) as cur:
        long = _frame(cur, _AMBITION_SQL, [], ["group_name", "theme", "ambition_level", "criteria"])
    wide = long.pivot_table(
        index=["group_name", "theme"],
        columns="ambition_level",
        values="criteria",
        aggfunc="sum",
        fill_value=0,
    )
    wide = wide.reindex(columns=levels, fill_value=0).reset_index()
    wide.columns.name = None
    wide[levels] = wide[levels].astype(int)
    wide["total"] = wide[levels].sum(axis=1)
    return wide.sort_values(["group_name", "theme"]).reset_index(drop=True)


def groups_per_phase(conn: db.Connection, actor: User | None) -> pd.DataFrame:
    """Live groups per phase, in the order of the phases (phases without groups show 0)."""
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        counts = {r["phase"]: int(r["groups"]) for r in db.rows(cur, _PHASE_SQL)}
    return pd.DataFrame(
        [{"phase": p.value, "label": p.label, "groups": counts.get(p.value, 0)} for p in Phase],
        columns=["phase", "label", "groups"],
    )


def most_reused_published(conn: db.Connection, actor: User | None, top: int = 20) -> pd.DataFrame:
    """Published criteria with the most copies, the groups and countries those reached."""
    auth.require_signed_in(actor)
    columns = [
        "criterion_id",
        "title",
        "group_name",
        "theme",
        "ambition_level",
        "reuses",
        "groups_reached",
        "countries_reached",
    ]
    with db.reading(conn) as cur:
        return _frame(cur, _REUSED_SQL, [top], columns)


def mvi_themes_in(text: str) -> list[str]:
    """The MVI themes whose phrases occur in ``text`` (in Theme order)."""
    return [theme for theme, pattern in _MVI_TEXT.items() if pattern.search(text)]


def _scheme_scores(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Per award scheme (tender, lot, lot group): the rule's percentages and themes, in one pass.

    ``rows`` are :data:`_AWARD_SQL`'s. Each distinct criterion text is read for MVI
    phrases once; the sums per scheme and the themes found in it are grouped sums and
    "any", not a loop per scheme.
    """
    tender_ids, lot_positions, lots_groups, types, names, descriptions, weights = zip(
        *rows, strict=True
    )
    texts = [f"{name} {description}" for name, description in zip(names, descriptions, strict=True)]
    found = {text: set(mvi_themes_in(text)) for text in set(texts)}
    non_price = np.fromiter((kind not in PRICE_TYPES for kind in types), bool, len(texts))
    row_themes = [found[text] for text in texts]
    theme_names = sorted({theme for themes in found.values() for theme in themes})
    flags = {
        theme: non_price & np.fromiter((theme in row for row in row_themes), bool, len(texts))
        for theme in theme_names
    }
    sustainable = np.zeros(len(texts), bool)
    for flag in flags.values():
        sustainable |= flag
    weight = np.asarray(weights, dtype=float)
    parts = pd.DataFrame(
        {
            "tender_id": np.asarray(tender_ids, dtype=np.int64),
            "lot_position": np.asarray(lot_positions, dtype=np.int64),
            "lots_group": [group or "" for group in lots_groups],
            "total": weight,
            "non_price": np.where(non_price, weight, 0.0),
            "sustainable": np.where(sustainable, weight, 0.0),
            **flags,
        }
    )
    scores = parts.groupby(["tender_id", "lot_position", "lots_group"], sort=False).agg(
        {
            "total": "sum",
            "non_price": "sum",
            "sustainable": "sum",
            **dict.fromkeys(theme_names, "any"),
        }
    )
    themes = pd.Series("", index=scores.index)
    for theme in theme_names:  # sorted, so the joined list is sorted too
        themes = themes + np.where(scores[theme], theme + ", ", "")
    scores["themes"] = themes.str.removesuffix(", ")
    scores["sustainability_pct"] = (100 * scores["sustainable"] / scores["total"]).round(1)
    scores["non_price_pct"] = (100 * scores["non_price"] / scores["total"]).round(1)
    return scores.reset_index()


def sustainability_weighted_tenders(
    conn: db.Connection, actor: User | None, top: int = 20
) -> pd.DataFrame:
    """Tenders whose award criteria put the most weight on sustainability (rule in module doc)."""
    auth.require_signed_in(actor)
    columns = [
        "tender_id",
        "title",
        "buyer_name",
        "buyer_country",
        "sustainability_pct",
        "non_price_pct",
        "themes",
    ]
    with db.reading(conn) as cur:
        rows = cur.execute(_AWARD_SQL).fetchall()
        if not rows:
            return pd.DataFrame(columns=columns)
        # A lot's own criteria and those of its lot group are separate award schemes.
        lots = _scheme_scores(rows)
        best = lots.sort_values(
            ["sustainability_pct", "non_price_pct", "tender_id"], ascending=[False, False, True]
        ).drop_duplicates("tender_id")
        best = best[best["sustainability_pct"] > 0].head(top)
        ids = [int(i) for i in best["tender_id"]]
        names = _frame(cur, _TENDER_NAMES_SQL, [ids], ["tender_id", *columns[1:4]])
    best = best.astype({"tender_id": int}).merge(names, on="tender_id", how="left")
    return best[columns].reset_index(drop=True)


def tables(conn: db.Connection, actor: User | None) -> dict[str, pd.DataFrame]:
    """Every monitoring table by file-friendly name, for the page and CSV downloads."""
    return {
        "mvi_share_by_theme": mvi_share_by_theme(conn, actor),
        "mvi_share_by_cpv_division": mvi_share_by_cpv_division(conn, actor),
        "mvi_share_by_country": mvi_share_by_country(conn, actor),
        "ambition_mix": ambition_mix(conn, actor),
        "groups_per_phase": groups_per_phase(conn, actor),
        "most_reused_published_criteria": most_reused_published(conn, actor),
        "sustainability_weighted_tenders": sustainability_weighted_tenders(conn, actor),
    }


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV with BOM (Excel reads the accents), formula-safe text."""
    # Lines end in LF, as these files always have (the group sheets' CSV uses CRLF).
    return spreadsheet.csv_bytes(spreadsheet.frame_table(frame), line_end="\n")
