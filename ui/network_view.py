"""Streamlit pieces of the Network page: the Altair network picture and the lineage tree.

Graphs and analytics come from :mod:`buyergroups.network` and
:mod:`buyergroups.network_analytics`; this module only draws them.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from buyergroups import network
from buyergroups.domain import Sector, Theme
from ui.labels import label

KIND_COLOURS = alt.Scale(
    domain=list(network.NODE_KINDS),
    range=["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"],
)
KIND_LABELS = {
    "organisation": "Organisation",
    "group": "Buyer Group",
    "country": "Country",
    "criterion": "Criterion",
    "tender": "Tender",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def _scale(values: pd.Series) -> alt.Scale:
    # A margin around the layout so that no node is cut off at the edge.
    low, high = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
    margin = max(high - low, 0.2) * 0.08
    return alt.Scale(domain=[low - margin, high + margin], zero=False, nice=False)


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame) -> alt.LayerChart:
    """Edges as lines under nodes coloured by kind and sized by degree; zoom and pan."""
    axis = alt.Axis(labels=False, ticks=False, grid=False, title=None, domain=False)
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
        alt.Chart(nodes.assign(kind_label=nodes["kind"].map(KIND_LABELS)))
        .mark_circle(opacity=0.9, stroke="white", strokeWidth=0.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color("kind:N", scale=KIND_COLOURS, title="Node"),
            size=alt.Size("degree:Q", scale=alt.Scale(range=[30, 600]), legend=None),
            tooltip=[
                alt.Tooltip("label:N", title="Name"),
                alt.Tooltip("kind_label:N", title="Kind"),
                alt.Tooltip("degree:Q", title="Connections"),
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
    for row in tree.itertuples():
        text = f"{_escaped(row.title)} — {_escaped(row.group)} ({row.countries})"
        if row.relation == "this criterion":
            text = f"**{text}** ← this criterion"
        lines.append(f"{'    ' * row.depth}- {text}")
    return "\n".join(lines)


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Theme and sector codes in a table replaced by their labels, for reading."""
    shown = frame.copy()
    for column in ("theme",):
        if column in shown:
            shown[column] = shown[column].map(lambda code: label(Theme, code))
    if "sector" in shown:
        shown["sector"] = shown["sector"].map(lambda code: label(Sector, code))
    if "shared_themes" in shown:
        shown["shared_themes"] = shown["shared_themes"].map(
            lambda codes: ", ".join(label(Theme, c) for c in codes.split(", ") if c)
        )
    return shown


def table(frame: pd.DataFrame, key: str, empty: str) -> None:
    """A read-only table, or an explanation when it has no rows."""
    if frame.empty:
        st.info(empty)
        return
    st.dataframe(with_labels(frame), hide_index=True, key=key)
