"""The one rule for numbers read from import files: finite, and inside a stated range.

Every parser reads its amounts and weights through :func:`checked_number`:

========================  ==========================  ==================================
field                     allowed                     where
========================  ==========================  ==================================
money (:data:`MONEY`)     0 to 10^15, in its currency tender and lot estimated values
weight (:data:`WEIGHT`)   0 to 10^6                   award-criterion weights (%, points)
count (:data:`COUNT`)     0 to 10^6                   tenders received (BT-759, OCDS bids)
========================  ==========================  ==================================

A value that is not a number, is not finite (``NaN``, ``Infinity``, ``1e999``)
or lies outside its range raises :class:`ImportRejected` naming the field, so
the whole file is refused and nothing non-finite ever reaches a numeric
column. Numbers are compared before any conversion to float, so an integer of
400 digits is refused as out of range instead of overflowing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from buyergroups.errors import ImportRejected, msg


@dataclass(frozen=True)
class NumberRange:
    """The closed range a kind of number must lie in."""

    low: float
    high: float

    def shown(self) -> str:
        """'0 to 1,000,000,000,000,000' (for messages)."""
        return f"{self.low:,.0f} to {self.high:,.0f}"


# The largest tender value anywhere is far below 10^15 even in currencies of
# small units (10^15 VND is some 35 billion euros).
MONEY = NumberRange(0, 1e15)
# Weights are percentages, points or ratios; a million points is already absurd.
WEIGHT = NumberRange(0, 1e6)
# Tenders received by one procedure: a million is already absurd.
COUNT = NumberRange(0, 1e6)


def shown_value(raw: Any) -> str:
    """The value as the file wrote it, shortened for a message (a 400-digit number fits)."""
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= 10**30:
        # str() of a huge int is slow and may refuse (int_max_str_digits); log10 is exact enough.
        return f"{'-' if raw < 0 else ''}~1e+{math.floor(math.log10(abs(raw)))}"
    text = repr(raw) if isinstance(raw, str) else str(raw)
    return text if len(text) <= 40 else text[:37] + "…"


def _as_number(raw: Any) -> float | int | None:
    """The number ``raw`` holds, or None when it holds none (text is read as written)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return raw
    if isinstance(raw, str):
        try:
            return float(raw.replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            return None
    return None


def checked_number(raw: Any, field: str, where: str, allowed: NumberRange) -> float | None:
    """``raw`` as a float, None when empty; ImportRejected naming ``field`` when it is bad.

    ``where`` names the file (and row or process) for the message.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    number = _as_number(raw)
    if number is None:
        raise ImportRejected(
            msg(
                "{where}: {field} {value} is not a number.",
                where=where,
                field=field,
                value=shown_value(raw),
            ),
            source=where,
        )
    # An int is compared as an int: float() of 10**400 would overflow.
    inside = (
        allowed.low <= number <= allowed.high
        if isinstance(number, int)
        else math.isfinite(number) and allowed.low <= number <= allowed.high
    )
    if not inside:
        raise ImportRejected(
            msg(
                "{where}: {field} {value} is not a finite number from {range}.",
                where=where,
                field=field,
                value=shown_value(raw),
                range=allowed.shown(),
            ),
            source=where,
        )
    return float(number)


def is_finite(value: Any) -> bool:
    """True for None (no value) and finite numbers; False for NaN, ±Infinity and non-numbers."""
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    # A DOUBLE column holds up to about 1.8e308; a larger int cannot be stored.
    return abs(value) < 1e308 if isinstance(value, int) else math.isfinite(value)
