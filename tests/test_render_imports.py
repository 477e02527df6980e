"""No render path imports torch or sentence-transformers (a cold page would wait 9-16 s).

In a fresh process with the background model load off (``BUYERGROUPS_PRELOAD_SEARCH=0``:
the warm-up thread of ``search/warmup.py`` is the one place that loads the model, off the
render path), every page of the entry file's navigation is run under AppTest for a
signed-in admin, then the workspace of a demo group with each of its tabs open; afterwards
neither library may be in ``sys.modules``. Every ``ui/`` module is imported first, so a
top-level import in a helper no test renders is caught too. A search itself (Find similar
with a query typed) loads the model, in the request or the warm-up thread: not run here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess  # nosec B404 - runs this interpreter on a fixed script
import sys
from pathlib import Path

from tests.test_pages import ADMIN

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "sentence_transformers")
PAGES = tuple(
    dict.fromkeys(
        re.findall(r'"(pages/\w+\.py)"', (ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    )
)
TABS = tuple(
    re.findall(
        r'N_\("([^"]+)"\)',
        re.search(
            r"TAB_NAMES = \[(.*?)\]",
            (ROOT / "pages" / "workspace.py").read_text(encoding="utf-8"),
            re.S,
        ).group(1),
    )
)
SCRIPT = """
import importlib, json, pathlib, sys
pages, tabs, email, heavy = json.loads(sys.argv[1])
for path in sorted(pathlib.Path("ui").glob("*.py")):
    importlib.import_module(f"ui.{path.stem}")
after_imports = [name for name in heavy if name in sys.modules]
from tests.ui_support import show_workspace_tab, signed_in_app
ran, failures = [], []
at = signed_in_app(sys.argv[2], email, timeout=300).run()
for page in pages:
    at.switch_page(page).run()
    ran.append(page)
    failures += [f"{page}: {e.message[:200]}" for e in at.exception]
at.switch_page("pages/workspace.py").run()
at.selectbox(key="workspace_group_id").select_index(0).run()
for tab in tabs:
    show_workspace_tab(at, tab)
    ran.append(tab)
    failures += [f"workspace {tab}: {e.message[:200]}" for e in at.exception]
print(json.dumps({
    "after_imports": after_imports,
    "after_renders": [name for name in heavy if name in sys.modules],
    "ran": ran,
    "failures": failures,
}))
"""


def _render_everything(app_db: Path | str) -> dict:
    env = {**os.environ, "BUYERGROUPS_PRELOAD_SEARCH": "0", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(  # nosec B603 - this interpreter, a fixed script
        [
            sys.executable,
            "-c",
            SCRIPT,
            json.dumps([list(PAGES), list(TABS), ADMIN["email"], list(HEAVY)]),
            str(app_db),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_page_or_workspace_tab_render_imports_torch(app_db) -> None:
    assert len(PAGES) >= 9 and "pages/find_similar.py" in PAGES
    assert "Criteria" in TABS and len(TABS) >= 8
    outcome = _render_everything(app_db)
    assert outcome["ran"] == [*PAGES, *TABS]
    assert outcome["failures"] == []  # every page really rendered
    assert outcome["after_imports"] == []
    assert outcome["after_renders"] == []
