"""The package never imports Streamlit (the UI layer does)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import buyergroups

ROOT = Path(__file__).resolve().parents[1]


def test_package_imports_without_streamlit() -> None:
    modules = [m.name for m in pkgutil.walk_packages(buyergroups.__path__, "buyergroups.")]
    modules = [m for m in modules if m != "buyergroups.__main__"]
    assert "buyergroups.db" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
