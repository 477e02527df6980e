"""A group's Exports tab: Word and spreadsheet downloads, and the criteria spreadsheet import."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from buyergroups import auth, co2_export, criteria_import, reports, reports_docx
from buyergroups.criteria_import import ImportReport
from buyergroups.db import Connection
from buyergroups.errors import BuyerGroupsError
from buyergroups.groups import get_group
from buyergroups.users import User
from ui.search_resources import after_bulk_change

PREFIX = "exports"
_MIME = {"docx": reports_docx.DOCX_MIME, "xlsx": reports.XLSX_MIME, "csv": reports.CSV_MIME}
_ERRORS_LISTED = 50


def render_exports(conn: Connection, user: User, group_id: int) -> None:
    """Download buttons for the group's exports, and the criteria import for those who may add."""
    try:
        allowed = auth.actions_for(conn, user, group_id)
        slug = _slug(get_group(conn, user, group_id)["name"])
        if auth.Action.READ not in allowed:
            st.info("You are not a member of this group: the exports hold what it has published.")
        _downloads(conn, user, group_id, slug, allowed)
        if auth.Action.CREATE in allowed:
            _import(conn, user, group_id)
    except BuyerGroupsError as exc:
        st.error(str(exc))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "group"


def _button(label: str, make: Callable[[], bytes], file_name: str, key: str) -> None:
    # The file is built when the button is clicked, not on every rerun of the page.
    st.download_button(
        label,
        make,
        file_name=file_name,
        mime=_MIME[file_name.rsplit(".", 1)[1]],
        key=f"{PREFIX}_{key}",
        on_click="ignore",
    )


def _downloads(
    conn: Connection, user: User, group_id: int, slug: str, allowed: frozenset[auth.Action]
) -> None:
    st.subheader("Download")
    word, sheets = st.columns(2)
    with word:
        st.markdown("**Word**")
        _button(
            "Criteria set (Word)",
            lambda: reports_docx.criteria_docx(conn, user, group_id),
            f"{slug}-criteria.docx",
            "criteria_docx",
        )
        _button(
            "One-page summary (Word)",
            lambda: reports_docx.summary_docx(conn, user, group_id),
            f"{slug}-summary.docx",
            "summary_docx",
        )
        _document_button(conn, user, group_id, slug)
    with sheets:
        st.markdown("**Spreadsheets**")
        tables = [
            ("Criteria", "criteria", reports.criteria_xlsx, reports.criteria_csv),
            ("Market dialogue", "dialogue", reports.dialogue_xlsx, reports.dialogue_csv),
        ]
        if auth.Action.READ in allowed:
            tables += [
                ("Linked tenders", "tenders", reports.tenders_xlsx, reports.tenders_csv),
                ("CO2 estimates", "co2", co2_export.estimates_xlsx, co2_export.estimates_csv),
            ]
        for label, name, xlsx, csv in tables:
            _sheet_buttons(conn, user, group_id, slug, label, name, xlsx, csv)


def _sheet_buttons(
    conn: Connection,
    user: User,
    group_id: int,
    slug: str,
    label: str,
    name: str,
    xlsx: Callable[[Connection, User, int], bytes],
    csv: Callable[[Connection, User, int], bytes],
) -> None:
    left, right = st.columns(2)
    with left:
        _button(f"{label} (Excel)", lambda: xlsx(conn, user, group_id), f"{slug}-{name}.xlsx", name)
    with right:
        _button(
            f"{label} (CSV)", lambda: csv(conn, user, group_id), f"{slug}-{name}.csv", f"{name}_csv"
        )


def _document_button(conn: Connection, user: User, group_id: int, slug: str) -> None:
    found = reports_docx.exportable_documents(conn, user, group_id)
    if not found:
        st.caption("No market vision or joint statement of demand to export yet.")
        return
    titles = {d["id"]: d["title"] for d in found}
    chosen = st.selectbox(
        "Market vision or joint statement",
        list(titles),
        format_func=titles.__getitem__,
        key=f"{PREFIX}_document",
    )
    _button(
        "Market vision / joint statement (Word)",
        lambda: reports_docx.document_docx(conn, user, group_id, chosen),
        f"{slug}-document-{chosen}.docx",
        "document_docx",
    )


def _import(conn: Connection, user: User, group_id: int) -> None:
    st.subheader("Import criteria from a spreadsheet")
    st.caption(
        "Start from the template (or from a criteria export): one criterion per row. "
        "Rows are checked one by one; nothing is stored until you confirm. "
        "Imported criteria start as drafts."
    )
    left, right = st.columns(2)
    with left:
        _button(
            "Template (Excel)", criteria_import.template_xlsx, "criteria-template.xlsx", "tpl_xlsx"
        )
    with right:
        _button("Template (CSV)", criteria_import.template_csv, "criteria-template.csv", "tpl_csv")
    upload = st.file_uploader(
        "Criteria spreadsheet (.xlsx or .csv)", type=["xlsx", "csv"], key=f"{PREFIX}_upload"
    )
    if upload is None:
        return
    if st.session_state.get(f"{PREFIX}_stored_file") == upload.file_id:
        st.success(st.session_state[f"{PREFIX}_stored_message"])
        return
    with st.spinner("Checking the rows…"):
        report = criteria_import.parse_rows(upload.getvalue(), upload.name)
    _report(report)
    _confirm(conn, user, group_id, report, upload.file_id)


def _report(report: ImportReport) -> None:
    valid, errors = len(report.valid), len(report.errors)
    summary = f"{report.filename}: {len(report.rows)} rows, {valid} valid, {errors} with errors."
    (st.warning if errors else st.info)(summary)
    st.dataframe(
        [
            {"Row": r.row, "Result": "ok" if r.ok else "error", "Message": r.message}
            for r in report.rows
        ],
        hide_index=True,
    )
    for row in report.errors[:_ERRORS_LISTED]:
        st.text(f"Row {row.row}: {row.message}")
    if errors > _ERRORS_LISTED:
        st.text(f"… and {errors - _ERRORS_LISTED} more rows with errors (see the table).")


def _confirm(
    conn: Connection, user: User, group_id: int, report: ImportReport, file_id: str
) -> None:
    count = len(report.valid)
    if not count:
        st.error("No row can be stored; correct the file and upload it again.")
        return
    rows = f"row{'' if count == 1 else 's'}"
    label = f"Store the {count} valid {rows}" if report.errors else f"Store the {count} {rows}"
    if st.button(label, key=f"{PREFIX}_store", type="primary"):
        with st.spinner("Storing the criteria…"):
            stored = criteria_import.store_valid(conn, user, group_id, report)
        after_bulk_change()
        noun = "criterion" if len(stored) == 1 else "criteria"
        st.session_state[f"{PREFIX}_stored_file"] = file_id
        st.session_state[f"{PREFIX}_stored_message"] = (
            f"Stored {len(stored)} {noun} from {report.filename} as drafts."
        )
        st.rerun()
