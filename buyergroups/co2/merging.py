"""Three-way merge of two edits of a CO2 estimate: pure functions, no database.

What a person enters (title, method, inputs, period, confidence, texts, tender,
project) and the status merge field by field, as documents' fields do: a field
only one side changed takes that side's value, a field both changed differently
is a conflict; the assumptions merge line by line. The inputs merge key by key
(the reference intensity edited by one person, the quantity by another) as long
as both sides keep the method and no one changed a unit: a unit changes what
every figure beside it means, so then the inputs merge as one value. The result
in tonnes is never merged: the caller computes it again from the merged inputs.
"""

from __future__ import annotations

from typing import Any

from buyergroups.merge import FieldsMerge, merge_fields

# The fields a person enters, as stored in a revision (the result columns are computed).
ENTERED = (
    "title",
    "method",
    "inputs",
    "start_year",
    "years",
    "confidence",
    "assumptions",
    "source",
    "tender_id",
    "project",
)
MERGED = (*ENTERED, "status")


def merge_estimate(
    base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> FieldsMerge:
    """Merge two edits of the stored fields ``base`` over :data:`MERGED`."""
    inputs = merge_inputs(base, mine, theirs)
    if inputs is not None:
        mine, theirs = {**mine, "inputs": inputs}, {**theirs, "inputs": inputs}
    return merge_fields(base, mine, theirs, MERGED, text_fields=("assumptions",))


def merge_inputs(
    base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> dict[str, Any] | None:
    """The inputs merged key by key, or None when they must merge as one value.

    None when a side changed the method, when a side changed a unit, or when
    both changed one input differently.
    """
    if not base["method"] == mine["method"] == theirs["method"]:
        return None
    sides = [base["inputs"], mine["inputs"], theirs["inputs"]]
    keys = sorted(set().union(*sides))
    if any(_is_unit(key) and len({repr(side.get(key)) for side in sides}) > 1 for key in keys):
        return None
    original, ours, other = ({key: side.get(key) for key in keys} for side in sides)
    outcome = merge_fields(original, ours, other, keys)
    if outcome.conflicts:
        return None
    return {key: value for key, value in outcome.fields.items() if value is not None}


def _is_unit(key: str) -> bool:
    return key == "unit" or key.endswith("_unit")
