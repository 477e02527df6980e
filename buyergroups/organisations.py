"""Organisations, and contracting authorities: buyers of imported tenders matched to them.

Any signed-in user may register an organisation; an admin sets its type and
national registration number and decides the buyers that match no organisation
by themselves (link to an organisation, or create one from the buyer). The
matching rule is :mod:`buyergroups.buyer_match`'s; every change to an
organisation or a link re-matches the tenders whose buyer is not matched yet.
"""

from __future__ import annotations

from typing import Any

from buyergroups import activity, db
from buyergroups.accounts.users import User
from buyergroups.auth import require_admin, require_signed_in
from buyergroups.buyer_match import KnownOrganisation, Matcher, name_key, national_key
from buyergroups.domain import (
    OrganisationKind,
    OrganisationType,
    normalise_country,
    optional_text,
    require_text,
)
from buyergroups.errors import NotFoundError, ValidationError, msg

MAX_NATIONAL_ID = 64
# The kind (role in groups) an organisation registered from a buyer gets by its type.
_KIND_OF_TYPE = {
    OrganisationType.CENTRAL_GOVERNMENT: OrganisationKind.AGENCY,
    OrganisationType.PROVINCE: OrganisationKind.PROVINCE,
    OrganisationType.MUNICIPALITY: OrganisationKind.MUNICIPALITY,
    OrganisationType.WATER_AUTHORITY: OrganisationKind.WATER_AUTHORITY,
    OrganisationType.OTHER_PUBLIC: OrganisationKind.AGENCY,
    OrganisationType.PRIVATE: OrganisationKind.COMPANY,
}


def default_kind(org_type: str) -> str:
    """The kind an organisation of ``org_type`` is registered with from a buyer."""
    return _KIND_OF_TYPE[OrganisationType.parse(org_type, "org_type")].value


def _org_type(raw: str | None) -> str | None:
    return OrganisationType.parse(raw, "org_type").value if raw else None


def _national_id(raw: str | None) -> str | None:
    return " ".join(optional_text(raw, "national_id", max_length=MAX_NATIONAL_ID).split()) or None


def insert_organisation(
    cur: db.Connection,
    actor: User | None,
    name: str,
    kind: str,
    country: str,
    *,
    org_type: str | None = None,
    national_id: str | None = None,
) -> int:
    """Store an organisation inside the caller's transaction; its id."""
    name = require_text(name, "name", max_length=200)
    kind = OrganisationKind.parse(kind, "kind").value
    country = normalise_country(country)
    existing = db.value(
        cur,
        "SELECT id FROM organisations WHERE lower(name) = lower(?) AND country = ?",
        [name, country],
    )
    if existing is not None:
        raise ValidationError(
            msg("{name} ({country}) is already registered.", name=name, country=country),
            field="name",
        )
    org_id = db.value(
        cur,
        "INSERT INTO organisations (name, kind, country, org_type, national_id, created_at,"
        " created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            name,
            kind,
            country,
            _org_type(org_type),
            _national_id(national_id),
            db.now(),
            actor.id if actor else None,
        ],
    )
    activity.record(cur, actor, "create", "organisation", org_id, summary=name)
    return int(org_id)


def create_organisation(
    conn: db.Connection,
    actor: User,
    name: str,
    kind: str,
    country: str,
    *,
    org_type: str | None = None,
    national_id: str | None = None,
) -> int:
    """Register an organisation (any signed-in user may); unmatched buyers may now match it."""
    require_signed_in(actor)
    with db.transaction(conn) as cur:
        org_id = insert_organisation(
            cur, actor, name, kind, country, org_type=org_type, national_id=national_id
        )
        rematch_unmatched(cur, normalise_country(country))
        return org_id


def list_organisations(conn: db.Connection) -> list[dict[str, Any]]:
    """Every organisation with its type, national id and the number of groups it takes part in."""
    with db.reading(conn) as cur:
        return db.rows(
            cur,
            "SELECT o.id, o.name, o.kind, o.country, o.org_type, o.national_id,"
            " count(m.group_id) AS groups"
            " FROM organisations o LEFT JOIN memberships m ON m.organisation_id = o.id"
            " GROUP BY o.id, o.name, o.kind, o.country, o.org_type, o.national_id"
            " ORDER BY lower(o.name)",
        )


def update_organisation(
    conn: db.Connection,
    actor: User | None,
    organisation_id: int,
    org_type: str | None,
    national_id: str | None,
) -> int:
    """Set an organisation's type and national id (admins); returns buyers newly matched."""
    require_admin(actor)
    values = [_org_type(org_type), _national_id(national_id)]
    with db.transaction(conn) as cur:
        name = _name_of(cur, organisation_id)
        cur.execute(
            "UPDATE organisations SET org_type = ?, national_id = ? WHERE id = ?",
            [*values, organisation_id],
        )
        activity.record(cur, actor, "update", "organisation", organisation_id, summary=name)
        country = db.value(cur, "SELECT country FROM organisations WHERE id = ?", [organisation_id])
        return rematch_unmatched(cur, country)


def _name_of(cur: db.Connection, organisation_id: int) -> str:
    name = db.value(cur, "SELECT name FROM organisations WHERE id = ?", [organisation_id])
    if name is None:
        raise NotFoundError(
            msg("There is no organisation {organisation_id}.", organisation_id=organisation_id)
        )
    return str(name)


def _matcher(cur: db.Connection) -> Matcher:
    known = [
        KnownOrganisation(*entry)
        for entry in cur.execute(
            "SELECT id, name, country, national_id FROM organisations"
        ).fetchall()
    ]
    aliases = {
        (key, country): org_id
        for key, country, org_id in cur.execute(
            "SELECT name_key, country, organisation_id FROM buyer_aliases"
        ).fetchall()
    }
    return Matcher(known, aliases)


def _rematch(cur: db.Connection, where: str, params: list[Any]) -> int:
    found = cur.execute(
        "SELECT id, buyer_name, buyer_country, buyer_national_id, buyer_org_id FROM tenders"
        f" WHERE {where}",  # nosec B608 - the callers' fixed conditions
        params,
    ).fetchall()
    if not found:
        return 0
    matcher = _matcher(cur)
    matched: dict[tuple[str | None, str | None, str | None], int | None] = {}
    changes = []
    for tender_id, name, country, number, current in found:
        buyer = (name, country, number)
        if buyer not in matched:  # many procurements share a buyer: match each buyer once
            matched[buyer] = matcher.match(name, country, number)
        if matched[buyer] != current:
            changes.append((tender_id, matched[buyer]))
    if changes:
        cur.execute(
            "UPDATE tenders SET buyer_org_id = m.org_id FROM (SELECT unnest(?::INTEGER[]) AS id,"
            " unnest(?::INTEGER[]) AS org_id) AS m WHERE tenders.id = m.id",
            [[tender_id for tender_id, _ in changes], [org_id for _, org_id in changes]],
        )
    return sum(1 for _, org_id in changes if org_id is not None)


def match_procurements(cur: db.Connection, tender_ids: list[int]) -> int:
    """Match the buyers of these procurements (inside the caller's transaction); matches set."""
    if not tender_ids:
        return 0
    return _rematch(cur, "id IN (SELECT unnest(?::INTEGER[]))", [tender_ids])


def rematch_unmatched(cur: db.Connection, country: str | None) -> int:
    """Match the procurements of ``country`` (None: of no country) whose buyer matches no
    organisation yet; returns the matches found. Only a buyer of the same country can
    match an organisation, or an admin's link of a buyer without one."""
    if country is None:
        return _rematch(cur, "buyer_org_id IS NULL AND buyer_country IS NULL", [])
    return _rematch(cur, "buyer_org_id IS NULL AND buyer_country = ?", [country])


def match_buyers(conn: db.Connection, actor: User | None) -> int:
    """Match the buyer of every procurement again (admins), e.g. those stored before buyers were
    matched; returns the procurements newly matched."""
    require_admin(actor)
    with db.transaction(conn) as cur:
        return _rematch(cur, "TRUE", [])


def unmatched_buyers(conn: db.Connection, actor: User | None) -> list[dict[str, Any]]:
    """Buyers of imported tenders that match no organisation, most tenders first (admins)."""
    require_admin(actor)
    with db.reading(conn) as cur:
        return db.rows(
            cur,
            "SELECT buyer_name AS name, buyer_country AS country,"
            " buyer_national_id AS national_id, count(*) AS tenders,"
            " max(published_on) AS latest FROM tenders"
            " WHERE buyer_org_id IS NULL AND coalesce(buyer_name, '') <> ''"
            " GROUP BY buyer_name, buyer_country, buyer_national_id"
            " ORDER BY count(*) DESC, lower(buyer_name), buyer_country",
        )


def _link(
    cur: db.Connection,
    actor: User | None,
    buyer: dict[str, Any],
    organisation_id: int,
) -> int:
    name = require_text(buyer.get("name"), "name", max_length=500)
    country = (buyer.get("country") or "").strip().upper()
    org_name = _name_of(cur, organisation_id)
    cur.execute(
        "INSERT INTO buyer_aliases (name_key, country, organisation_id, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name_key, country) DO UPDATE SET"
        " organisation_id = excluded.organisation_id, created_at = excluded.created_at,"
        " created_by = excluded.created_by",
        [name_key(name), country, organisation_id, db.now(), actor.id if actor else None],
    )
    number = buyer.get("national_id")
    if national_key(number):
        cur.execute(
            "UPDATE organisations SET national_id = ? WHERE id = ? AND national_id IS NULL",
            [_national_id(number), organisation_id],
        )
    activity.record(
        cur, actor, "link", "organisation", organisation_id, summary=f"{name} → {org_name}"
    )
    return rematch_unmatched(cur, country or None)


def link_buyer(
    conn: db.Connection, actor: User | None, buyer: dict[str, Any], organisation_id: int
) -> int:
    """Decide that a buyer ({name, country, national_id}) is this organisation (admins).

    Later notices of the buyer match it too; the buyer's national id is kept on
    the organisation when it has none. Returns the procurements matched now.
    """
    require_admin(actor)
    with db.transaction(conn) as cur:
        return _link(cur, actor, buyer, organisation_id)


def create_from_buyer(
    conn: db.Connection,
    actor: User | None,
    buyer: dict[str, Any],
    org_type: str,
    kind: str | None = None,
) -> tuple[int, int]:
    """Register the buyer as a new organisation of ``org_type`` and link it (admins).

    ``kind`` defaults to :func:`default_kind`. Returns (organisation id,
    procurements matched now).
    """
    require_admin(actor)
    if not buyer.get("country"):
        raise ValidationError(
            msg("The buyer has no country; register the organisation with its country instead."),
            field="country",
        )
    if not org_type:
        raise ValidationError(msg("Choose the organisation's type."), field="org_type")
    with db.transaction(conn) as cur:
        org_id = insert_organisation(
            cur,
            actor,
            buyer.get("name") or "",
            kind or default_kind(org_type),
            buyer["country"],
            org_type=org_type,
            national_id=buyer.get("national_id")
            if national_key(buyer.get("national_id"))
            else None,
        )
        return org_id, _link(cur, actor, buyer, org_id)
