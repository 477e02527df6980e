"""The README's architecture block and feature table agree with the code.

* Every module under ``buyergroups/`` is named in the architecture block: a flat
  module as ``name.py``, a module of a subpackage by its name on its folder's
  lines (the folder line and the lines indented below it; the folder line
  covers the subpackage's ``__init__.py``).
* Every name in the "Where to find it" table exists: paths as files, ``module.name``
  and bare names (in the module the row named last) as attributes.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_FOLDER_LINE = re.compile(r"^  (\w+)/\s")


def architecture_block(readme: str) -> list[str]:
    """The lines of the fenced block under '## Architecture'."""
    section = readme.split("## Architecture", 1)[1]
    return section.split("```", 2)[1].splitlines()


def folder_text(block: list[str]) -> dict[str, str]:
    """Each ``  folder/`` line of the package joined with its continuation lines."""
    folders: dict[str, str] = {}
    current = None
    for line in block:
        found = _FOLDER_LINE.match(line)
        if found:
            current = found.group(1)
            folders[current] = line
        elif current and line.startswith(" " * 22):
            folders[current] += " " + line
        else:
            current = None
    return folders


def unnamed_modules(root: Path, block: list[str]) -> list[str]:
    """Modules under ``root/buyergroups`` that the block does not name."""
    text = "\n".join(block)
    folders = folder_text(block)
    missing = []
    for path in sorted((root / "buyergroups").rglob("*.py")):
        parts = path.relative_to(root / "buyergroups").parts
        if len(parts) == 1:
            named = re.search(rf"(?<![\w/]){re.escape(parts[0])}\b", text) is not None
        else:
            stem = Path(parts[-1]).stem
            # A subpackage's __init__.py is covered by its folder's line.
            named = parts[0] in folders and (
                stem == "__init__" or re.search(rf"\b{stem}\b", folders[parts[0]]) is not None
            )
        if not named:
            missing.append(path.relative_to(root).as_posix())
    return missing


def test_every_module_is_named_in_the_architecture_block() -> None:
    block = architecture_block(README)
    assert "  db/" in "\n".join(block)
    assert unnamed_modules(ROOT, block) == []


def test_the_check_finds_a_module_the_block_leaves_out(tmp_path: Path) -> None:
    for name in (
        "buyergroups/__init__.py",
        "buyergroups/groups.py",
        "buyergroups/new.py",
        "buyergroups/co2/methods.py",
        "buyergroups/co2/extra.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    block = [
        "buyergroups/          the application",
        "  __init__.py groups.py   the package",
        "  co2/                methods (ranges),",
        "                      more about methods",
        "  other.py            extra mentioned outside the co2 lines",
    ]
    assert unnamed_modules(tmp_path, block) == [
        "buyergroups/co2/extra.py",
        "buyergroups/new.py",
    ]


def _feature_rows(readme: str) -> list[str]:
    section = readme.split("### Where to find it", 1)[1].lstrip("\n")
    table = section.split("\n\n", 1)[0]
    return [line for line in table.splitlines() if line.startswith("| ")][1:]  # no header


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(dotted)


def _module_of_path(path: str) -> str:
    inner = path.removeprefix("buyergroups/").removesuffix(".py").removesuffix("/__init__")
    return "buyergroups." + inner.replace("/", ".")


def test_every_name_in_the_feature_table_exists() -> None:
    rows = _feature_rows(README)
    assert len(rows) >= 20
    missing = []
    for row in rows:
        module = None
        for token in re.findall(r"`([^`]+)`", row.split("|")[2]):
            try:
                if "/" in token or token.endswith(".py"):
                    relative = token if token.startswith("buyergroups/") else f"buyergroups/{token}"
                    assert list(ROOT.glob(relative)), token
                    if token.endswith(".py"):
                        module = _module_of_path(relative)
                elif "." in token:
                    try:
                        _resolve(f"buyergroups.{token}")
                        module = f"buyergroups.{token.rsplit('.', 1)[0]}"
                    except (AttributeError, ModuleNotFoundError):
                        _resolve(f"{module}.{token}")
                else:
                    _resolve(f"{module}.{token}")
            except (AssertionError, AttributeError, ModuleNotFoundError):
                missing.append(f"{token} (row: {row.split('|')[1].strip()})")
    assert missing == []
