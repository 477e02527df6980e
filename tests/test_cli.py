from pathlib import Path

import duckdb

from buyergroups import cli


def test_init_demo_backup_restore(tmp_path: Path, capsys) -> None:
    path = tmp_path / "cli.duckdb"
    assert cli.main(["--db", str(path), "init"]) == 0
    assert "0001_init.sql" in capsys.readouterr().out
    assert cli.main(["demo", "--db", str(path)]) == 0
    assert "9 groups" in capsys.readouterr().out
    assert cli.main(["--db", str(path), "demo"]) == 2
    assert "already holds groups" in capsys.readouterr().err

    assert cli.main(["--db", str(path), "backup", str(tmp_path / "bk")]) == 0
    restored = tmp_path / "restored.duckdb"
    assert cli.main(["--db", str(restored), "restore", str(tmp_path / "bk")]) == 0
    conn = duckdb.connect(str(restored))
    assert conn.execute("SELECT count(*) FROM buyer_groups").fetchone() == (9,)
    assert conn.execute("SELECT count(*) FROM criteria").fetchone()[0] >= 64
    conn.close()


def test_errors_exit_2_with_a_message(tmp_path: Path, capsys) -> None:
    assert cli.main(["--db", str(tmp_path / "x.duckdb"), "restore", str(tmp_path)]) == 2
    assert "not a backup folder" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "file").write_text("x")
    assert cli.main(["--db", str(tmp_path / "y.duckdb"), "backup", str(tmp_path / "full")]) == 2
    assert "not empty" in capsys.readouterr().err
