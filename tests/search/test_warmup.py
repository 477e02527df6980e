"""Loading the model and the index in the background; nothing heavy on page render paths."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from buyergroups import db
from buyergroups.errors import ValidationError
from buyergroups.search.embedder import HashingEmbedder
from buyergroups.search.warmup import BACKGROUND_NICE, Background, IndexWarmup, WarmupStatus
from tests.search import builders as b

ROOT = Path(__file__).resolve().parents[2]


def test_a_background_value_is_made_once_and_waited_for() -> None:
    release = threading.Event()
    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        release.wait(5)
        return "model"

    load = Background("test", make).start()
    assert load.start() is load  # a second start does nothing
    assert (load.done, load.wait(0.05)) == (False, False)
    release.set()
    assert load.result() == "model"
    assert (load.done, load.failed, calls) == (True, False, [1])


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are Linux's")
def test_the_background_thread_runs_below_the_server_threads() -> None:
    def own_nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    server = own_nice()
    assert Background("nice", own_nice).start().result() == min(server + BACKGROUND_NICE, 19)
    assert own_nice() == server  # the caller's priority is untouched


def test_an_error_made_in_the_background_is_raised_to_whoever_asks() -> None:
    def make() -> str:
        raise ValidationError("no model here")

    load = Background("test", make).start()
    load.wait(5)
    assert load.failed
    with pytest.raises(ValidationError, match="no model here"):
        load.result()


def test_the_index_warm_up_embeds_what_is_missing_then_loads(search_conn: db.Connection) -> None:
    group = b.add_group(search_conn, "Sites")
    for title in ("Electric excavators", "Fair trade coffee", "Recycled asphalt"):
        b.add_criterion(search_conn, group, title, "Text.")
    release = threading.Event()
    embedder = HashingEmbedder(32, "warm")

    def load_model() -> HashingEmbedder:
        release.wait(5)
        return embedder

    model = Background("model", load_model)
    warm = IndexWarmup(search_conn, model).start()
    assert warm.status == WarmupStatus("model")
    release.set()
    index = warm.result()
    assert (len(index), index.model_id) == (3, "warm")
    assert warm.status == WarmupStatus("ready", 3, 3)
    assert model.done


def _heavy_modules_after(code: str, env: dict[str, str] | None = None) -> str:
    probe = code + (
        "\nimport sys\nprint(sorted(m for m in ('torch', 'sentence_transformers', 'transformers')"
        " if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return found.stdout.strip().splitlines()[-1]


def test_no_page_import_pulls_in_torch_or_sentence_transformers() -> None:
    modules = [
        "ui.search_resources",
        "ui.similar_panel",
        "ui.criteria_tab",
        "ui.documents_tab",
        "buyergroups.search.service",
        "buyergroups.search.indexer",
        "buyergroups.search.warmup",
    ]
    assert _heavy_modules_after("\n".join(f"import {m}" for m in modules)) == "[]"


def test_rendering_the_app_without_searching_imports_no_model_code(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BUYERGROUPS_DB": str(tmp_path / "render.duckdb"),
        "BUYERGROUPS_PRELOAD_SEARCH": "0",
    }
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('streamlit_app.py', default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.text_input(key='login_email') is not None"
    )
    assert _heavy_modules_after(code, env) == "[]"
