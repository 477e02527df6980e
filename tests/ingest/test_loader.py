"""The loader: upserts, change notices, per-file rejection, zips, limits, permissions."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from buyergroups import db
from buyergroups.errors import NotSignedIn, PermissionDenied
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Limits, sources_from_paths, sources_from_upload
from tests.ingest.paths import FIXTURES, fixture_bytes

NOTICE_ID = "11111111-2222-4333-8444-555555555555"


def _import(conn, kind: str, *paths: Path, limits: Limits | None = None, **options):
    limits = limits or Limits()
    options.setdefault("system", True)
    actor = options.pop("actor", None)
    return loader.import_sources(
        conn, kind, sources_from_paths(paths, kind, limits), actor, limits=limits, **options
    )


def _count(conn, table: str) -> int:
    with db.reading(conn) as cur:
        return db.value(cur, f"SELECT count(*) FROM {table}")


def _tender(conn, source_id: str) -> dict:
    with db.reading(conn) as cur:
        return db.row(
            cur,
            "SELECT id, title, last_notice_id, published_on, lot_count, mvi, mvi_themes"
            " FROM tenders WHERE source_id = ?",
            [source_id],
        )


def test_reimport_never_duplicates(conn) -> None:
    first = _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    second = _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    assert (first.imported, first.updated, first.unchanged) == (1, 0, 0)
    assert (second.imported, second.updated, second.unchanged) == (0, 0, 1)
    assert [_count(conn, t) for t in ("tenders", "tender_lots", "tender_award_criteria")] == [
        1,
        2,
        3,
    ]
    assert _tender(conn, NOTICE_ID)["mvi_themes"] == ["climate", "circular", "social_return"]


def test_change_notice_updates_the_notice_it_changes(conn) -> None:
    _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    summary = _import(conn, "eforms", FIXTURES / "change_cn_two_lots.xml")
    assert (summary.imported, summary.updated) == (0, 1)
    stored = _tender(conn, NOTICE_ID)
    assert stored["title"] == "Circulair kantoormeubilair (gewijzigd)"
    assert stored["last_notice_id"] == "99999999-2222-4333-8444-555555555555"
    assert _count(conn, "tenders") == 1


def test_original_after_its_change_notice_does_not_undo_the_change(conn) -> None:
    _import(conn, "eforms", FIXTURES / "change_cn_two_lots.xml")
    summary = _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    assert (summary.imported, summary.updated, summary.unchanged) == (0, 0, 1)
    assert _tender(conn, NOTICE_ID)["title"] == "Circulair kantoormeubilair (gewijzigd)"


def test_bad_files_are_rejected_with_reasons_and_the_rest_imports(conn, tmp_path: Path) -> None:
    for name in ("cn_two_lots.xml", "truncated.xml", "empty.xml", "xml_bomb.xml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "photo.xml").write_bytes(b"\x89PNG\r\n\x1a\n....")
    summary = _import(conn, "eforms", tmp_path)
    assert [(Path(r.name).name, r.status) for r in summary.results] == [
        ("cn_two_lots.xml", "imported"),
        ("empty.xml", "rejected"),
        ("photo.xml", "rejected"),
        ("truncated.xml", "rejected"),
        ("xml_bomb.xml", "rejected"),
    ]
    messages = [r.message.split(": ", 1)[1] for r in summary.rejected]
    assert messages[0] == "the file is empty (0 bytes)."
    assert messages[1] == "not XML, so not an eForms notice."
    assert messages[2].startswith("not well-formed XML")
    assert messages[3].startswith("the XML declares a DOCTYPE or entities")
    assert _count(conn, "tenders") == 1
    assert summary.text().splitlines()[0] == (
        "5 file(s) read: 1 imported, 0 updated, 0 unchanged, 4 rejected."
    )


def test_file_over_the_size_limit_is_never_read(conn, tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:  # a sparse 200 MB file: no disk or memory spent
        handle.truncate(200 * 1024 * 1024)
    summary = _import(conn, "eforms", huge)
    assert (
        summary.rejected[0].message == f"{huge}: the file is 200.0 MB; the limit is 50 MB per file."
    )


def test_zip_archive_imports_its_notices_and_rejects_its_bad_ones(conn) -> None:
    summary = _import(conn, "eforms", FIXTURES / "notices.zip")
    archive = str(FIXTURES / "notices.zip")
    assert [(r.name, r.status) for r in summary.results] == [
        (f"{archive}:batch/cn_two_lots.xml", "imported"),
        (f"{archive}:batch/truncated.xml", "rejected"),
    ]


def test_zip_bomb_is_refused_before_unpacking(conn, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", b"<" + b" " * 5_000_000 + b">")
    summary = _import(conn, "eforms", bomb)
    assert summary.rejected[0].message.startswith(f"{bomb}: the archive's compression ratio is ")
    assert summary.rejected[0].message.endswith(":1; at most 200:1 (possible zip bomb).")
    small = Limits(max_zip_total_bytes=1_000_000, max_zip_ratio=100_000)
    summary = _import(conn, "eforms", bomb, limits=small)
    assert summary.rejected[0].message == (
        f"{bomb}: the archive unpacks to 5 MB; at most 1 MB (possible zip bomb)."
    )


def test_uploaded_zip_is_opened_like_one_on_disk(conn) -> None:
    data = fixture_bytes("notices.zip")
    sources = sources_from_upload("up.zip", len(data), lambda: data, "eforms", Limits())
    assert [source.name for source in sources] == [
        "up.zip:batch/cn_two_lots.xml",
        "up.zip:batch/truncated.xml",
    ]


def test_oversized_upload_is_refused_without_reading() -> None:
    def never() -> bytes:
        raise AssertionError("read an oversized upload")

    (source,) = sources_from_upload("big.xml", 60 * 1024 * 1024, never, "eforms", Limits())
    assert source.refused == "big.xml: the file is 60.0 MB; the limit is 50 MB per file."


def test_ocds_releases_merge_across_files(conn, tmp_path: Path) -> None:
    tender_file = tmp_path / "1.json"
    tender_file.write_bytes(
        b'{"releases": [{"ocid": "ocds-x", "date": "2024-01-01", "tender": {"title": "First",'
        b' "value": {"amount": 5, "currency": "EUR"}}}]}'
    )
    award_file = tmp_path / "2.json"
    award_file.write_bytes(
        b'{"releases": [{"ocid": "ocds-x", "date": "2024-02-01", "tender": {"title": "Second"}}]}'
    )
    summary = _import(conn, "ocds", tender_file, award_file)
    assert (summary.imported, summary.updated) == (1, 1)
    with db.reading(conn) as cur:
        assert db.row(cur, "SELECT title, estimated_value, currency FROM tenders") == {
            "title": "Second",
            "estimated_value": 5.0,
            "currency": "EUR",
        }


def test_csv_and_cpv_import(conn) -> None:
    assert _import(conn, "csv", FIXTURES / "tenders.csv").imported == 2
    cpv = _import(conn, "cpv", FIXTURES / "cpv_3lang.csv")
    assert (cpv.imported, cpv.updated) == (3, 0)
    assert _import(conn, "cpv", FIXTURES / "cpv_3lang.csv").updated == 3
    with db.reading(conn) as cur:
        assert db.row(
            cur,
            "SELECT label_en, labels ->> 'nl' AS nl, division, level, parent_code"
            " FROM cpv_codes WHERE code = '45233130'",
        ) == {
            "label_en": "Construction work for highways",
            "nl": "Bouwwerkzaamheden voor hoofdwegen",
            "division": "45",
            "level": 7,
            "parent_code": "45233100",
        }


def test_group_import_needs_facilitator_or_admin(conn, world) -> None:
    path = FIXTURES / "cn_two_lots.xml"
    summary = _import(
        conn, "eforms", path, actor=world.facilitator, system=False, group_id=world.group_a
    )
    assert summary.imported == 1
    with db.reading(conn) as cur:
        assert db.rows(cur, "SELECT group_id, linked_by FROM tender_groups") == [
            {"group_id": world.group_a, "linked_by": world.facilitator.id}
        ]
        assert db.value(cur, "SELECT count(*) FROM activity WHERE action = 'import'") == 1
    with pytest.raises(
        PermissionDenied, match="You may not import tenders into this group as member"
    ):
        _import(conn, "eforms", path, actor=world.member, system=False, group_id=world.group_a)
    with pytest.raises(PermissionDenied, match=r"Only a platform admin may do this\."):
        _import(conn, "eforms", path, actor=world.facilitator, system=False)
    with pytest.raises(NotSignedIn):
        _import(conn, "eforms", path, actor=None, system=False)
    assert _import(conn, "eforms", path, actor=world.admin, system=False).unchanged == 1


def test_damaged_zip_member_is_rejected_and_the_rest_imports(conn, tmp_path: Path) -> None:
    data = bytearray(fixture_bytes("notices.zip"))
    with zipfile.ZipFile(FIXTURES / "notices.zip") as archive:
        info = archive.getinfo("batch/cn_two_lots.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 10, start + 20):  # spoil the compressed bytes
        data[offset] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    summary = _import(conn, "eforms", damaged)
    (first, second) = summary.results
    assert (first.status, second.status) == ("rejected", "rejected")
    assert first.message.startswith(
        f"{damaged}:batch/cn_two_lots.xml: not a readable zip archive ("
    )
    assert second.message.startswith(f"{damaged}:batch/truncated.xml: not well-formed XML")


def test_a_parser_defect_rejects_only_that_file(conn, tmp_path: Path, monkeypatch) -> None:
    from buyergroups.ingest import eforms

    real = eforms.parse_eforms

    def defective(data: bytes, name: str = "notice"):
        if b"broken-here" in data:
            raise KeyError("cbc:ID")
        return real(data, name)

    monkeypatch.setattr(eforms, "parse_eforms", defective)
    (tmp_path / "a.xml").write_bytes(fixture_bytes("cn_two_lots.xml"))
    (tmp_path / "b.xml").write_bytes(b"<ContractNotice>broken-here</ContractNotice>")
    summary = _import(conn, "eforms", tmp_path)
    assert [(Path(r.name).name, r.status) for r in summary.results] == [
        ("a.xml", "imported"),
        ("b.xml", "rejected"),
    ]
    assert summary.rejected[0].message == (
        f"{tmp_path / 'b.xml'}: the importer could not read this file (KeyError: 'cbc:ID');"
        " nothing was stored."
    )
