"""A group's Exports tab: Word and spreadsheet downloads, and the criteria spreadsheet import."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from buyergroups import auth
from buyergroups.accounts.users import User
from buyergroups.co2 import export
from buyergroups.db import Connection
from buyergroups.errors import BuyerGroupsError
from buyergroups.exports import criteria_import, group_sheets, spreadsheet, word
from buyergroups.exports.criteria_import import ImportReport
from buyergroups.groups import get_group
from ui.i18n import N_, error_text, message_text, t
from ui.search_resources import after_bulk_change

PREFIX = "exports"
_MIME = {"docx": word.DOCX_MIME, "xlsx": spreadsheet.XLSX_MIME, "csv": spreadsheet.CSV_MIME}
_ERRORS_LISTED = 50


def render_exports(conn: Connection, user: User, group_id: int) -> None:
    """Download buttons for the group's exports, and the criteria import for those who may add."""
    try:
        allowed = auth.actions_for(conn, user, group_id)
        slug = _slug(get_group(conn, user, group_id)["name"])
        if auth.Action.READ not in allowed:
            st.info(
                t("You are not a member of this group: the exports hold what it has published.")
            )
        _downloads(conn, user, group_id, slug, allowed)
        if auth.Action.CREATE in allowed:
            _import(conn, user, group_id)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))


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
    st.subheader(t("Download"))
    word_column, sheets = st.columns(2)
    with word_column:
        st.markdown(t("**Word**"))
        _button(
            t("Criteria set (Word)"),
            lambda: word.criteria_docx(conn, user, group_id),
            f"{slug}-criteria.docx",
            "criteria_docx",
        )
        _button(
            t("One-page summary (Word)"),
            lambda: word.summary_docx(conn, user, group_id),
            f"{slug}-summary.docx",
            "summary_docx",
        )
        _document_button(conn, user, group_id, slug)
    with sheets:
        st.markdown(t("**Spreadsheets**"))
        tables = [
            (N_("Criteria"), "criteria", group_sheets.criteria_xlsx, group_sheets.criteria_csv),
            (
                N_("Market dialogue"),
                "dialogue",
                group_sheets.dialogue_xlsx,
                group_sheets.dialogue_csv,
            ),
        ]
        if auth.Action.READ in allowed:
            tables += [
                (
                    N_("Linked tenders"),
                    "tenders",
                    group_sheets.tenders_xlsx,
                    group_sheets.tenders_csv,
                ),
                (N_("CO2 estimates"), "co2", export.estimates_xlsx, export.estimates_csv),
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
        _button(
            t("{table} (Excel)", table=t(label)),
            lambda: xlsx(conn, user, group_id),
            f"{slug}-{name}.xlsx",
            name,
        )
    with right:
        _button(
            t("{table} (CSV)", table=t(label)),
            lambda: csv(conn, user, group_id),
            f"{slug}-{name}.csv",
            f"{name}_csv",
        )


def _document_button(conn: Connection, user: User, group_id: int, slug: str) -> None:
    found = word.exportable_documents(conn, user, group_id)
    if not found:
        st.caption(t("No market vision or joint statement of demand to export yet."))
        return
    titles = {d["id"]: d["title"] for d in found}
    chosen = st.selectbox(
        t("Market vision or joint statement"),
        list(titles),
        format_func=titles.__getitem__,
        key=f"{PREFIX}_document",
    )
    _button(
        t("Market vision / joint statement (Word)"),
        lambda: word.document_docx(conn, user, group_id, chosen),
        f"{slug}-document-{chosen}.docx",
        "document_docx",
    )


def _import(conn: Connection, user: User, group_id: int) -> None:
    st.subheader(t("Import criteria from a spreadsheet"))
    st.caption(
        t(
            "Start from the template (or from a criteria export): one criterion per row. "
            "Rows are checked one by one; nothing is stored until you confirm. "
            "Imported criteria start as drafts."
        )
    )
    left, right = st.columns(2)
    with left:
        _button(
            t("Template (Excel)"),
            criteria_import.template_xlsx,
            "criteria-template.xlsx",
            "tpl_xlsx",
        )
    with right:
        _button(
            t("Template (CSV)"), criteria_import.template_csv, "criteria-template.csv", "tpl_csv"
        )
    upload = st.file_uploader(
        t("Criteria spreadsheet (.xlsx or .csv)"), type=["xlsx", "csv"], key=f"{PREFIX}_upload"
    )
    if upload is None:
        return
    if st.session_state.get(f"{PREFIX}_stored_file") == upload.file_id:
        st.success(st.session_state[f"{PREFIX}_stored_message"])
        return
    with st.spinner(t("Checking the rows…")):
        report = criteria_import.parse_rows(upload.getvalue(), upload.name)
    _report(report)
    _confirm(conn, user, group_id, report, upload.file_id)


def _report(report: ImportReport) -> None:
    valid, errors = len(report.valid), len(report.errors)
    summary = t(
        "{file}: {rows} rows, {valid} valid, {errors} with errors.",
        file=report.filename,
        rows=len(report.rows),
        valid=valid,
        errors=errors,
    )
    (st.warning if errors else st.info)(summary)
    st.dataframe(
        [
            {
                t("Row"): r.row,
                t("Result"): t("ok") if r.ok else t("error"),
                t("Message"): message_text(r.message),
            }
            for r in report.rows
        ],
        hide_index=True,
    )
    for row in report.errors[:_ERRORS_LISTED]:
        st.text(t("Row {row}: {message}", row=row.row, message=message_text(row.message)))
    if errors > _ERRORS_LISTED:
        st.text(
            t(
                "… and {count} more rows with errors (see the table).",
                count=errors - _ERRORS_LISTED,
            )
        )


def _confirm(
    conn: Connection, user: User, group_id: int, report: ImportReport, file_id: str
) -> None:
    count = len(report.valid)
    if not count:
        st.error(t("No row can be stored; correct the file and upload it again."))
        return
    if st.button(
        _store_label(count, partial=bool(report.errors)), key=f"{PREFIX}_store", type="primary"
    ):
        with st.spinner(t("Storing the criteria…")):
            stored = criteria_import.store_valid(conn, user, group_id, report)
        after_bulk_change()
        st.session_state[f"{PREFIX}_stored_file"] = file_id
        st.session_state[f"{PREFIX}_stored_message"] = (
            t("Stored 1 criterion from {file} as drafts.", file=report.filename)
            if len(stored) == 1
            else t(
                "Stored {count} criteria from {file} as drafts.",
                count=len(stored),
                file=report.filename,
            )
        )
        st.rerun()


def _store_label(count: int, *, partial: bool) -> str:
    """The store button's label: how many rows it stores (the valid ones, if some failed)."""
    if count == 1:
        return t("Store the 1 valid row") if partial else t("Store the 1 row")
    if partial:
        return t("Store the {count} valid rows", count=count)
    return t("Store the {count} rows", count=count)
