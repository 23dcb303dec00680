"""The staff console in a real browser: its home page renders and passes axe-core.

Tolerant on purpose while the console's pages are rebuilt: whatever page "/" lands on (the
home page, or a sign-in page it redirects to) must have "MASH" in its title, a visible h1,
and no serious or critical accessibility violations. `make screenshots` saves it as
docs/screenshots/console-home.png.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from mash_common.testing.browser import assert_accessible, screenshot

# The first browser test may wait for apt-get to install Chromium as well as for the stack.
pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.timeout(900)]


async def test_console_home_renders_and_is_accessible(page: Page) -> None:
    response = await page.goto("/")
    assert response is not None, "no response for the console's home page"
    assert response.ok, f"GET / ended at {page.url} with HTTP {response.status}"

    assert "MASH" in await page.title()
    heading = page.locator("h1").first
    await expect(heading).to_be_visible()
    assert (await heading.inner_text()).strip(), f"the h1 of {page.url} is empty"

    await assert_accessible(page, "console home")
    await screenshot(page, "console-home")
