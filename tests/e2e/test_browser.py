"""Main flows in a real browser (Playwright + Debian Chromium) against the running app.

``st.dataframe`` draws on a canvas, so assertions look at text elements. The demo users
here work in Dutch: buttons are found by their stable keys, shown text through the catalogue.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from buyergroups.demo import DEMO_PASSWORD, load_dataset
from buyergroups.i18n import translate
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

FACILITATOR = "joost.verhagen@demo.buyergroups.example"  # facilitator of the viaducts group
MEMBER = "sanne.deboer@demo.buyergroups.example"  # member of the viaducts group
GROUP = "Circulaire viaducten en bruggen"
BODY = "[class*='st-key-ws_vision_body_'] textarea"
SAVE = "[class*='st-key-ws_vision_save_'] button"
# Generous bounds: the machine may be busy (other test suites, the model loading in the
# background). Every step waits for what it produces, never for a fixed time.
MODEL_LOAD_MS = 180_000
STEP_MS = 90_000
LANGUAGE = {u["email"]: u["language"] for u in load_dataset()["users"]}
RUNNING = "[data-testid='stStatusWidget']"


def shown(text: str, email: str, **values: object) -> str:
    """``text`` as the user ``email`` sees it (in their interface language)."""
    return translate(text, LANGUAGE[email], **values)


def idle(page: Page, timeout: float = STEP_MS) -> None:
    """Wait until the app's script run has ended (Streamlit's running indicator is gone).

    Typing into a field while a run redraws the page can lose the text, so steps that
    type first wait for this; steps that click then wait for what the click produces.
    """
    expect(page.locator(RUNNING)).to_have_count(0, timeout=timeout)


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    field = page.locator("[class*='st-key-login_email'] input")
    expect(field).to_be_visible(timeout=STEP_MS)
    idle(page)
    field.fill(email)
    page.locator("[class*='st-key-login_password'] input").fill(DEMO_PASSWORD)
    page.locator("[class*='st-key-login_submit'] button").click()
    expect(page.get_by_role("heading", name=shown("Buyer Groups", email))).to_be_visible(
        timeout=STEP_MS
    )
    idle(page)


def open_group(page: Page, name: str) -> None:
    card = page.locator("[class*='st-key-home_card_']").filter(has_text=name)
    card.locator("[class*='st-key-home_open_'] button").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=STEP_MS)
    idle(page)


def open_tab(page: Page, name: str, shows: str) -> None:
    """Click the workspace tab ``name`` and wait for ``shows``, a text the tab draws.

    Only the open tab runs, so a click on a tab reruns the page.
    """
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_text(shows).first).to_be_visible(timeout=STEP_MS)
    idle(page)


def open_inner_tab(page: Page, name: str, shows: str) -> None:
    """Click the first inner tab ``name`` (e.g. an item's Edit) and wait for the field ``shows``."""
    page.get_by_role("tab", name=name).first.click()
    expect(page.locator(shows).first).to_be_visible(timeout=STEP_MS)


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_sign_in_open_group_and_edit_a_criterion(page: Page, app_url: str) -> None:
    sign_in(page, app_url, FACILITATOR)
    shoot(page, "home")
    open_group(page, GROUP)
    open_tab(page, shown("Criteria", FACILITATOR), shown("Open criterion", FACILITATOR))
    shoot(page, "workspace-criteria")
    title_field = "[class*='st-key-crit_edit_'][class*='_title'] input"
    open_inner_tab(page, shown("Edit", FACILITATOR), title_field)
    title = page.locator(title_field).first
    title.fill("Gunningscriterium: CO2-Prestatieladder (browser edit)")
    expect(title).to_have_value("Gunningscriterium: CO2-Prestatieladder (browser edit)")
    page.locator("[class*='st-key-crit_edit_'][class*='_save'] button").first.click()
    saved = shown("Saved as revision {revision}.", FACILITATOR, revision=2)
    # The first save loads the embedding model to re-index the criterion: allow for it.
    expect(page.get_by_text(saved)).to_be_visible(timeout=MODEL_LOAD_MS)
    expect(
        page.get_by_role("heading", name="Gunningscriterium: CO2-Prestatieladder (browser edit)")
    ).to_be_visible(timeout=STEP_MS)


def test_second_users_stale_edit_is_refused(browser, app_url: str) -> None:
    first = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    second = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    for page, email in ((first, FACILITATOR), (second, MEMBER)):
        page.set_default_timeout(STEP_MS)
        sign_in(page, app_url, email)
        open_group(page, GROUP)
        open_inner_tab(page, shown("Edit", email), BODY)
    first_text = "Visie: alle viaducten circulair in 2030 (eerste)."
    first.locator(BODY).first.fill(first_text)
    expect(first.locator(BODY).first).to_have_value(first_text)
    first.locator(SAVE).first.click()
    saved = shown("Saved as revision {revision}.", FACILITATOR, revision=2)
    expect(first.get_by_text(saved)).to_be_visible(timeout=MODEL_LOAD_MS)

    mine = "Visie: alle viaducten circulair in 2030 (tweede)."
    idle(second)
    second.locator(BODY).first.fill(mine)
    expect(second.locator(BODY).first).to_have_value(mine)
    second.locator(SAVE).first.click()
    same_part = {"en": "changed the same part (body)", "nl": "hetzelfde deel gewijzigd (tekst)"}
    expect(second.get_by_text(same_part[LANGUAGE[MEMBER]])).to_be_visible(timeout=MODEL_LOAD_MS)
    expect(second.locator(BODY).first).to_have_value(mine)
    shoot(second, "stale-edit-refused")


def test_find_similar_reuse_into_my_group_and_export_word(
    page: Page, app_url: str, tmp_path
) -> None:
    from docx import Document

    sign_in(page, app_url, FACILITATOR)
    page.get_by_role("link", name=shown("Find similar", FACILITATOR)).click()
    query = page.locator("[class*='st-key-find_similar_text'] textarea")
    query.fill("Zero-emission construction machinery: electric excavators on building sites")
    query.press("Control+Enter")
    # The first search loads the model and indexes the demo data.
    reuse = page.locator("[class*='st-key-find_similar_criterion_'][class*='_reuse'] button")
    expect(reuse.first).to_be_visible(timeout=MODEL_LOAD_MS * 2)
    shoot(page, "find-similar")
    hit_title = page.locator("[class*='st-key-find_similar_criterion_'][class*='_reuse']").first
    reuse.first.click()
    template = "Copied as draft criterion {id} in {group}, crediting the source."
    copied = page.get_by_text(shown(template, FACILITATOR).split("{")[0].strip())
    expect(copied.first).to_be_visible(timeout=MODEL_LOAD_MS)
    assert hit_title  # the button existed for a criterion hit of another group
    pattern = re.escape(shown(template, FACILITATOR))
    pattern = pattern.replace(r"\{id\}", r"(\d+)").replace(r"\{group\}", "(.+?)")
    found = re.search(pattern, copied.first.inner_text())
    assert found, copied.first.inner_text()
    target_group = found.group(2)

    page.get_by_role("link", name=shown("Groups", FACILITATOR)).click()
    open_group(page, target_group)
    open_tab(page, shown("Exports", FACILITATOR), shown("Download", FACILITATOR))
    with page.expect_download() as download_info:
        page.locator("[class*='st-key-exports_criteria_docx'] button").click()
    path = tmp_path / "criteria.docx"
    download_info.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "Reused from" in text or "Hergebruikt" in text
    shoot(page, "exports")


ADMIN = "marieke.vandijk@demo.buyergroups.example"


@pytest.mark.parametrize(
    ("title", "shot"),
    [("CO2 reduction", "co2"), ("Network", "network"), ("Monitoring", "monitoring")],
)
def test_overview_pages_render_in_the_browser(page: Page, app_url: str, title, shot) -> None:
    sign_in(page, app_url, ADMIN)
    page.get_by_role("link", name=shown(title, ADMIN), exact=True).click()
    expect(page.get_by_role("heading", name=shown(title, ADMIN)).first).to_be_visible()
    expect(page.locator(".vega-embed").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # let the charts finish drawing before the screenshot
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    shoot(page, shot)


def test_a_deep_link_on_a_fresh_server_leads_to_sign_in(page: Page, fresh_app_url: str) -> None:
    """Before any session set up the navigation, /co2 runs pages/co2.py on its own."""
    page.goto(fresh_app_url + "/co2")
    # The first visit opens and seeds the demo database: allow for it.
    expect(page.locator("[class*='st-key-login_email'] input")).to_be_visible(timeout=MODEL_LOAD_MS)
    # Before sign-in the sidebar lists no pages (not Streamlit's list of the pages/ folder).
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_role("link", name="co2")).to_have_count(0)
    sign_in(page, fresh_app_url, FACILITATOR)
    expect(page.locator("[class*='st-key-home_open_'] button").first).to_be_visible(timeout=STEP_MS)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=STEP_MS)
