"""PostgreSQL itself: placeholders, bad URLs, and compare-and-set across connections."""

from __future__ import annotations

import threading

import pytest

from buyergroups import db
from buyergroups.config import load_settings
from buyergroups.db.postgres import display_url, translate_sql
from buyergroups.errors import StorageError, WriteConflict


def test_placeholders_become_percent_s_outside_literals_and_comments() -> None:
    sql = "SELECT '?', \"a?\", ? -- what?\n FROM t WHERE x LIKE 'cn%' AND y = ?"
    assert translate_sql(sql) == (
        "SELECT '?', \"a?\", %s -- what?\n FROM t WHERE x LIKE 'cn%%' AND y = %s",
        [],
    )


def test_a_nested_list_parameter_is_sent_as_array_literals_and_cast_back() -> None:
    assert translate_sql("SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[][])") == (
        "SELECT unnest(%s::INTEGER[]), unnest(%s::text[])::VARCHAR[]",
        [1],
    )


def test_a_postgresql_url_is_not_taken_for_a_file_path() -> None:
    url = "postgresql://bg@db.example:5432/buyergroups"
    assert load_settings({"BUYERGROUPS_DB": url}).db_path == url
    assert db.is_url(url)
    assert not db.is_url("data/postgresql.duckdb")


def test_a_password_is_never_shown() -> None:
    assert display_url("postgresql://bg:s3cret@host/db") == "postgresql://bg:***@host/db"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://nobody@127.0.0.1:1/buyergroups", "Connection refused"),
        ("postgresql://nobody@127.0.0.1:1/buyergroups?sslmode=wrong", "sslmode"),
    ],
)
def test_an_unreachable_server_or_wrong_url_is_one_clear_line(url: str, reason: str) -> None:
    with pytest.raises(StorageError) as refused:
        db.connect(url)
    text = str(refused.value)
    assert text.startswith(f"Cannot open the database {url}: ")
    assert reason in text
    assert "\n" not in text


@pytest.fixture
def two_processes(db_path: str):
    """Two pools on one PostgreSQL database: what two app processes hold."""
    if not db.is_url(db_path):
        pytest.skip("PostgreSQL pass only")
    first, second = db.connect(db_path), db.connect(db_path)
    with db.transaction(first) as cur:
        cur.execute(
            "INSERT INTO buyer_groups (name, sector, programme, phase, created_at, updated_at)"
            " VALUES ('G', 's', 'p', 'start', ?, ?)",
            [db.now(), db.now()],
        )
    yield first, second
    first.close()
    second.close()


@pytest.mark.postgresql_only
def test_compare_and_set_waits_for_a_concurrent_save_and_then_loses(two_processes) -> None:
    first, second = two_processes
    group_id = db.value(first.cursor(), "SELECT id FROM buyer_groups")
    outcome: dict[str, object] = {}
    started = threading.Event()

    def late_save() -> None:
        started.set()
        with db.transaction(second) as cur:
            outcome["won"] = db.compare_and_set(
                cur,
                "buyer_groups",
                group_id,
                {"description": "second"},
                version_column="version",
                expected=1,
                next_version=2,
            )

    with db.transaction(first) as cur:
        assert db.compare_and_set(
            cur,
            "buyer_groups",
            group_id,
            {"description": "first"},
            version_column="version",
            expected=1,
            next_version=2,
        )
        late = threading.Thread(target=late_save)
        late.start()
        started.wait()
        late.join(0.5)
        assert late.is_alive()  # the second save waits for the first one's row lock
    late.join(10)
    assert outcome == {"won": False}
    with db.reading(second) as cur:
        assert db.row(cur, "SELECT description, version FROM buyer_groups") == {
            "description": "first",
            "version": 2,
        }


@pytest.mark.postgresql_only
def test_advance_version_from_a_stale_read_is_a_write_conflict(two_processes) -> None:
    first, second = two_processes
    group_id = db.value(first.cursor(), "SELECT id FROM buyer_groups")
    with db.transaction(first) as cur:
        db.advance_version(
            cur,
            "buyer_groups",
            group_id,
            {"description": "first"},
            version_column="version",
            read=1,
            next_version=2,
        )
    with pytest.raises(WriteConflict), db.transaction(second) as cur:
        db.advance_version(
            cur,
            "buyer_groups",
            group_id,
            {"description": "second"},
            version_column="version",
            read=1,
            next_version=2,
        )
    with db.reading(first) as cur:
        assert db.value(cur, "SELECT description FROM buyer_groups") == "first"


@pytest.mark.postgresql_only
def test_a_list_column_and_json_read_as_on_duckdb(conn: db.Connection) -> None:
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO buyer_groups (name, sector, programme, phase, themes, created_at,"
            " updated_at) VALUES ('G', 's', 'p', 'start', ?, ?, ?)",
            [["climate", "circular"], db.now(), db.now()],
        )
        cur.execute("INSERT INTO meta VALUES ('j', '{\"a\": 1}')")
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT themes FROM buyer_groups") == ["climate", "circular"]
        assert (
            db.value(
                cur,
                "SELECT count(*) FROM buyer_groups WHERE list_contains(themes, ?)",
                ["circular"],
            )
            == 1
        )
        assert db.value(cur, "SELECT CAST(value AS JSON) FROM meta") == '{"a": 1}'
