"""The CO2 estimate form: one set of inputs per method, computed live with units.

Plain widgets rather than ``st.form``: every change reruns the script, so the
computation under the inputs is always the one the save button will store.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from buyergroups.co2.estimates import Estimate, EstimateFields
from buyergroups.co2.methods import Confidence, Method, check_period, compute
from buyergroups.errors import ValidationError
from ui.i18n import N_, error_text, message_text, number, t
from ui.labels import formatter, options

# (input name, label) of the numeric inputs with a range, per method
_BOUNDED: dict[str, list[tuple[str, str]]] = {
    Method.INTENSITY.value: [
        ("reference", N_("Reference intensity (what is bought today)")),
        ("new", N_("New intensity (what the tender asks for)")),
        ("quantity", N_("Quantity per year")),
    ],
    Method.SPEND.value: [
        ("spend_eur", N_("Spend over the period (EUR)")),
        ("reference_factor", N_("Reference factor")),
        ("new_factor", N_("New factor")),
    ],
    Method.EXTERNAL.value: [
        ("baseline", N_("Baseline total (reference design)")),
        ("expected", N_("Expected total (sustainable design)")),
    ],
}
# (input name, label, default) of the text inputs: units and the named document
_TEXTS: dict[str, list[tuple[str, str, str]]] = {
    Method.INTENSITY.value: [
        ("intensity_unit", N_("Intensity unit"), "kg CO2e/km"),
        ("quantity_unit", N_("Quantity unit"), "km/year"),
    ],
    Method.SPEND.value: [("factor_unit", N_("Factor unit"), "kg CO2e/EUR")],
    Method.EXTERNAL.value: [
        ("unit", N_("Unit of the totals"), "t CO2e"),
        ("document", N_("Document the totals come from (LCA, MKI calculation, …)"), ""),
    ],
}


def _bounded_input(prefix: str, name: str, label: str, initial: Any) -> dict[str, Any]:
    """Expected value with an optional low/high or ± %; empty boxes stay None."""
    stored = initial if isinstance(initial, dict) else {"expected": initial}
    # A stored low/high equal to the expected value means "no range": leave the boxes
    # empty so changing the expected value does not fall outside a range of zero width.
    has_pct = stored.get("pct") is not None
    no_range = stored.get("low") == stored.get("high") == stored.get("expected")
    if has_pct or no_range:
        stored = {"expected": stored.get("expected"), "pct": stored.get("pct")}
    cols = st.columns([3, 2, 2, 2])
    expected = cols[0].number_input(
        t(label), value=stored.get("expected"), format="%g", key=f"{prefix}_{name}_expected"
    )
    low = cols[1].number_input(
        t("low"), value=stored.get("low"), format="%g", key=f"{prefix}_{name}_low"
    )
    high = cols[2].number_input(
        t("high"),
        value=stored.get("high"),
        format="%g",
        key=f"{prefix}_{name}_high",
    )
    pct = cols[3].number_input(
        t("or ± %"), value=stored.get("pct"), format="%g", key=f"{prefix}_{name}_pct"
    )
    return {"expected": expected, "low": low, "high": high, "pct": pct}


def method_inputs(prefix: str, method: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The inputs of ``method`` as widgets, prefilled from ``initial``."""
    inputs: dict[str, Any] = {}
    for name, label, default in _TEXTS[method]:
        inputs[name] = st.text_input(
            t(label), value=initial.get(name, default), key=f"{prefix}_{name}"
        )
    for name, label in _BOUNDED[method]:
        inputs[name] = _bounded_input(prefix, name, label, initial.get(name))
    return inputs


def show_computation(method: str, inputs: dict[str, Any], start_year: Any, years: Any) -> bool:
    """Show the live result with units (or what to fix); True when it can be saved."""
    try:
        _, count = check_period(start_year, years)
        _, result = compute(method, inputs, years=count)
    except ValidationError as exc:
        st.warning(error_text(exc))
        return False
    st.success(
        t(
            "{expected} t CO2e expected (range {low} – {high} t)",
            expected=number(result.expected_t, 1),
            low=number(result.low_t, 1),
            high=number(result.high_t, 1),
        )
    )
    st.text(message_text(result.formula))
    if result.screening:
        st.caption(
            t("Spend-based: a first screening with sector-average factors, not a measurement.")
        )
    return True


def estimate_form(prefix: str, initial: Estimate | None) -> EstimateFields | None:
    """All fields of an estimate; returns them when the save button was pressed."""
    methods = options(Method)
    method = st.selectbox(
        t("Method"),
        methods,
        index=methods.index(initial.method) if initial else 0,
        format_func=formatter(Method),
        key=f"{prefix}_method",
    )
    same_method = initial is not None and initial.method == method
    title = st.text_input(t("Title"), value=initial.title if initial else "", key=f"{prefix}_title")
    cols = st.columns(3)
    start_year = cols[0].number_input(
        t("Start year"),
        value=initial.start_year if initial else 2025,
        step=1,
        key=f"{prefix}_start_year",
    )
    years = cols[1].number_input(
        t("Years of effect"), value=initial.years if initial else 1, step=1, key=f"{prefix}_years"
    )
    confidence = cols[2].selectbox(
        t("Confidence"),
        options(Confidence),
        index=options(Confidence).index(initial.confidence if initial else "medium"),
        format_func=formatter(Confidence),
        key=f"{prefix}_confidence",
    )
    inputs = method_inputs(prefix, method, initial.inputs if same_method else {})
    ready = show_computation(method, inputs, start_year, years)
    details = _details(prefix, initial)
    pressed = st.button(t("Save estimate"), key=f"{prefix}_save", disabled=not ready)
    if not pressed:
        return None
    return EstimateFields(
        title=title,
        method=method,
        inputs=inputs,
        start_year=int(start_year),
        years=int(years),
        confidence=confidence,
        **details,
    )


def _details(prefix: str, initial: Estimate | None) -> dict[str, Any]:
    cols = st.columns(2)
    tender = cols[0].number_input(
        t("Tender id (optional)"),
        value=initial.tender_id if initial else None,
        step=1,
        key=f"{prefix}_tender_id",
    )
    project = cols[1].text_input(
        t("Member project (optional)"),
        value=initial.project if initial else "",
        key=f"{prefix}_project",
    )
    assumptions = st.text_area(
        t("Assumptions"), value=initial.assumptions if initial else "", key=f"{prefix}_assumptions"
    )
    source = st.text_input(
        t("Source / evidence"), value=initial.source if initial else "", key=f"{prefix}_source"
    )
    return {
        "tender_id": None if tender is None else int(tender),
        "project": project,
        "assumptions": assumptions,
        "source": source,
    }
