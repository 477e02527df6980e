"""CO2 methods: every figure here is worked out by hand in the comment above it."""

from __future__ import annotations

import pytest

from buyergroups.co2.methods import (
    Co2Status,
    Reduction,
    check_period,
    check_transition,
    compute,
    households,
)
from buyergroups.errors import ValidationError
from buyergroups.i18n import translate_message

EXCAVATORS = {
    # A 20-t diesel excavator: ~15 l diesel/h × ~3.2 kg CO2e/l ≈ 48 kg CO2e per machine hour
    # (44–52 by load); an electric one: ~60 kWh/h × grid 0.33 ≈ 20 kg (0 on green power, 25
    # on a worse mix). 1,200 machine hours a year (1,000–1,400).
    "reference": {"expected": 48, "low": 44, "high": 52},
    "new": {"expected": 20, "low": 0, "high": 25},
    "quantity": {"expected": 1200, "low": 1000, "high": 1400},
    "intensity_unit": "kg CO2e/h",
    "quantity_unit": "h/year",
}


def test_electric_vs_diesel_excavators_on_a_four_year_contract() -> None:
    _, result = compute("intensity", EXCAVATORS, years=4)
    # expected: (48 − 20) × 1,200 × 4 = 134,400 kg = 134.4 t
    # low corner:  (44 − 25) × 1,000 × 4 =  76,000 kg =  76.0 t
    # high corner: (52 −  0) × 1,400 × 4 = 291,200 kg = 291.2 t
    assert result == Reduction(
        76.0, 134.4, 291.2, "(48 − 20) kg CO2e/h × 1200 h/year × 4 years = 134.400 t CO2e"
    )


def test_intensity_with_zero_emission_buses_and_a_pct_range() -> None:
    inputs = {
        # diesel bus 1.1 kg CO2e/km vs electric 0.3 (±50 %: grid mix), 60,000 km a year ±10 %
        "reference": 1.1,
        "new": {"expected": 0.3, "pct": 50},
        "quantity": {"expected": 60_000, "pct": 10},
        "intensity_unit": "kg CO2e/km",
        "quantity_unit": "km per year",
    }
    stored, result = compute("intensity", inputs, years=10)
    # expected (1.1 − 0.3) × 60,000 × 10 / 1,000 = 480 t
    # low  (1.1 − 0.45) × 54,000 × 10 / 1,000 = 351 t
    # high (1.1 − 0.15) × 66,000 × 10 / 1,000 = 627 t
    assert (result.low_t, result.expected_t, result.high_t) == pytest.approx(
        (351.0, 480.0, 627.0), abs=1e-9
    )
    assert stored["new"] == {"expected": 0.3, "low": 0.15, "high": 0.45, "pct": 50.0}
    assert stored["reference"] == {"expected": 1.1, "low": 1.1, "high": 1.1}


def test_intensity_per_square_metre_in_grams() -> None:
    inputs = {
        "reference": 250_000,  # g CO2e/m² of a conventional floor
        "new": 150_000,
        "quantity": 2_000,
        "intensity_unit": "g CO2e/m²",
        "quantity_unit": "m²",
    }
    _, result = compute("intensity", inputs, years=1)
    # (250,000 − 150,000) g × 2,000 m² = 200,000,000 g = 200 t
    assert (result.low_t, result.expected_t, result.high_t) == (200.0, 200.0, 200.0)


def test_spend_based_is_a_screening_estimate() -> None:
    inputs = {
        # EUR 2 M on laptops ±20 %; 0.5 kg CO2e/EUR for new, 0.2 for refurbished
        "spend_eur": {"expected": 2_000_000, "pct": 20},
        "reference_factor": 0.5,
        "new_factor": {"expected": 0.2, "low": 0.1, "high": 0.3},
        "factor_unit": "kg CO2e/EUR",
    }
    _, result = compute("spend", inputs, years=4)
    # expected 2,000,000 × 0.3 = 600,000 kg = 600 t
    # low 1,600,000 × (0.5 − 0.3) = 320 t; high 2,400,000 × (0.5 − 0.1) = 960 t
    assert (result.low_t, result.expected_t, result.high_t) == pytest.approx(
        (320.0, 600.0, 960.0), abs=1e-9
    )
    assert result.screening is True
    assert result.formula.endswith("(screening estimate)")


def test_external_calculation_names_its_document() -> None:
    inputs = {
        # an MKI/LCA of a viaduct: 3,400 t baseline, 2,150 t circular design (2,000–2,400)
        "baseline": 3400,
        "expected": {"expected": 2150, "low": 2000, "high": 2400},
        "unit": "t CO2e",
        "document": "DuboCalc report v2",
    }
    stored, result = compute("external", inputs, years=1)
    # 3,400 − 2,150 = 1,250; low 3,400 − 2,400 = 1,000; high 3,400 − 2,000 = 1,400
    assert (result.low_t, result.expected_t, result.high_t) == (1000.0, 1250.0, 1400.0)
    assert stored["document"] == "DuboCalc report v2"
    assert (result.formula, translate_message(result.formula, "nl")) == (
        "3,400.000 t CO2e baseline − 2,150.000 t CO2e expected = 1,250.000 t CO2e"
        " (from DuboCalc report v2)",
        "3.400,000 t CO2e referentie − 2.150,000 t CO2e verwacht = 1.250,000 t CO2e"
        " (uit DuboCalc report v2)",
    )


def test_a_new_intensity_above_the_reference_gives_a_negative_reduction() -> None:
    inputs = {**EXCAVATORS, "reference": 20, "new": 48}
    _, result = compute("intensity", inputs, years=1)
    # (20 − 48) × 1,200 = −33,600 kg
    assert result.expected_t == -33.6


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quantity": -5}, "quantity.expected", "Quantity expected cannot be negative (-5)"),
        (
            {"reference": {"expected": 48, "low": 52, "high": 44}},
            "reference.low",
            "Reference: low (52) is above high (44).",
        ),
        (
            {"new": {"expected": 30, "low": 0, "high": 25}},
            "new.expected",
            "New: expected (30) must lie between low (0) and high (25).",
        ),
        (
            {"intensity_unit": " "},
            "intensity_unit",
            "Intensity unit is required (e.g. kg CO2e/km).",
        ),
        ({"quantity_unit": None}, "quantity_unit", "Quantity unit is required (e.g. km/year)."),
        (
            {"quantity_unit": "km/year"},
            "quantity_unit",
            "The intensity is per h but the quantity is in km; use the same unit in both.",
        ),
        ({"intensity_unit": "kWh/km"}, "intensity_unit", "Unit 'kWh/km' is not an emission"),
        ({"new": {"expected": 20, "pct": 120}}, "new.pct", "New: a ± percentage above 100"),
        ({"new": {"expected": 20, "pct": 5, "low": 1}}, "new.pct", "New: give either low/high"),
        ({"reference": "lots"}, "reference.expected", "Reference expected must be a number"),
        ({"reference": None}, "reference.expected", "Reference expected is required."),
    ],
)
def test_intensity_validation_names_the_field(
    change: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        compute("intensity", {**EXCAVATORS, **change}, years=4)
    assert caught.value.field == field
    assert str(caught.value).startswith(message)


def test_spend_factor_must_be_per_euro_and_external_needs_a_document() -> None:
    with pytest.raises(ValidationError) as caught:
        compute(
            "spend",
            {"spend_eur": 1, "reference_factor": 1, "new_factor": 0, "factor_unit": "kg CO2e/km"},
            years=1,
        )
    assert caught.value.field == "factor_unit"
    with pytest.raises(ValidationError) as caught:
        compute("external", {"baseline": 2, "expected": 1, "unit": "t CO2e"}, years=1)
    assert (caught.value.field, str(caught.value)) == (
        "document",
        "Document is required (the LCA or calculation it comes from).",
    )
    with pytest.raises(ValidationError) as caught:
        compute("external", {"baseline": 2, "expected": 1, "unit": "MWh", "document": "x"}, years=1)
    assert caught.value.field == "unit"


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        compute("guess", {}, years=1)
    assert str(caught.value) == "method: 'guess' is not one of intensity, spend, external."


@pytest.mark.parametrize(
    ("start_year", "years", "field", "message"),
    [
        (1999, 4, "start_year", "Start year 1999 is not plausible; use a year from 2000 to 2100."),
        (2101, 4, "start_year", "Start year 2101 is not plausible; use a year from 2000 to 2100."),
        (2025, 0, "years", "Years of effect must be from 1 to 50, got 0."),
        (2025, 51, "years", "Years of effect must be from 1 to 50, got 51."),
        (2025, 2.5, "years", "Years must be a whole number, got 2.5."),
        (None, 4, "start_year", "Start year is required (a whole number)."),
    ],
)
def test_impossible_periods_are_refused(
    start_year: object, years: object, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        check_period(start_year, years)
    assert (caught.value.field, str(caught.value)) == (field, message)


def test_period_accepts_the_edges() -> None:
    assert check_period(2000, 1) == (2000, 1)
    assert check_period("2100", 50.0) == (2100, 50)


def test_households() -> None:
    # RIVM: 80,125 t / 4.2 t per household per year ≈ 19,077 households (their "19,000")
    assert round(households(80_125, 4.2)) == 19_077


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("expected", "contracted", True),
        ("contracted", "realised", True),
        ("contracted", "expected", True),
        ("realised", "contracted", True),
        ("expected", "realised", False),
        ("realised", "expected", False),
        ("expected", "expected", False),
    ],
)
def test_status_moves_one_step_forward_or_back(current: str, target: str, allowed: bool) -> None:
    if allowed:
        assert check_transition(current, target) == Co2Status(target)
    else:
        with pytest.raises(ValidationError) as caught:
            check_transition(current, target)
        assert caught.value.field == "status"


def test_status_error_says_what_is_possible_in_both_languages() -> None:
    with pytest.raises(ValidationError) as caught:
        check_transition("expected", "realised")
    assert str(caught.value) == (
        "An estimate that is expected can move to contracted, not to realised."
    )
    with pytest.raises(ValidationError) as caught:
        check_transition("contracted", "contracted")
    message = caught.value.args[0]
    assert (translate_message(message, "en"), translate_message(message, "nl")) == (
        "An estimate that is contracted can move to realised or expected, not to contracted.",
        "Een schatting met de status gecontracteerd kan naar gerealiseerd of verwacht,"
        " niet naar gecontracteerd.",
    )
