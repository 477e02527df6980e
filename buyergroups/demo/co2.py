"""Demo CO2 estimates: fictional figures in realistic orders of magnitude.

Intensities and factors are rounded public ballpark values (diesel ≈ 3.2 kg
CO2e per litre, a 20-t excavator ≈ 15 l/h, a diesel bus ≈ 1.1 kg CO2e/km,
input-output factors of 0.3–0.6 kg CO2e/EUR); they make the dashboard tell a
story and are not measurements. Every method and every status occurs.
"""

from __future__ import annotations

from typing import Any

from buyergroups import db
from buyergroups.co2.estimates import EstimateFields, insert_estimate

DEMO_SOURCE = "Demo figures modelled on public examples; not a measurement."

# (group key, status, fields)
_ESTIMATES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "viaducts",
        "contracted",
        {
            "title": "Circular viaduct over the A12: reference vs circular design",
            "method": "external",
            "start_year": 2025,
            "years": 1,
            "confidence": "medium",
            "inputs": {
                "baseline": 2850,
                "expected": {"expected": 1900, "low": 1750, "high": 2100},
                "unit": "t CO2e",
                "document": "MKI/LCA (DuboCalc) of the reference and the awarded design",
            },
            "assumptions": "Same functional lifetime (100 years); demolition stage included.",
        },
    ),
    (
        "viaducts",
        "realised",
        {
            "title": "Reused concrete girders in the pilot viaduct",
            "method": "external",
            "start_year": 2023,
            "years": 1,
            "confidence": "high",
            "inputs": {
                "baseline": 640,
                "expected": {"expected": 410, "pct": 10},
                "unit": "t CO2e",
                "document": "As-built LCA report of the pilot viaduct",
            },
            "project": "SBIR phase 3 pilot",
        },
    ),
    (
        "viaducts",
        "expected",
        {
            "title": "Low-carbon concrete in twelve viaduct renovations",
            "method": "intensity",
            "start_year": 2026,
            "years": 3,
            "confidence": "low",
            "inputs": {
                "reference": {"expected": 300, "low": 280, "high": 320},
                "new": {"expected": 210, "low": 190, "high": 240},
                "quantity": {"expected": 4000, "low": 3500, "high": 4500},
                "intensity_unit": "kg CO2e/m³",
                "quantity_unit": "m³/year",
            },
            "assumptions": "CEM III concrete with recycled aggregate; volumes from the programme.",
        },
    ),
    (
        "zero_emission_sites",
        "contracted",
        {
            "title": "Electric vs diesel excavators on the 4-year maintenance contract",
            "method": "intensity",
            "start_year": 2025,
            "years": 4,
            "confidence": "medium",
            "inputs": {
                "reference": {"expected": 48, "low": 44, "high": 52},
                "new": {"expected": 20, "low": 0, "high": 25},
                "quantity": {"expected": 7200, "low": 6000, "high": 8400},
                "intensity_unit": "kg CO2e/h",
                "quantity_unit": "h/year",
            },
            "assumptions": "Six 20-t machines × 1,200 h; diesel 15 l/h × 3.2 kg CO2e/l; electric "
            "60 kWh/h on grid mix (0 on certified green power).",
        },
    ),
    (
        "zero_emission_sites",
        "expected",
        {
            "title": "Zero-emission construction logistics in the city centre",
            "method": "intensity",
            "start_year": 2026,
            "years": 5,
            "confidence": "low",
            "inputs": {
                "reference": 0.95,
                "new": {"expected": 0.25, "pct": 40},
                "quantity": {"expected": 180000, "pct": 15},
                "intensity_unit": "kg CO2e/km",
                "quantity_unit": "km/year",
            },
        },
    ),
    (
        "ict_hardware",
        "expected",
        {
            "title": "Laptop and monitor framework: refurbished and longer use",
            "method": "spend",
            "start_year": 2025,
            "years": 4,
            "confidence": "low",
            "inputs": {
                "spend_eur": {"expected": 12_000_000, "low": 10_000_000, "high": 14_000_000},
                "reference_factor": {"expected": 0.45, "low": 0.35, "high": 0.55},
                "new_factor": {"expected": 0.27, "low": 0.2, "high": 0.33},
                "factor_unit": "kg CO2e/EUR",
            },
            "assumptions": "Spend over the whole framework; sector-average input-output factors.",
        },
    ),
    (
        "ict_hardware",
        "contracted",
        {
            "title": "Smartphones used five years instead of three",
            "method": "intensity",
            "start_year": 2024,
            "years": 4,
            "confidence": "medium",
            "inputs": {
                "reference": 23,
                "new": 14,
                "quantity": {"expected": 8000, "pct": 10},
                "intensity_unit": "kg CO2e/phone",
                "quantity_unit": "phone/year",
            },
            "assumptions": "About 70 kg CO2e embodied per phone, spread over its years of use.",
        },
    ),
    (
        "workwear",
        "expected",
        {
            "title": "Workwear with recycled fibres and repair service",
            "method": "spend",
            "start_year": 2026,
            "years": 4,
            "confidence": "low",
            "inputs": {
                "spend_eur": {"expected": 3_500_000, "pct": 15},
                "reference_factor": 0.6,
                "new_factor": {"expected": 0.42, "low": 0.36, "high": 0.5},
                "factor_unit": "kg CO2e/EUR",
            },
        },
    ),
    (
        "catering",
        "realised",
        {
            "title": "Plant-rich menus in staff restaurants",
            "method": "intensity",
            "start_year": 2023,
            "years": 3,
            "confidence": "high",
            "inputs": {
                "reference": {"expected": 3.2, "low": 2.8, "high": 3.6},
                "new": {"expected": 2.1, "low": 1.8, "high": 2.5},
                "quantity": {"expected": 450000, "pct": 10},
                "intensity_unit": "kg CO2e/meal",
                "quantity_unit": "meal/year",
            },
            "project": "Staff restaurants of three ministries",
        },
    ),
    (
        "office_furniture",
        "contracted",
        {
            "title": "Refurbished office furniture framework",
            "method": "external",
            "start_year": 2024,
            "years": 4,
            "confidence": "medium",
            "inputs": {
                "baseline": 1200,
                "expected": {"expected": 380, "low": 300, "high": 500},
                "unit": "t CO2e",
                "document": "Supplier LCA per refurbished workstation, third-party verified",
            },
        },
    ),
    (
        "mobility",
        "contracted",
        {
            "title": "Zero-emission buses in the regional concession",
            "method": "intensity",
            "start_year": 2025,
            "years": 10,
            "confidence": "medium",
            "inputs": {
                "reference": 1.1,
                "new": {"expected": 0.35, "low": 0.1, "high": 0.45},
                "quantity": {"expected": 2_400_000, "pct": 5},
                "intensity_unit": "kg CO2e/km",
                "quantity_unit": "km/year",
            },
            "assumptions": "Diesel bus 1.1 kg CO2e/km; electric bus on grid mix, 0.1 on green power.",
        },
    ),
    (
        "mobility",
        "realised",
        {
            "title": "Electric pool cars for municipal staff",
            "method": "intensity",
            "start_year": 2022,
            "years": 4,
            "confidence": "high",
            "inputs": {
                "reference": 0.17,
                "new": 0.05,
                "quantity": 600000,
                "intensity_unit": "kg CO2e/km",
                "quantity_unit": "km/year",
            },
        },
    ),
]


def estimate_templates() -> list[tuple[str, str, dict[str, Any]]]:
    """The demo estimates as (group key, status, fields), for building larger datasets."""
    return list(_ESTIMATES)


def seed_co2_demo(cur: db.Connection, groups: dict[str, int], author_id: int) -> int:
    """Insert the demo estimates for the groups present in ``groups``; returns how many."""
    stored = 0
    for key, status, values in _ESTIMATES:
        group_id = groups.get(key)
        if group_id is None:
            continue
        fields = EstimateFields(**{"source": DEMO_SOURCE, **values})
        insert_estimate(cur, None, group_id, fields, status=status, author_id=author_id)
        stored += 1
    return stored
