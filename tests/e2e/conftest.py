"""The whole hub as processes, started once for the session on a broker of its own.

Triage and decision keep their state in Postgres (so two copies can share it), the other
services in SQLite files: the journey crosses both engines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from mash_common.broker import EmbeddedBroker, free_port
from mash_common.devstack import Stack
from mash_common.journey import HubClient
from mash_common.kafka import ensure_topics
from mash_common.testing.browser import ChromiumUnavailable, ensure_chromium, launched_chromium
from mash_common.testing.service import run_sync
from mash_common.testing.stack import running_stack

run = run_sync


@pytest.fixture(scope="session")
def e2e_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("e2e-broker") / "tansu.log"
    with EmbeddedBroker(port=free_port(), log_path=log) as broker:
        run(ensure_topics(broker.bootstrap))
        yield broker


@pytest.fixture(scope="session")
def stack(
    e2e_broker: EmbeddedBroker, postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with running_stack(
        e2e_broker.bootstrap, postgres_admin_url, tmp_path_factory.mktemp("e2e-data")
    ) as stack:
        yield stack


@pytest.fixture(scope="session")
def hub(stack: Stack) -> Iterator[HubClient]:
    client = HubClient({name: stack.url(name) for name, _ in stack.running})
    yield client
    client.close()


# -- Browser tests: Debian's Chromium driven by Playwright (see README.md) -----------------
# Async fixtures and `async def` tests: Playwright's sync API would leave its own loop marked
# as running and break every later async test of the session (mash_common.testing.browser).


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Chromium binary, installed with apt-get when missing (fails, never skips)."""
    try:
        return ensure_chromium()
    except ChromiumUnavailable as exc:
        pytest.fail(f"browser tests need Chromium: {exc}", pytrace=False)


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """One headless Chromium for the whole session."""
    async with launched_chromium(chromium) as launched:
        yield launched


@pytest.fixture
async def browser_context(browser: Browser, stack: Stack) -> AsyncIterator[BrowserContext]:
    """A fresh context (cookies, storage) per test, sized like a laptop, on the console."""
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=stack.url("console"), locale="en-GB"
    )
    yield context
    await context.close()


@pytest.fixture
async def page(browser_context: BrowserContext) -> Page:
    """A page in the test's own context: `await page.goto("/")` opens the console."""
    return await browser_context.new_page()
