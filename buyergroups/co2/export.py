"""CSV and Excel exports of a group's CO2 estimates and of the programme roll-up.

Functions return bytes for a download button or a file, written by the one
CSV and Excel writer of :mod:`buyergroups.exports.spreadsheet` (titles and
sources are user text: its formula guard keeps a spreadsheet from running them).
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from buyergroups import db
from buyergroups.accounts.users import User
from buyergroups.auth import Action, require
from buyergroups.co2 import estimates
from buyergroups.co2.rollup import Rollup
from buyergroups.exports.spreadsheet import Table, csv_bytes, frame_table, xlsx_bytes

ESTIMATE_COLUMNS = [
    "id",
    "title",
    "method",
    "screening",
    "status",
    "confidence",
    "start_year",
    "years",
    "low_t",
    "expected_t",
    "high_t",
    "formula",
    "tender_id",
    "project",
    "assumptions",
    "source",
    "current_revision",
    "updated_at",
]

ROLLUP_NOTES = [
    "Tonnes CO2e reduction; low/high propagate every input's range (min/max over the corners).",
    "A tender linked to several estimates counts once: most advanced status, then latest update.",
    "Groups: all of a group's own estimates; counted_elsewhere_t is counted under another group.",
    "Themes: a multi-theme group's estimates are split equally over its themes.",
    "Countries: an estimate is split equally over its group's countries.",
    "Years: each estimate is spread evenly over its years of effect.",
    "Spend-based estimates are screening estimates (sector-average factors).",
]


def _table(frame: pd.DataFrame) -> Table:
    # Tonnes to 3 decimals (kilograms): sums of floats otherwise show as 20864.400000000005.
    numbers = frame.select_dtypes("float").columns
    return frame_table(frame.assign(**{name: frame[name].round(3) for name in numbers}))


def _csv(frame: pd.DataFrame) -> bytes:
    # Lines end in LF, as these files always have (the group sheets' CSV uses CRLF).
    return csv_bytes(_table(frame), line_end="\n")


def estimates_frame(conn: db.Connection, actor: User | None, group_id: int) -> pd.DataFrame:
    """The group's estimates as a table (needs EXPORT on the group)."""
    with db.reading(conn) as cur:
        require(cur, actor, Action.EXPORT, group_id)
    found = estimates.list_estimates(conn, actor, group_id)
    records = [{**asdict(each), "screening": each.screening} for each in found]
    return pd.DataFrame(records, columns=ESTIMATE_COLUMNS)


def estimates_csv(conn: db.Connection, actor: User | None, group_id: int) -> bytes:
    """The group's estimates as UTF-8 CSV (with BOM so Excel reads the accents)."""
    return _csv(estimates_frame(conn, actor, group_id))


def estimates_xlsx(conn: db.Connection, actor: User | None, group_id: int) -> bytes:
    """The group's estimates as an Excel workbook with one sheet."""
    return xlsx_bytes({"Estimates": _table(estimates_frame(conn, actor, group_id))})


def totals_frame(rollup: Rollup) -> pd.DataFrame:
    """The programme totals as (measure, value) rows, household factor and source included."""
    totals = asdict(rollup.totals)
    measures = [(name, totals[name]) for name in totals]
    measures += [
        ("duplicates_dropped", rollup.duplicates_dropped),
        ("household_t_per_year", rollup.household_t_per_year),
        ("household_factor_source", rollup.household_factor_source),
    ]
    return pd.DataFrame(measures, columns=["measure", "value"])


def _rollup_sheets(rollup: Rollup) -> dict[str, pd.DataFrame]:
    return {
        "Totals": totals_frame(rollup),
        "Groups": rollup.by_group,
        "Programmes": rollup.by_programme,
        "Sectors": rollup.by_sector,
        "Themes": rollup.by_theme,
        "Countries": rollup.by_country,
        "Years": rollup.by_year,
        "Notes": pd.DataFrame({"note": ROLLUP_NOTES}),
    }


def rollup_xlsx(rollup: Rollup) -> bytes:
    """The roll-up as an Excel workbook: a sheet per dimension plus totals and notes."""
    return xlsx_bytes({name: _table(sheet) for name, sheet in _rollup_sheets(rollup).items()})


def rollup_csv(rollup: Rollup) -> bytes:
    """The roll-up as one long CSV: dimension, key, then the value columns."""
    parts = []
    for dimension, column in (
        ("group", "group_name"),
        ("programme", "programme"),
        ("sector", "sector"),
        ("theme", "theme"),
        ("country", "country"),
        ("year", "year"),
    ):
        sheet = getattr(rollup, f"by_{dimension}")
        part = sheet.drop(columns=[c for c in sheet.columns if c.endswith("_id")])
        parts.append(part.rename(columns={column: "key"}).assign(dimension=dimension))
    total = asdict(rollup.totals)
    parts.append(pd.DataFrame([{**total, "key": "programme total", "dimension": "total"}]))
    table = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    first = ["dimension", "key"]
    table = table[first + [c for c in table.columns if c not in first]]
    return _csv(table)
