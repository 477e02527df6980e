"""Integrity of the demo dataset (buyergroups/demo/dataset.json): codes, references, coverage."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from buyergroups import i18n
from buyergroups.domain import (
    COUNTRIES,
    LANGUAGES,
    AmbitionLevel,
    CriterionType,
    DialogueKind,
    DocumentKind,
    GroupRole,
    OrganisationKind,
    OrganisationRole,
    OrganisationType,
    Phase,
    Programme,
    Sector,
    Status,
    Theme,
)

DATASET = Path(__file__).resolve().parents[1] / "buyergroups" / "demo" / "dataset.json"
CPV_LIST = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "cpv" / "cpv2008_main_24lang.csv"
)
CPV_FORMAT = re.compile(r"^\d{8}$")


def codes(enum: type) -> set[str]:
    return {member.value for member in enum}


@cache
def load() -> dict[str, Any]:
    return json.loads(DATASET.read_text(encoding="utf-8"))


@pytest.fixture
def data() -> dict[str, Any]:
    return load()


def all_criteria(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for g in data["groups"] for c in g["criteria"]]


def all_documents(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for g in data["groups"] for d in g["documents"]]


def all_cpv_codes(data: dict[str, Any]) -> list[str]:
    found = []
    for group in data["groups"]:
        found += group["cpv_codes"]
        for item in group["documents"] + group["criteria"]:
            found += item["cpv_codes"]
    return found


def test_label_says_it_is_fictional_demo_content(data):
    label = data["label"]
    assert label.startswith("Demo dataset")
    assert "fictional" in label.lower()


def test_keys_are_unique(data):
    keys = (
        [o["key"] for o in data["organisations"]]
        + [u["key"] for u in data["users"]]
        + [g["key"] for g in data["groups"]]
        + [d["key"] for d in all_documents(data)]
        + [c["key"] for c in all_criteria(data)]
    )
    duplicates = [k for k, n in Counter(keys).items() if n > 1]
    assert not duplicates
    names = [g["name"].lower() for g in data["groups"]]
    assert len(names) == len(set(names))
    emails = [u["email"].lower() for u in data["users"]]
    assert len(emails) == len(set(emails))
    org_names = [(o["name"].lower(), o["country"]) for o in data["organisations"]]
    assert len(org_names) == len(set(org_names))


def test_organisation_and_user_codes(data):
    for org in data["organisations"]:
        assert org["kind"] in codes(OrganisationKind), org
        assert org["org_type"] in codes(OrganisationType), org
        assert org["country"] in COUNTRIES, org
    numbers = [o["national_id"] for o in data["organisations"] if o.get("national_id")]
    assert len(numbers) == len(set(numbers)) and all(n.startswith("DEMO-") for n in numbers)
    org_keys = {o["key"] for o in data["organisations"]}
    for user in data["users"]:
        assert user["organisation"] in org_keys, user
        assert user["language"] in i18n.LANGUAGES, user  # interface languages
        assert user["email"].endswith("@demo.buyergroups.example"), user
        assert isinstance(user["is_admin"], bool), user


def test_group_codes(data):
    for group in data["groups"]:
        assert group["sector"] in codes(Sector), group["key"]
        assert group["programme"] in codes(Programme), group["key"]
        assert group["phase"] in codes(Phase), group["key"]
        assert group["countries"], group["key"]
        assert set(group["countries"]) <= set(COUNTRIES), group["key"]
        assert set(group["themes"]) <= codes(Theme), group["key"]
        target = group["co2_target_t"]
        assert target is None or (isinstance(target, int | float) and target >= 0)
        for member in group["organisations"]:
            assert member["role"] in codes(OrganisationRole), (group["key"], member)
        for member in group["users"]:
            assert member["role"] in codes(GroupRole), (group["key"], member)


def test_document_codes(data):
    for doc in all_documents(data):
        assert doc["kind"] in codes(DocumentKind), doc["key"]
        assert doc["status"] in codes(Status), doc["key"]
        assert doc["language"] in LANGUAGES, doc["key"]
        assert set(doc["themes"]) <= codes(Theme), doc["key"]
        assert doc["title"].strip() and doc["body"].strip(), doc["key"]
        assert "lorem ipsum" not in doc["body"].lower(), doc["key"]


def test_criterion_codes(data):
    for crit in all_criteria(data):
        assert crit["criterion_type"] in codes(CriterionType), crit["key"]
        assert crit["theme"] in codes(Theme), crit["key"]
        assert crit["ambition_level"] in codes(AmbitionLevel), crit["key"]
        assert crit["status"] in codes(Status), crit["key"]
        assert crit["language"] in LANGUAGES, crit["key"]
        assert crit["title"].strip() and crit["body"].strip(), crit["key"]
        assert crit["verification_proof"].strip(), crit["key"]
        assert crit["verification_moment"].strip(), crit["key"]


def test_dialogue_codes(data):
    for group in data["groups"]:
        assert len(group["dialogue"]) in range(1, 4), group["key"]
        for event in group["dialogue"]:
            assert event["kind"] in codes(DialogueKind), event["title"]
            assert event["language"] in LANGUAGES, event["title"]
            held_on = dt.date.fromisoformat(event["held_on"])
            assert 2021 <= held_on.year <= 2025, event["title"]
            assert event["participants"], event["title"]
            assert event["notes"].strip() and event["takeaways"].strip(), event["title"]


def test_references_exist(data):
    org_keys = {o["key"] for o in data["organisations"]}
    user_keys = {u["key"] for u in data["users"]}
    crit_keys = {c["key"] for c in all_criteria(data)}
    for group in data["groups"]:
        orgs = [m["org"] for m in group["organisations"]]
        users = [m["user"] for m in group["users"]]
        assert set(orgs) <= org_keys, group["key"]
        assert set(users) <= user_keys, group["key"]
        assert len(orgs) == len(set(orgs)) and len(users) == len(set(users)), group["key"]
        for crit in group["criteria"]:
            if crit["derived_from"] is not None:
                assert crit["derived_from"] in crit_keys, crit["key"]


def test_derivation_crosses_groups_without_cycles(data):
    group_of = {c["key"]: g["key"] for g in data["groups"] for c in g["criteria"]}
    parent = {c["key"]: c["derived_from"] for c in all_criteria(data) if c["derived_from"]}
    assert len(parent) >= 8
    for child, source in parent.items():
        assert child != source, child
        assert group_of[child] != group_of[source], child
    longest = 0
    for start in parent:
        seen = {start}
        node, depth = start, 0
        while node in parent:
            node = parent[node]
            assert node not in seen, f"cycle through {start}"
            seen.add(node)
            depth += 1
        longest = max(longest, depth)
    assert longest >= 2  # at least one chain A -> B -> C

    country_of = {g["key"]: set(g["countries"]) for g in data["groups"]}
    assert any(
        country_of[group_of[child]] != country_of[group_of[source]]
        for child, source in parent.items()
    )


def test_counts_and_coverage(data):
    assert len(data["groups"]) >= 8
    assert len(data["organisations"]) >= 30
    assert len({o["country"] for o in data["organisations"]}) >= 5
    assert 12 <= len(data["users"]) <= 20
    criteria = all_criteria(data)
    assert len(criteria) >= 64
    pairs = {(c["theme"], c["ambition_level"]) for c in criteria}
    assert set(product(codes(Theme), codes(AmbitionLevel))) <= pairs
    assert {c["criterion_type"] for c in criteria} == codes(CriterionType)
    assert sum(c["language"] == "nl" for c in criteria) >= 10
    documents = all_documents(data)
    languages = Counter(d["language"] for d in documents)
    assert languages["nl"] and languages["en"]
    assert languages["nl"] * 3 >= len(documents)
    for group in data["groups"]:
        assert 2 <= len(group["documents"]) <= 4, group["key"]
        assert group["criteria"], group["key"]


def test_users_and_roles(data):
    users = {u["key"]: u for u in data["users"]}
    assert users["u_admin"]["is_admin"] is True
    assert sum(u["is_admin"] for u in users.values()) == 1
    in_groups = Counter(m["user"] for g in data["groups"] for m in g["users"])
    assert "u_outsider" in users and "u_outsider" not in in_groups
    assert any(n > 1 for n in in_groups.values())
    for group in data["groups"]:
        roles = Counter(m["role"] for m in group["users"])
        assert roles["facilitator"] >= 1, group["key"]
        assert roles["member"] in range(1, 4), group["key"]
    assert sum(m["role"] == "observer" for g in data["groups"] for m in g["users"]) >= 2


def test_weights_only_on_award_criteria(data):
    totals = []
    for group in data["groups"]:
        total = 0.0
        for crit in group["criteria"]:
            weight = crit["weight"]
            if crit["criterion_type"] == CriterionType.AWARD_CRITERION:
                assert isinstance(weight, int | float) and not isinstance(weight, bool)
                assert 0 < weight <= 100, crit["key"]
                total += weight
            else:
                assert weight is None, crit["key"]
        totals.append(total)
    # Every set adds up to 100 except one, which shows the UI's warning.
    assert sum(t != 100 for t in totals) == 1


def test_cpv_codes_have_eight_digits(data):
    for code in all_cpv_codes(data):
        assert CPV_FORMAT.match(code), code


def test_search_fixtures_present(data):
    english = [c for c in all_criteria(data) if c["language"] == "en"]
    machinery = [
        c
        for c in english
        if re.search(r"emission-free|zero-emission", c["title"] + c["body"], re.I)
        and re.search(r"machiner|equipment", c["title"] + c["body"], re.I)
        and any(code.startswith(("45", "43")) for code in c["cpv_codes"])
    ]
    assert len(machinery) >= 3
    furniture = [
        c
        for c in english
        if "furniture" in (c["title"] + c["body"]).lower()
        and any(code.startswith(("3913", "3910", "3911", "3912")) for code in c["cpv_codes"])
    ]
    assert len(furniture) >= 3
    dutch = [x for x in all_documents(data) + all_criteria(data) if x["language"] == "nl"]
    assert any("kantoormeubilair" in (x["title"] + x["body"]).lower() for x in dutch)


@pytest.mark.skipif(not CPV_LIST.exists(), reason="official CPV 2008 list not available")
def test_cpv_codes_exist_in_official_list(data):
    with CPV_LIST.open(encoding="utf-8", newline="") as handle:
        official = {row["CODE"][:8] for row in csv.DictReader(handle)}
    unknown = sorted(set(all_cpv_codes(data)) - official)
    assert not unknown
