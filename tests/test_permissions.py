"""Who may do what, cell by cell, through the package's real functions.

:data:`EXPECTED` is the promise written down here, independent of ``auth.PRIVATE``
and ``auth.PUBLISHED``: if the code's matrix changes, a cell fails. Every cell runs
in a fresh group of one module-wide database and checks what the call did: a refused
call raises PermissionDenied (NotSignedIn when signed out) and changes no table; a
call that goes through changes exactly the tables it should, with the expected rows
(or, for a read or an export, shows the item or leaves it out).

The README's table and the one in ``auth.py``'s docstring are checked against the
code's matrix as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from buyergroups import auth, criteria, db, versioned
from buyergroups.auth import Action, Role
from buyergroups.errors import NotSignedIn, PermissionDenied
from tests import permission_group, permission_items
from tests.permission_world import ROLES, Workspace, make_workspace

STEPS = {**permission_items.STEPS, **permission_group.STEPS}

# Outcomes: "yes" done (or shown), "no" refused and nothing changed, "hidden" the call
# works but leaves the item out (a listing or export holding published items only).
# "on": the item's state before the call: private (group members only) or published;
# "group" for an action on the group itself. "publish" starts from an agreed item,
# "unpublish" from a published one, "restore" from a deleted one.
EXPECTED = """
kind       action               on         admin  facilitator  member  observer  non_member  signed_out
criterion  list                 private    yes    yes          yes     yes       hidden      no
criterion  list                 published  yes    yes          yes     yes       yes         no
criterion  read                 private    yes    yes          yes     yes       no          no
criterion  read                 published  yes    yes          yes     yes       yes         no
criterion  history              private    yes    yes          yes     yes       no          no
criterion  history              published  yes    yes          yes     yes       yes         no
criterion  read_comments        private    yes    yes          yes     yes       no          no
criterion  read_comments        published  yes    yes          yes     yes       yes         no
criterion  create               group      yes    yes          yes     no        no          no
criterion  edit                 private    yes    yes          yes     no        no          no
criterion  edit                 published  yes    yes          yes     no        no          no
criterion  restore_revision     private    yes    yes          yes     no        no          no
criterion  restore_revision     published  yes    yes          yes     no        no          no
criterion  comment              private    yes    yes          yes     no        no          no
criterion  comment              published  yes    yes          yes     no        no          no
criterion  status               private    yes    yes          yes     no        no          no
criterion  publish              private    yes    yes          no      no        no          no
criterion  unpublish            published  yes    yes          no      no        no          no
criterion  delete               private    yes    yes          no      no        no          no
criterion  delete               published  yes    yes          no      no        no          no
criterion  list_deleted         private    yes    yes          no      no        no          no
criterion  list_deleted         published  yes    yes          no      no        no          no
criterion  restore              private    yes    yes          no      no        no          no
criterion  restore              published  yes    yes          no      no        no          no
criterion  export_word          private    yes    yes          yes     yes       hidden      no
criterion  export_word          published  yes    yes          yes     yes       yes         no
criterion  export_sheet         private    yes    yes          yes     yes       hidden      no
criterion  export_sheet         published  yes    yes          yes     yes       yes         no
criterion  import               group      yes    yes          yes     no        no          no
document   list                 private    yes    yes          yes     yes       hidden      no
document   list                 published  yes    yes          yes     yes       yes         no
document   read                 private    yes    yes          yes     yes       no          no
document   read                 published  yes    yes          yes     yes       yes         no
document   history              private    yes    yes          yes     yes       no          no
document   history              published  yes    yes          yes     yes       yes         no
document   read_comments        private    yes    yes          yes     yes       no          no
document   read_comments        published  yes    yes          yes     yes       yes         no
document   create               group      yes    yes          yes     no        no          no
document   edit                 private    yes    yes          yes     no        no          no
document   edit                 published  yes    yes          yes     no        no          no
document   restore_revision     private    yes    yes          yes     no        no          no
document   restore_revision     published  yes    yes          yes     no        no          no
document   comment              private    yes    yes          yes     no        no          no
document   comment              published  yes    yes          yes     no        no          no
document   status               private    yes    yes          yes     no        no          no
document   publish              private    yes    yes          no      no        no          no
document   unpublish            published  yes    yes          no      no        no          no
document   delete               private    yes    yes          no      no        no          no
document   delete               published  yes    yes          no      no        no          no
document   list_deleted         private    yes    yes          no      no        no          no
document   list_deleted         published  yes    yes          no      no        no          no
document   restore              private    yes    yes          no      no        no          no
document   restore              published  yes    yes          no      no        no          no
document   export_word          private    yes    yes          yes     yes       no          no
document   export_word          published  yes    yes          yes     yes       yes         no
dialogue   list                 private    yes    yes          yes     yes       hidden      no
dialogue   list                 published  yes    yes          yes     yes       yes         no
dialogue   create               group      yes    yes          yes     no        no          no
dialogue   create_published     group      yes    yes          no      no        no          no
dialogue   edit                 private    yes    yes          yes     no        no          no
dialogue   edit                 published  yes    yes          yes     no        no          no
dialogue   publish              private    yes    yes          no      no        no          no
dialogue   unpublish            published  yes    yes          no      no        no          no
dialogue   export_sheet         private    yes    yes          yes     yes       hidden      no
dialogue   export_sheet         published  yes    yes          yes     yes       yes         no
dialogue   export_word          private    yes    yes          yes     yes       hidden      no
dialogue   export_word          published  yes    yes          yes     yes       yes         no
co2        list                 private    yes    yes          yes     yes       no          no
co2        read                 private    yes    yes          yes     yes       no          no
co2        history              private    yes    yes          yes     yes       no          no
co2        create               group      yes    yes          yes     no        no          no
co2        edit                 private    yes    yes          yes     no        no          no
co2        status               private    yes    yes          yes     no        no          no
co2        delete               private    yes    yes          no      no        no          no
co2        export_sheet         private    yes    yes          yes     yes       no          no
group      invite               group      yes    yes          no      no        no          no
group      change_role          group      yes    yes          no      no        no          no
group      remove_user          group      yes    yes          no      no        no          no
group      add_organisation     group      yes    yes          no      no        no          no
group      remove_organisation  group      yes    yes          no      no        no          no
group      activity             group      yes    yes          yes     yes       no          no
group      edit_profile         group      yes    yes          no      no        no          no
group      import_tenders       group      yes    yes          no      no        no          no
group      link_tender          group      yes    yes          yes     no        no          no
group      unlink_tender        group      yes    yes          yes     no        no          no
group      export_tenders       group      yes    yes          yes     yes       no          no
"""


@dataclass(frozen=True)
class Cell:
    kind: str
    action: str
    on: str
    role: str
    outcome: str
    name: str


def _cells(table: str) -> list[Cell]:
    header, *lines = (line.split() for line in table.strip().splitlines())
    assert header[3:] == list(ROLES)
    states: dict[tuple[str, str], int] = {}
    for kind, action, *_ in lines:
        states[(kind, action)] = states.get((kind, action), 0) + 1
    cells = []
    for kind, action, on, *outcomes in lines:
        assert len(outcomes) == len(ROLES) and set(outcomes) <= {"yes", "no", "hidden"}
        suffix = f"-{on}" if states[(kind, action)] > 1 else ""
        for role, outcome in zip(ROLES, outcomes, strict=True):
            name = f"{role}-{action}-{kind}{suffix}"
            cells.append(Cell(kind, action, on, role, outcome, name))
    return cells


CELLS = _cells(EXPECTED)


@pytest.fixture(scope="module")
def workspace() -> Iterator[Workspace]:
    connection = db.connect(":memory:")
    # Many tiny queries: one thread is faster for them (and kinder to a shared machine).
    connection.execute("SET threads = 1")
    yield make_workspace(connection, len(CELLS))
    connection.close()


@pytest.mark.parametrize("cell", CELLS, ids=[cell.name for cell in CELLS])
def test_cell(workspace: Workspace, cell: Cell) -> None:
    step = STEPS[(cell.kind, cell.action)]
    group_id = workspace.fresh_group()
    target = step.prepare(workspace, group_id, cell.on)
    actor = workspace.people[cell.role]
    before = workspace.fingerprint()
    if cell.outcome == "no":
        refusal = NotSignedIn if cell.role == "signed_out" else PermissionDenied
        with pytest.raises(PermissionDenied) as refused:
            step.attempt(workspace, actor, group_id, target, False)
        assert type(refused.value) is refusal
        if refusal is NotSignedIn:
            assert str(refused.value) == "Please sign in first."
        else:
            assert str(refused.value).startswith("You may not ")
        assert workspace.changed_since(before) == set()
    else:
        changes = step.attempt(workspace, actor, group_id, target, cell.outcome == "yes")
        assert workspace.changed_since(before) == changes


def test_every_step_has_its_cells() -> None:
    assert {(cell.kind, cell.action) for cell in CELLS} == set(STEPS)
    assert not set(permission_items.STEPS) & set(permission_group.STEPS)
    assert len(CELLS) == len({cell.name for cell in CELLS})


# ---------------------------------------------------------------- the printed tables

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = {
    "list": Action.LIST,
    "read": Action.READ,
    "create": Action.CREATE,
    "edit": Action.EDIT,
    "comment": Action.COMMENT,
    "status": Action.CHANGE_STATUS,
    "publish": Action.PUBLISH,
    "delete": Action.DELETE,
    "export": Action.EXPORT,
    "members": Action.MANAGE_MEMBERS,
    "import tenders": Action.IMPORT,
}
ROWS = {
    "admin": Role.ADMIN,
    "facilitator": Role.FACILITATOR,
    "member": Role.MEMBER,
    "observer": Role.OBSERVER,
    "non-member": Role.NON_MEMBER,
    "signed out": Role.SIGNED_OUT,
}
# A printed value: (allowed on private items, allowed on published items).
VALUES = {"all": (True, True), "yes": (True, True), "pub": (False, True), "no": (False, False)}


def _matrix(header: list[str], rows: list[list[str]]) -> dict[tuple[Role, Action], tuple]:
    assert header[0] == "role" and set(header[1:]) == set(COLUMNS), header
    assert [row[0] for row in rows] == list(ROWS)
    return {
        (ROWS[row[0]], COLUMNS[column]): VALUES[value]
        for row in rows
        for column, value in zip(header[1:], row[1:], strict=True)
    }


def _code_matrix() -> dict[tuple[Role, Action], tuple]:
    return {
        (role, action): (
            auth.allowed(role, action),
            auth.allowed(role, action, published=True),
        )
        for role in Role
        for action in Action
    }


def readme_table() -> tuple[list[str], list[list[str]]]:
    """The Markdown table under the README's "Who may do what" heading."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Who may do what")[1]
    lines = [line for line in section.split("\n## ")[0].splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    assert set("".join(cells[1])) <= {"-"}, "the second line is the header rule"
    return cells[0], cells[2:]


def docstring_table() -> tuple[list[str], list[list[str]]]:
    """The reStructuredText simple table in ``auth``'s docstring (columns by the rules)."""
    lines = (auth.__doc__ or "").splitlines()
    rules = [i for i, line in enumerate(lines) if re.fullmatch(r"=+( +=+)+", line)]
    assert len(rules) == 3, "a header rule, the rule below the header, the closing rule"
    spans = [match.span() for match in re.finditer("=+", lines[rules[0]])]

    def split(line: str) -> list[str]:
        return [line[start:end].strip() for start, end in spans[:-1]] + [
            line[spans[-1][0] :].strip()
        ]

    header = split(lines[rules[0] + 1])
    return header, [split(line) for line in lines[rules[1] + 1 : rules[2]]]


@pytest.mark.parametrize("printed", [readme_table, docstring_table], ids=["readme", "docstring"])
def test_printed_table_matches_the_code(printed) -> None:
    assert _matrix(*printed()) == _code_matrix()


@pytest.mark.parametrize("role", ["non_member", "signed_out"])
def test_a_step_that_does_not_exist_is_refused_without_naming_the_status(
    workspace: Workspace, role: str
) -> None:
    """Asking for draft → published is refused for permission before the step is checked.

    Checking the step first answered "A criterion that is draft can move to: In review."
    to people who may not even read the private criterion. (Readers of the group are
    still told which steps exist: tests/test_versioned.py.)
    """
    group_id = workspace.fresh_group()
    criterion = STEPS[("criterion", "status")].prepare(workspace, group_id, "private")
    before = workspace.fingerprint()
    with pytest.raises(PermissionDenied) as refused:
        versioned.change_status(
            workspace.conn, criteria.KIND, workspace.people[role], criterion, "published"
        )
    assert "draft" not in str(refused.value)
    assert workspace.changed_since(before) == set()


@pytest.mark.parametrize("role", ["observer", "non_member", "signed_out"])
def test_restoring_a_revision_that_does_not_exist_is_refused_for_permission(
    workspace: Workspace, role: str
) -> None:
    """Only editors learn which revisions exist ("Criterion 7 has no revision 9.")."""
    group_id = workspace.fresh_group()
    criterion = STEPS[("criterion", "edit")].prepare(workspace, group_id, "private")
    before = workspace.fingerprint()
    with pytest.raises(PermissionDenied) as refused:
        versioned.restore_revision(
            workspace.conn, criteria.KIND, workspace.people[role], criterion, 9, 1
        )
    assert "revision" not in str(refused.value)
    assert workspace.changed_since(before) == set()
