"""The whole MASH journey clicked through in the staff console, in real Chromium.

Three people on three machines (a browser context each): the decision maker records a phone
contact and screens it, the MASH manager rates it and asks the police only, the police
practitioner answers, and the manager (whose queues page stayed open, never reloaded) sees the
contact move to "Ready for decision" by itself, reads the picture and decides. Then the auditor
reads the audit log of this contact and the administrator the dead letters.

Every page visited is checked with axe-core (no serious or critical violations), and the main
pages are captured for docs/screenshots (written only with MASH_SCREENSHOTS=1, `make
screenshots`). The contact travels intake -> Kafka -> triage -> gateway -> decision -> feedback
between the clicks, so each step waits on what the page shows, never on a fixed sleep.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from mash_common.devstack import Stack
from mash_common.testing.browser import assert_accessible, screenshot

# The first browser test may wait for apt-get to install Chromium as well as for the stack.
pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.timeout(900)]

PASSWORD = "mash-demo-password"
# The hub's events cross Kafka between the clicks, on a shared and busy machine.
TRIP_MS = 90_000
PAGE_MS = 30_000
CONTACT_ID = re.compile(r"contact_id=([0-9a-f-]{36})")
COUNTDOWN = re.compile(r"(\bleft\b|Overdue by)")


# -- helpers -----------------------------------------------------------------------------------


async def new_person(browser: Browser, stack: Stack) -> BrowserContext:
    """A browser of one's own: new cookies and storage, a laptop's screen, on the console."""
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=stack.url("console"), locale="en-GB"
    )
    context.set_default_timeout(PAGE_MS)
    context.set_default_navigation_timeout(PAGE_MS)
    return context


async def sign_in(context: BrowserContext, username: str, *, check: bool = False) -> Page:
    page = await context.new_page()
    await page.goto("/sign-in")
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    if check:
        await assert_accessible(page, "sign-in page")
        await shot(page, "sign-in")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/sign-in" not in url)
    await expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    return page


async def reload_until(page: Page, target: Locator, what: str,
                       timeout_ms: int = TRIP_MS) -> Locator:
    """Reload until `target` is visible: for pages that do not refresh themselves (a locator
    is looked up afresh each time, so it finds the element on the reloaded page)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            await expect(target).to_be_visible(timeout=3_000)
            return target
        except AssertionError:
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not shown on {page.url} within "
                                     f"{timeout_ms / 1000:.0f} s") from None
        await page.reload()


async def shot(page: Page, name: str) -> None:
    """The page as a reader sees it: no focus ring left on the last field typed in."""
    await page.evaluate("document.activeElement && document.activeElement.blur()")
    await screenshot(page, name)


def queue_row(page: Page, queue: str, contact_id: str) -> Locator:
    """The contact's row in one of the dashboard's queues."""
    return page.locator(f'[data-testid="queue-{queue}"] tr[data-contact-id="{contact_id}"]')


async def nav_texts(page: Page) -> list[str]:
    nav = page.get_by_role("navigation", name="Sections")
    return [t.strip() for t in await nav.get_by_role("link").all_inner_texts()]


@pytest.fixture
async def people(browser: Browser, stack: Stack
                 ) -> AsyncIterator[Callable[[], Awaitable[BrowserContext]]]:
    opened: list[BrowserContext] = []

    async def open_one() -> BrowserContext:
        context = await new_person(browser, stack)
        opened.append(context)
        return context

    yield open_one
    for context in opened:
        await context.close()


# -- the journey -------------------------------------------------------------------------------


async def test_console_journey_in_the_browser(
    people: Callable[[], Awaitable[BrowserContext]],
) -> None:
    run = uuid.uuid4().hex[:8]
    first_name = f"Journey{run.capitalize()}"
    last_name = "Okafor"

    # 1. The decision maker records a phone contact from a school and screens it. ------------
    dm = await sign_in(await people(), "dm.patel", check=True)
    await expect(page_heading(dm)).to_have_text("Queues")
    await assert_accessible(dm, "queues (decision maker)")

    await dm.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="Record a phone contact").click()
    await expect(page_heading(dm)).to_have_text("Record a phone contact")
    await assert_accessible(dm, "record a phone contact (empty)")

    # Sent empty first: the error summary, and each problem at its field.
    await dm.get_by_test_id("record-contact").click()
    summary = dm.locator(".govuk-error-summary")
    await expect(summary).to_be_visible()
    await expect(summary).to_contain_text("immediate risk")
    assert (await dm.title()).startswith("Error: ")
    await assert_accessible(dm, "record a phone contact (with errors)")

    await dm.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="Record a phone contact").click()
    await expect(dm.locator(".govuk-error-summary")).to_have_count(0)
    await fill_marf(dm, first_name, last_name, run)
    await shot(dm, "record-contact")
    await dm.get_by_test_id("record-contact").click()

    await expect(dm.get_by_test_id("contact-recorded")).to_be_visible()
    reference = (await dm.get_by_test_id("contact-reference").inner_text()).strip()
    assert re.fullmatch(r"MASH-\d{4}-\d{6}", reference), reference
    found = CONTACT_ID.search(dm.url)
    assert found, f"no contact id in {dm.url}"
    contact_id = found[1]
    await assert_accessible(dm, "contact recorded")

    await dm.get_by_role("link", name="Go to the queues").click()
    screen_row = queue_row(dm, "screening", contact_id)
    # intake -> Kafka -> triage; the page re-reads its queues by itself.
    await expect(screen_row).to_be_visible(timeout=TRIP_MS)
    await expect(screen_row).to_contain_text(first_name)
    await screen_row.get_by_role("link", name=re.compile(r"^Screen")).click()

    await expect(dm.get_by_test_id("threshold-form")).to_be_visible()
    await expect(dm.get_by_test_id("contact-reference")).to_have_text(reference)
    await assert_accessible(dm, "screening")
    form = dm.get_by_test_id("threshold-form")
    await form.locator('input[name="outcome"][value="mash"]').check()
    await form.locator('input[name="level_of_need"][value="3"]').check()
    await form.locator('input[name="consent-lawful_basis"][value="consent"]').check()
    await form.get_by_label("Rationale for your decision").fill(
        "The school reports bruising and a disclosure of violence at home. Level 3: the "
        "agencies' information is needed before deciding.")
    await shot(dm, "screening")
    await dm.get_by_test_id("record-threshold-decision").click()

    await expect(dm.get_by_test_id("done-banner")).to_contain_text(
        f"Threshold decision recorded for {reference}")
    assert dm.url.split("?")[0].endswith("/"), dm.url
    await assert_accessible(dm, "queues after screening")

    # 2. The manager rates it amber and asks the police only; their queues page stays open. --
    mgr = await sign_in(await people(), "mgr.jones")
    await expect(page_heading(mgr)).to_have_text("Queues")
    rate_row = queue_row(mgr, "rating", contact_id)
    await expect(rate_row).to_be_visible(timeout=TRIP_MS)
    await rate_row.get_by_role("link", name=re.compile(r"^Rate")).click()

    rating_form = mgr.get_by_test_id("rating-form")
    await expect(rating_form).to_be_visible()
    await expect(mgr.get_by_test_id("contact-reference")).to_have_text(reference)
    await assert_accessible(mgr, "rating")
    await rating_form.locator('input[name="rating"][value="amber"]').check()
    for box in await rating_form.locator('[data-testid="agencies"] input[type="checkbox"]').all():
        await box.set_checked(await box.get_attribute("value") == "police")
    await rating_form.get_by_label("Why this rating?").fill(
        "Disclosure of violence at home; no immediate risk reported. The police may know the "
        "household.")
    await shot(mgr, "rating")
    await mgr.get_by_test_id("record-rating").click()

    await expect(mgr.get_by_test_id("done-banner")).to_contain_text(
        f"RAG rating recorded for {reference}")
    await assert_accessible(mgr, "queues after rating")
    # From here on this page is never reloaded: a mark on its window would not survive one.
    await mgr.evaluate("window.mashJourneyMark = 'still the same page'")
    waiting_row = queue_row(mgr, "awaiting", contact_id)
    await expect(waiting_row).to_be_visible(timeout=TRIP_MS)
    await expect(waiting_row.locator(".mash-countdown").first).to_have_text(COUNTDOWN)
    await expect(waiting_row).to_contain_text("Police")

    # 3. The police practitioner answers their agency's request. -----------------------------
    police = await sign_in(await people(), "police.khan")
    assert police.url.split("?")[0].endswith("/agency/requests"), police.url
    assert await nav_texts(police) == ["Our agency's requests", "Service status"]
    request_row = await reload_until(
        police,
        police.get_by_test_id("agency-request").filter(has_text=reference),
        f"the police request for {reference}",
    )
    await expect(request_row).to_contain_text(first_name)
    await expect(request_row.locator(".mash-countdown")).to_have_text(COUNTDOWN)
    await assert_accessible(police, "agency requests")
    await shot(police, "agency-requests")

    await request_row.get_by_test_id("answer-link").click()
    answer = police.get_by_test_id("answer-form")
    await expect(answer).to_be_visible()
    await expect(page_heading(police)).to_have_text(f"Answer request {reference}")
    await assert_accessible(police, "agency answer form")
    await answer.locator('input[name="known_to_agency"][value="yes"]').check()
    await answer.get_by_label("What does Police know?").fill(
        f"Police attended the home twice this year after calls about shouting ({run}). No "
        "arrests; a domestic abuse marker is on the address.")
    await answer.get_by_label("Risks you know of (optional)").fill(
        "The mother's partner has a caution for assault (2024).")
    await shot(police, "agency-answer")
    await police.get_by_test_id("send-answer").click()

    await expect(police.get_by_test_id("answer-sent")).to_contain_text(
        f"Your answer to {reference} has been sent to the MASH")
    await assert_accessible(police, "agency requests after answering")

    # Only their own section: the queues are not theirs.
    response = await police.goto("/")
    assert response is not None and response.status == 403, response
    await expect(page_heading(police)).to_have_text("You cannot use this page")
    await assert_accessible(police, "403: police on the queues")

    # 4. The manager's open page moves the contact to "Ready for decision" by itself. --------
    ready_row = queue_row(mgr, "ready", contact_id)
    await expect(ready_row).to_be_visible(timeout=TRIP_MS)
    assert await mgr.evaluate("window.mashJourneyMark") == "still the same page", (
        "the manager's queues page was reloaded")
    await expect(queue_row(mgr, "awaiting", contact_id)).to_have_count(0)
    await expect(ready_row.locator(".mash-countdown").first).to_have_text(COUNTDOWN)
    await expect(ready_row).to_contain_text("Amber")
    await assert_accessible(mgr, "queues with a contact ready")
    await shot(mgr, "queues")

    # 5. The picture, the decision, and what the referrer was told. --------------------------
    await ready_row.get_by_role("link", name=reference, exact=True).click()
    await mgr.wait_for_url(f"**/contacts/{contact_id}")
    await expect(mgr.get_by_test_id("contact-heading")).to_have_text(f"Contact {reference}")
    police_answer = mgr.get_by_test_id("timeline-answer")
    await expect(police_answer).to_contain_text("Police answered")
    await expect(police_answer).to_contain_text(run)
    await expect(mgr.get_by_test_id("timeline-ready")).to_be_visible()
    await assert_accessible(mgr, "picture")
    await shot(mgr, "picture")

    await mgr.get_by_test_id("action-decide").click()
    decision = mgr.get_by_test_id("decision-form")
    await expect(decision).to_be_visible()
    await expect(mgr.get_by_test_id("agency-answers")).to_contain_text("Known to Police")
    await assert_accessible(mgr, "decision form")
    await mgr.get_by_test_id("record-decision").click()
    await expect(mgr.get_by_test_id("error-summary")).to_contain_text("Choose what happens next")
    await assert_accessible(mgr, "decision form (with errors)")

    await mgr.goto(f"/contacts/{contact_id}/decision")
    await expect(mgr.get_by_test_id("error-summary")).to_have_count(0)
    await mgr.get_by_test_id("outcome-social_care_s17").check()
    await decision.get_by_label("Receiving team for the child in need assessment").fill(
        "North locality assessment team")
    await decision.get_by_label("Level of need", exact=True).fill("3")
    await decision.get_by_label("Rationale", exact=True).fill(
        "The school's concern and the police's domestic abuse marker together meet the "
        "threshold for a child in need assessment.")
    await shot(mgr, "decision")
    await mgr.get_by_test_id("record-decision").click()

    await mgr.wait_for_url(f"**/contacts/{contact_id}/feedback*")
    await expect(mgr.get_by_test_id("decision-recorded")).to_contain_text("section 17")
    told = await reload_until(
        mgr, mgr.get_by_test_id("referrer-feedback").filter(has_text="The outcome").first,
        "what the referrer was told",
    )
    await expect(told).to_contain_text("A professional")
    await expect(mgr.get_by_test_id("handover-status").first).to_contain_text("Handed over")
    await assert_accessible(mgr, "feedback")
    await shot(mgr, "feedback")

    # 6. The auditor reads the audit log of this contact; the administrator, dead letters. ----
    auditor = await sign_in(await people(), "auditor.ng")
    await auditor.goto("/audit")
    await expect(page_heading(auditor)).to_have_text("Audit log")
    await auditor.get_by_label("Contact id").fill(contact_id)
    await auditor.get_by_test_id("apply-filters").click()
    await auditor.wait_for_url(re.compile(r"/audit\?.*contact_id="))
    entries = auditor.get_by_test_id("audit-entry")
    for who in ("dm.patel", "mgr.jones"):
        await reload_until(auditor, entries.filter(has_text=who).first,
                           f"a read of {reference} by {who} in the audit log")
    for row in await entries.all():
        await expect(row).to_contain_text(contact_id)
    await expect(auditor.locator('[data-testid="audit-chain"]')).to_have_attribute(
        "data-chain-state", "intact")
    await expect(auditor.get_by_test_id("audit-chain")).to_contain_text("The audit log is intact")
    await assert_accessible(auditor, "audit log")
    await shot(auditor, "audit")

    admin = await sign_in(await people(), "admin.silva")
    await admin.goto("/dead-letters")
    await expect(page_heading(admin)).to_have_text("Dead letters")
    await expect(admin.get_by_test_id("dead-letter-counts")).to_be_visible()
    await assert_accessible(admin, "dead letters")
    await shot(admin, "dead-letters")

    await admin.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="Service status").click()
    await expect(page_heading(admin)).to_have_text("The MASH journey")
    await assert_accessible(admin, "service status")


def page_heading(page: Page) -> Locator:
    return page.locator("main h1")


async def fill_marf(page: Page, first_name: str, last_name: str, run: str) -> None:
    """The referral form as the decision maker fills it in on the phone to a school."""
    form = page.get_by_test_id("marf-form")

    async def choose(name: str, value: str) -> None:
        await form.locator(f'input[name="{name}"][value="{value}"]').check()

    async def fill(name: str, value: str) -> None:
        await form.locator(f'[name="{name}"]').fill(value)

    await choose("contact_type", "concern")
    await form.get_by_label("Who is the contact from?").select_option("2A")
    await choose("referrer-kind", "professional")
    await form.get_by_label("Referrer's full name").fill("Ms Helen Carter")
    await form.get_by_label("Referrer's job").fill("Designated safeguarding lead")
    await form.get_by_label("Referrer's agency or organisation").fill("Oak Primary School")
    await form.get_by_label("Referrer's phone number").fill("01632 960 123")
    await form.get_by_label("Referrer's email address").fill("dsl@oak-primary.example.org")

    await fill("children-0-first_name", first_name)
    await fill("children-0-last_name", last_name)
    await fill("children-0-date_of_birth-day", "14")
    await fill("children-0-date_of_birth-month", "3")
    await fill("children-0-date_of_birth-year", "2017")
    await choose("children-0-gender", "female")
    await fill("children-0-address", f"{run} Elm Road\nNorthtown")
    await fill("children-0-postcode", "NT1 4AB")
    await fill("children-0-school", "Oak Primary School")

    await fill("household-0-name", f"Grace {last_name}")
    await fill("household-0-relationship", "Mother")
    await choose("household-0-parental_responsibility", "yes")
    await choose("household-0-lives_with_child", "yes")

    await form.get_by_label("What happened?").fill(
        f"{first_name} came to school with bruising on her arm and said her mum's boyfriend "
        "shouts and pushes her mum. Reported by the class teacher this morning.")
    await choose("concern-factors", "3A")
    await choose("concern-factors", "3B")
    await choose("concern-referrer_level_of_need", "3")
    await choose("concern-immediate_risk", "no")
    await choose("parents_aware", "yes")
    await choose("consent_given", "yes")
    await form.get_by_label("If consent was given, who gave it?").fill("The child's mother")
    await form.get_by_label("Whose information does the consent cover?").fill(
        "The mother and the child")
