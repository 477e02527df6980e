"""CO2 roll-ups over all groups' estimates, without double counting.

Counting rules (also shown on the CO2 page and in the Excel "Notes" sheet):

* **One estimate per tender.** When estimates of several groups (or several of
  one group) point at the same ``tender_id``, the programme counts only one:
  the most advanced status (realised > contracted > expected), then the most
  recently updated, then the highest id. Estimates without a tender always count.
* **Per group** rows hold *all* the group's own estimates, because a group's
  progress against its own target includes its shared tenders; the column
  ``counted_elsewhere_t`` shows how much of that the programme counts under
  another group, so group rows may add up to more than the programme total.
* **Programme, sector, country, year and status** use the deduplicated
  estimates and add up to the programme total.
* **Theme**: a group with several MVI themes has each estimate split equally
  over its themes, so theme rows add up to the total (counting in full under
  every theme would multiply a group's tonnes by its number of themes).
* **Country**: a group working in several countries has each estimate split
  equally over its countries, so country rows add up to the total.
* **Year**: each estimate is spread evenly over start_year … start_year +
  years − 1 (exact for the intensity method, an assumption for totals).
* **Status** columns (``status_expected_t``, ``status_contracted_t``,
  ``status_realised_t``) split the central figure by where each estimate is;
  they add up to ``expected_t``.
* **Households**: central tonnes ÷ t CO2e per household per year (default 4.2,
  RIVM), i.e. "the yearly emissions of N households".

Roll-up numbers may be seen by any signed-in user; estimate titles never
appear here (those need READ on the group, see :mod:`buyergroups.co2.estimates`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from buyergroups import db
from buyergroups.accounts.users import User
from buyergroups.auth import Action, require, require_signed_in
from buyergroups.co2.methods import STATUS_RANK, Co2Status, households
from buyergroups.config import DEFAULT_HOUSEHOLD_T_PER_YEAR, HOUSEHOLD_FACTOR_SOURCE

VALUE_COLUMNS = [
    "low_t",
    "expected_t",
    "high_t",
    "status_expected_t",
    "status_contracted_t",
    "status_realised_t",
]
NO_VALUE = "(none)"

# How far along an estimate is, as SQL (constants of STATUS_RANK, never user text).
_RANK_SQL = (
    "CASE e.status "
    + " ".join(f"WHEN '{status.value}' THEN {rank}" for status, rank in STATUS_RANK.items())
    + " END"
)
# The window keeps, per tender, the most advanced status, then the latest update.
_ESTIMATES_SQL = f"""
SELECT e.id, e.group_id, g.name AS group_name, g.sector, g.programme, g.countries, g.themes,
       g.co2_target_t AS target_t, e.tender_id, e.status, e.low_t, e.expected_t, e.high_t,
       e.start_year, e.years,
       e.tender_id IS NULL OR row_number() OVER (
           PARTITION BY e.tender_id
           ORDER BY {_RANK_SQL} DESC,
                    e.updated_at DESC, e.id DESC) = 1 AS counted
FROM co2_estimates e JOIN buyer_groups g ON g.id = e.group_id
WHERE e.deleted_at IS NULL AND g.deleted_at IS NULL
ORDER BY e.id
"""  # nosec B608 - built from enum constants


@dataclass(frozen=True)
class Totals:
    """Programme (or group) totals in tonnes CO2e."""

    low_t: float
    expected_t: float
    high_t: float
    status_expected_t: float
    status_contracted_t: float
    status_realised_t: float
    estimates: int
    households: float  # expected_t as yearly emissions of this many households


@dataclass(frozen=True)
class Rollup:
    """The programme roll-up: totals plus one table per dimension."""

    totals: Totals
    by_group: pd.DataFrame
    by_programme: pd.DataFrame
    by_sector: pd.DataFrame
    by_theme: pd.DataFrame
    by_country: pd.DataFrame
    by_year: pd.DataFrame
    duplicates_dropped: int  # estimates not counted because their tender counts elsewhere
    household_t_per_year: float
    household_factor_source: str


@dataclass(frozen=True)
class GroupProgress:
    """A group's own totals (all its estimates) against its target."""

    totals: Totals
    target_t: float | None
    pct_of_target: float | None  # all statuses, central figure
    secured_pct_of_target: float | None  # contracted + realised
    counted_elsewhere_t: float


def _estimate_frame(cur: db.Connection) -> pd.DataFrame:
    frame = pd.DataFrame(db.rows(cur, _ESTIMATES_SQL))
    if frame.empty:
        frame = pd.DataFrame(columns=[*_base_columns(), "counted"])
    for status in Co2Status:
        frame[f"status_{status.value}_t"] = frame["expected_t"].where(
            frame["status"] == status.value, 0.0
        )
    frame["counted"] = frame["counted"].astype(bool)
    return frame


def _base_columns() -> list[str]:
    return [
        "id",
        "group_id",
        "group_name",
        "sector",
        "programme",
        "countries",
        "themes",
        "target_t",
        "tender_id",
        "status",
        "low_t",
        "expected_t",
        "high_t",
        "start_year",
        "years",
    ]


def _totals(frame: pd.DataFrame, t_per_household: float) -> Totals:
    sums = {name: float(frame[name].sum()) for name in VALUE_COLUMNS}
    return Totals(
        **sums,
        estimates=len(frame),
        households=households(sums["expected_t"], t_per_household),
    )


def _breakdown(frame: pd.DataFrame, key: str, share: pd.Series | None = None) -> pd.DataFrame:
    """Sum the value columns (times ``share``) by ``key``, largest expected first."""
    weighted = frame[[key]].copy()
    for name in VALUE_COLUMNS:
        weighted[name] = frame[name] * (1.0 if share is None else share)
    weighted["estimates"] = 1
    if weighted.empty:
        return pd.DataFrame(columns=[key, *VALUE_COLUMNS, "estimates"])
    grouped = weighted.groupby(key, as_index=False, sort=False).sum()
    return grouped.sort_values(["expected_t", key], ascending=[False, True]).reset_index(drop=True)


def _exploded(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per list element of ``column`` (empty lists become NO_VALUE), with its share."""
    listed = frame.copy()
    listed[column] = listed[column].map(lambda values: list(values) or [NO_VALUE])
    listed["share"] = listed[column].map(lambda values: 1.0 / len(values))
    return listed.explode(column).reset_index(drop=True)


def _by_year(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["year", *VALUE_COLUMNS, "estimates"])
    spread = frame.copy()
    spread["year"] = spread.apply(
        lambda est: list(range(int(est["start_year"]), int(est["start_year"] + est["years"]))),
        axis=1,
    )
    spread = spread.explode("year").reset_index(drop=True)
    spread["year"] = spread["year"].astype(int)
    by_year = _breakdown(spread, "year", 1.0 / spread["years"].astype(float))
    return by_year.sort_values("year").reset_index(drop=True)


def _by_group(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["group_id", "group_name", "sector", "programme", "target_t"]
    if frame.empty:
        return pd.DataFrame(
            columns=[*columns, *VALUE_COLUMNS, "estimates", "counted_elsewhere_t", "pct_of_target"]
        )
    keyed = frame.assign(
        counted_elsewhere_t=frame["expected_t"].where(~frame["counted"], 0.0), estimates=1
    )
    grouped = keyed.groupby(columns, as_index=False, dropna=False)[
        [*VALUE_COLUMNS, "estimates", "counted_elsewhere_t"]
    ].sum()
    grouped["pct_of_target"] = 100.0 * grouped["expected_t"] / grouped["target_t"]
    return grouped.sort_values(["expected_t", "group_name"], ascending=[False, True]).reset_index(
        drop=True
    )


def programme_rollup(
    conn: db.Connection,
    actor: User | None,
    *,
    household_t_per_year: float = DEFAULT_HOUSEHOLD_T_PER_YEAR,
) -> Rollup:
    """All groups' estimates rolled up without double counting (numbers only)."""
    with db.reading(conn) as cur:
        require_signed_in(actor)
        frame = _estimate_frame(cur)
    counted = frame[frame["counted"]].reset_index(drop=True)
    themes = _exploded(counted, "themes")
    countries = _exploded(counted, "countries")
    return Rollup(
        totals=_totals(counted, household_t_per_year),
        by_group=_by_group(frame),
        by_programme=_breakdown(counted, "programme"),
        by_sector=_breakdown(counted, "sector"),
        by_theme=_breakdown(themes.rename(columns={"themes": "theme"}), "theme", themes["share"]),
        by_country=_breakdown(
            countries.rename(columns={"countries": "country"}), "country", countries["share"]
        ),
        by_year=_by_year(counted),
        duplicates_dropped=int((~frame["counted"]).sum()),
        household_t_per_year=household_t_per_year,
        household_factor_source=HOUSEHOLD_FACTOR_SOURCE,
    )


def group_progress(
    conn: db.Connection,
    actor: User | None,
    group_id: int,
    *,
    household_t_per_year: float = DEFAULT_HOUSEHOLD_T_PER_YEAR,
) -> GroupProgress:
    """The group's own totals by status and its progress against ``co2_target_t``."""
    with db.reading(conn) as cur:
        require(cur, actor, Action.READ, group_id)
        frame = _estimate_frame(cur)
        target = db.value(cur, "SELECT co2_target_t FROM buyer_groups WHERE id = ?", [group_id])
    own = frame[frame["group_id"] == group_id]
    totals = _totals(own, household_t_per_year)
    secured = totals.status_contracted_t + totals.status_realised_t
    return GroupProgress(
        totals=totals,
        target_t=target,
        pct_of_target=100.0 * totals.expected_t / target if target else None,
        secured_pct_of_target=100.0 * secured / target if target else None,
        counted_elsewhere_t=float(own["expected_t"].where(~own["counted"], 0.0).sum()),
    )


def by_status_long(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per (``key``, status) with its tonnes: the shape stacked status bars need."""
    names = {f"status_{s.value}_t": s.label for s in Co2Status}
    long = table.melt(id_vars=[key], value_vars=list(names), var_name="status", value_name="t")
    long["status"] = long["status"].map(names)
    return long
