"""A member of one group never sees another group's private drafts: home, workspace, search."""

from __future__ import annotations

from pathlib import Path

from buyergroups import db
from buyergroups.demo import load_dataset
from tests.ui_support import signed_in_app

DATASET = load_dataset()
OUTSIDER = next(u["email"] for u in DATASET["users"] if u["key"] == "u_outsider")


def _private_and_published_titles(path: Path) -> tuple[set[str], set[str]]:
    conn = db.connect(path)
    try:
        with db.reading(conn) as cur:
            rows = cur.execute(
                "SELECT title, visibility FROM criteria UNION ALL SELECT title, visibility FROM documents"
            ).fetchall()
    finally:
        conn.close()
    private = {title for title, visibility in rows if visibility == "group"}
    published = {title for title, visibility in rows if visibility == "published"}
    return private - published, published


def _everything_shown(at) -> str:
    parts: list[str] = []
    for kind in ("markdown", "caption", "title", "subheader", "header", "info", "success", "text"):
        parts += [str(element.value) for element in getattr(at, kind)]
    for box in at.selectbox:
        parts += [str(option) for option in box.options]
    return "\n".join(parts)


def test_outsider_sees_no_private_title_in_any_group_workspace(app_db) -> None:
    private, published = _private_and_published_titles(app_db)
    assert private and published
    at = signed_in_app(app_db, OUTSIDER).run()
    shown = _everything_shown(at)
    at.switch_page("pages/workspace.py").run()
    picker = at.selectbox(key="workspace_group_id")
    seen_published = set()
    for index in range(len(picker.options)):
        at.selectbox(key="workspace_group_id").select_index(index).run()
        assert not at.exception, at.exception
        page = _everything_shown(at)
        shown += page
        seen_published |= {title for title in published if title in page}
    leaked = sorted(title for title in private if title in shown)
    assert leaked == []
    assert seen_published, "published items of other groups stay visible to everyone signed in"
