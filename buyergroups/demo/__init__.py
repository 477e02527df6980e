"""The demo dataset, clearly labelled as such: fictional content modelled on public examples.

``dataset.json`` holds organisations, demo users, groups with their documents,
criteria (with reuse lineage) and market-dialogue events. :func:`seed` loads it
in one transaction; :func:`seed_if_empty` does so on the first start of an
empty database.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from buyergroups import db, dialogue, groups, organisations
from buyergroups.accounts import users
from buyergroups.accounts.passwords import hash_password
from buyergroups.criteria import insert_criterion
from buyergroups.demo import benchmark as demo_benchmark
from buyergroups.demo import co2 as demo_co2
from buyergroups.documents import insert_document
from buyergroups.domain import Status, Visibility
from buyergroups.errors import ValidationError, msg
from buyergroups.ingest import loader, store
from buyergroups.ingest.sources import Source

# Demo accounts only: printed in README.md; never use these on real data.
DEMO_PASSWORD = "demo-buyer-group"  # noqa: S105  # nosec B105 - documented demo-only password


def load_dataset() -> dict[str, Any]:
    """The demo dataset as stored in the package."""
    text = (resources.files("buyergroups.demo") / "dataset.json").read_text(encoding="utf-8")
    return json.loads(text)


def is_demo(conn: db.Connection) -> bool:
    """Whether the database holds the demo dataset."""
    return db.get_meta(conn, "dataset") == "demo"


def demo_label(conn: db.Connection) -> str | None:
    """The sentence that labels the demo data, or None for a real database."""
    return db.get_meta(conn, "dataset_label") if is_demo(conn) else None


def seed_if_empty(conn: db.Connection) -> bool:
    """Seed the demo dataset when the database has no groups and no users yet."""
    with db.reading(conn) as cur:
        empty = not db.value(cur, "SELECT count(*) FROM buyer_groups") and not db.value(
            cur, "SELECT count(*) FROM users"
        )
    if empty:
        seed(conn)
    return empty


# Demo tenders (tenders.csv, fictional) linked to the groups whose joint criteria they use;
# one is linked to two groups to show that shared tenders count once.
TENDER_LINKS: dict[str, tuple[str, ...]] = {
    "DEMO-NL-2024-0001": ("viaducts",),
    "DEMO-NL-2024-0002": ("viaducts",),
    "DEMO-NO-2024-0101": ("zero_emission_sites",),
    "DEMO-DK-2024-0102": ("zero_emission_sites", "viaducts"),
    "DEMO-FI-2025-0103": ("zero_emission_sites",),
    "DEMO-NL-2024-0201": ("ict_hardware",),
    "DEMO-SE-2024-0202": ("ict_intl",),
    "DEMO-NL-2024-0301": ("workwear",),
    "DEMO-NL-2025-0401": ("catering",),
    "DEMO-BE-2024-0501": ("office_furniture",),
    "DEMO-NL-2024-0601": ("mobility",),
    "DEMO-NL-2025-0801": ("plastics",),
}


def seed(conn: db.Connection, dataset: dict[str, Any] | None = None) -> dict[str, int]:
    """Load the demo dataset; returns counts per kind of record.

    Groups, people, documents, criteria, dialogue and CO2 estimates are stored in
    one transaction; the demo tenders are then imported like any CSV (one more
    transaction) and linked to their groups; last the benchmark's award results,
    corrections, answers and action plans (:mod:`buyergroups.demo.benchmark`).
    """
    data = dataset or load_dataset()
    password_hash = hash_password(DEMO_PASSWORD)
    with db.transaction(conn) as cur:
        if db.value(cur, "SELECT count(*) FROM buyer_groups"):
            raise ValidationError(
                msg("The database already holds groups; the demo is only loaded into an empty one.")
            )
        orgs = {
            o["key"]: organisations.insert_organisation(
                cur,
                None,
                o["name"],
                o["kind"],
                o["country"],
                org_type=o.get("org_type"),
                national_id=o.get("national_id"),
            )
            for o in data["organisations"]
        }
        people = {
            u["key"]: users.insert_user(
                cur,
                None,
                name=u["name"],
                email=u["email"],
                organisation_id=orgs.get(u.get("organisation")),
                language=u.get("language", "en"),
                is_admin=bool(u.get("is_admin")),
                password_hash=password_hash,
            ).id
            for u in data["users"]
        }
        group_ids: dict[str, int] = {}
        criterion_ids: dict[str, int] = {}
        lineage: list[tuple[str, str]] = []
        counts = {"documents": 0, "criteria": 0, "dialogue": 0}
        for group in data["groups"]:
            group_id = _seed_group(cur, group, orgs, people)
            group_ids[group["key"]] = group_id
            counts["documents"] += _seed_documents(cur, group_id, group.get("documents", []))
            for criterion in group.get("criteria", []):
                criterion_ids[criterion["key"]] = _seed_criterion(cur, group_id, criterion)
                if criterion.get("derived_from"):
                    lineage.append((criterion["key"], criterion["derived_from"]))
            for event in group.get("dialogue", []):
                dialogue.insert_event(cur, None, group_id, event)
                counts["dialogue"] += 1
        for key, source in lineage:
            cur.execute(
                "UPDATE criteria SET derived_from = ? WHERE id = ?",
                [criterion_ids[source], criterion_ids[key]],
            )
        counts["co2_estimates"] = _seed_co2(cur, group_ids, people)
        db.set_meta(cur, "dataset", "demo")
        db.set_meta(cur, "dataset_label", data["label"])
    counts.update(
        organisations=len(orgs),
        users=len(people),
        groups=len(group_ids),
        criteria=len(criterion_ids),
    )
    counts["tenders"] = _seed_tenders(conn, group_ids)
    counts.update(demo_benchmark.seed_benchmark(conn, orgs, people))
    return counts


def _seed_tenders(conn: db.Connection, group_ids: dict[str, int]) -> int:
    data = (resources.files("buyergroups.demo") / "tenders.csv").read_bytes()
    summary = loader.import_sources(
        conn, "csv", [Source("demo tenders.csv", lambda: data)], None, system=True
    )
    if summary.rejected:
        raise ValidationError(
            msg("The demo tenders did not import: {reason}", reason=summary.rejected[0].message)
        )
    with db.transaction(conn) as cur:
        stored = store.tender_ids(cur, "csv", list(TENDER_LINKS))
        for source_id, keys in TENDER_LINKS.items():
            for key in keys:
                if key in group_ids:
                    store.link(cur, [stored[source_id]], group_ids[key], None, "demo link")
    return summary.imported


def _seed_group(
    cur: db.Connection, group: dict[str, Any], orgs: dict[str, int], people: dict[str, int]
) -> int:
    profile = {k: group.get(k) for k in groups._PROFILE_FIELDS}
    group_id = groups.insert_group(cur, None, profile)
    for member in group.get("organisations", []):
        groups.set_organisation_role(cur, None, group_id, orgs[member["org"]], member["role"])
    for member in group.get("users", []):
        groups.set_user_role(cur, None, group_id, people[member["user"]], member["role"])
    return group_id


def _status_columns(status: str) -> dict[str, str]:
    status = Status.parse(status or "draft", "status").value
    visibility = Visibility.PUBLISHED if status == Status.PUBLISHED else Visibility.GROUP
    return {"status": status, "visibility": visibility.value}


def _seed_documents(cur: db.Connection, group_id: int, documents: list[dict[str, Any]]) -> int:
    for document in documents:
        content = {k: document.get(k) for k in ("title", "body", "language", "themes", "cpv_codes")}
        insert_document(
            cur,
            None,
            group_id,
            document["kind"],
            content,
            **_status_columns(document.get("status")),
        )
    return len(documents)


def _seed_criterion(cur: db.Connection, group_id: int, criterion: dict[str, Any]) -> int:
    content = {k: v for k, v in criterion.items() if k not in ("key", "status", "derived_from")}
    return insert_criterion(
        cur, None, group_id, content, **_status_columns(criterion.get("status"))
    )


def _seed_co2(cur: db.Connection, group_ids: dict[str, int], people: dict[str, int]) -> int:
    author = people.get("u_admin") or next(iter(people.values()))
    return int(demo_co2.seed_co2_demo(cur, group_ids, author))
