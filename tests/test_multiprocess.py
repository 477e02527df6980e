"""Several processes on one PostgreSQL database, for real: writers and a killed import.

Every writer is its own Python process (``tests/multiprocess_writer.py``) with its own
connection pool, as app processes and command-line jobs have; they start a round
together on a file appearing. The import is ``python -m buyergroups import``, killed
with SIGKILL half-way and run again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from buyergroups import db
from tests.factories import make_document

pytestmark = pytest.mark.postgresql_only

ROOT = Path(__file__).resolve().parents[1]
WRITERS = 8
# Generous: the 2-core machine may be busy; every wait ends as soon as its signal comes.
WAIT_SECONDS = 240
TEMPLATE = ROOT / "tests" / "fixtures" / "ingest" / "cn_two_lots.xml"
NOTICE_IDS = ("11111111-2222-4333-8444-555555555555", "77777777-2222-4333-8444-555555555555")
FOLDER_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
NOTICES = 2000


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "BUYERGROUPS_SEED_DEMO": "0"}


def _line(process: subprocess.Popen) -> str:
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=WAIT_SECONDS)
        raise AssertionError(f"writer ended ({process.returncode}): {process.stderr.read()}")
    return line.strip()


def _run_writers(url: str, jobs: list[list[dict]], folder: Path) -> list[list[dict]]:
    """Start one process per writer, run the rounds together; the results per round."""
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.multiprocess_writer", url, json.dumps(rounds)],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for rounds in jobs
    ]
    try:
        assert [_line(writer) for writer in writers] == ["ready"] * len(writers)
        results = []
        for number in range(len(jobs[0])):
            (folder / f"start-{number}").touch()  # every writer of the round starts now
            results.append([json.loads(_line(writer)) for writer in writers])
        for writer in writers:
            assert writer.wait(timeout=WAIT_SECONDS) == 0, writer.stderr.read()
        return results
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()


def _revisions(conn: db.Connection, document_id: int) -> list[tuple[int, int | None, str]]:
    with db.reading(conn) as cur:
        return cur.execute(
            "SELECT revision_no, based_on, body FROM document_revisions"
            " WHERE document_id = ? ORDER BY revision_no",
            [document_id],
        ).fetchall()


def _spaced(lines: list[str]) -> str:
    # A line nobody edits between two edited ones: merge3 keeps neighbouring edits apart.
    return "\n".join(f"{line}\nkept" for line in lines)


def test_eight_writer_processes_lose_no_edit(db_path, conn, world, tmp_path: Path) -> None:
    url = str(db_path)
    own_docs = [make_document(conn, world.member, world.group_a) for _ in range(WRITERS)]
    same_line_doc = make_document(conn, world.member, world.group_a)
    base_lines = [f"line {writer}" for writer in range(WRITERS)]
    own_lines_doc = make_document(conn, world.member, world.group_a, body=_spaced(base_lines))
    same_line = [f"line 1 by writer {w}\nline 2\nline 3" for w in range(WRITERS)]
    own_line = [
        _spaced(
            [f"line {i} by writer {w}" if i == w else base for i, base in enumerate(base_lines)]
        )
        for w in range(WRITERS)
    ]

    def job(number: int, document: int, body: str) -> dict:
        start = str(tmp_path / f"start-{number}")
        return {"start": start, "user": world.member.id, "document": document, "body": body}

    jobs = [
        [
            {**job(0, own_docs[w], f"vision of writer {w}"), "based_on": 1},
            {**job(1, same_line_doc, same_line[w]), "based_on": 1},
            {**job(2, own_lines_doc, own_line[w]), "based_on": 1},
        ]
        for w in range(WRITERS)
    ]
    own, contended, merging = _run_writers(url, jobs, tmp_path)

    # Different documents: every save stored, none merged, nothing refused.
    assert own == [{"round": 0, "outcome": "saved", "revision": 2, "merged": False}] * WRITERS
    for writer, document in enumerate(own_docs):
        assert _revisions(conn, document)[-1] == (2, 1, f"vision of writer {writer}")

    # One document, the same line, one base revision: exactly one wins, the others are
    # refused with their text handed back, and no refused text is in any revision.
    winners = [w for w, result in enumerate(contended) if result["outcome"] == "saved"]
    assert len(winners) == 1
    assert contended[winners[0]] == {"round": 1, "outcome": "saved", "revision": 2, "merged": False}
    refused = [result for result in contended if result["outcome"] == "refused"]
    assert refused == [{"round": 1, "outcome": "refused", "revision": 2, "kept_mine": True}] * 7
    stored = _revisions(conn, same_line_doc)
    assert [(no, based_on) for no, based_on, _ in stored] == [(1, None), (2, 1)]
    assert stored[1][2] == same_line[winners[0]]

    # One document, each writer its own line: every edit lands (merged with the others),
    # all of them in the last revision, one revision per save.
    assert sorted(result["outcome"] for result in merging) == ["saved"] * WRITERS
    assert sorted(result["revision"] for result in merging) == list(range(2, 2 + WRITERS))
    stored = _revisions(conn, own_lines_doc)
    assert len(stored) == 1 + WRITERS
    assert stored[-1][2] == _spaced([f"line {i} by writer {i}" for i in range(WRITERS)])


def _notices(folder: Path, count: int) -> Path:
    """``count`` contract notices of the two-lot fixture, each its own procedure."""
    folder.mkdir()
    template = TEMPLATE.read_text(encoding="utf-8")
    for number in range(count):
        notice = template.replace(FOLDER_ID, str(uuid.uuid4()))
        for notice_id in NOTICE_IDS:
            notice = notice.replace(notice_id, str(uuid.uuid4()))
        (folder / f"notice_{number:05d}.xml").write_text(notice, encoding="utf-8")
    return folder


def _tender_shapes(conn: db.Connection) -> dict[int, tuple]:
    """Per stored tender: its title and description present, lots, award criteria, notices."""
    with db.reading(conn) as cur:
        found = cur.execute(
            "SELECT t.id, t.title <> '' AND t.description <> '',"
            " (SELECT count(*) FROM tender_lots l WHERE l.tender_id = t.id),"
            " (SELECT count(*) FROM tender_award_criteria c WHERE c.tender_id = t.id),"
            " (SELECT count(*) FROM tender_notices n WHERE n.tender_id = t.id)"
            " FROM tenders t"
        ).fetchall()
    return {tender_id: tuple(shape) for tender_id, *shape in found}


def _count_tenders(conn: db.Connection) -> int:
    with db.reading(conn) as cur:
        return int(db.value(cur, "SELECT count(*) FROM tenders"))


def test_a_killed_import_leaves_only_whole_tenders_and_runs_again(
    db_path, conn, tmp_path: Path
) -> None:
    folder = _notices(tmp_path / "notices", NOTICES)
    command = [sys.executable, "-m", "buyergroups", "--db", str(db_path), "import", "eforms"]
    importing = subprocess.Popen(
        [*command, str(folder)],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while _count_tenders(conn) < 100:  # killed once the import is well under way
            assert importing.poll() is None, "the import ended before it was killed"
            assert time.monotonic() < deadline, "the import stored nothing in time"
            time.sleep(0.02)
        importing.send_signal(signal.SIGKILL)
    finally:
        if importing.poll() is None:
            importing.kill()
        importing.wait(timeout=WAIT_SECONDS)
    assert importing.returncode == -signal.SIGKILL

    left = _tender_shapes(conn)
    assert 100 <= len(left) < NOTICES

    again = subprocess.run(
        [*command, str(folder)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS * 2,
    )
    assert again.returncode == 0, again.stderr
    done = _tender_shapes(conn)
    assert len(done) == NOTICES
    (whole,) = set(done.values())  # every tender alike: the notices differ only in ids
    present, lots, criteria, notices = whole
    assert (present, lots, notices) == (True, 2, 1) and criteria > 0
    assert set(left.values()) == {whole}  # what the killed import left was whole too
    assert {tender_id: done[tender_id] for tender_id in left} == left
