"""The outcome of a tender import on the Import page: one line and a table per file."""

from __future__ import annotations

from typing import Any

import streamlit as st

from buyergroups.ingest.loader import BatchSummary
from ui.i18n import N_, message_text, t

_STATUS = {
    "imported": N_("imported"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
    "rejected": N_("rejected"),
}


def summary_line(summary: BatchSummary) -> str:
    """'3 file(s) read: 2 imported, …' in the session's language."""
    return t(
        "{read} file(s) read: {imported} imported, {updated} updated, {unchanged} unchanged, "
        "{rejected} rejected.",
        read=summary.read,
        imported=summary.imported,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rejected=len(summary.rejected),
    )


def summary_table(summary: BatchSummary) -> list[dict[str, Any]]:
    """One row per file: name, result, counts and (for a rejected file) the reason."""
    return [
        {
            t("File"): result.name,
            t("Result"): t(_STATUS.get(result.status, result.status)),
            t("Imported"): result.imported,
            t("Updated"): result.updated,
            t("Unchanged"): result.unchanged,
            t("Message"): message_text(result.message),
        }
        for result in summary.results
    ]


def render_summary(summary: BatchSummary) -> None:
    """A warning when a file was rejected (else a success line), then the table."""
    (st.warning if summary.rejected else st.success)(summary_line(summary))
    st.dataframe(summary_table(summary), hide_index=True, key="import_summary")
