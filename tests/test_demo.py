from collections import Counter

from buyergroups import db, demo
from buyergroups.domain import AmbitionLevel, Theme


def test_seed_if_empty_seeds_once_and_labels_the_data(conn) -> None:
    assert demo.is_demo(conn) is False
    assert demo.seed_if_empty(conn) is True
    assert demo.seed_if_empty(conn) is False
    assert demo.is_demo(conn) is True
    assert demo.demo_label(conn).startswith("Demo dataset")


def test_demo_content_meets_the_brief(conn) -> None:
    counts = demo.seed(conn)
    assert counts["groups"] >= 8 and counts["criteria"] >= 60 and counts["organisations"] >= 30
    with db.reading(conn) as cur:
        countries = db.value(cur, "SELECT count(DISTINCT country) FROM organisations")
        pairs = set(cur.execute("SELECT DISTINCT theme, ambition_level FROM criteria").fetchall())
        languages = Counter(
            code for (code,) in cur.execute("SELECT language FROM documents").fetchall()
        )
        reused = db.value(cur, "SELECT count(*) FROM criteria WHERE derived_from IS NOT NULL")
        events = db.value(cur, "SELECT count(*) FROM dialogue_events")
        revisions = db.value(cur, "SELECT count(*) FROM criterion_revisions")
        criteria_count = db.value(cur, "SELECT count(*) FROM criteria")
    assert countries >= 5
    assert pairs == {(t.value, a.value) for t in Theme for a in AmbitionLevel}
    assert languages["nl"] > 0 and languages["en"] > 0
    assert reused >= 8 and events >= 8
    assert revisions == criteria_count


def test_demo_users_sign_in_with_the_documented_password(conn) -> None:
    from buyergroups.accounts import signin
    from buyergroups.config import Settings

    demo.seed(conn)
    user = signin.authenticate(
        conn, "joost.verhagen@demo.buyergroups.example", demo.DEMO_PASSWORD, Settings()
    )
    assert user.name == "Joost Verhagen"


def test_demo_buyers_are_demo_organisations_with_their_types(conn) -> None:
    demo.seed(conn)
    with db.reading(conn) as cur:
        buyers = cur.execute(
            "SELECT t.buyer_name, o.name, o.org_type FROM tenders t"
            " LEFT JOIN organisations o ON o.id = t.buyer_org_id ORDER BY t.source_id"
        ).fetchall()
        untyped = db.value(cur, "SELECT count(*) FROM organisations WHERE org_type IS NULL")
    assert buyers == [
        (
            "Service public fédéral Stratégie et Appui",
            "Service public fédéral Stratégie et Appui",
            "central_government",
        ),
        ("Stadt Köln", "Stadt Köln", "municipality"),
        ("Københavns Kommune", "Københavns Kommune", "municipality"),
        # the Finnish name differs: the national registration number matches
        ("Vantaan kaupunki", "City of Vantaa", "municipality"),
        ("Rijkswaterstaat", "Rijkswaterstaat", "central_government"),
        ("Provincie Utrecht", "Provincie Utrecht", "province"),
        (
            "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
            "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
            "central_government",
        ),
        ("Politie Nederland", "Politie Nederland", "central_government"),
        ("Gemeente Utrecht", "Gemeente Utrecht", "municipality"),
        ("Rijksvastgoedbedrijf", "Rijksvastgoedbedrijf", "central_government"),
        ("Gemeente Amsterdam", "Gemeente Amsterdam", "municipality"),
        ("Oslo kommune", "Oslo kommune", "municipality"),
        ("Adda Inköpscentral", "Adda Inköpscentral", "other_public"),
    ]
    assert untyped == 0
