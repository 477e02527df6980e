"""Import tenders: upload eForms XML, OCDS JSON, CSV or the CPV list (facilitators and admins)."""

from __future__ import annotations

import streamlit as st

from buyergroups.errors import BuyerGroupsError
from buyergroups.ingest import loader
from buyergroups.ingest.sources import EXTENSIONS, MB, Limits, sources_from_upload
from ui import context
from ui.search_resources import after_bulk_change

KIND_LABELS = {
    "eforms": "EU eForms notices (XML)",
    "ocds": "OCDS releases or records (JSON, JSON Lines)",
    "csv": "Tenders CSV (documented columns)",
    "cpv": "CPV code list (CSV with language columns)",
}

st.title("Import tenders")
user = context.current_user()
conn = context.connection()
groups = loader.importable_groups(conn, user)
if not user.is_admin and not groups:
    st.info("Only facilitators of a buyer group and platform admins can import tenders.")
    st.stop()

kinds = list(KIND_LABELS) if user.is_admin else ["eforms", "ocds", "csv"]
kind = st.radio("What to import", kinds, format_func=KIND_LABELS.__getitem__, key="import_kind")
group_options: list[int | None] = ([None] if user.is_admin else []) + [g["id"] for g in groups]
group_names = {g["id"]: g["name"] for g in groups}
group_id = None
if kind != "cpv":
    group_id = st.selectbox(
        "Link the imported tenders to group",
        group_options,
        format_func=lambda gid: "(no group)" if gid is None else group_names[gid],
        key="import_group",
    )
limit_mb = context.settings().max_upload_mb
uploads = st.file_uploader(
    f"Files or zip archives (at most {limit_mb} MB each)",
    type=[ext.lstrip(".") for ext in EXTENSIONS[kind]] + ["zip"],
    accept_multiple_files=True,
    key="import_files",
)
if st.button("Import", key="import_run", disabled=not uploads):
    limits = Limits(max_file_bytes=limit_mb * MB)
    sources = [
        source
        for upload in uploads or []
        for source in sources_from_upload(upload.name, upload.size, upload.getvalue, kind, limits)
    ]
    try:
        with st.spinner("Importing…"):
            summary = loader.import_sources(
                conn, kind, sources, user, group_id=group_id, limits=limits
            )
    except BuyerGroupsError as exc:
        st.error(str(exc))
    else:
        first_line = summary.text().splitlines()[0]
        (st.warning if summary.rejected else st.success)(first_line)
        st.dataframe(loader.summary_rows(summary), hide_index=True, key="import_summary")
        if summary.imported or summary.updated:
            after_bulk_change()
