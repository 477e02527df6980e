"""Search hits for pages: one hit card, the reuse action and the "Similar elsewhere" panel."""

from __future__ import annotations

import streamlit as st

from buyergroups import criteria, documents, groups
from buyergroups.accounts.users import User
from buyergroups.domain import AmbitionLevel, CriterionType, Theme
from buyergroups.errors import BuyerGroupsError
from buyergroups.search import service
from buyergroups.search.index import Filters
from buyergroups.search.ranking import Explanation
from ui import search_resources
from ui.i18n import N_, error_text, number, t
from ui.labels import label, labels

KIND_LABELS = {
    "criterion": N_("Criterion"),
    "document": N_("Document"),
    "dialogue": N_("Market dialogue"),
    "tender": N_("Tender"),
}


def kind_label(item_kind: str) -> str:
    """The label of a search item kind in the session's language."""
    return t(KIND_LABELS[item_kind]) if item_kind in KIND_LABELS else item_kind


def writable_groups(conn, actor: User) -> dict[int, str]:
    """Groups the actor may add a criterion to: id -> name."""
    listed = groups.list_groups(conn, actor)
    return {
        g["id"]: g["name"]
        for g in listed
        if actor.is_admin or g.get("my_role") in ("facilitator", "member")
    }


def reuse_action(
    conn, actor: User, hit: service.Hit, prefix: str, writable: dict[int, str] | None = None
) -> None:
    """A select of the actor's groups and a button copying the criterion or passage as a draft.

    ``writable`` is :func:`writable_groups`, read once for a list of hits (else here).
    """
    if writable is None:
        writable = writable_groups(conn, actor)
    targets = {gid: name for gid, name in writable.items() if gid != hit.group_id}
    if not targets:
        return
    key = f"{prefix}_{hit.item_kind}_{hit.item_id}"
    if hit.item_kind == "document":
        key += f"_{hit.passage_no}"
    left, right = st.columns([3, 1])
    target = left.selectbox(
        t("Reuse in my group"), list(targets), format_func=targets.get, key=f"{key}_target"
    )
    if right.button(t("Reuse in my group"), key=f"{key}_reuse"):
        try:
            if hit.item_kind == "document":
                new_id = documents.reuse_passage(conn, actor, hit.item_id, hit.passage_no, target)
            else:
                new_id = criteria.reuse(conn, actor, hit.item_id, target)
            search_resources.reindex(hit.item_kind, new_id)
        except BuyerGroupsError as exc:
            st.error(error_text(exc))
        else:
            if hit.item_kind == "document":
                done = t(
                    "Copied the passage as draft document {id} in {group}, crediting the source.",
                    id=new_id,
                    group=targets[target],
                )
            else:
                done = t(
                    "Copied as draft criterion {id} in {group}, crediting the source.",
                    id=new_id,
                    group=targets[target],
                )
            st.success(done)


def _caption(hit: service.Hit) -> str:
    parts = [
        kind_label(hit.item_kind),
        hit.group_name or t("public tender"),
        ", ".join(hit.countries),
        hit.language,
        label(CriterionType, hit.criterion_type),
        labels(Theme, hit.themes),
        label(AmbitionLevel, hit.ambition_level),
    ]
    return " · ".join(part for part in parts if part)


_CPV_LEVELS = {
    "same code": N_("same code"),
    "same class": N_("same class"),
    "same group": N_("same group"),
    "same division": N_("same division"),
}


def _why(explanation: Explanation) -> str:
    """The ranking explanation in the session's language (the package's ``summary()`` is English)."""
    parts = [t("semantic {score}", score=number(explanation.semantic, 2))]
    for shared in explanation.shared_codes:
        level = t(_CPV_LEVELS.get(shared.level, shared.level))
        bridge = " " + t("via text") if shared.via_text else ""
        parts.append(f"CPV {shared.hit_code} {shared.label} ({level}{bridge})")
    if explanation.same_themes:
        themes = ", ".join(label(Theme, code) for code in explanation.same_themes)
        parts.append(t("same theme: {themes}", themes=themes))
    if explanation.same_type:
        parts.append(t("same criterion type"))
    return "; ".join(parts)


def hit_card(
    conn,
    actor: User,
    hit: service.Hit,
    prefix: str,
    writable: dict[int, str] | None = None,
    *,
    good_example: bool = False,
) -> None:
    """One hit: title (and passage heading), where it comes from, score and why.

    A page showing many hits passes ``writable`` (:func:`writable_groups`, read once);
    ``good_example`` marks a tender the benchmark counts as a good example.
    """
    with st.container(border=True):
        title = hit.title + (f" — {hit.heading}" if hit.heading else "")
        head, score = st.columns([5, 1])
        head.markdown(f"**{title}**")
        score.metric(t("Score"), number(hit.score, 2), label_visibility="collapsed")
        st.caption(_caption(hit))
        if good_example:
            st.markdown(t("⭐ **Good example**: sustainable, ambitious and realised"))
        if hit.snippet:
            st.text(hit.snippet)
        st.caption(t("Why: {reasons}", reasons=_why(hit.explanation)))
        if hit.item_kind == "criterion":
            counts = criteria.reuse_count(conn, hit.item_id)
            if counts["groups"]:
                st.caption(
                    t(
                        "Reused by {groups} groups in {countries} countries",
                        groups=counts["groups"],
                        countries=counts["countries"],
                    )
                )
        if hit.item_kind in ("criterion", "document"):
            reuse_action(conn, actor, hit, prefix, writable)


def render_similar_elsewhere(conn, actor: User, item_kind: str, item_id: int, k: int = 5) -> None:
    """The "Similar elsewhere" panel for a criterion or document: hits from other groups."""
    key = f"similar_{item_kind}_{item_id}"
    with st.expander(t("Similar elsewhere"), expanded=False):
        if not st.toggle(t("Show similar work of other groups"), key=f"{key}_show"):
            return
        try:
            hits = service.search(
                conn,
                search_resources.search_index(),
                search_resources.embedder(),
                actor,
                service.ItemRef(item_kind, item_id, other_groups=True),
                Filters(),
                k=k,
            )
        except BuyerGroupsError as exc:
            st.error(error_text(exc))
            return
        if not hits:
            st.info(t("Nothing similar found in other groups yet."))
        writable = writable_groups(conn, actor)
        for hit in hits:
            hit_card(conn, actor, hit, key, writable)
