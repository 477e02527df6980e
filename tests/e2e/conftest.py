"""Real-browser fixtures: the app on a free localhost port with a fresh demo DB, and Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Screenshots go to a scratch folder unless asked for: the README's images are refreshed with
# BUYERGROUPS_SCREENSHOTS=docs/screenshots, so a test run never changes tracked files.
SCREENSHOTS = Path(
    os.environ.get("BUYERGROUPS_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "buyergroups-screenshots"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the app did not start in time")


@contextlib.contextmanager
def _serving(folder: Path) -> Iterator[str]:
    """The app on a free localhost port with a fresh demo database in ``folder``."""
    port = _free_port()
    env = {
        **os.environ,
        "BUYERGROUPS_DB": str(folder / "e2e.duckdb"),
        "BUYERGROUPS_SEED_DEMO": "1",
        "HF_HUB_OFFLINE": "1",
    }
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    """One app server for the session's browser tests."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    with _serving(tmp_path_factory.mktemp("e2e")) as url:
        yield url


@pytest.fixture
def fresh_app_url(tmp_path) -> Iterator[str]:
    """An app server that no session has used yet (Streamlit still routes by pages/ files)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    with _serving(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(90_000)  # generous: the machine may be busy
    yield opened
    context.close()
