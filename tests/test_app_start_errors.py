"""AppTest: the app's first run with an unusable setting or a held database file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.ui_support import APP


def _start() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def test_a_bad_setting_is_shown_as_a_message_not_a_traceback(app_db, monkeypatch) -> None:
    monkeypatch.setenv("BUYERGROUPS_MAX_UPLOAD_MB", "fifty")
    at = _start()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The setting BUYERGROUPS_MAX_UPLOAD_MB must be a whole number, not 'fifty'."
    ]
    assert not at.text_input  # nothing else ran: no sign-in form


def test_a_database_held_by_another_process_is_named_in_one_message(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "held.duckdb"
    monkeypatch.setenv("BUYERGROUPS_DB", str(path))
    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,sys; c=duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        at = _start()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert f"is in use by another process (PID {holder.pid}" in errors[0]
