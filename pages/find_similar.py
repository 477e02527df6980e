"""Find similar: paste text or pick an item; see what other groups, countries and tenders hold."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from buyergroups.benchmark import examples
from buyergroups.domain import COUNTRIES, LANGUAGES, AmbitionLevel, CriterionType, Theme
from buyergroups.errors import BuyerGroupsError
from buyergroups.search import service
from buyergroups.search.index import Filters
from ui import context, search_resources
from ui.i18n import error_text, t
from ui.labels import country_formatter, formatter, options
from ui.similar_panel import KIND_LABELS, hit_card, writable_groups

conn = context.connection()
user = context.current_user()

st.title(t("Find similar"))
st.caption(
    t(
        "Search criteria, document passages, market-dialogue takeaways and tenders of every "
        "group you may read. Ranking combines meaning with shared CPV codes (in any EU "
        "language), MVI theme and criterion type."
    )
)

MODES = {"text": t("Text"), "item": t("An item")}
kinds_shown = {kind: t(text) for kind, text in KIND_LABELS.items()}
mode = st.radio(
    t("Search with"), list(MODES), format_func=MODES.get, horizontal=True, key="find_similar_mode"
)
query: str | service.ItemRef | None = None
if mode == "text":
    text = st.text_area(
        t("Text"),
        placeholder=t("e.g. Zero-emission construction machinery on municipal building sites"),
        key="find_similar_text",
    )
    query = text.strip() or None
else:
    kind = st.selectbox(
        t("Kind"), list(KIND_LABELS), format_func=kinds_shown.get, key="find_similar_item_kind"
    )
    try:
        items = service.readable_items(conn, user, kind)
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        items = []
    names = {
        row["item_id"]: f"{row['title']} ({row['group_name'] or t('tender')})" for row in items
    }
    picked = st.selectbox(t("Item"), list(names), format_func=names.get, key="find_similar_item_id")
    query = service.ItemRef(kind, picked) if picked is not None else None

with st.expander(t("Filters")):
    left, middle, right = st.columns(3)
    kinds = left.multiselect(
        t("Kinds"), list(KIND_LABELS), format_func=kinds_shown.get, key="find_similar_kinds"
    )
    countries = middle.multiselect(
        t("Countries"),
        list(COUNTRIES),
        format_func=country_formatter(),
        key="find_similar_countries",
    )
    languages = right.multiselect(
        t("Languages"), list(LANGUAGES), format_func=LANGUAGES.get, key="find_similar_languages"
    )
    themes = left.multiselect(
        t("MVI themes"), options(Theme), format_func=formatter(Theme), key="find_similar_themes"
    )
    levels = middle.multiselect(
        t("Ambition levels"),
        options(AmbitionLevel),
        format_func=formatter(AmbitionLevel),
        key="find_similar_levels",
    )
    types = right.multiselect(
        t("Criterion types"),
        options(CriterionType),
        format_func=formatter(CriterionType),
        key="find_similar_types",
    )
    cpv_prefix = left.text_input(
        t("CPV code starts with"), max_chars=8, key="find_similar_cpv"
    ).strip()
    since = middle.date_input(t("Changed since"), value=None, key="find_similar_since")
    k = right.slider(t("Hits"), 5, 50, 10, key="find_similar_k")
    good_only = left.checkbox(
        t("Only good examples (sustainable, ambitious, realised)"), key="find_similar_good"
    )

if cpv_prefix and not cpv_prefix.isdigit():
    st.error(t("A CPV code prefix holds digits only, e.g. 4526 or 39130000."))
    st.stop()

if query is None:
    st.info(t("Type some text or pick an item to find similar work."))
    st.stop()

filters = Filters(
    kinds=tuple(kinds),
    countries=tuple(countries),
    languages=tuple(languages),
    themes=tuple(themes),
    ambition_levels=tuple(levels),
    criterion_types=tuple(types),
    cpv_prefix=cpv_prefix,
    date_from=since if isinstance(since, date) else None,
)
try:
    good_examples = examples.good_example_ids(conn, user)
    if good_only:
        filters = replace(filters, only_items=tuple(("tender", i) for i in sorted(good_examples)))
    hits = service.search(
        conn,
        search_resources.search_index(),
        search_resources.embedder(),
        user,
        query,
        filters,
        k=k,
    )
except BuyerGroupsError as exc:
    st.error(error_text(exc))
    st.stop()

if not hits:
    st.info(t("Nothing found with these filters."))
writable = writable_groups(conn, user)  # once for every hit's "Reuse in my group"
for hit in hits:
    good = hit.item_kind == "tender" and hit.item_id in good_examples
    hit_card(conn, user, hit, "find_similar", writable, good_example=good)
