"""The benchmark's numbers: an organisation's year against its ambitions and its peers.

The rules (the tests count them by hand):

* an organisation's tenders are those whose buyer is matched to it (``buyer_org_id``); a
  tender's *year* is that of its publication, else of its award;
* *MVI* is the corrected reading (:mod:`.corrections`): the current correction where there
  is one, else the automatic detection; per theme the tender counts under every theme of
  that reading;
* *share by count*: MVI tenders ÷ tenders, in %; *share by value*: the value of MVI
  tenders ÷ the value of all tenders with a value, where a tender's value is its awarded
  value, else its estimated value, counted only in EUR (other currencies are left out of
  value shares rather than mixed);
* per CPV division the tender's main (first) CPV code decides;
* *realised vs only asked for*: of the MVI tenders, those whose step-3 answer says realised
  yes or partly, and the rest (asked for in the tender, not (yet) known to be realised);
* *peers*: the other organisations of the same type with at least one tender in the year;
  their mean, lowest, highest and standard deviation (population) of the share per theme,
  computed on their corrected readings. Peers are named only beside figures read from
  their published tenders (the automatic reading); their corrections and step-3 answers
  are counted in the averages, never shown one by one;
* programme-wide: per organisation type and country, the same shares over all
  organisations (tenders whose buyer matches no organisation count under an unknown type).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from buyergroups import auth, db
from buyergroups.accounts.users import User
from buyergroups.benchmark.ambitions import ambitions_of, check_year
from buyergroups.domain import Realised, Theme
from buyergroups.errors import NotFoundError, msg

ANY = "any"  # the row of "any MVI theme"
THEMES = [theme.value for theme in Theme]
VALUE_CURRENCY = "EUR"

_TENDERS_SQL = (
    "SELECT t.id, t.buyer_org_id AS organisation_id, o.name AS organisation, o.org_type,"
    " coalesce(o.country, t.buyer_country) AS country,"
    " extract(year FROM coalesce(t.published_on, t.awarded_on)) AS year, t.cpv_codes,"
    " t.mvi AS auto_mvi, t.mvi_themes AS auto_themes,"
    " CASE WHEN t.awarded_value IS NOT NULL THEN t.awarded_value ELSE t.estimated_value END"
    " AS value,"
    " CASE WHEN t.awarded_value IS NOT NULL THEN t.awarded_currency ELSE t.currency END"
    " AS currency,"
    " a.id IS NOT NULL AS corrected, a.sustainable, a.themes AS corrected_themes,"
    " r.contracted, r.realised"
    " FROM tenders t LEFT JOIN organisations o ON o.id = t.buyer_org_id"
    " LEFT JOIN tender_assessments a ON a.id = t.id"
    " LEFT JOIN tender_realisations r ON r.id = t.id"
)
_COLUMNS = [
    "id",
    "organisation_id",
    "organisation",
    "org_type",
    "country",
    "year",
    "cpv_division",
    "auto_mvi",
    "auto_themes",
    "mvi",
    "themes",
    "corrected",
    "value_eur",
    "contracted",
    "realised",
]


def _reading(found: dict[str, Any]) -> dict[str, Any]:
    auto_themes = [t for t in THEMES if t in set(found["auto_themes"] or [])]
    corrected = bool(found["corrected"])
    themes = json.loads(found["corrected_themes"]) if corrected else auto_themes
    in_eur = found["value"] is not None and found["currency"] == VALUE_CURRENCY
    codes = list(found["cpv_codes"] or [])
    return {
        "id": found["id"],
        "organisation_id": found["organisation_id"],
        "organisation": found["organisation"],
        "org_type": found["org_type"] or "",
        "country": found["country"] or "",
        "year": int(found["year"]) if found["year"] is not None else None,
        "cpv_division": codes[0][:2] if codes else "",
        "auto_mvi": bool(found["auto_mvi"]),
        "auto_themes": auto_themes,
        "mvi": bool(found["sustainable"]) if corrected else bool(found["auto_mvi"]),
        "themes": [t for t in THEMES if t in set(themes)],
        "corrected": corrected,
        "value_eur": float(found["value"]) if in_eur else None,
        "contracted": found["contracted"],
        "realised": found["realised"],
    }


_YEAR_SQL = "extract(year FROM coalesce(t.published_on, t.awarded_on))"


def tender_frame(
    cur: db.Connection, where: str = "", params: list[Any] | None = None
) -> pd.DataFrame:
    """Tenders with their organisation, year, corrected reading, EUR value and answers.

    ``where`` (the package's own SQL over ``t`` and ``o``, with ``params``) keeps fewer
    rows. Inside the caller's unit; for counting only (the page never shows its rows).
    """
    sql = _TENDERS_SQL + (f" WHERE {where}" if where else "")
    return pd.DataFrame([_reading(r) for r in db.rows(cur, sql, params or [])], columns=_COLUMNS)


def without_nan(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with empty cells as None (a share of nothing is no number, not NaN)."""
    plain = frame.astype(object)
    return plain.where(plain.notna(), None)


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def flags(frame: pd.DataFrame, theme: str, *, automatic: bool = False) -> pd.Series:
    """Per tender: MVI in ``theme`` (ANY: in any theme), by the corrected or automatic reading."""
    themes, mvi = ("auto_themes", "auto_mvi") if automatic else ("themes", "mvi")
    if not len(frame):
        return pd.Series([], dtype=bool)
    flagged = frame[mvi] if theme == ANY else frame[themes].map(lambda ts: theme in ts)
    return flagged.astype(bool)


def share_row(frame: pd.DataFrame, theme: str, *, automatic: bool = False) -> dict[str, Any]:
    """Tenders, MVI tenders and the shares by count and by value for one theme (or ANY)."""
    flagged = flags(frame, theme, automatic=automatic)
    value = frame["value_eur"].fillna(0.0)
    total_value = float(value[frame["value_eur"].notna()].sum())
    mvi_value = float(value[flagged].sum())
    return {
        "theme": theme,
        "tenders": len(frame),
        "mvi_tenders": int(flagged.sum()),
        "share_pct": _pct(int(flagged.sum()), len(frame)),
        "value_eur": total_value,
        "mvi_value_eur": mvi_value,
        "value_share_pct": _pct(mvi_value, total_value),
    }


def shares(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`share_row` for ANY and every theme, in Theme order."""
    return pd.DataFrame([share_row(frame, theme) for theme in [ANY, *THEMES]])


def by_division(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Per CPV division of the main code: tenders, MVI tenders, shares by count and value."""
    rows = []
    for division, part in sorted(frame.groupby("cpv_division"), key=lambda item: item[0]):
        rows.append(
            {"cpv_division": division, "label": labels.get(division, "")}
            | {k: v for k, v in share_row(part, ANY).items() if k != "theme"}
        )
    columns = ["cpv_division", "label", "tenders", "mvi_tenders", "share_pct"]
    columns += ["value_eur", "mvi_value_eur", "value_share_pct"]
    return pd.DataFrame(rows, columns=columns)


def realisation_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Of the MVI tenders: realised (yes), partly, not realised, unknown or unanswered."""
    # .loc with a boolean mask: an empty object column given to frame[...] would be read
    # as a list of column names and drop every column.
    mvi = frame.loc[frame["mvi"].astype(bool)]
    answers = mvi["realised"].fillna("")
    realised = int((answers == Realised.YES).sum())
    partly = int((answers == Realised.PARTLY).sum())
    return {
        "mvi_tenders": len(mvi),
        "contracted": int((mvi["contracted"].fillna("") == "yes").sum()),
        "realised": realised,
        "partly_realised": partly,
        "not_realised": int((answers == Realised.NO).sum()),
        "unknown": int(((answers == Realised.UNKNOWN) | (answers == "")).sum()),
        "only_asked_for": len(mvi) - realised - partly,
        "answered": int(mvi["realised"].notna().sum()),
    }


def trend(frame: pd.DataFrame) -> pd.DataFrame:
    """Per year (oldest first): tenders, MVI shares by count and value, realised tenders."""
    rows = []
    for year, part in sorted(frame.dropna(subset=["year"]).groupby("year")):
        row = share_row(part, ANY)
        counts = realisation_counts(part)
        rows.append(
            {
                "year": int(year),
                "tenders": row["tenders"],
                "mvi_tenders": row["mvi_tenders"],
                "share_pct": row["share_pct"],
                "value_share_pct": row["value_share_pct"],
                "realised": counts["realised"] + counts["partly_realised"],
            }
        )
    columns = ["year", "tenders", "mvi_tenders", "share_pct", "value_share_pct", "realised"]
    return pd.DataFrame(rows, columns=columns)


def _peers(frame: pd.DataFrame, org_type: str, year: int, own_id: int) -> pd.DataFrame:
    return frame[
        (frame["org_type"] == org_type)
        & (frame["year"] == year)
        & frame["organisation_id"].notna()
        & (frame["organisation_id"] != own_id)
    ]


def _share_per_peer(peers: pd.DataFrame, theme: str, *, automatic: bool = False) -> pd.Series:
    """Each peer's share by count in % (one decimal, as :func:`share_row` rounds it)."""
    flagged = flags(peers, theme, automatic=automatic)
    grouped = flagged.groupby(peers["organisation_id"])
    return (100 * grouped.sum() / grouped.size()).round(1)


def peer_spread(frame: pd.DataFrame, org_type: str, year: int, own_id: int) -> pd.DataFrame:
    """Per theme (and ANY): the peers' mean, lowest, highest and std of the share by count."""
    peers = _peers(frame, org_type, year, own_id)
    rows = []
    for theme in [ANY, *THEMES]:
        per_peer = _share_per_peer(peers, theme).astype(float)
        found = not per_peer.empty
        rows.append(
            {
                "theme": theme,
                "peers": len(per_peer),
                "peer_mean_pct": round(float(per_peer.mean()), 1) if found else None,
                "peer_min_pct": round(float(per_peer.min()), 1) if found else None,
                "peer_max_pct": round(float(per_peer.max()), 1) if found else None,
                "peer_std_pct": round(float(per_peer.std(ddof=0)), 1) if found else None,
            }
        )
    return pd.DataFrame(rows)


def named_peers(frame: pd.DataFrame, org_type: str, year: int, own_id: int) -> pd.DataFrame:
    """The peers by name with figures from their published tenders only (automatic reading)."""
    peers = _peers(frame, org_type, year, own_id)
    columns = ["organisation", "tenders", "published_mvi_tenders", "published_share_pct"]
    if peers.empty:
        return pd.DataFrame(columns=columns)
    by_peer = peers.groupby("organisation_id")
    published = flags(peers, ANY, automatic=True).groupby(peers["organisation_id"])
    table = pd.DataFrame(
        {
            "organisation": by_peer["organisation"].first(),
            "tenders": by_peer.size(),
            "published_mvi_tenders": published.sum().astype(int),
            "published_share_pct": _share_per_peer(peers, ANY, automatic=True),
        }
    )
    return table[columns].sort_values("organisation").reset_index(drop=True)


def _met(actual: float | None, target: float | None) -> bool | None:
    if target is None or pd.isna(target) or actual is None:
        return None
    return bool(actual >= target)


def against_ambition(own: pd.DataFrame, ambitions: list[dict[str, Any]]) -> pd.DataFrame:
    """The own shares per theme beside the plan's level and targets (met: True/False/None)."""
    plan = {a["theme"]: a for a in ambitions}
    rows = []
    for entry in own[own["theme"] != ANY].to_dict("records"):
        aim = plan.get(entry["theme"], {})
        rows.append(
            {
                "theme": entry["theme"],
                "ambition_level": aim.get("ambition_level"),
                "share_pct": entry["share_pct"],
                "target_tender_share": aim.get("target_tender_share"),
                "tender_target_met": _met(entry["share_pct"], aim.get("target_tender_share")),
                "value_share_pct": entry["value_share_pct"],
                "target_spend_share": aim.get("target_spend_share"),
                "spend_target_met": _met(entry["value_share_pct"], aim.get("target_spend_share")),
            }
        )
    return without_nan(pd.DataFrame(rows))


def _division_labels(cur: db.Connection) -> dict[str, str]:
    found = db.rows(cur, "SELECT code, label_en FROM cpv_codes WHERE code LIKE '__000000'")
    return {r["code"][:2]: r["label_en"] or "" for r in found}


def organisation_benchmark(
    conn: db.Connection, actor: User | None, organisation_id: int, year: int
) -> dict[str, Any]:
    """An organisation's benchmark for a year, by the module's rules (its members and admins).

    ``by_theme`` (own shares beside the peers' spread), ``by_cpv_division``,
    ``realisation`` (counts), ``trend`` (every year), ``ambition`` (the plan's levels and
    targets beside the shares), ``peers`` (named, published figures only), ``corrected``.
    """
    auth.require_organisation_view(actor, organisation_id)
    year = check_year(year)
    with db.reading(conn) as cur:
        organisation = db.row(
            cur,
            "SELECT id, name, org_type, country FROM organisations WHERE id = ?",
            [organisation_id],
        )
        if organisation is None:
            raise NotFoundError(
                msg("There is no organisation {organisation_id}.", organisation_id=organisation_id)
            )
        # Its own tenders of every year (the trend) and its peers' of the year.
        frame = tender_frame(
            cur,
            f"t.buyer_org_id = ? OR (o.org_type = ? AND {_YEAR_SQL} = ?)",
            [organisation_id, organisation["org_type"] or "", year],
        )
        labels = _division_labels(cur)
        ambitions = ambitions_of(cur, organisation_id, year)
    mine = frame[frame["organisation_id"] == organisation_id]
    this_year = mine[mine["year"] == year]
    own = shares(this_year)
    org_type = organisation["org_type"] or ""
    # An organisation of unknown type has no peers (its type chooses them).
    others = frame if org_type else frame.iloc[0:0]
    spread = peer_spread(others, org_type, year, organisation_id)
    return {
        "organisation": organisation,
        "year": year,
        "years": sorted(int(y) for y in mine["year"].dropna().unique()),
        "corrected": int(this_year["corrected"].sum()),
        "by_theme": without_nan(own.merge(spread, on="theme", how="left")),
        "by_cpv_division": without_nan(by_division(this_year, labels)),
        "realisation": realisation_counts(this_year),
        "trend": without_nan(trend(mine)),
        "ambition": against_ambition(own, ambitions),
        "peers": named_peers(others, org_type, year, organisation_id),
    }


def benchmark_years(conn: db.Connection, actor: User | None, organisation_id: int) -> list[int]:
    """Years with the organisation's tenders or action plans, newest first (for a picker)."""
    auth.require_organisation_view(actor, organisation_id)
    with db.reading(conn) as cur:
        found = db.rows(
            cur,
            "SELECT DISTINCT extract(year FROM coalesce(published_on, awarded_on)) AS year"
            " FROM tenders WHERE buyer_org_id = ? AND coalesce(published_on, awarded_on)"
            " IS NOT NULL UNION SELECT year FROM action_plans WHERE organisation_id = ?",
            [organisation_id, organisation_id],
        )
    return sorted({int(r["year"]) for r in found}, reverse=True)


def programme_benchmark(conn: db.Connection, actor: User | None, year: int | None) -> pd.DataFrame:
    """Per organisation type and country (of ``year``; None: every year): counts only.

    Organisations, tenders, MVI shares by count and value, corrected and realised tenders.
    """
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        if year is None:
            frame = tender_frame(cur)
        else:
            frame = tender_frame(cur, f"{_YEAR_SQL} = ?", [check_year(year)])
    rows = []
    for (org_type, country), part in sorted(
        frame.groupby(["org_type", "country"]), key=lambda item: item[0]
    ):
        row = share_row(part, ANY)
        counts = realisation_counts(part)
        rows.append(
            {
                "org_type": org_type,
                "country": country,
                "organisations": int(part["organisation_id"].nunique()),
                "tenders": row["tenders"],
                "mvi_tenders": row["mvi_tenders"],
                "share_pct": row["share_pct"],
                "value_share_pct": row["value_share_pct"],
                "corrected": int(part["corrected"].sum()),
                "realised": counts["realised"] + counts["partly_realised"],
            }
        )
    columns = ["org_type", "country", "organisations", "tenders", "mvi_tenders", "share_pct"]
    columns += ["value_share_pct", "corrected", "realised"]
    return without_nan(pd.DataFrame(rows, columns=columns))
