"""Main flows in a real browser (Playwright + Debian Chromium) against the running app.

``st.dataframe`` draws on a canvas, so assertions look at text elements.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from buyergroups.demo import DEMO_PASSWORD
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

FACILITATOR = "joost.verhagen@demo.buyergroups.example"  # facilitator of the viaducts group
MEMBER = "sanne.deboer@demo.buyergroups.example"  # member of the viaducts group
GROUP = "Circulaire viaducten en bruggen"
BODY = "[class*='st-key-ws_vision_body_'] textarea"
SAVE = "[class*='st-key-ws_vision_save_'] button"


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Buyer Groups")).to_be_visible()


def open_group(page: Page, name: str) -> None:
    card = page.locator("[class*='st-key-home_card_']").filter(has_text=name)
    card.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_sign_in_open_group_and_edit_a_criterion(page: Page, app_url: str) -> None:
    sign_in(page, app_url, FACILITATOR)
    shoot(page, "home")
    open_group(page, GROUP)
    open_tab(page, "Criteria")
    expect(page.get_by_text("Open criterion")).to_be_visible()
    shoot(page, "workspace-criteria")
    page.get_by_role("tab", name="Edit").first.click()
    title = page.locator("[class*='st-key-crit_edit_'][class*='_title'] input").first
    title.fill("Gunningscriterium: CO2-Prestatieladder (browser edit)")
    page.get_by_role("button", name="Save criterion").click()
    expect(page.get_by_text("Saved as revision 2.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Gunningscriterium: CO2-Prestatieladder (browser edit)")
    ).to_be_visible()


def test_second_users_stale_edit_is_refused(browser, app_url: str) -> None:
    first = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    second = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    for page, email in ((first, FACILITATOR), (second, MEMBER)):
        sign_in(page, app_url, email)
        open_group(page, GROUP)
        page.get_by_role("tab", name="Edit").first.click()
    first.locator(BODY).fill("Visie: alle viaducten circulair in 2030 (eerste).")
    first.locator(SAVE).click()
    expect(first.get_by_text("Saved as revision 2.")).to_be_visible()

    mine = "Visie: alle viaducten circulair in 2030 (tweede)."
    second.locator(BODY).fill(mine)
    second.locator(SAVE).click()
    expect(second.get_by_text("changed the same part (body)")).to_be_visible()
    expect(second.locator(BODY)).to_have_value(mine)
    shoot(second, "stale-edit-refused")
