"""AppTest of the Find similar page with the real model: hits, explanation, reuse."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from buyergroups import db
from tests.search import builders as b

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "find_similar.py")
pytestmark = pytest.mark.model


@pytest.fixture
def page_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    path = tmp_path / "page.duckdb"
    conn = db.connect(path)
    sites = b.add_group(conn, "Zero emission sites", countries=("NO",))
    mine = b.add_group(conn, "Municipal works", countries=("NL",))
    user = b.add_user(conn, "Mira")
    b.add_member(conn, mine, user)
    source = b.add_criterion(
        conn, sites, "Emission-free excavators", "Excavators on site are battery-electric."
    )
    b.add_criterion(
        conn, sites, "Private draft on loaders", "Electric loaders.", visibility="group"
    )
    conn.close()
    monkeypatch.setenv("BUYERGROUPS_DB", str(path))
    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    st.cache_resource.clear()
    return {"path": path, "user": user, "source": source, "mine": mine}


def test_text_search_shows_readable_hits_and_reuse_copies_the_criterion(page_db: dict) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["auth_user"] = page_db["user"]
    at.run()
    at.text_area(key="find_similar_text").set_value("electric excavators").run()
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert "**Emission-free excavators**" in shown
    assert "Private draft on loaders" not in shown
    assert any(str(c.value).startswith("Why: semantic ") for c in at.caption)
    key = f"find_similar_criterion_{page_db['source']}"
    at.button(key=f"{key}_reuse").click().run()
    assert not at.error
    conn = db.connect(page_db["path"])
    with db.reading(conn) as cur:
        copied = cur.execute(
            "SELECT group_id, derived_from, status FROM criteria WHERE derived_from IS NOT NULL"
        ).fetchall()
        indexed = cur.execute(
            "SELECT count(*) FROM search_items WHERE group_id = ?", [page_db["mine"]]
        ).fetchall()
    conn.close()
    assert copied == [(page_db["mine"], page_db["source"], "draft")]
    assert indexed == [(1,)]
