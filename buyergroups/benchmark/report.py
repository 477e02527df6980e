"""An organisation's yearly MVI report, as Word and as Excel.

Both hold the figures of :func:`buyergroups.benchmark.figures.organisation_benchmark` (so
they need the same access: the organisation's members and admins) and nothing of other
organisations but their counted averages and the peers' published figures. The Word
report is written in the reader's interface language; the workbook has fixed English
column names (as every spreadsheet export) and goes through the one Excel writer and its
formula guard (:mod:`buyergroups.exports.spreadsheet`).
"""

from __future__ import annotations

import io
from typing import Any

import docx
import pandas as pd
from docx.shared import Pt

from buyergroups import db, i18n
from buyergroups.accounts.users import User
from buyergroups.benchmark.figures import ANY, organisation_benchmark
from buyergroups.domain import AmbitionLevel, OrganisationType, Theme
from buyergroups.exports import spreadsheet, word

XLSX_MIME = spreadsheet.XLSX_MIME
DOCX_MIME = word.DOCX_MIME


def file_name(benchmark: dict[str, Any], suffix: str) -> str:
    """``mvi-report-<organisation>-<year>.<suffix>`` with a file-safe organisation name."""
    name = "".join(c if c.isalnum() else "-" for c in benchmark["organisation"]["name"].lower())
    return f"mvi-report-{'-'.join(p for p in name.split('-') if p)}-{benchmark['year']}.{suffix}"


def workbook(conn: db.Connection, actor: User | None, organisation_id: int, year: int) -> bytes:
    """The yearly report as an Excel workbook: one sheet per table of the benchmark."""
    return workbook_bytes(organisation_benchmark(conn, actor, organisation_id, year))


def workbook_bytes(found: dict[str, Any]) -> bytes:
    """:func:`workbook` of a benchmark already computed (access checked when it was)."""
    summary = pd.DataFrame(
        [
            {
                "organisation": found["organisation"]["name"],
                "organisation_type": found["organisation"]["org_type"] or "",
                "year": found["year"],
                "corrected_tenders": found["corrected"],
                **found["realisation"],
            }
        ]
    )
    sheets = {
        "summary": summary,
        "by_theme": found["by_theme"],
        "against_ambition": found["ambition"],
        "by_cpv_division": found["by_cpv_division"],
        "trend": found["trend"],
        "peers_published": found["peers"],
    }
    return spreadsheet.xlsx_bytes({k: spreadsheet.frame_table(v) for k, v in sheets.items()})


def _pct(value: Any, language: str) -> str:
    return "–" if value is None or pd.isna(value) else f"{i18n.number(value, language, 1)} %"


def _theme(code: str, language: str) -> str:
    if code == ANY:
        return i18n.translate("Any MVI theme", language)
    return i18n.enum_label(Theme(code), language)


def _table(document: Any, headers: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text


def document(conn: db.Connection, actor: User | None, organisation_id: int, year: int) -> bytes:
    """The yearly report as a Word document in the reader's language."""
    found = organisation_benchmark(conn, actor, organisation_id, year)
    return document_for(found, i18n.supported(getattr(actor, "language", None)))


def document_for(found: dict[str, Any], lang: str) -> bytes:
    """:func:`document` of a benchmark already computed, in ``lang``."""
    year = found["year"]

    def tr(text: str, /, **values: object) -> str:
        return i18n.translate(text, lang, **values)

    organisation = found["organisation"]
    doc = docx.Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(
        tr("MVI report {year}: {organisation}", year=year, organisation=organisation["name"]), 0
    )
    kind = organisation["org_type"]
    any_row = found["by_theme"][found["by_theme"]["theme"] == ANY].iloc[0]
    doc.add_paragraph(
        tr(
            "{tenders} tenders in {year}; {share} of them sustainable (MVI) by count and {value} "
            "by value; {corrected} corrected by the organisation. Peers: {peers} other "
            "organisation(s) of the type {kind}.",
            tenders=int(any_row["tenders"]),
            year=year,
            share=_pct(any_row["share_pct"], lang),
            value=_pct(any_row["value_share_pct"], lang),
            corrected=found["corrected"],
            peers=int(any_row["peers"] or 0),
            kind=i18n.enum_label(OrganisationType(kind), lang) if kind else tr("(not known)"),
        )
    )
    doc.add_heading(tr("Per theme, against ambition and peers"), 1)
    plan = {row["theme"]: row for row in found["ambition"].to_dict("records")}
    rows = []
    for row in found["by_theme"].to_dict("records"):
        aim = plan.get(row["theme"], {})
        level = aim.get("ambition_level")
        rows.append(
            [
                _theme(row["theme"], lang),
                _pct(row["share_pct"], lang),
                _pct(row["value_share_pct"], lang),
                i18n.enum_label(AmbitionLevel(level), lang) if level else "–",
                _pct(aim.get("target_tender_share"), lang),
                _pct(row["peer_mean_pct"], lang),
                f"{_pct(row['peer_min_pct'], lang)} – {_pct(row['peer_max_pct'], lang)}",
            ]
        )
    _table(
        doc,
        [
            tr("Theme"),
            tr("Share by count"),
            tr("Share by value"),
            tr("Ambition level"),
            tr("Target (share of tenders)"),
            tr("Peer average"),
            tr("Peer range"),
        ],
        rows,
    )
    counts = found["realisation"]
    doc.add_heading(tr("Realised and only asked for"), 1)
    doc.add_paragraph(
        tr(
            "Of {mvi} sustainable tenders, {contracted} contracted the requirement, {realised} "
            "realised it, {partly} partly; {asked} were only asked for (not known to be "
            "realised).",
            mvi=counts["mvi_tenders"],
            contracted=counts["contracted"],
            realised=counts["realised"],
            partly=counts["partly_realised"],
            asked=counts["only_asked_for"],
        )
    )
    doc.add_heading(tr("Per CPV division"), 1)
    _table(
        doc,
        [tr("CPV division"), tr("Tenders"), tr("Share by count"), tr("Share by value")],
        [
            [
                f"{r['cpv_division'] or tr('(no CPV)')} {r['label']}".strip(),
                str(r["tenders"]),
                _pct(r["share_pct"], lang),
                _pct(r["value_share_pct"], lang),
            ]
            for r in found["by_cpv_division"].to_dict("records")
        ],
    )
    doc.add_heading(tr("Trend"), 1)
    _table(
        doc,
        [tr("Year"), tr("Tenders"), tr("Share by count"), tr("Share by value"), tr("Realised")],
        [
            [
                str(r["year"]),
                str(r["tenders"]),
                _pct(r["share_pct"], lang),
                _pct(r["value_share_pct"], lang),
                str(r["realised"]),
            ]
            for r in found["trend"].to_dict("records")
        ],
    )
    if not found["peers"].empty:
        doc.add_heading(tr("Peers (from their published tenders)"), 1)
        _table(
            doc,
            [tr("Organisation"), tr("Tenders"), tr("Share by count")],
            [
                [r["organisation"], str(r["tenders"]), _pct(r["published_share_pct"], lang)]
                for r in found["peers"].to_dict("records")
            ],
        )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
