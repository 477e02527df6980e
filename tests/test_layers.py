"""Import contracts, read from the source (imports inside functions included):

* the package never imports ``streamlit``, ``ui``, ``pages`` or ``streamlit_app``,
  and ``ui/`` never imports ``pages`` or ``streamlit_app``;
* the layers of the README's picture (:data:`LAYERS`): a module imports only
  modules of its own layer or of layers below it;
* the storage layer (``buyergroups/db/``) reaches only ``config``, ``errors``, itself
  and, for its command line, ``cli`` (which itself reaches only those);
* the parsers in ``buyergroups/ingest/`` (every module but the loader, the stores
  and the command line, which store) reach no storage.

"Reach" follows imports transitively, so a parser importing a helper that
imports ``db`` breaks the contract too. An AST walk rather than import-linter:
no extra tool, the allow-lists are allow-lists (a new domain module is
forbidden to the storage layer without editing a list), and ``ui``/``pages``
need not be importable packages. The checker is tested on a small tree that
breaks each rule, so these tests can fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI_NAMES = {"streamlit", "ui", "pages", "streamlit_app"}
STORAGE_MAY_REACH = {"buyergroups.config", "buyergroups.errors", "buyergroups.cli"}
STORING_INGEST = {"loader", "store", "notices", "commands", "bench"}
STORAGE = (
    "buyergroups.db",
    "buyergroups.ingest.loader",
    "buyergroups.ingest.store",
    "buyergroups.ingest.notices",
)
# The README's layers, top first. A name covers the module and everything below it; the
# most specific name decides, and "*.commands" / "*.bench" (command lines) beat folders.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "entry points",
        (
            "cli",
            "__main__",
            "*.commands",
            "*.bench",
            "edit_bench",
            "store_bench",
            "pages_bench",
            "demo",
        ),
    ),
    ("features", ("exports", "co2", "network", "monitoring", "backups", "benchmark")),
    (
        "core",
        (
            "groups",
            "documents",
            "criteria",
            "dialogue",
            "comments",
            "tenders",
            "procurements",
            "organisations",
            "buyer_match",
            "versioned",
            "records",
            "merge",
            "activity",
            "audit",
            "auth",
            "accounts",
            "ingest.loader",
            "ingest.store",
            "ingest.notices",
            "search",
        ),
    ),
    ("parsers and writers", ("ingest", "exports.spreadsheet")),
    ("vocabulary and storage", ("domain", "i18n", "db")),
    ("base", ("config", "errors", "")),
]


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line``."""

    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


def _module(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(root: Path) -> dict[str, Path]:
    return {_module(root, path): path for path in sorted((root / "buyergroups").rglob("*.py"))}


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            # ``from buyergroups import db`` imports the module buyergroups.db.
            candidate = f"{base}.{alias.name}"
            yield candidate if candidate in known else base
    elif isinstance(node, ast.Call):
        called = node.func
        name = getattr(called, "attr", getattr(called, "id", ""))
        first = node.args[0] if node.args else None
        if name in {"import_module", "__import__"} and isinstance(first, ast.Constant):
            yield str(first.value)


def import_edges(root: Path) -> list[Edge]:
    """Every import in ``root/buyergroups``, resolved to module names."""
    modules = _modules(root)
    known = set(modules)
    edges = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for target in _imported(node, module, path.name == "__init__.py", known):
                edges.append(Edge(module, target, getattr(node, "lineno", 0)))
    return edges


def _inside(target: str, prefixes: set[str] | tuple[str, ...]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def reached(edges: list[Edge], start: str) -> list[list[Edge]]:
    """Every import path from ``start`` through the package's own modules (shortest first)."""
    own = [e for e in edges if _inside(e.target, ("buyergroups",))]
    paths, seen, frontier = [], {start}, [[Edge(start, start, 0)]]
    while frontier:
        path = frontier.pop(0)
        for edge in (e for e in own if e.source == path[-1].target):
            if edge.target not in seen:
                seen.add(edge.target)
                paths.append([*path[1:], edge])
                frontier.append([*path, edge])
    return paths


def ui_imports(edges: list[Edge]) -> list[str]:
    """Imports of the UI (or Streamlit) by the package."""
    return [str(e) for e in edges if e.target.split(".")[0] in UI_NAMES]


def storage_violations(edges: list[Edge]) -> list[str]:
    """Paths by which the storage layer reaches a module outside config, errors, cli, db."""
    found = []
    for start in sorted({e.source for e in edges if _inside(e.source, ("buyergroups.db",))}):
        for path in reached(edges, start):
            target = path[-1].target
            if not _inside(target, ("buyergroups.db",)) and target not in STORAGE_MAY_REACH:
                found.append(" → ".join(str(e) for e in path))
    return found


def parser_violations(edges: list[Edge]) -> list[str]:
    """Paths by which a parser of ``ingest/`` reaches storage."""
    parsers = sorted(
        {
            e.source
            for e in edges
            if e.source.startswith("buyergroups.ingest.")
            and e.source.rsplit(".", 1)[1] not in STORING_INGEST
        }
    )
    found = []
    for start in parsers:
        for path in reached(edges, start):
            if _inside(path[-1].target, STORAGE):
                found.append(" → ".join(str(e) for e in path))
    return found


def layer_of(module: str) -> int | None:
    """The index in :data:`LAYERS` of a package module (0 is the top), None if unlisted."""
    inner = module.removeprefix("buyergroups").removeprefix(".")
    if inner.rsplit(".", 1)[-1] in {"commands", "bench"}:
        return 0
    best: tuple[int, int] | None = None
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            covers = inner == name or (name != "" and inner.startswith(name + "."))
            if covers and (best is None or len(name) > best[0]):
                best = (len(name), index)
    return None if best is None else best[1]


def layer_violations(edges: list[Edge]) -> list[str]:
    """Imports that go up the layers, and modules no layer names."""
    found = []
    for module in sorted({e.source for e in edges}):
        if layer_of(module) is None:
            found.append(f"{module} is in no layer")
    for edge in edges:
        if not _inside(edge.target, ("buyergroups",)):
            continue
        source, target = layer_of(edge.source), layer_of(edge.target)
        if source is not None and target is not None and target < source:
            found.append(f"{edge} ({LAYERS[source][0]} → {LAYERS[target][0]})")
    return sorted(set(found))


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return import_edges(ROOT)


def test_the_package_never_imports_the_ui(edges) -> None:
    assert any(e.target == "buyergroups.db" for e in edges), "no imports were read"
    assert ui_imports(edges) == []


def test_ui_helpers_never_import_pages() -> None:
    found = []
    for path in sorted((ROOT / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _imported(node, f"ui.{path.stem}", path.name == "__init__.py", set()):
                if target.split(".")[0] in {"pages", "streamlit_app"}:
                    found.append(f"ui/{path.name}:{node.lineno} imports {target}")
    assert found == []


def test_imports_go_down_the_layers(edges) -> None:
    assert layer_violations(edges) == []


def test_the_storage_layer_reaches_only_config_and_errors(edges) -> None:
    assert {p.rsplit(".", 1)[-1] for p in _modules(ROOT) if p.startswith("buyergroups.db")} >= {
        "db",
        "commands",
    }
    assert storage_violations(edges) == []


def test_parsers_reach_no_storage(edges) -> None:
    parsers = {e.source for e in edges if e.source.startswith("buyergroups.ingest.")}
    assert {"buyergroups.ingest.eforms", "buyergroups.ingest.ocds"} <= parsers
    assert parser_violations(edges) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_finds_each_kind_of_violation(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "buyergroups/__init__.py": "",
            "buyergroups/errors.py": "",
            "buyergroups/groups.py": "def f():\n    import streamlit as st\n",
            "buyergroups/helpers.py": "from buyergroups import db\n",
            "buyergroups/db/__init__.py": "from buyergroups.errors import msg\n",
            "buyergroups/db/backup.py": "from .. import groups\n",
            "buyergroups/ingest/__init__.py": "",
            "buyergroups/ingest/store.py": "",
            "buyergroups/ingest/eforms.py": "import importlib\nimportlib.import_module('ui.x')\n",
            "buyergroups/ingest/ocds.py": "from buyergroups import helpers\n",
            "buyergroups/ingest/csv_tenders.py": "from .store import write\n",
        },
    )
    found = import_edges(root)
    assert ui_imports(found) == [
        "buyergroups.groups:2 imports streamlit",
        "buyergroups.ingest.eforms:2 imports ui.x",
    ]
    assert storage_violations(found) == ["buyergroups.db.backup:1 imports buyergroups.groups"]
    assert layer_violations(found) == [
        "buyergroups.db.backup:1 imports buyergroups.groups (vocabulary and storage → core)",
        "buyergroups.helpers is in no layer",
        "buyergroups.ingest.csv_tenders:1 imports buyergroups.ingest.store"
        " (parsers and writers → core)",
    ]
    assert parser_violations(found) == [
        "buyergroups.ingest.csv_tenders:1 imports buyergroups.ingest.store",
        "buyergroups.ingest.ocds:1 imports buyergroups.helpers"
        " → buyergroups.helpers:1 imports buyergroups.db",
    ]
