from pathlib import Path

import duckdb
import pytest

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


def test_a_bad_setting_exits_2_with_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("BUYERGROUPS_DB", str(tmp_path / "s.duckdb"))
    monkeypatch.setenv("BUYERGROUPS_SAVE_ATTEMPTS", "many")
    assert cli.main(["init"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "BUYERGROUPS_SAVE_ATTEMPTS must be a whole number, not 'many'" in err


def test_a_file_held_by_another_process_says_who_and_what_to_do(tmp_path: Path) -> None:
    """The app holds the DuckDB file: a command says so in one line and exits 2."""
    import subprocess
    import sys

    path = tmp_path / "held.duckdb"
    assert cli.main(["--db", str(path), "init"]) == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,sys; c=duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        done = subprocess.run(
            [sys.executable, "-m", "buyergroups", "--db", str(path), "user", "list"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert f"in use by another process (PID {holder.pid}" in done.stderr
    assert "Import tenders and Admin pages" in done.stderr
    assert "PostgreSQL" in done.stderr


def test_the_command_table_names_what_the_modules_add() -> None:
    import argparse
    import importlib

    found: dict[str, tuple[str, set[str]]] = {}
    for module in cli.COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        importlib.import_module(module).register(subparsers)
        helps = {action.dest: action.help for action in subparsers._choices_actions}
        for name in subparsers.choices:
            found.setdefault(name, (helps[name], set()))[1].add(module)
    assert {name: (text, set(modules)) for name, (text, modules) in cli.COMMANDS.items()} == found


def test_help_imports_no_command_module_and_no_heavy_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "from buyergroups import cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--help'])\n"
        "heavy = ['pandas', 'networkx', 'openpyxl', 'torch', 'sentence_transformers', 'numpy']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print(sorted(m for m in cli.COMMAND_MODULES if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines() == ["[]", "[]"]


def test_a_command_imports_only_its_own_modules(tmp_path: Path, capsys) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from buyergroups import cli\n"
        f"assert cli.main(['--db', {str(tmp_path / 'c.duckdb')!r}, 'init']) == 0\n"
        "print(sorted(m for m in cli.COMMAND_MODULES if m in sys.modules))\n"
        "print('pandas' in sys.modules, 'networkx' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines()[-2:] == ["['buyergroups.db.commands']", "False False"]


def test_the_model_precision_is_one_of_two(monkeypatch) -> None:
    from buyergroups.config import SettingsError, load_settings

    assert load_settings({}).model_precision == "float32"
    assert load_settings({"BUYERGROUPS_MODEL_PRECISION": "INT8"}).model_precision == "int8"
    with pytest.raises(SettingsError, match="must be one of float32, int8, not 'int4'"):
        load_settings({"BUYERGROUPS_MODEL_PRECISION": "int4"})
