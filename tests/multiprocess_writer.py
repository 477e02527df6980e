"""A writer process for the multi-process tests: saves documents when told to start.

``python -m tests.multiprocess_writer URL ROUNDS_JSON`` connects to the database,
prints ``ready``, then for each round waits for the round's start file (all
writers of a round start together), saves its edit with ``documents.save_document``
on the revision it was given and prints one JSON line: ``{"round", "outcome":
"saved" | "refused", "revision", "merged" | "kept_mine"}``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from buyergroups import db, documents
from buyergroups.accounts.users import get_user
from buyergroups.errors import StaleEditError

START_POLL_SECONDS = 0.002
START_TIMEOUT_SECONDS = 300


def _wait_for(start: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not start.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"no start signal at {start}")
        time.sleep(START_POLL_SECONDS)


def main(url: str, rounds: list[dict]) -> int:
    conn = db.connect(url)
    try:
        print("ready", flush=True)
        for number, job in enumerate(rounds):
            actor = get_user(conn, job["user"])
            _wait_for(Path(job["start"]))
            try:
                saved = documents.save_document(
                    conn, actor, job["document"], job["based_on"], body=job["body"]
                )
                result = {"outcome": "saved", "revision": saved.revision_no, "merged": saved.merged}
            except StaleEditError as refused:
                result = {
                    "outcome": "refused",
                    "revision": refused.current_revision,
                    "kept_mine": (refused.mine or {}).get("body") == job["body"],
                }
            print(json.dumps({"round": number, **result}), flush=True)
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], json.loads(sys.argv[2])))
