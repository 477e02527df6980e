"""CO2 reduction estimates computed from their inputs: pure functions, no database.

Three methods, each giving a reduction in tonnes CO2e as low / expected / high:

* **intensity**: (reference − new emission intensity) × quantity per year × years,
  e.g. kg CO2e/km × km/year × contract years, or kg CO2e/m² × m² with years = 1;
* **spend-based**: spend (EUR) × (reference − new factor, kg CO2e/EUR); a
  screening estimate only (input-output factors are averages over a sector);
* **external**: baseline − expected total (t CO2e) from a calculation made
  elsewhere (an LCA, MKI/DuboCalc, ...), with the document named.

Ranges. Every numeric input carries an expected value and optionally a low and
a high, or a ± percentage (``{"expected": 48, "pct": 10}`` means 43.2–52.8).
Propagation is interval arithmetic: the result's low and high are the minimum
and maximum of the formula evaluated at every corner of the input box (each
input at its low or its high). The formulas are monotone in each input, so the
corners give the exact bounds. Inputs are treated as independent, which is
conservative: a reference and a new intensity that share a cause (the same
fuel price, the same grid mix) would in reality move together.

Inputs arrive as a plain mapping (what a form or the stored JSON holds) and are
checked by :func:`compute` (each method's function parses its own inputs); a
:class:`~buyergroups.errors.ValidationError` names the field
(``"reference.low"``, ``"intensity_unit"``, ...).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from buyergroups.domain import LabelledEnum
from buyergroups.errors import Message, ValidationError, msg, msg_list

MIN_START_YEAR = 2000
MAX_START_YEAR = 2100
MAX_YEARS = 50

# Mass units an emission figure may be given in: how many make a tonne. Dividing
# (rather than multiplying by 1e-3) keeps hand-checkable figures exact in floats.
UNITS_PER_TONNE = {"g": 1e6, "kg": 1e3, "t": 1.0}
_INTENSITY_UNIT = re.compile(r"^(g|kg|t)\s*co2(?:-?e|-?eq)?\s*/\s*(\S.*)$", re.IGNORECASE)
_PER_YEAR = re.compile(r"\s*(?:/\s*(?:year|yr|a)|per\s+year)$", re.IGNORECASE)
_TOTAL_UNIT = re.compile(r"^(g|kg|t)\s*co2(?:-?e|-?eq)?$", re.IGNORECASE)


class Method(LabelledEnum):
    INTENSITY = ("intensity", "Intensity × quantity × years")
    SPEND = ("spend", "Spend-based screening")
    EXTERNAL = ("external", "Baseline vs expected (external calculation)")


class Co2Status(LabelledEnum):
    EXPECTED = ("expected", "Expected")
    CONTRACTED = ("contracted", "Contracted")
    REALISED = ("realised", "Realised")


# Forward one step, or back one step to correct a premature move.
CO2_STATUS_TRANSITIONS: dict[Co2Status, tuple[Co2Status, ...]] = {
    Co2Status.EXPECTED: (Co2Status.CONTRACTED,),
    Co2Status.CONTRACTED: (Co2Status.REALISED, Co2Status.EXPECTED),
    Co2Status.REALISED: (Co2Status.CONTRACTED,),
}
# How far along an estimate is; the roll-up keeps the most advanced one per tender.
STATUS_RANK = {Co2Status.EXPECTED: 1, Co2Status.CONTRACTED: 2, Co2Status.REALISED: 3}


class Confidence(LabelledEnum):
    LOW = ("low", "Low")
    MEDIUM = ("medium", "Medium")
    HIGH = ("high", "High")


@dataclass(frozen=True)
class Bounded:
    """A non-negative input value with its range: low ≤ expected ≤ high."""

    expected: float
    low: float
    high: float
    pct: float | None = None  # the ± percentage the range came from, kept for display

    def as_dict(self) -> dict[str, float]:
        """The stored form: explicit low/high (and pct when the range came from one)."""
        stored = {"expected": self.expected, "low": self.low, "high": self.high}
        if self.pct is not None:
            stored["pct"] = self.pct
        return stored


@dataclass(frozen=True)
class Reduction:
    """A computed reduction in tonnes CO2e, with how it was computed."""

    low_t: float
    expected_t: float
    high_t: float
    formula: str  # the computation with units, for people to check (a translatable message)
    screening: bool = False  # True for spend-based: a first screening only


def check_period(start_year: Any, years: Any) -> tuple[int, int]:
    """The period of effect as (start_year, years), refusing impossible years."""
    start = _whole(start_year, "start_year")
    count = _whole(years, "years")
    if not MIN_START_YEAR <= start <= MAX_START_YEAR:
        raise ValidationError(
            msg(
                "Start year {start} is not plausible; use a year from {first} to {last}.",
                start=start,
                first=MIN_START_YEAR,
                last=MAX_START_YEAR,
            ),
            field="start_year",
        )
    if not 1 <= count <= MAX_YEARS:
        raise ValidationError(
            msg(
                "Years of effect must be from 1 to {most}, got {count}.",
                most=MAX_YEARS,
                count=count,
            ),
            field="years",
        )
    return start, count


def _whole(raw: Any, field: str) -> int:
    if isinstance(raw, bool) or raw is None:
        raise ValidationError(
            msg("{field} is required (a whole number).", field=_label(field)), field=field
        )
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValidationError(_not_whole(raw, field), field=field) from None
    if not number.is_integer():
        raise ValidationError(_not_whole(raw, field), field=field)
    return int(number)


def _not_whole(raw: Any, field: str) -> Message:
    return msg("{field} must be a whole number, got {value}.", field=_label(field), value=repr(raw))


def _label(field: str) -> Message:
    """'reference.low' -> 'Reference low' (translatable: the name and the part apart)."""
    name, _, part = field.partition(".")
    label = msg(name.replace("_", " ").capitalize())
    return msg("{name} {part}", name=label, part=msg(part)) if part else label


def _number(raw: Any, field: str) -> float:
    if raw is None or raw == "" or isinstance(raw, bool):
        raise ValidationError(msg("{field} is required.", field=_label(field)), field=field)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValidationError(
            msg("{field} must be a number, got {value}.", field=_label(field), value=repr(raw)),
            field=field,
        ) from None
    if not math.isfinite(number):
        raise ValidationError(
            msg("{field} must be a finite number.", field=_label(field)), field=field
        )
    if number < 0:
        raise ValidationError(
            msg(
                "{field} cannot be negative ({value}); enter the size, the method takes the "
                "difference.",
                field=_label(field),
                value=f"{number:g}",
            ),
            field=field,
        )
    return number


def bounded(raw: Any, field: str) -> Bounded:
    """A :class:`Bounded` from a number or ``{"expected", "low"?, "high"?, "pct"?}``.

    A missing low or high defaults to the expected value (no uncertainty on that
    side); ``pct`` sets both to expected × (1 ∓ pct/100) and may not be combined
    with an explicit low or high.
    """
    if not isinstance(raw, Mapping):
        raw = {"expected": raw}
    expected = _number(raw.get("expected"), f"{field}.expected")
    pct_raw = raw.get("pct")
    low_raw, high_raw = raw.get("low"), raw.get("high")
    if pct_raw not in (None, ""):
        return _from_pct(
            expected,
            pct_raw,
            field,
            has_bounds=low_raw not in (None, "") or high_raw not in (None, ""),
        )
    low = expected if low_raw in (None, "") else _number(low_raw, f"{field}.low")
    high = expected if high_raw in (None, "") else _number(high_raw, f"{field}.high")
    if low > high:
        raise ValidationError(
            msg(
                "{field}: low ({low}) is above high ({high}).",
                field=_label(field),
                low=f"{low:g}",
                high=f"{high:g}",
            ),
            field=f"{field}.low",
        )
    if not low <= expected <= high:
        raise ValidationError(
            msg(
                "{field}: expected ({expected}) must lie between low ({low}) and high ({high}).",
                field=_label(field),
                expected=f"{expected:g}",
                low=f"{low:g}",
                high=f"{high:g}",
            ),
            field=f"{field}.expected",
        )
    return Bounded(expected, low, high)


def _from_pct(expected: float, raw: Any, field: str, *, has_bounds: bool) -> Bounded:
    if has_bounds:
        raise ValidationError(
            msg("{field}: give either low/high or a ± percentage, not both.", field=_label(field)),
            field=f"{field}.pct",
        )
    pct = _number(raw, f"{field}.pct")
    if pct > 100:
        raise ValidationError(
            msg(
                "{field}: a ± percentage above 100 would make the value negative.",
                field=_label(field),
            ),
            field=f"{field}.pct",
        )
    return Bounded(expected, expected * (100 - pct) / 100, expected * (100 + pct) / 100, pct)


def parse_intensity_unit(raw: Any, field: str = "intensity_unit") -> tuple[str, str]:
    """(mass unit, activity unit) from e.g. 'kg CO2e/km' → ('kg', 'km')."""
    text = _unit_text(raw, field, msg("e.g. kg CO2e/km"))
    match = _INTENSITY_UNIT.match(text)
    if not match:
        raise ValidationError(
            msg(
                "Unit {unit} is not an emission intensity; write it as mass CO2e per unit, "
                "e.g. kg CO2e/km, kg CO2e/m² or g CO2e/kWh.",
                unit=repr(text),
            ),
            field=field,
        )
    return match.group(1).lower(), match.group(2).strip()


def parse_quantity_unit(raw: Any, field: str = "quantity_unit") -> str:
    """The activity unit of a yearly quantity: 'km/year', 'km per year' and 'km' → 'km'."""
    text = _unit_text(raw, field, msg("e.g. km/year"))
    return _PER_YEAR.sub("", text).strip() or text


def parse_total_unit(raw: Any, field: str = "unit") -> str:
    """The mass unit of an emission total: 't CO2e' → 't'."""
    text = _unit_text(raw, field, msg("e.g. t CO2e"))
    match = _TOTAL_UNIT.match(text)
    if not match:
        raise ValidationError(
            msg(
                "Unit {unit} is not an emission total; use t CO2e, kg CO2e or g CO2e.",
                unit=repr(text),
            ),
            field=field,
        )
    return match.group(1).lower()


def _unit_text(raw: Any, field: str, example: Message) -> str:
    text = str(raw or "").strip()
    if not text:
        raise ValidationError(
            msg("{field} is required ({detail}).", field=_label(field), detail=example),
            field=field,
        )
    return text


def _corners(
    formula: Callable[..., float], values: Mapping[str, Bounded]
) -> tuple[float, float, float]:
    """(low, expected, high) of ``formula``: min/max over every corner of the input box."""
    names = list(values)
    outcomes = [
        formula(**dict(zip(names, corner, strict=True)))
        for corner in itertools.product(*((values[n].low, values[n].high) for n in names))
    ]
    expected = formula(**{name: values[name].expected for name in names})
    return min(outcomes), expected, max(outcomes)


def _text(raw: Any, field: str, what: Message) -> str:
    text = str(raw or "").strip()
    if not text:
        raise ValidationError(
            msg("{field} is required ({detail}).", field=_label(field), detail=what), field=field
        )
    return text


def intensity(inputs: Mapping[str, Any], *, years: int) -> tuple[dict[str, Any], Reduction]:
    """(reference − new) intensity × quantity per year × years, in tonnes CO2e."""
    mass, per = parse_intensity_unit(inputs.get("intensity_unit"))
    quantity_per = parse_quantity_unit(inputs.get("quantity_unit"))
    if quantity_per.lower() != per.lower():
        raise ValidationError(
            msg(
                "The intensity is per {per} but the quantity is in {quantity_per}; use the same "
                "unit in both.",
                per=per,
                quantity_per=quantity_per,
            ),
            field="quantity_unit",
        )
    values = {
        "reference": bounded(inputs.get("reference"), "reference"),
        "new": bounded(inputs.get("new"), "new"),
        "quantity": bounded(inputs.get("quantity"), "quantity"),
    }
    per_t = UNITS_PER_TONNE[mass]

    def formula(reference: float, new: float, quantity: float) -> float:
        return (reference - new) * quantity * years / per_t

    low, expected, high = _corners(formula, values)
    unit = str(inputs["intensity_unit"]).strip()
    shown = msg(
        "({reference:g} − {new:g}) {unit} × {quantity:g} {quantity_per}/year × {years} years"
        " = {expected:,.3f} t CO2e",
        reference=values["reference"].expected,
        new=values["new"].expected,
        unit=unit,
        quantity=values["quantity"].expected,
        quantity_per=quantity_per,
        years=years,
        expected=expected,
    )
    stored = {
        **{name: value.as_dict() for name, value in values.items()},
        "intensity_unit": unit,
        "quantity_unit": str(inputs["quantity_unit"]).strip(),
    }
    return stored, Reduction(low, expected, high, shown)


def spend(inputs: Mapping[str, Any], *, years: int) -> tuple[dict[str, Any], Reduction]:
    """Spend (EUR) × (reference − new factor): a screening estimate in tonnes CO2e.

    ``years`` is not used: the spend is the total over the period of effect.
    """
    mass, per = parse_intensity_unit(inputs.get("factor_unit"), "factor_unit")
    if per.upper() not in ("EUR", "€"):
        raise ValidationError(
            msg("A spend-based factor is per euro (e.g. kg CO2e/EUR), not per {per}.", per=per),
            field="factor_unit",
        )
    values = {
        "spend_eur": bounded(inputs.get("spend_eur"), "spend_eur"),
        "reference_factor": bounded(inputs.get("reference_factor"), "reference_factor"),
        "new_factor": bounded(inputs.get("new_factor"), "new_factor"),
    }
    per_t = UNITS_PER_TONNE[mass]

    def formula(spend_eur: float, reference_factor: float, new_factor: float) -> float:
        return spend_eur * (reference_factor - new_factor) / per_t

    low, expected, high = _corners(formula, values)
    unit = str(inputs["factor_unit"]).strip()
    shown = msg(
        "EUR {spend:,.0f} × ({reference:g} − {new:g}) {unit} = {expected:,.3f} t CO2e"
        " (screening estimate)",
        spend=values["spend_eur"].expected,
        reference=values["reference_factor"].expected,
        new=values["new_factor"].expected,
        unit=unit,
        expected=expected,
    )
    stored = {**{name: value.as_dict() for name, value in values.items()}, "factor_unit": unit}
    return stored, Reduction(low, expected, high, shown, screening=True)


def external(inputs: Mapping[str, Any], *, years: int) -> tuple[dict[str, Any], Reduction]:
    """Baseline − expected emission total from an external calculation, in tonnes CO2e.

    ``years`` is not used: the totals cover the whole period of effect.
    """
    document = _text(
        inputs.get("document"), "document", msg("the LCA or calculation it comes from")
    )
    mass = parse_total_unit(inputs.get("unit"))
    values = {
        "baseline": bounded(inputs.get("baseline"), "baseline"),
        "expected": bounded(inputs.get("expected"), "expected"),
    }
    per_t = UNITS_PER_TONNE[mass]

    def formula(baseline: float, expected: float) -> float:
        return (baseline - expected) / per_t

    low, central, high = _corners(formula, values)
    unit = str(inputs["unit"]).strip()
    shown = msg(
        "{baseline:,.3f} {unit} baseline − {expected:,.3f} {unit} expected"
        " = {central:,.3f} t CO2e (from {document})",
        baseline=values["baseline"].expected,
        unit=unit,
        expected=values["expected"].expected,
        central=central,
        document=document,
    )
    stored = {
        **{name: value.as_dict() for name, value in values.items()},
        "unit": unit,
        "document": document,
    }
    return stored, Reduction(low, central, high, shown)


_METHODS = {Method.INTENSITY: intensity, Method.SPEND: spend, Method.EXTERNAL: external}


def compute(
    method: Method | str, inputs: Mapping[str, Any], *, years: int
) -> tuple[dict[str, Any], Reduction]:
    """Validate ``inputs`` for ``method`` and return (normalised inputs, reduction)."""
    chosen = Method.parse(str(method), "method")
    if not isinstance(inputs, Mapping):
        raise ValidationError(
            msg("Inputs must be a mapping of field names to values."), field="inputs"
        )
    return _METHODS[Method(chosen)](inputs, years=years)


def households(tonnes: float, t_per_household_year: float) -> float:
    """How many households emit ``tonnes`` in one year (the RIVM way of showing it)."""
    if t_per_household_year <= 0:
        raise ValidationError(
            msg("The household factor must be above 0 t per year."), field="household_t_per_year"
        )
    return tonnes / t_per_household_year


def check_transition(current: Co2Status | str, target: Co2Status | str) -> Co2Status:
    """The target status when the move is allowed (one step forward or back)."""
    here = Co2Status(Co2Status.parse(str(current), "status"))
    there = Co2Status(Co2Status.parse(str(target), "status"))
    if there not in CO2_STATUS_TRANSITIONS[here]:
        raise ValidationError(
            msg(
                "An estimate that is {current:lower} can move to {allowed:lower}, "
                "not to {target:lower}.",
                current=here,
                allowed=msg_list(CO2_STATUS_TRANSITIONS[here], "{first} or {second}"),
                target=there,
            ),
            field="status",
        )
    return there
