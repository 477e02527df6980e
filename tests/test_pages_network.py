"""AppTests of the Network and Monitoring pages on a copy of the demo database."""

from __future__ import annotations

from pathlib import Path

from buyergroups import db
from buyergroups.demo import load_dataset
from buyergroups.i18n import translate
from tests import network_world
from tests.ui_support import signed_in_app

DATASET = load_dataset()
VIADUCTS = DATASET["groups"][0]
JOOST = next(u for u in DATASET["users"] if u["key"] == "u_facil_viaducts")
ADMIN = next(u for u in DATASET["users"] if u.get("is_admin"))
# Private criteria of groups Joost is not in: never shown to him by title.
JOOST_GROUPS = {
    g["key"] for g in DATASET["groups"] for m in g["users"] if m["user"] == "u_facil_viaducts"
}
PRIVATE_ELSEWHERE = [
    c["title"]
    for g in DATASET["groups"]
    if g["key"] not in JOOST_GROUPS
    for c in g["criteria"]
    if c.get("status", "draft") != "published"
]
PUBLISHED_REUSED = "Contractbepaling: social return 5% van de opdrachtwaarde"


def _page(app_db: Path, email: str, page: str, tab: str | None = None):
    at = signed_in_app(app_db, email).run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return _tab(at, tab) if tab else at


NETWORK_TABS = [
    "Bridges",
    "Communities",
    "Reused criteria",
    "Organisation pairs",
    "Suggestions",
    "Lineage",
]


def _tab(at, name: str):
    """Open the Network page's tab ``name`` (English), as a click on it does: only it runs."""
    user = at.session_state["auth_user"]
    at.session_state["net_tab"] = translate(name, user.language)
    at.run()
    assert not at.exception, at.exception
    return at


def _every_tab(at) -> str:
    """What every tab of the Network page shows, each opened in turn."""
    return "\n".join(_everything(_tab(at, name)) for name in NETWORK_TABS)


def _everything(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.info] + [e.value for e in at.subheader]
    parts += [e.value.to_csv() for e in at.dataframe]
    parts += [str(option) for box in at.selectbox for option in box.options]
    return "\n".join(str(part) for part in parts)


def _column(at, marker: str, column: str) -> list:
    """A column of the one table that has the ``marker`` column (AppTest shows no table keys)."""
    found = [e.value for e in at.dataframe if marker in e.value.columns]
    assert len(found) == 1, marker
    return list(found[0][column])


def test_network_page_shows_groups_and_analytics(app_db) -> None:
    at = _page(app_db, JOOST["email"], "network")
    assert [e.value for e in at.title] == [translate("Network", JOOST["language"])]
    names = _column(at, "betweenness", "name")
    assert VIADUCTS["name"] in names
    assert "Rijkswaterstaat" in names
    assert _column(_tab(at, "Bridges"), "betweenness", "name") == names
    assert PUBLISHED_REUSED in _column(_tab(at, "Reused criteria"), "descendants", "title")


def test_network_page_never_names_private_criteria_of_other_groups(app_db) -> None:
    at = _page(app_db, JOOST["email"], "network")
    text = _every_tab(at)
    assert PRIVATE_ELSEWHERE
    assert [title for title in PRIVATE_ELSEWHERE if title in text] == []
    assert "(private criterion)" in text


def test_network_filter_by_country_keeps_matching_groups(app_db) -> None:
    at = _page(app_db, JOOST["email"], "network", "Communities")
    at.selectbox(key="net_country").set_value("NO").run()
    assert not at.exception
    expected = sorted(g["name"] for g in DATASET["groups"] if "NO" in g["countries"])
    communities = _column(at, "organisation_names", "group_names")
    assert sorted(name for cell in communities for name in cell.split("; ")) == expected


def test_network_lineage_tree_of_a_reused_criterion(app_db) -> None:
    at = _page(app_db, JOOST["email"], "network", "Lineage")
    box = at.selectbox(key="net_criterion")
    choice = next(o for o in box.options if o.startswith(PUBLISHED_REUSED))
    box.select_index(box.options.index(choice)).run()
    assert not at.exception
    marker = "← " + translate("this criterion", JOOST["language"])
    tree = next(m.value for m in at.markdown if marker in m.value)
    assert tree.splitlines()[0].startswith("- **Contractbepaling: social return 5% van de")
    assert len(tree.splitlines()) == 4  # the original and three copies


def test_network_suggestions_for_own_group(app_db) -> None:
    at = _page(app_db, JOOST["email"], "network", "Suggestions")
    assert at.selectbox(key="net_group").value is not None
    suggested = _column(at, "shared_cpv_divisions", "group")
    assert VIADUCTS["name"] not in suggested
    assert "Circular office furniture" in suggested


def test_monitoring_page_renders_tables_and_downloads(app_db) -> None:
    at = _page(app_db, ADMIN["email"], "monitoring")
    assert [e.value for e in at.title] == [translate("Monitoring", ADMIN["language"])]
    none_yet = "No tenders imported yet. Import eForms, OCDS or CSV files to see MVI shares."
    assert translate(none_yet, ADMIN["language"]) not in _everything(at)  # the demo has tenders
    assert VIADUCTS["name"] in _column(at, "significant", "group_name")
    assert PUBLISHED_REUSED in _column(at, "reuses", "title")
    downloads = [e.proto.id for e in at.get("download_button")]
    assert len(downloads) == 7  # one per table, the tender tables included


def test_monitoring_theme_filter(app_db) -> None:
    at = _page(app_db, ADMIN["email"], "monitoring")
    at.selectbox(key="mon_theme").set_value("social_return").run()
    assert not at.exception
    assert set(_column(at, "significant", "theme")) == {"Social return"}


def _add_tenders(path: Path) -> None:
    """Replace the demo's tenders with the hand-checked fixture tenders."""
    conn = db.connect(path)
    try:
        with db.transaction(conn) as cur:
            for table in ("tender_groups", "tender_award_criteria", "tender_lots", "tenders"):
                cur.execute(f"DELETE FROM {table}")
        network_world.insert_tenders(conn)
    finally:
        conn.close()


def test_monitoring_page_with_tenders_shows_shares(app_db) -> None:
    _add_tenders(app_db)
    at = _page(app_db, ADMIN["email"], "monitoring")
    no_cpv = translate("(no CPV)", ADMIN["language"])
    assert _column(at, "cpv_division", "cpv_division") == [no_cpv, "30", "45"]
    assert _column(at, "country", "share_pct") == [0.0, 100.0, 50.0]
    assert _column(at, "sustainability_pct", "title") == [
        "Viaduct renovation Almere",
        "Laptops for Gent",
    ]
    assert len(at.get("download_button")) == 7  # one per table
