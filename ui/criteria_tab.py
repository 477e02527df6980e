"""A group's criteria: structured table, weight check, create, edit, provenance."""

from __future__ import annotations

import streamlit as st

from buyergroups import criteria
from buyergroups.accounts.users import User
from buyergroups.auth import Action
from buyergroups.domain import LANGUAGES, AmbitionLevel, CriterionType, Status, Theme
from buyergroups.errors import BuyerGroupsError, StaleEditError
from ui import item_panel
from ui.i18n import error_text, message_text, t
from ui.labels import formatter, label, options
from ui.search_resources import after_save
from ui.similar_panel import render_similar_elsewhere

PREFIX = "crit"


def render_criteria(conn, user: User, group_id: int, allowed: frozenset) -> None:
    """The criteria set of a group with the editor of one criterion."""
    try:
        listed = criteria.list_criteria(conn, user, group_id)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    if Action.CREATE in allowed:
        _new_criterion_form(conn, user, group_id)
    if not listed:
        st.info(
            t("No criteria yet. Add one above, or reuse one from another group via “Find similar”.")
        )
        return
    if warning := criteria.weight_warning(listed):
        st.warning(message_text(warning))
    st.dataframe(
        [
            {
                t("title"): c["title"],
                t("type"): label(CriterionType, c["criterion_type"]),
                t("theme"): label(Theme, c["theme"]),
                t("ambition"): label(AmbitionLevel, c["ambition_level"]),
                t("weight %"): c["weight"],
                t("status"): label(Status, c["status"]),
                t("language"): c["language"],
                t("reused"): t("yes") if c["derived_from"] else "",
            }
            for c in listed
        ],
        hide_index=True,
        key=f"{PREFIX}_table",
    )
    by_id = {c["id"]: c for c in listed}
    chosen = st.selectbox(
        t("Open criterion"),
        list(by_id),
        format_func=lambda i: by_id[i]["title"],
        key=f"{PREFIX}_pick",
    )
    _render_criterion(conn, user, by_id[chosen], allowed)
    item_panel.deleted_list(conn, user, criteria.KIND, group_id, PREFIX)


def _new_criterion_form(conn, user: User, group_id: int) -> None:
    with st.expander(t("New criterion")), st.form(key=f"{PREFIX}_new_form"):
        fields = _fields_form(None, f"{PREFIX}_new")
        if st.form_submit_button(t("Add draft criterion"), key=f"{PREFIX}_new_submit"):
            try:
                new_id = criteria.create_criterion(conn, user, group_id, **fields)
                after_save("criterion", new_id)
                st.rerun()
            except BuyerGroupsError as exc:
                st.error(error_text(exc))


def _fields_form(current: dict | None, prefix: str) -> dict:
    """The structured fields of a criterion as form widgets; returns the entered values."""
    current = current or {}

    def pick(name: str, enum: type, text: str) -> str:
        values = options(enum)
        index = values.index(current[name]) if current.get(name) in values else 0
        return st.selectbox(
            text,
            values,
            index=index,
            format_func=formatter(enum),
            key=f"{prefix}_{name}",
        )

    title = st.text_input(t("Title"), value=current.get("title", ""), key=f"{prefix}_title")
    body = st.text_area(
        t("Criterion text"), value=current.get("body", ""), height=150, key=f"{prefix}_body"
    )
    left, middle, right = st.columns(3)
    with left:
        criterion_type = pick("criterion_type", CriterionType, t("Criterion type"))
    with middle:
        theme = pick("theme", Theme, t("Theme"))
    with right:
        ambition = pick("ambition_level", AmbitionLevel, t("Ambition level"))
    weight = st.number_input(
        t("Weight % (award criteria only; 0 = none)"),
        min_value=0.0,
        max_value=100.0,
        value=float(current.get("weight") or 0),
        step=5.0,
        key=f"{prefix}_weight",
    )
    languages = list(LANGUAGES)
    language = st.selectbox(
        t("Language (of the text)"),
        languages,
        index=languages.index(current.get("language", "en")),
        format_func=LANGUAGES.get,
        key=f"{prefix}_language",
    )
    return {
        "title": title,
        "body": body,
        "criterion_type": criterion_type,
        "theme": theme,
        "ambition_level": ambition,
        "weight": weight or None,
        "scoring_method": st.text_input(
            t("Scoring method"), value=current.get("scoring_method", ""), key=f"{prefix}_scoring"
        ),
        "verification_proof": st.text_input(
            t("Verification: proof"),
            value=current.get("verification_proof", ""),
            key=f"{prefix}_proof",
        ),
        "verification_moment": st.text_input(
            t("Verification: moment"),
            value=current.get("verification_moment", ""),
            key=f"{prefix}_moment",
        ),
        "language": language,
        "cpv_codes": st.text_input(
            t("CPV codes (comma separated)"),
            value=", ".join(current.get("cpv_codes", [])),
            key=f"{prefix}_cpv",
        ),
    }


def _render_criterion(conn, user: User, crit: dict, allowed: frozenset) -> None:
    st.subheader(crit["title"])
    st.caption(
        f"{label(CriterionType, crit['criterion_type'])} · {label(Theme, crit['theme'])} · "
        f"{label(AmbitionLevel, crit['ambition_level'])}"
        + (" · " + t("weight {weight:g}%", weight=crit["weight"]) if crit["weight"] else "")
        + " · "
        + t("revision {number}", number=crit["current_revision"])
    )
    _provenance(conn, user, crit["id"])
    if Action.CHANGE_STATUS in allowed:
        item_panel.status_buttons(conn, user, criteria.KIND, crit, PREFIX)
    read, edit, history, talk = st.tabs([t("Read"), t("Edit"), t("History"), t("Comments")])
    with read:
        st.markdown(crit["body"])
        st.markdown(t("**Scoring:** {method}", method=crit["scoring_method"] or "—"))
        st.markdown(
            t(
                "**Verification:** {proof} ({moment})",
                proof=crit["verification_proof"] or "—",
                moment=crit["verification_moment"] or "—",
            )
        )
        st.caption(
            t(
                "CPV: {cpv} · language: {language}",
                cpv=", ".join(crit["cpv_codes"]) or "—",
                language=crit["language"],
            )
        )
    with edit:
        if Action.EDIT in allowed:
            _editor(conn, user, crit, allowed)
        else:
            st.info(
                t("Only members of this group can edit it; use “Similar elsewhere” to reuse it.")
            )
    with history:
        item_panel.history_panel(conn, user, criteria.KIND, crit, PREFIX)
    with talk:
        item_panel.comments_panel(conn, user, "criterion", crit["id"], PREFIX)
    render_similar_elsewhere(conn, user, "criterion", crit["id"])


def _provenance(conn, user: User, criterion_id: int) -> None:
    origin = criteria.provenance(conn, user, criterion_id)
    if origin["source"]:
        source = origin["source"]
        st.info(
            t(
                "Reused from “{title}” of {group} ({countries}).",
                title=source["title"],
                group=source["group_name"],
                countries=", ".join(source["countries"]),
            )
        )
    if origin["groups"]:
        st.success(
            t(
                "Reused by {groups} group(s) in {countries} country(ies).",
                groups=origin["groups"],
                countries=origin["countries"],
            )
        )


def _editor(conn, user: User, crit: dict, allowed: frozenset) -> None:
    prefix = f"{PREFIX}_edit_{crit['id']}"
    base_key = f"{prefix}_base"
    st.session_state.setdefault(base_key, crit["current_revision"])
    fields = _fields_form(crit, prefix)
    if st.button(t("Save criterion"), key=f"{prefix}_save", type="primary"):
        try:
            outcome = criteria.save_criterion(
                conn, user, crit["id"], st.session_state[base_key], **fields
            )
        except StaleEditError as exc:
            item_panel.stale_edit_notice(exc, prefix)
        except BuyerGroupsError as exc:
            st.error(error_text(exc))
        else:
            after_save("criterion", crit["id"])
            for key in [k for k in st.session_state if str(k).startswith(prefix)]:
                del st.session_state[key]
            st.session_state[f"{PREFIX}_flash"] = (
                t(
                    "Saved as revision {revision} (merged with another edit).",
                    revision=outcome.revision_no,
                )
                if outcome.merged
                else t("Saved as revision {revision}.", revision=outcome.revision_no)
            )
            st.rerun()
    item_panel.rebase_button(prefix, base_key)
    if flash := st.session_state.pop(f"{PREFIX}_flash", None):
        st.success(flash)
    if Action.DELETE in allowed:
        item_panel.delete_button(conn, user, criteria.KIND, crit, PREFIX)
