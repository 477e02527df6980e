"""The benchmark page's forms: correction (step 2), contract and realisation (step 3), ambitions.

Each form remembers the revision it was opened on in ``st.session_state`` (``bm_*_base_*``)
and saves on it, so that a save made on an old revision is refused by the package with
its message (the other person's version is shown; saving again then builds on it).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from buyergroups.accounts.users import User
from buyergroups.benchmark import ambitions, corrections, realisation
from buyergroups.benchmark.corrections import AppliedCriterion, CorrectionInput
from buyergroups.benchmark.realisation import RealisationInput
from buyergroups.co2 import saving
from buyergroups.co2.methods import Co2Status
from buyergroups.domain import (
    AmbitionLevel,
    Contracted,
    Effect,
    EffectKnowledge,
    Realised,
    Theme,
)
from buyergroups.errors import BuyerGroupsError, StaleEditError
from ui.auth_gate import plain_markdown
from ui.i18n import N_, error_text, number, t
from ui.labels import formatter, label, labels, options

FLASH = "bm_flash"


def show_flash() -> None:
    """The message a save left before the page ran again."""
    if FLASH in st.session_state:
        st.success(st.session_state.pop(FLASH))


def _saved(text: str) -> None:
    st.session_state[FLASH] = text
    st.rerun()


def _base(key: str, revision: int) -> int:
    return int(st.session_state.setdefault(key, revision))


def _refused(exc: StaleEditError, key: str) -> None:
    """Show a stale save's message and let the next save build on the current revision."""
    st.error(error_text(exc))
    if exc.current_revision is not None:
        st.session_state[key] = exc.current_revision


def _pick_tender(tenders: list[dict[str, Any]], key: str) -> int | None:
    # Names made now, in the session's language: a format_func may also be called outside
    # the script run (AppTest matches values through it), where the language is unknown.
    corrected = " · " + t("corrected")
    names = {
        x["id"]: f"{x['title']} ({x['published_on'] or '–'}){corrected if x['corrected'] else ''}"
        for x in tenders
    }

    def name(tender_id: int) -> str:
        return names[tender_id]

    return st.selectbox(t("Tender"), [x["id"] for x in tenders], format_func=name, key=key)


def _reading_text(mvi: bool, themes: list[str]) -> str:
    if not mvi:
        return t("not sustainable")
    return t("sustainable: {themes}", themes=labels(Theme, themes) or t("no theme named"))


def _history(revisions: list[dict[str, Any]]) -> None:
    with st.expander(t("History of corrections ({count})", count=len(revisions))):
        for rev in revisions:
            st.markdown(
                t(
                    "**Revision {revision}** · {author} · {when}: {reading}; automatic "
                    "reading then: {automatic}",
                    revision=rev["revision_no"],
                    author=plain_markdown(rev["author"] or "–"),
                    when=rev["created_at"].strftime("%Y-%m-%d %H:%M"),
                    reading=_reading_text(rev["sustainable"], rev["themes"]),
                    automatic=_reading_text(bool(rev["auto_themes"]), rev["auto_themes"]),
                )
            )
            st.text(rev["reason"])


def _correction_form(conn, user: User, tender_id: int, reading: dict[str, Any]) -> None:
    base_key = f"bm_corr_base_{tender_id}"
    base = _base(base_key, reading["revision"])
    current = reading["correction"] or {}
    start_mvi = current.get("sustainable", reading["automatic"]["mvi"])
    start_themes = current.get("themes", reading["automatic"]["themes"])
    cited = [c["criterion_id"] for c in current.get("criteria", []) if c["criterion_id"]]
    own = [c["text"] for c in current.get("criteria", []) if not c["criterion_id"]]
    citable = {c["id"]: c for c in corrections.citable_criteria(conn, user, tender_id)}
    cited_names = {
        cid: f"{c['title']} ({c['group_name']}, {label(AmbitionLevel, c['ambition_level'])})"
        for cid, c in citable.items()
    }
    prefix = f"bm_corr_{tender_id}"
    with st.form(f"{prefix}_form"):
        sustainable = st.toggle(t("Sustainable (MVI)"), value=start_mvi, key=f"{prefix}_mvi")
        themes = st.multiselect(
            t("MVI themes"),
            options(Theme),
            default=start_themes,
            format_func=formatter(Theme),
            key=f"{prefix}_themes",
        )
        applied = st.multiselect(
            t("Group criteria applied"),
            list(citable),
            default=[c for c in cited if c in citable],
            format_func=cited_names.get,
            key=f"{prefix}_criteria",
            help=t("Criteria of the groups this tender is linked to."),
        )
        other = st.text_area(
            t("Other criteria applied (one per line)"), value="\n".join(own), key=f"{prefix}_own"
        )
        reason = st.text_area(t("Reason"), key=f"{prefix}_reason")
        submitted = st.form_submit_button(t("Save correction"))
    if not submitted:
        return
    change = CorrectionInput(
        themes=tuple(themes),
        sustainable=sustainable,
        reason=reason,
        criteria=tuple(
            [AppliedCriterion("", cid) for cid in applied]
            + [AppliedCriterion(line) for line in other.splitlines() if line.strip()]
        ),
    )
    try:
        revision = corrections.save_correction(conn, user, tender_id, change, based_on=base)
    except StaleEditError as exc:
        _refused(exc, base_key)
        if exc.theirs:
            st.warning(
                t(
                    "Their correction: {reading}. Reason: {reason}",
                    reading=_reading_text(exc.theirs["sustainable"], exc.theirs["themes"]),
                    reason=plain_markdown(exc.theirs["reason"]),
                )
            )
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
    else:
        st.session_state[base_key] = revision
        _saved(t("Correction saved as revision {revision}.", revision=revision))


def render_correction(conn, user: User, organisation_id: int, year: int) -> None:
    """Step 2: the organisation's tenders of the year, the automatic reading, the correction."""
    try:
        tenders = corrections.correctable_tenders(conn, user, organisation_id, year)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    if not tenders:
        st.info(t("No tenders of your organisation in this year."))
        return
    tender_id = _pick_tender(tenders, "bm_corr_tender")
    if tender_id is None:
        return
    try:
        reading = corrections.tender_reading(conn, user, tender_id)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    automatic = reading["automatic"]
    st.markdown(
        t(
            "**Automatic reading** (latest import): {reading}",
            reading=_reading_text(automatic["mvi"], automatic["themes"]),
        )
    )
    for evidence in automatic["evidence"]:
        st.caption(
            f"{label(Theme, evidence.get('theme'))} · {evidence.get('field', '')}: "
            f"{evidence.get('evidence', '')}"
        )
    if reading["correction"]:
        st.markdown(
            t(
                "**Your correction** (counts instead): {reading}",
                reading=_reading_text(
                    reading["correction"]["sustainable"], reading["correction"]["themes"]
                ),
            )
        )
        _history(reading["revisions"])
    if reading["may_correct"]:
        _correction_form(conn, user, tender_id, reading)


def _co2_estimates(conn, user: User, view: dict[str, Any]) -> None:
    for estimate in view["estimates"]:
        line = t(
            "CO2 estimate **{title}**: {status}, expected {tonnes} t CO2e",
            title=plain_markdown(estimate["title"]),
            status=label(Co2Status, estimate["status"]),
            tonnes=number(estimate["expected_t"], 1),
        )
        st.markdown(line + (" · " + t("linked") if estimate["linked"] else ""))
        target = estimate["suggested_status"]
        if target is None:
            continue
        if st.button(
            t("Move the CO2 estimate to {status}", status=label(Co2Status, target)),
            key=f"bm_co2_move_{estimate['id']}",
        ):
            try:
                saving.change_status(
                    conn, user, estimate["id"], target, based_on=estimate["current_revision"]
                )
            except BuyerGroupsError as exc:
                st.error(error_text(exc))
            else:
                _saved(t("The CO2 estimate is now {status}.", status=label(Co2Status, target)))


def _realisation_form(conn, user: User, tender_id: int, view: dict[str, Any]) -> None:
    base_key = f"bm_real_base_{tender_id}"
    base = _base(base_key, view["revision"])
    start = view["answers"] or realisation.blank_input()
    estimates = {e["id"]: e["title"] for e in view["estimates"]}
    prefix = f"bm_real_{tender_id}"

    def choice(enum: type, field: str, text: str, column) -> str:
        values = options(enum)
        return column.selectbox(
            t(text),
            values,
            index=values.index(start[field]),
            format_func=formatter(enum),
            key=f"{prefix}_{field}",
        )

    with st.form(f"{prefix}_form"):
        left, right = st.columns(2)
        contracted = choice(
            Contracted, "contracted", N_("Sustainability requirement contracted"), left
        )
        realised = choice(Realised, "realised", N_("Realised"), right)
        co2 = choice(Effect, "co2_effect", N_("Expected effect on CO2"), left)
        materials = choice(
            Effect, "materials_effect", N_("Expected effect on raw materials"), right
        )
        knowledge = choice(EffectKnowledge, "knowledge", N_("How well the effect is known"), left)
        estimate = right.selectbox(
            t("CO2 estimate of this tender"),
            [None, *estimates],
            index=(
                [None, *estimates].index(start["co2_estimate_id"])
                if start["co2_estimate_id"] in estimates
                else 0
            ),
            format_func={None: t("(none)"), **estimates}.get,
            key=f"{prefix}_estimate",
        )
        note = st.text_area(t("Note"), value=start["note"], key=f"{prefix}_note")
        good = st.checkbox(
            t("Others may find this tender as a good example"),
            value=bool(start["good_example"]),
            key=f"{prefix}_good",
        )
        submitted = st.form_submit_button(t("Save answers"))
    if not submitted:
        return
    answers = RealisationInput(
        contracted=contracted,
        realised=realised,
        co2_effect=co2,
        materials_effect=materials,
        knowledge=knowledge,
        note=note,
        co2_estimate_id=estimate,
        good_example=good,
    )
    try:
        revision = realisation.save_realisation(conn, user, tender_id, answers, based_on=base)
    except StaleEditError as exc:
        _refused(exc, base_key)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
    else:
        st.session_state[base_key] = revision
        _saved(t("Answers saved as revision {revision}.", revision=revision))


def render_realisation(conn, user: User, organisation_id: int, year: int) -> None:
    """Step 3: per awarded tender of the year, contract and realisation answers."""
    try:
        tenders = corrections.correctable_tenders(conn, user, organisation_id, year)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    awarded = [x for x in tenders if x["awarded"]]
    if not awarded:
        st.info(t("No awarded tenders of your organisation in this year (import award notices)."))
        return
    tender_id = _pick_tender(awarded, "bm_real_tender")
    if tender_id is None:
        return
    try:
        view = realisation.realisation_view(conn, user, tender_id)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    _co2_estimates(conn, user, view)
    if view["may_answer"]:
        _realisation_form(conn, user, tender_id, view)


def render_ambitions(conn, user: User, organisation_id: int, year: int) -> None:
    """The organisation's action plan for the year: a level and targets per theme."""
    try:
        plan = ambitions.action_plan(conn, user, organisation_id, year)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    base_key = f"bm_plan_base_{organisation_id}_{year}"
    base = _base(base_key, plan["version"])
    stored = {a["theme"]: a for a in plan["ambitions"]}
    prefix = f"bm_plan_{organisation_id}_{year}"
    levels = [None, *options(AmbitionLevel)]
    rows = []
    with st.form(f"{prefix}_form"):
        st.caption(t("Leave the level empty for a theme that is not part of the plan."))
        for theme in Theme:
            aim = stored.get(theme.value, {})
            cols = st.columns([2, 2, 1.5, 1.5])
            cols[0].markdown(f"**{label(Theme, theme.value)}**")
            level = cols[1].selectbox(
                t("Ambition level"),
                levels,
                index=levels.index(aim.get("ambition_level")),
                format_func=formatter(AmbitionLevel, t("(not in the plan)")),
                key=f"{prefix}_{theme.value}_level",
            )
            tenders = cols[2].text_input(
                t("Target: % of tenders"),
                value=_share_text(aim.get("target_tender_share")),
                key=f"{prefix}_{theme.value}_tenders",
            )
            spend = cols[3].text_input(
                t("Target: % of spend"),
                value=_share_text(aim.get("target_spend_share")),
                key=f"{prefix}_{theme.value}_spend",
            )
            rows.append((theme.value, level, tenders, spend))
        submitted = st.form_submit_button(t("Save action plan"))
    if not submitted:
        return
    entries = [
        ambitions.Ambition(theme, level, tenders.strip() or None, spend.strip() or None)
        for theme, level, tenders, spend in rows
        if level is not None
    ]
    try:
        version = ambitions.save_plan(conn, user, organisation_id, year, entries, based_on=base)
    except StaleEditError as exc:
        _refused(exc, base_key)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
    else:
        st.session_state[base_key] = version
        _saved(t("Action plan {year} saved (version {version}).", year=year, version=version))


def _share_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
