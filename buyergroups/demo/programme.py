"""Programme-scale data to measure on: 200 groups, 2,000 organisations, 100,000 tenders.

:func:`build` fills an empty database through the package's own functions (the
same inserts the demo loader uses, ``versioned.save`` for later revisions,
``comments.add_comment``, the CSV importer for the tenders), with texts varied
from the demo dataset's documents, criteria and tenders (Dutch, English, German,
Swedish, French, Spanish and Italian). The data is random but seeded, so two builds
at one scale hold the same rows. ``scale`` multiplies every count (0.05 for a
quick run). Three accounts are the ones ``bench pages`` signs in as
(:data:`BENCH_USERS`); they are a benchmark's, never a real installation's.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from buyergroups import comments, criteria, db, documents, groups, organisations, versioned
from buyergroups.accounts import users
from buyergroups.accounts.passwords import hash_password
from buyergroups.co2.estimates import EstimateFields, insert_estimate
from buyergroups.demo import load_dataset
from buyergroups.demo.co2 import estimate_templates
from buyergroups.domain import (
    AmbitionLevel,
    CriterionType,
    DocumentKind,
    OrganisationKind,
    OrganisationRole,
    Phase,
    Programme,
    Sector,
    Theme,
)
from buyergroups.errors import ValidationError, msg
from buyergroups.exports import spreadsheet
from buyergroups.i18n import LANGUAGES as INTERFACE_LANGUAGES
from buyergroups.ingest import loader, store
from buyergroups.ingest.sources import Source

# A benchmark's accounts only (never on real data); bench pages signs them in directly.
BENCH_PASSWORD = "bench-programme-scale"  # noqa: S105  # nosec B105 - benchmark-only password
BENCH_USERS = {
    "admin": "admin@bench.buyergroups.example",
    "facilitator": "facilitator@bench.buyergroups.example",
    "member": "member@bench.buyergroups.example",
}
COUNTRIES = ("NL", "BE", "DE", "DK", "SE", "NO", "FI", "ES", "FR", "IT")
CPV_CODES = (
    "45221111",
    "45233140",
    "45214210",
    "30213100",
    "30231000",
    "34144910",
    "39130000",
    "18110000",
    "55520000",
    "90910000",
    "71311300",
    "09310000",
    "15800000",
)
TENDER_CHUNK = 10_000

# Tender texts in several languages: (language, title, award criteria, conditions).
_TENDER_TEXTS: list[tuple[str, str, str, str]] = [
    (
        "nl",
        "Vervanging viaduct {n} in circulaire uitvoering",
        "price|Prijs gecorrigeerd met CO2-Prestatieladder|50;quality|MKI-waarde van het ontwerp|30;"
        "quality|Demontabel en herbruikbaar ontwerp|20",
        "Materialenpaspoort bij oplevering.",
    ),
    (
        "en",
        "Emission-free construction site for school {n}",
        "price|Price|60;quality|Share of zero-emission machinery|30;quality|Noise plan|10",
        "At least 20% emission-free machinery on site.",
    ),
    (
        "de",
        "Lieferung von Arbeitskleidung aus fairer Produktion, Los {n}",
        "price|Preis|55;quality|Recyclinganteil der Textilien|25;quality|Faire Arbeitsbedingungen|20",
        "Nachweis der Sozialstandards in der Lieferkette.",
    ),
    (
        "sv",
        "Upphandling av återanvända IT-produkter {n}",
        "price|Pris|50;quality|Återanvänd hårdvara och lång livslängd|35;quality|Service|15",
        "Leverantören redovisar koldioxidavtryck per enhet.",
    ),
    (
        "fr",
        "Restauration collective durable, marché {n}",
        "price|Prix|40;quality|Produits biologiques et locaux|40;quality|Réduction du gaspillage|20",
        "Au moins 50 % de produits durables.",
    ),
    (
        "es",
        "Suministro de autobuses eléctricos, lote {n}",
        "price|Precio|50;quality|Emisiones de CO2 durante la vida útil|30;quality|Mantenimiento|20",
        "",
    ),
    (
        "it",
        "Arredi per uffici con criteri ambientali minimi {n}",
        "price|Prezzo|60;quality|Materiali riciclati e riciclabili|30;quality|Garanzia|10",
        "Conformità ai CAM arredi.",
    ),
    (
        "en",
        "Road maintenance framework {n}",
        "price|Price|80;quality|Delivery schedule|20",
        "",
    ),
]
_PLACES = ("Utrecht", "Gent", "Aarhus", "Malmö", "Lyon", "Sevilla", "Torino", "Tampere", "Bergen")


@dataclass(frozen=True)
class Counts:
    """How many of each record a build stores."""

    groups: int
    organisations: int
    documents: int
    criteria: int
    co2_estimates: int
    tenders: int
    revised_share: float = 0.2
    commented_share: float = 0.1

    @classmethod
    def at(cls, scale: float) -> Counts:
        """The programme's counts times ``scale`` (at least a handful of each)."""
        if not 0 < scale <= 10:
            raise ValidationError(msg("The scale must be more than 0 and at most 10."))
        return cls(
            groups=max(3, round(200 * scale)),
            organisations=max(10, round(2000 * scale)),
            documents=max(10, round(5000 * scale)),
            criteria=max(30, round(15000 * scale)),
            co2_estimates=max(5, round(2000 * scale)),
            tenders=max(20, round(100_000 * scale)),
        )


def _report(say: Callable[[str], None], what: str, started: float) -> None:
    say(f"  {what} in {time.perf_counter() - started:.1f} s")


def build(
    conn: db.Connection, scale: float = 1.0, *, seed: int = 7, say: Callable[[str], None] = print
) -> dict[str, int]:
    """Fill an empty database with programme-scale data; returns counts per kind."""
    counts = Counts.at(scale)
    # Reproducible benchmark data, not secrets.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    dataset = load_dataset()
    started = time.perf_counter()
    with db.transaction(conn) as cur:
        if db.value(cur, "SELECT count(*) FROM buyer_groups") or db.value(
            cur, "SELECT count(*) FROM users"
        ):
            raise ValidationError(msg("The database is not empty; build into a new file."))
        org_ids = _organisations(cur, rng, counts.organisations)
        people = _users(cur, rng, counts.groups, org_ids)
        group_ids = _groups(cur, rng, counts.groups, org_ids, people)
    _report(say, f"{len(group_ids)} groups, {len(org_ids)} organisations", started)
    started = time.perf_counter()
    with db.transaction(conn) as cur:
        doc_ids = _documents(cur, rng, dataset, group_ids, counts.documents)
        crit_ids = _criteria(cur, rng, dataset, group_ids, counts.criteria)
    _report(say, f"{len(doc_ids)} documents, {len(crit_ids)} criteria", started)
    started = time.perf_counter()
    admin = users.get_user(conn, people["admin"])
    revised = _revise(conn, rng, admin, doc_ids, crit_ids, counts.revised_share)
    commented = _comment(conn, rng, admin, doc_ids, crit_ids, counts.commented_share)
    _report(say, f"{revised} later revisions, {commented} comments", started)
    started = time.perf_counter()
    tenders = _tenders(conn, rng, counts.tenders, say)
    _report(say, f"{tenders} tenders imported", started)
    started = time.perf_counter()
    with db.transaction(conn) as cur:
        _link_tenders(cur, rng, group_ids)
        estimates = _estimates(cur, rng, group_ids, people["admin"], counts.co2_estimates)
        db.set_meta(cur, "dataset", "programme-bench")
    _report(say, f"{estimates} CO2 estimates and tender links", started)
    return {
        "groups": len(group_ids),
        "organisations": len(org_ids),
        "users": len(people),
        "documents": len(doc_ids),
        "criteria": len(crit_ids),
        "revisions": revised,
        "comments": commented,
        "tenders": tenders,
        "co2_estimates": estimates,
    }


def _organisations(cur: db.Connection, rng: random.Random, count: int) -> list[int]:
    kinds = [k.value for k in OrganisationKind]
    return [
        organisations.insert_organisation(
            cur,
            None,
            f"{rng.choice(('Gemeente', 'Kommune', 'Stadt', 'Region', 'Agency'))}"
            f" {rng.choice(_PLACES)} {i}",
            rng.choice(kinds),
            rng.choice(COUNTRIES),
        )
        for i in range(1, count + 1)
    ]


def _users(
    cur: db.Connection, rng: random.Random, group_count: int, org_ids: list[int]
) -> dict[str, int]:
    password_hash = hash_password(BENCH_PASSWORD)
    people = {
        role: users.insert_user(
            cur,
            None,
            name=f"Bench {role}",
            email=email,
            organisation_id=org_ids[0],
            language="en",
            is_admin=role == "admin",
            password_hash=password_hash,
        ).id
        for role, email in BENCH_USERS.items()
    }
    # Two more people per group: a facilitator and a member.
    for i in range(2 * group_count):
        people[f"person{i}"] = users.insert_user(
            cur,
            None,
            name=f"Person {i}",
            email=f"person{i}@bench.buyergroups.example",
            organisation_id=rng.choice(org_ids),
            language=rng.choice(INTERFACE_LANGUAGES),
            is_admin=False,
            password_hash=password_hash,
        ).id
    return people


def _groups(
    cur: db.Connection,
    rng: random.Random,
    count: int,
    org_ids: list[int],
    people: dict[str, int],
) -> list[int]:
    themes = [t.value for t in Theme]
    ids = []
    for i in range(count):
        name = f"Buyer Group {rng.choice(_PLACES)} {i + 1:03d}"
        profile = {
            "name": name,
            "sector": rng.choice(list(Sector)).value,
            "programme": rng.choice(list(Programme)).value,
            "countries": sorted(set(rng.choices(COUNTRIES, k=rng.randint(1, 3)))),
            "themes": sorted(set(rng.choices(themes, k=rng.randint(1, 3)))),
            "phase": rng.choice(list(Phase)).value,
            "description": f"{name}: buyers working together on one market.",
            "cpv_codes": sorted(set(rng.choices(CPV_CODES, k=2))),
            "co2_target_t": rng.choice((None, 1000, 5000, 20000)),
        }
        group_id = groups.insert_group(cur, None, profile)
        for org in rng.sample(org_ids, k=min(len(org_ids), 10)):
            role = rng.choice(list(OrganisationRole)).value
            groups.set_organisation_role(cur, None, group_id, org, role)
        groups.set_user_role(cur, None, group_id, people[f"person{2 * i}"], "facilitator")
        groups.set_user_role(cur, None, group_id, people[f"person{2 * i + 1}"], "member")
        ids.append(group_id)
    # The bench's facilitator leads the first group and is a member of a few more; the
    # member belongs to the first ten.
    groups.set_user_role(cur, None, ids[0], people["facilitator"], "facilitator")
    for group_id in ids[1:6]:
        groups.set_user_role(cur, None, group_id, people["facilitator"], "member")
    for group_id in ids[:10]:
        groups.set_user_role(cur, None, group_id, people["member"], "member")
    return ids


def _status(rng: random.Random) -> dict[str, str]:
    status = rng.choice(("draft", "in_review", "agreed", "published", "published"))
    return {"status": status, "visibility": "published" if status == "published" else "group"}


def _documents(
    cur: db.Connection,
    rng: random.Random,
    dataset: dict[str, Any],
    group_ids: list[int],
    count: int,
) -> list[int]:
    templates = [d for g in dataset["groups"] for d in g.get("documents", [])]
    kinds = [k.value for k in DocumentKind]
    ids = []
    for i in range(count):
        template = rng.choice(templates)
        paragraphs = template["body"].split("\n\n")
        rng.shuffle(paragraphs)
        content = {
            "title": f"{template['title']} ({i + 1})",
            "body": "\n\n".join(paragraphs[: rng.randint(2, max(2, len(paragraphs)))]),
            "language": template["language"],
            "themes": template.get("themes") or [],
            "cpv_codes": template.get("cpv_codes") or [],
        }
        group_id = group_ids[i % len(group_ids)]
        kind = template["kind"] if rng.random() < 0.5 else rng.choice(kinds)
        ids.append(documents.insert_document(cur, None, group_id, kind, content, **_status(rng)))
    return ids


def _criteria(
    cur: db.Connection,
    rng: random.Random,
    dataset: dict[str, Any],
    group_ids: list[int],
    count: int,
) -> list[int]:
    templates = [c for g in dataset["groups"] for c in g.get("criteria", [])]
    levels = [a.value for a in AmbitionLevel]
    ids = []
    for i in range(count):
        template = rng.choice(templates)
        kind = template["criterion_type"]
        content = {
            key: template.get(key)
            for key in (
                "criterion_type",
                "theme",
                "scoring_method",
                "verification_proof",
                "verification_moment",
                "language",
                "cpv_codes",
            )
        }
        content.update(
            title=f"{template['title']} ({i + 1})",
            body=template["body"],
            ambition_level=rng.choice(levels),
            weight=rng.choice((5, 10, 15, 20, 25))
            if kind == CriterionType.AWARD_CRITERION
            else None,
        )
        group_id = group_ids[i % len(group_ids)]
        ids.append(criteria.insert_criterion(cur, None, group_id, content, **_status(rng)))
    # Some reuse lineage, as in a programme that shares its criteria.
    for copy, source in zip(ids[len(ids) // 2 :: 7], ids[::7], strict=False):
        cur.execute("UPDATE criteria SET derived_from = ? WHERE id = ?", [source, copy])
    return ids


def _revise(
    conn: db.Connection,
    rng: random.Random,
    admin: users.User,
    doc_ids: list[int],
    crit_ids: list[int],
    share: float,
) -> int:
    saved = 0
    for kind, ids in ((documents.KIND, doc_ids), (criteria.KIND, crit_ids)):
        for item_id in rng.sample(ids, k=round(share * len(ids))):
            item = versioned.read(conn, kind, admin, item_id)
            body = (item.get("body") or "") + "\n\nUpdated after the market dialogue."
            versioned.save(conn, kind, admin, item_id, item["current_revision"], {"body": body})
            saved += 1
    return saved


def _comment(
    conn: db.Connection,
    rng: random.Random,
    admin: users.User,
    doc_ids: list[int],
    crit_ids: list[int],
    share: float,
) -> int:
    texts = (
        "Kunnen we dit afstemmen met de CO2-Prestatieladder?",
        "Please check the verification moment with the legal team.",
        "Bitte die Gewichtung noch einmal prüfen.",
        "Bra formulering, vi använder den i vår upphandling.",
    )
    posted = 0
    for kind, ids in (("document", doc_ids), ("criterion", crit_ids)):
        for item_id in rng.sample(ids, k=round(share * len(ids))):
            comments.add_comment(conn, admin, kind, item_id, rng.choice(texts))
            posted += 1
    return posted


def _tender_rows(rng: random.Random, start: int, count: int) -> bytes:
    headers = [
        "source_id",
        "title",
        "description",
        "language",
        "buyer_name",
        "buyer_country",
        "cpv_codes",
        "published_on",
        "procedure_type",
        "estimated_value",
        "currency",
        "environmental_impact",
        "award_criteria",
        "conditions",
    ]
    rows = []
    for n in range(start, start + count):
        language, title, award, conditions = rng.choice(_TENDER_TEXTS)
        place = rng.choice(_PLACES)
        rows.append(
            [
                f"BENCH-{n:06d}",
                title.format(n=f"{place} {n}"),
                f"{title.format(n=place)}: {conditions or 'see the documents.'}",
                language,
                f"{rng.choice(('Gemeente', 'Kommune', 'Stadt', 'Region'))} {place}",
                rng.choice(COUNTRIES),
                ";".join(sorted(set(rng.choices(CPV_CODES, k=rng.randint(1, 3))))),
                f"{rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                rng.choice(("open", "restricted", "neg-w-call")),
                rng.randint(10, 50_000) * 1000,
                "EUR",
                rng.choice(("circ-econ", "clim-mitig", "", "", "")),
                award if rng.random() < 0.6 else "",
                conditions,
            ]
        )
    out = io.StringIO(newline="")
    spreadsheet.write_csv(out, headers, rows)
    return out.getvalue().encode("utf-8")


def _tenders(
    conn: db.Connection, rng: random.Random, count: int, say: Callable[[str], None]
) -> int:
    imported = 0
    for start in range(1, count + 1, TENDER_CHUNK):
        data = _tender_rows(rng, start, min(TENDER_CHUNK, count + 1 - start))
        summary = loader.import_sources(
            conn, "csv", [Source(f"bench tenders {start}.csv", lambda d=data: d)], None, system=True
        )
        if summary.rejected:
            raise ValidationError(
                msg(
                    "The bench tenders did not import: {reason}", reason=summary.rejected[0].message
                )
            )
        imported += summary.imported
        say(f"    {imported} tenders")
    return imported


def _link_tenders(cur: db.Connection, rng: random.Random, group_ids: list[int]) -> None:
    all_ids = [row[0] for row in cur.execute("SELECT id FROM tenders ORDER BY id").fetchall()]
    for group_id in group_ids:
        store.link(cur, rng.sample(all_ids, k=min(len(all_ids), 20)), group_id, None, "bench")


def _estimates(
    cur: db.Connection, rng: random.Random, group_ids: list[int], author: int, count: int
) -> int:
    templates = estimate_templates()
    for i in range(count):
        _group, status, values = rng.choice(templates)
        fields = EstimateFields(**{**values, "title": f"{values['title']} ({i + 1})"})
        insert_estimate(
            cur, None, group_ids[i % len(group_ids)], fields, status=status, author_id=author
        )
    return count
