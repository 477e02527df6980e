"""Times real script runs of the app's pages (AppTest) for ``bench pages``; one process per call.

Run by :mod:`buyergroups.pages_bench` as ``python -m ui.page_timing SCENARIO --db FILE
--email EMAIL --repeat N`` from the repository's root; prints one JSON object per
line: ``{"name": ..., "cold": seconds | null, "warm": [seconds, ...], "error": ...}``.
A scenario is a page (its first run in this fresh process is *cold*, the reruns
after it *warm*), ``control`` (a trivial page run the same way), ``signin`` or
``workspace`` (the workspace's interactions, each repeated). Every run is the real
entry file with its sign-in gate and navigation, as a browser's rerun would be.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 600.0
CONTROL = """
import streamlit as st
st.title("Control")
st.write("A page that draws a title and a line of text.")
"""


def _emit(name: str, cold: float | None, warm: list[float], error: str | None = None) -> None:
    print(json.dumps({"name": name, "cold": cold, "warm": warm, "error": error}), flush=True)


def _timed(step: Callable[[], AppTest]) -> tuple[float, AppTest]:
    started = time.perf_counter()
    at = step()
    return time.perf_counter() - started, at


def _failure(at: AppTest) -> str | None:
    if at.exception:
        return str(at.exception[0].message)[:300]
    return None


def _signed_in(db_path: str, email: str) -> AppTest:
    from buyergroups import db
    from buyergroups.accounts import sessions
    from buyergroups.accounts.users import find_by_email
    from buyergroups.config import load_settings

    conn = db.connect(db_path)
    try:
        with db.reading(conn) as cur:
            user = find_by_email(cur, email)
        if user is None:
            raise SystemExit(f"no user {email} in {db_path}")
        token = sessions.start_session(conn, user.id, load_settings())
    finally:
        conn.close()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["auth_token"] = token
    return at


def page(path: str, db_path: str, email: str, repeat: int) -> None:
    """The page's cold run, then ``repeat`` warm reruns."""
    at = _signed_in(db_path, email)
    if path != "pages/home.py":
        # AppTest draws the default page first, as a browser's first visit does.
        at.run()
        at.switch_page(path)
    cold, at = _timed(at.run)
    error = _failure(at)
    warm = []
    for _ in range(repeat if error is None else 0):
        seconds, at = _timed(at.run)
        warm.append(seconds)
        error = error or _failure(at)
    _emit(path, cold, warm, error)


def control(repeat: int) -> None:
    """A trivial page run the same way: what AppTest and a script run cost by themselves."""
    at = AppTest.from_string(CONTROL, default_timeout=TIMEOUT)
    cold, at = _timed(at.run)
    warm = [_timed(at.run)[0] for _ in range(repeat)]
    _emit("control", cold, warm, _failure(at))


def signin(db_path: str, email: str, password: str, repeat: int) -> None:
    """Sign-in to the first page drawn: the form submitted with a right password."""
    times = []
    error = None
    for _ in range(repeat + 1):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        at.text_input(key="login_email").input(email)
        at.text_input(key="login_password").input(password)
        seconds, at = _timed(at.button(key="login_submit").click().run)
        times.append(seconds)
        error = error or _failure(at)
        if "auth_user" not in at.session_state:
            error = error or "not signed in"
    _emit("sign in", times[0], times[1:], error)


def _own_group(db_path: str, email: str) -> int | None:
    """The first group (by name) where the user has a role; None for none."""
    from buyergroups import db, groups
    from buyergroups.accounts.users import find_by_email

    conn = db.connect(db_path)
    try:
        with db.reading(conn) as cur:
            user = find_by_email(cur, email)
        mine = [g["id"] for g in groups.list_groups(conn, user) if g["my_role"]]
    finally:
        conn.close()
    return mine[0] if mine else None


def _select_group(at: AppTest, index: int) -> AppTest:
    box = at.selectbox(key="workspace_group_id")
    return box.select_index(index % len(box.options)).run()


def workspace(db_path: str, email: str, repeat: int) -> None:
    """Open a group, switch tabs, open and save a criterion, each ``repeat`` times."""
    at = _signed_in(db_path, email).run()
    at.switch_page("pages/workspace.py")
    at.run()
    if error := _failure(at):
        _emit("workspace: open a group", None, [], error)
        return
    opened = []
    for n in range(repeat):
        seconds, at = _timed(lambda n=n, at=at: _select_group(at, n + 1))
        opened.append(seconds)
    _emit("workspace: open a group", None, opened, _failure(at))
    # Back to the user's own first group (the page's default), where they may edit.
    at = at.selectbox(key="workspace_group_id").set_value(_own_group(db_path, email)).run()
    switched = []
    for n in range(repeat):
        name = WORKSPACE_TABS[(n + 1) % len(WORKSPACE_TABS)]
        seconds, at = _timed(lambda name=name, at=at: _show_tab(at, name))
        switched.append(seconds)
    _emit("workspace: switch tab", None, switched, _failure(at))
    at = _show_tab(at, "Criteria")
    _criterion_steps(at, repeat)


# The workspace's tabs (pages/workspace.py TAB_NAMES), English as in the catalogue.
WORKSPACE_TABS = (
    "Market vision",
    "Specifications",
    "Criteria",
    "Market dialogue",
    "Members",
    "Activity",
    "CO2",
    "Exports",
)


def _show_tab(at: AppTest, name: str) -> AppTest:
    """Open a workspace tab as a click does (the tab's state is its label as shown)."""
    from buyergroups import i18n

    user = at.session_state["auth_user"]
    at.session_state["workspace_tab"] = i18n.translate(name, i18n.supported(user.language))
    return at.run()


def _criterion_steps(at: AppTest, repeat: int) -> None:
    try:
        pick = at.selectbox(key="crit_pick")
    except KeyError:
        _emit("workspace: open a criterion", None, [], "no criterion list in the group")
        return
    opened = []
    for n in range(repeat):
        count = len(pick.options)
        seconds, at = _timed(
            lambda n=n, at=at, count=count: (
                at.selectbox(key="crit_pick").select_index(n % count).run()
            )
        )
        opened.append(seconds)
    _emit("workspace: open a criterion", None, opened, _failure(at))
    at, prefix = _editable_criterion(at)
    if prefix is None:
        _emit("workspace: save a criterion", None, [], "no criterion this user may edit")
        return
    saved = []
    error = None
    # The first save also loads the language model (to index the saved text): the cold one.
    for n in range(repeat + 1):
        at.text_area(key=f"{prefix}_body").input(f"Bench edit {n} {time.time()}")
        seconds, at = _timed(at.button(key=f"{prefix}_save").click().run)
        saved.append(seconds)
        error = error or _failure(at)
    _emit("workspace: save a criterion", saved[0], saved[1:], error)


def _editable_criterion(at: AppTest) -> tuple[AppTest, str | None]:
    """Open the first criterion whose editor is shown (members do not edit published ones)."""
    options = list(at.selectbox(key="crit_pick").options)
    for index in range(len(options)):
        at = at.selectbox(key="crit_pick").select_index(index).run()
        prefix = f"crit_edit_{at.selectbox(key='crit_pick').value}"
        if any(area.key == f"{prefix}_body" for area in at.text_area):
            return at, prefix
    return at, None


def find_similar(db_path: str, email: str, repeat: int) -> None:
    """A typed search on Find similar (the model and index loaded first, timed apart)."""
    at = _signed_in(db_path, email).run()
    at.switch_page("pages/find_similar.py")
    at.run()
    at.text_area(key="find_similar_text").input("zero-emission construction machinery")
    first, at = _timed(at.run)
    error = _failure(at)
    times = []
    queries = ("circulair viaduct hergebruik", "fair workwear", "återanvänd IT", "bio catering")
    for n in range(repeat if error is None else 0):
        at.text_area(key="find_similar_text").input(queries[n % len(queries)])
        seconds, at = _timed(at.run)
        times.append(seconds)
        error = error or _failure(at)
    _emit("find similar: run a search", first, times, error)


def tenders_filter(db_path: str, email: str, repeat: int) -> None:
    """Change the Tenders page's country filter."""
    at = _signed_in(db_path, email).run()
    at.switch_page("pages/tenders.py")
    at.run()
    times = []
    error = _failure(at)
    for n in range(repeat if error is None else 0):
        box = at.selectbox(key="tenders_country")
        seconds, at = _timed(lambda n=n, b=box: b.select_index(1 + n % (len(b.options) - 1)).run())
        times.append(seconds)
        error = error or _failure(at)
    _emit("tenders: change a filter", None, times, error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.page_timing")
    parser.add_argument("scenario")
    parser.add_argument("--db", required=True)
    parser.add_argument("--email", default="")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["BUYERGROUPS_DB"] = args.db
    os.environ.setdefault("BUYERGROUPS_SEED_DEMO", "0")
    if args.scenario == "control":
        control(args.repeat)
    elif args.scenario == "signin":
        signin(args.db, args.email, os.environ.get("BUYERGROUPS_BENCH_PASSWORD", ""), args.repeat)
    elif args.scenario == "workspace":
        workspace(args.db, args.email, args.repeat)
    elif args.scenario == "search":
        find_similar(args.db, args.email, args.repeat)
    elif args.scenario == "tenders":
        tenders_filter(args.db, args.email, args.repeat)
    else:
        page(args.scenario, args.db, args.email, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
