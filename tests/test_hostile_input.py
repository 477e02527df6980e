"""Hostile input: long fields, HTML/JS in Markdown, SQL metacharacters — stored verbatim, nothing breaks."""

import pytest

from buyergroups import comments, criteria, db, dialogue, documents
from buyergroups.errors import ValidationError
from tests.factories import CRITERION

SQLISH = "Robert'); DROP TABLE criteria;-- \" OR 1=1 /* ? $1 %s"
SCRIPT = "<script>alert('x')</script> [click](javascript:alert(1)) <img src=x onerror=alert(2)>"


def test_sql_metacharacters_and_html_are_stored_verbatim(conn, world) -> None:
    crit = criteria.create_criterion(
        conn,
        world.member,
        world.group_a,
        **{
            **CRITERION,
            "title": SQLISH,
            "body": SCRIPT,
            "scoring_method": SQLISH,
            "verification_proof": SCRIPT,
        },
    )
    stored = criteria.get_criterion(conn, world.member, crit)
    assert (stored["title"], stored["body"], stored["scoring_method"]) == (SQLISH, SCRIPT, SQLISH)
    doc = documents.create_document(
        conn, world.member, world.group_a, "specification", title=SQLISH, body=SCRIPT, language="en"
    )
    assert documents.get_document(conn, world.member, doc)["body"] == SCRIPT
    comments.add_comment(conn, world.member, "criterion", crit, SQLISH + SCRIPT)
    assert [c["body"] for c in comments.list_comments(conn, world.member, "criterion", crit)] == [
        SQLISH + SCRIPT
    ]
    dialogue.create_event(
        conn,
        world.member,
        world.group_a,
        kind="rfi",
        title=SQLISH,
        held_on="2025-01-31",
        participants=[SQLISH],
        notes=SCRIPT,
        takeaways=SCRIPT,
    )
    assert [e["participants"] for e in dialogue.list_events(conn, world.member, world.group_a)] == [
        [SQLISH]
    ]
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT count(*) FROM criteria") == 1


@pytest.mark.parametrize("field", ["title", "body", "scoring_method"])
def test_overlong_fields_are_refused_and_nothing_is_stored(conn, world, field) -> None:
    with pytest.raises(ValidationError, match="too long"):
        criteria.create_criterion(
            conn, world.member, world.group_a, **{**CRITERION, field: "x" * 300_000}
        )
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT count(*) FROM criteria") == 0
        assert db.value(cur, "SELECT count(*) FROM criterion_revisions") == 0


def test_refused_edit_keeps_what_was_stored(conn, world) -> None:
    crit = criteria.create_criterion(conn, world.member, world.group_a, **CRITERION)
    with pytest.raises(ValidationError):
        criteria.save_criterion(conn, world.member, crit, 1, title="", body="new")
    stored = criteria.get_criterion(conn, world.member, crit)
    assert (stored["title"], stored["current_revision"]) == (CRITERION["title"], 1)
