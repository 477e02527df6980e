"""Streamlit pieces of the Network page: the Altair network picture and the lineage tree.

Graphs and analytics come from :mod:`buyergroups.network.graphs` and
:mod:`buyergroups.network.analytics`; this module only draws them.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from buyergroups.domain import AmbitionLevel, Sector, Theme
from buyergroups.network import graphs
from ui.i18n import N_, t
from ui.labels import label

KIND_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]  # per NODE_KINDS
KIND_LABELS = {
    "organisation": N_("Organisation"),
    "group": N_("Buyer Group"),
    "country": N_("Country"),
    "criterion": N_("Criterion"),
    "tender": N_("Tender"),
}
# Column headers of the Network and Monitoring tables (the frames keep their own names).
COLUMN_LABELS = {
    "kind": N_("Kind"),
    "name": N_("Name"),
    "country": N_("Country"),
    "countries": N_("Countries"),
    "connections": N_("Connections"),
    "betweenness": N_("Betweenness"),
    "community": N_("Community"),
    "groups": N_("Groups"),
    "organisations": N_("Organisations"),
    "group_names": N_("Group names"),
    "organisation_names": N_("Organisation names"),
    "criterion_id": N_("Criterion ID"),
    "title": N_("Title"),
    "group": N_("Group"),
    "group_id": N_("Group ID"),
    "group_name": N_("Group"),
    "theme": N_("Theme"),
    "themes": N_("Themes"),
    "sector": N_("Sector"),
    "ambition_level": N_("Ambition level"),
    "direct_reuses": N_("Direct reuses"),
    "descendants": N_("Copies (all generations)"),
    "reuses": N_("Reuses"),
    "groups_reached": N_("Groups reached"),
    "countries_reached": N_("Countries reached"),
    "organisation_a": N_("Organisation A"),
    "organisation_b": N_("Organisation B"),
    "shared_groups": N_("Shared groups"),
    "shared_themes": N_("Shared themes"),
    "shared_cpv_divisions": N_("Shared CPV divisions"),
    "score": N_("Score"),
    "organisation": N_("Organisation"),
    "shared_lineages": N_("Shared lineages"),
    "your_criteria": N_("Your criteria"),
    "their_groups": N_("Their groups"),
    "tenders": N_("Tenders"),
    "mvi_tenders": N_("MVI tenders"),
    "share_pct": N_("MVI share (%)"),
    "cpv_division": N_("CPV division"),
    "label": N_("Description"),
    "total": N_("Total"),
    "tender_id": N_("Tender ID"),
    "buyer_name": N_("Buyer"),
    "buyer_country": N_("Buyer country"),
    "sustainability_pct": N_("Sustainability weight (%)"),
    "non_price_pct": N_("Non-price weight (%)"),
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def kind_label(kind: str) -> str:
    """The name of a node kind ('organisation') in the session's language."""
    return t(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def column_config(frame: pd.DataFrame) -> dict[str, str]:
    """Headers in the session's language for the columns of ``frame`` (for ``st.dataframe``)."""
    return {name: t(COLUMN_LABELS[name]) for name in frame.columns if name in COLUMN_LABELS}


def _scale(values: pd.Series) -> alt.Scale:
    # A margin around the layout so that no node is cut off at the edge.
    low, high = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
    margin = max(high - low, 0.2) * 0.08
    return alt.Scale(domain=[low - margin, high + margin], zero=False, nice=False)


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame) -> alt.LayerChart:
    """Edges as lines under nodes coloured by kind and sized by degree; zoom and pan."""
    axis = alt.Axis(labels=False, ticks=False, grid=False, title=None, domain=False)
    colours = alt.Scale(domain=[kind_label(k) for k in graphs.NODE_KINDS], range=KIND_COLOURS)
    x = alt.X("x:Q", axis=axis, scale=_scale(nodes["x"]))
    y = alt.Y("y:Q", axis=axis, scale=_scale(nodes["y"]))
    lines = (
        alt.Chart(edges)
        .mark_rule(opacity=0.25, color="#888888")
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            strokeDash=alt.condition(
                alt.datum.kind == "reuse", alt.value([4, 2]), alt.value([1, 0])
            ),
        )
    )
    points = (
        alt.Chart(nodes.assign(kind_label=nodes["kind"].map(kind_label)))
        .mark_circle(opacity=0.9, stroke="white", strokeWidth=0.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color("kind_label:N", scale=colours, title=t("Node")),
            size=alt.Size("degree:Q", scale=alt.Scale(range=[30, 600]), legend=None),
            tooltip=[
                alt.Tooltip("label:N", title=t("Name")),
                alt.Tooltip("kind_label:N", title=t("Kind")),
                alt.Tooltip("degree:Q", title=t("Connections")),
            ],
        )
    )
    named = nodes[nodes["kind"].isin(["group", "country"])].assign(
        short=lambda f: f["label"].str.slice(0, 28)
    )
    names = (
        alt.Chart(named)
        .mark_text(dy=-12, fontSize=10, color="#333333")
        .encode(x=x, y=y, text="short:N")
    )
    return alt.layer(lines, points, names).properties(height=600).interactive()


def _escaped(text: str) -> str:
    # Titles are user text: show them literally, not as Markdown.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def lineage_markdown(tree: pd.DataFrame) -> str:
    """The lineage rows as a nested Markdown list; the chosen criterion in bold."""
    lines = []
    marker = t("this criterion")
    for row in tree.itertuples():
        text = f"{_escaped(row.title)} — {_escaped(row.group)} ({row.countries})"
        if row.relation == "this criterion":
            text = f"**{text}** ← {marker}"
        lines.append(f"{'    ' * row.depth}- {text}")
    return "\n".join(lines)


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Theme, sector, ambition and node-kind codes replaced by their labels, for reading."""
    shown = frame.copy()
    if "theme" in shown:
        shown["theme"] = shown["theme"].map(lambda code: label(Theme, code))
    if "sector" in shown:
        shown["sector"] = shown["sector"].map(lambda code: label(Sector, code))
    if "ambition_level" in shown:
        shown["ambition_level"] = shown["ambition_level"].map(
            lambda code: label(AmbitionLevel, code)
        )
    if "kind" in shown:
        shown["kind"] = shown["kind"].map(kind_label)
    for column in ("shared_themes", "themes"):
        if column in shown:
            shown[column] = shown[column].map(
                lambda codes: ", ".join(label(Theme, c) for c in str(codes).split(", ") if c)
            )
    return shown


def table(frame: pd.DataFrame, key: str, empty: str) -> None:
    """A read-only table, or an explanation when it has no rows."""
    if frame.empty:
        st.info(empty)
        return
    st.dataframe(with_labels(frame), hide_index=True, key=key, column_config=column_config(frame))
