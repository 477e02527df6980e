"""Import tenders: upload eForms XML, OCDS JSON, CSV or the CPV list (facilitators and admins)."""

from __future__ import annotations

import streamlit as st

from buyergroups.errors import BuyerGroupsError
from buyergroups.ingest import loader
from buyergroups.ingest.sources import EXTENSIONS, MB, Limits, sources_from_upload
from ui import context
from ui.i18n import N_, error_text, t
from ui.import_summary import render_summary
from ui.search_resources import after_bulk_change

KIND_LABELS = {
    "eforms": N_("EU eForms notices (XML)"),
    "ocds": N_("OCDS releases or records (JSON, JSON Lines)"),
    "csv": N_("Tenders CSV (documented columns)"),
    "cpv": N_("CPV code list (CSV with language columns)"),
}

st.title(t("Import tenders"))
user = context.current_user()
conn = context.connection()
groups = loader.importable_groups(conn, user)
if not user.is_admin and not groups:
    st.info(t("Only facilitators of a buyer group and platform admins can import tenders."))
    st.stop()

kinds = list(KIND_LABELS) if user.is_admin else ["eforms", "ocds", "csv"]
kind = st.radio(
    t("What to import"),
    kinds,
    format_func={k: t(text) for k, text in KIND_LABELS.items()}.get,
    key="import_kind",
)
group_options: list[int | None] = ([None] if user.is_admin else []) + [g["id"] for g in groups]
group_names = {g["id"]: g["name"] for g in groups}
group_id = None
if kind != "cpv":
    group_id = st.selectbox(
        t("Link the imported tenders to group"),
        group_options,
        format_func={None: t("(no group)"), **group_names}.get,
        key="import_group",
    )
limit_mb = context.settings().max_upload_mb
uploads = st.file_uploader(
    t("Files or zip archives (at most {limit} MB each)", limit=limit_mb),
    type=[ext.lstrip(".") for ext in EXTENSIONS[kind]] + ["zip"],
    accept_multiple_files=True,
    key="import_files",
)
if st.button(t("Import"), key="import_run", disabled=not uploads):
    limits = Limits(max_file_bytes=limit_mb * MB)
    sources = [
        source
        for upload in uploads or []
        for source in sources_from_upload(upload.name, upload.size, upload.getvalue, kind, limits)
    ]
    try:
        with st.spinner(t("Importing…")):
            summary = loader.import_sources(
                conn, kind, sources, user, group_id=group_id, limits=limits
            )
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
    else:
        render_summary(summary)
        if summary.imported or summary.updated:
            after_bulk_change()
