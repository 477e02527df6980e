"""Network: who works with whom, and where criteria travel between groups and countries."""

from __future__ import annotations

import streamlit as st

from buyergroups.domain import COUNTRIES, Sector, Theme
from buyergroups.errors import BuyerGroupsError
from buyergroups.network import analytics, graphs
from ui import context, network_view
from ui.i18n import N_, error_text, number, t
from ui.labels import country_formatter, formatter, options

st.title(t("Network"))
st.caption(
    t(
        "Organisations, Buyer Groups, countries and criteria, linked by membership, reuse of "
        "criteria and tenders. Private criteria of groups you are not in are counted, not named."
    )
)

try:
    snapshot = graphs.load(context.connection(), context.current_user())
except BuyerGroupsError as exc:
    st.error(error_text(exc))
    st.stop()

left, middle, right = st.columns(3)
country = left.selectbox(
    t("Country"),
    [None, *COUNTRIES],
    format_func=country_formatter(t("All countries")),
    key="net_country",
)
sector = middle.selectbox(
    t("Sector"),
    [None, *options(Sector)],
    format_func=formatter(Sector, t("All sectors")),
    key="net_sector",
)
theme = right.selectbox(
    t("MVI theme"),
    [None, *options(Theme)],
    format_func=formatter(Theme, t("All themes")),
    key="net_theme",
)
part = graphs.filtered(snapshot, country=country, sector=sector, theme=theme)
counts = analytics.summary(part)
cols = st.columns(5)
cols[0].metric(t("Groups"), counts["groups"])
cols[1].metric(t("Organisations"), counts["organisations"])
cols[2].metric(t("Countries"), counts["countries"])
cols[3].metric(t("Criteria"), counts["criteria"])
cols[4].metric(t("Reuse links"), counts["reuse_links"])
if counts["private_criteria_hidden"]:
    st.caption(
        t(
            "{count} of these criteria are private to groups you are not in: they count here "
            "and appear in the picture without a title.",
            count=counts["private_criteria_hidden"],
        )
    )

if not part.groups:
    st.info(t("No group matches these filters."))
    st.stop()

show_criteria = st.toggle(t("Show criteria and reuse links"), value=True, key="net_show_criteria")
show_pairs = st.toggle(t("Show co-membership links"), value=False, key="net_show_pairs")
kinds = ["membership", "works_in", "tender_of"]
kinds += ["criterion_of", "reuse"] if show_criteria else []
kinds += ["co_membership"] if show_pairs else []
size = graphs.picture_size(part, edge_kinds=tuple(kinds))
if size > graphs.PICTURE_LIMIT:
    st.warning(
        t(
            "The picture would hold {count} nodes; choose a country, sector or theme, or hide "
            "criteria, to draw it. The tables below cover the whole selection.",
            count=number(size),
        )
    )
else:
    nodes, edges = graphs.layout(graphs.full_graph(part, edge_kinds=tuple(kinds)))
    st.altair_chart(network_view.network_chart(nodes, edges), key="net_chart")
    st.caption(
        t(
            "Spring layout with a fixed seed; dashed lines are reuse of a criterion. Scroll to "
            "zoom, drag to pan, hover for names."
        )
    )

# Only the open tab runs (a click on another tab reruns the page with that one open).
TAB_NAMES = [
    N_("Bridges"),
    N_("Communities"),
    N_("Reused criteria"),
    N_("Organisation pairs"),
    N_("Suggestions"),
    N_("Lineage"),
]
bridges, clusters, reused, pairs, suggestions, lineage = st.tabs(
    [t(name) for name in TAB_NAMES], key="net_tab", on_change="rerun"
)
if bridges.open:
    with bridges:
        st.caption(
            t(
                "Betweenness in the organisation–group network: how often a node lies on the "
                "shortest path between two others. High values connect groups that would otherwise "
                "be apart."
            )
        )
        network_view.table(
            analytics.bridges(part), "net_bridges", t("No organisation links groups.")
        )
if clusters.open:
    with clusters:
        st.caption(
            t("Communities found with Louvain (fixed seed) on the organisation–group network.")
        )
        network_view.table(analytics.communities(part), "net_communities", t("No memberships yet."))
if reused.open:
    with reused:
        st.caption(
            t(
                "Copies follow reuse chains transitively; groups reached exclude the criterion's own "
                "group, countries reached are those groups' countries."
            )
        )
        network_view.table(
            analytics.reuse_spread(part), "net_reused", t("No criterion reused yet.")
        )
if pairs.open:
    with pairs:
        minimum = st.number_input(
            t("At least this many shared groups"),
            min_value=1,
            value=2,
            step=1,
            key="net_min_shared",
        )
        network_view.table(
            analytics.org_pairs(part, min_shared=int(minimum)),
            "net_pairs",
            t("No pair of organisations shares that many groups."),
        )
if suggestions.open:
    with suggestions:
        mine = sorted(snapshot.actor_group_ids) or sorted(snapshot.groups)
        chosen = st.selectbox(
            t("For group"),
            mine,
            format_func=lambda gid: snapshot.groups[gid].name,
            key="net_group",
        )
        if chosen is not None:
            st.subheader(t("Groups on similar CPV codes and themes you are not connected to"))
            network_view.table(
                analytics.similar_groups(snapshot, chosen),
                "net_similar",
                t("No unconnected group works on the same themes or CPV divisions."),
            )
            st.subheader(t("Organisations in other countries that adopted criteria like yours"))
            network_view.table(
                analytics.foreign_adopters(snapshot, chosen),
                "net_abroad",
                t("No organisation abroad uses a criterion from the same reuse lineage yet."),
            )
if lineage.open:
    with lineage:
        choices = analytics.lineage_choices(snapshot)
        if not choices:
            st.info(t("No criterion you can read has been reused yet."))
        else:
            picked = st.selectbox(
                t("Criterion"), list(choices), format_func=choices.__getitem__, key="net_criterion"
            )
            st.markdown(network_view.lineage_markdown(analytics.lineage(snapshot, picked)))
            st.caption(t("From the original at the top to every copy made from this criterion."))
