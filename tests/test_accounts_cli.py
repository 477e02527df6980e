"""``python -m buyergroups user ...``: bootstrap, passwords, disabling, listing."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from buyergroups import cli, db
from buyergroups.accounts import signin
from buyergroups.config import Settings
from buyergroups.errors import AuthenticationFailed

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "violet-harbour-42"


def run(monkeypatch, db_path: Path, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main([*argv, "--db", str(db_path)])


def sign_in(db_path: Path, email: str, password: str):
    conn = db.connect(db_path)
    try:
        return signin.authenticate(conn, email, password, Settings())
    finally:
        conn.close()


def test_first_admin_bootstrap_in_a_real_process(tmp_path):
    db_path = tmp_path / "fresh.duckdb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "buyergroups",
            "--db",
            str(db_path),
            "user",
            "add",
            "--admin",
            "--name",
            "Ada Admin",
            "--email",
            "ada@example.org",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "Created admin Ada Admin <ada@example.org> (id 1).\n",
        "",
    )
    user = sign_in(db_path, "ada@example.org", PASSWORD)
    assert (user.name, user.is_admin, user.language) == ("Ada Admin", True, "en")


def test_add_with_options_then_list(monkeypatch, capsys, db_path):
    assert (
        run(
            monkeypatch,
            db_path,
            "user",
            "add",
            "--name",
            "Nora Nl",
            "--email",
            "nora@example.org",
            "--language",
            "nl",
            "--password-stdin",
            stdin=PASSWORD + "\r\n",
        )
        == 0
    )
    assert run(monkeypatch, db_path, "user", "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "Created user Nora Nl <nora@example.org> (id 1).",
        "  id  email                            name                         lang admin disabled locked",
        "   1  nora@example.org                 Nora Nl                      nl   no    no       no",
    ]
    assert sign_in(db_path, "nora@example.org", PASSWORD).language == "nl"


def test_weak_password_is_refused_with_exit_code_2(monkeypatch, capsys, db_path):
    code = run(
        monkeypatch,
        db_path,
        "user",
        "add",
        "--name",
        "Weak",
        "--email",
        "weak@example.org",
        "--password-stdin",
        stdin="password1\n",
    )
    assert code == 2
    captured = capsys.readouterr()
    assert captured.err == "error: That password is one of the most common ones; choose another.\n"
    assert "password1" not in captured.out + captured.err


def test_passwd_disable_enable(monkeypatch, capsys, db_path):
    run(
        monkeypatch,
        db_path,
        "user",
        "add",
        "--name",
        "Max",
        "--email",
        "max@example.org",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert (
        run(
            monkeypatch,
            db_path,
            "user",
            "passwd",
            "MAX@example.org",
            "--password-stdin",
            stdin="a-new-long-phrase\n",
        )
        == 0
    )
    assert sign_in(db_path, "max@example.org", "a-new-long-phrase").name == "Max"
    assert run(monkeypatch, db_path, "user", "disable", "max@example.org") == 0
    with pytest.raises(AuthenticationFailed):
        sign_in(db_path, "max@example.org", "a-new-long-phrase")
    assert run(monkeypatch, db_path, "user", "enable", "max@example.org") == 0
    assert sign_in(db_path, "max@example.org", "a-new-long-phrase").name == "Max"
    assert capsys.readouterr().out.splitlines()[1:] == [
        "Password of max@example.org changed; their sessions were ended.",
        "Disabled max@example.org; their sessions were ended.",
        "Enabled max@example.org.",
    ]


def test_unknown_email_and_duplicate_are_clear_errors(monkeypatch, capsys, db_path):
    assert run(monkeypatch, db_path, "user", "disable", "nobody@example.org") == 2
    run(
        monkeypatch,
        db_path,
        "user",
        "add",
        "--name",
        "Max",
        "--email",
        "max@example.org",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert (
        run(
            monkeypatch,
            db_path,
            "user",
            "add",
            "--name",
            "Max 2",
            "--email",
            "Max@Example.org",
            "--password-stdin",
            stdin=PASSWORD,
        )
        == 2
    )
    assert capsys.readouterr().err.splitlines() == [
        "error: There is no user with the email nobody@example.org.",
        "error: A user with the email Max@Example.org already exists.",
    ]


def test_prompted_passwords_must_match(monkeypatch, capsys, db_path):
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert (
        cli.main(
            ["user", "add", "--name", "Max", "--email", "max@example.org", "--db", str(db_path)]
        )
        == 2
    )
    assert capsys.readouterr().err == "error: The two passwords differ; nothing was changed.\n"


def test_unlock_after_failed_sign_ins(monkeypatch, capsys, db_path):
    run(
        monkeypatch,
        db_path,
        "user",
        "add",
        "--name",
        "Max",
        "--email",
        "max@example.org",
        "--password-stdin",
        stdin=PASSWORD,
    )
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            sign_in(db_path, "max@example.org", "not-the-password")
    with pytest.raises(AuthenticationFailed):
        sign_in(db_path, "max@example.org", PASSWORD)  # locked
    capsys.readouterr()
    assert run(monkeypatch, db_path, "user", "list") == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("no    no       yes")
    assert run(monkeypatch, db_path, "user", "unlock", "MAX@example.org") == 0
    assert capsys.readouterr().out == "Unlocked max@example.org; they can sign in again.\n"
    assert sign_in(db_path, "max@example.org", PASSWORD).name == "Max"
