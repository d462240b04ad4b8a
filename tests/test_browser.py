"""The chat page in a real browser: Debian's Chromium driven by Playwright against a live server.

Fake models (a scripted generator that writes slowly enough to watch) and everything else real.
Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from rag.fakes import ScriptedGenerator, quote_source
from rag.generation import Message
from rag.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
QUESTION = "How many countries committed to the reassurance force in September?"
UPLOAD = """# Lighthouse keepers return to Skerryvore

The Northern Lighthouse Board said on Tuesday that two keepers would return to Skerryvore after 60 years.
Automation had removed the last keepers in 1966."""


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup`, which installs Debian's chromium "
                    "(apt-get install -y chromium chromium-driver)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


UNANSWERABLE = "How many zebras live in Paris?"


@pytest.fixture
def generator() -> ScriptedGenerator:
    # As conftest's, but slow enough that the page is seen while the answer is drafted and checked;
    # to UNANSWERABLE it replies only with a claim no passage supports, so verification leaves nothing.
    quote = quote_source(1, "Zebras number 99 in Paris [9].")

    def reply(messages: Sequence[Message]) -> str:
        return "Zebras number 99 in Paris [1]." if UNANSWERABLE in messages[-1]["content"] else quote(messages)

    return ScriptedGenerator(reply, delay=0.03)


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(page: Page, question: str) -> None:
    page.get_by_label("Your question").fill(question)
    page.keyboard.press("Enter")


def test_answer_streams_then_a_citation_opens_the_highlighted_passage(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#health")).to_contain_text("fake-scripted · 5 articles")
    seen = record_assistant_texts(page)
    ask(page, QUESTION)
    shot(page, "1-streaming")
    answer = page.locator(".turn.assistant .answer").last
    expect(answer.locator(".badge.ok")).to_contain_text("1 unsupported sentence removed")
    expect(answer.locator(".answer-text")).not_to_contain_text("Zebras")
    assert seen and not any("Zebras" in text for text in seen)  # the removed sentence was never on the page
    assert any("Writing a draft" in text for text in seen)  # progress was shown while the model drafted
    chip = answer.locator(".answer-text .cite").first
    chip.click()
    panel = page.locator("#source-panel")
    expect(panel).to_be_visible()
    cited = page.locator("#cited-span")
    expect(cited).to_be_visible()
    claim = answer.locator(".answer-text").inner_text().split("[1]")[0].split(" 1")[0].strip()
    assert claim[:40] in cited.inner_text()  # the highlighted span is the passage the answer quotes
    assert page.locator(".passage .context").count() == 2  # shown inside its article
    shot(page, "2-citation")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(chip).to_be_focused()  # focus returns to the chip


def record_assistant_texts(page: Page) -> list[str]:
    """Every text the assistant's turns show while an answer is made (the list fills as the page changes)."""
    seen: list[str] = []
    page.expose_function("record", lambda text: seen.append(text))
    page.evaluate("""() => new MutationObserver(() => {
        for (const node of document.querySelectorAll('.turn.assistant')) record(node.innerText);
    }).observe(document.querySelector('#messages'), {subtree: true, childList: true, characterData: true})""")
    return seen


def test_the_unchecked_draft_is_shown_only_when_asked_for_and_marked_as_such(page: Page) -> None:
    page.goto("/")
    seen = record_assistant_texts(page)
    page.get_by_label("Show unchecked draft").check()
    ask(page, QUESTION)
    answer = page.locator(".turn.assistant .answer").last
    expect(answer.locator(".badge.ok")).to_contain_text("1 unsupported sentence removed")
    expect(answer.locator(".answer-text")).not_to_contain_text("Zebras")  # the verified answer replaced it
    # While it was written, the raw draft was on the page, removed sentence and all, marked as unchecked.
    assert any("Unchecked draft" in text and "Zebras" in text for text in seen)


def test_follow_up_shows_the_rewritten_query_and_history_survives_a_reload(page: Page) -> None:
    page.goto("/")
    ask(page, QUESTION)
    expect(page.locator(".turn.assistant .answer")).to_have_count(1)
    ask(page, "and what did Germany say?")
    rewrite = page.locator(".rewrite").last
    expect(rewrite).to_contain_text("Searched for: What did Germany say? (context: countries committed")
    expect(page.locator(".turn.assistant .answer")).to_have_count(2)
    page.locator(".timings summary").last.click()
    expect(page.locator(".timings dl").last).to_contain_text("total")
    shot(page, "3-follow-up")
    page.reload()
    expect(page.locator(".turn.user")).to_have_count(2)
    expect(page.locator(".rewrite")).to_have_count(1)
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".turn")).to_have_count(0)


def test_unanswerable_question_is_shown_as_such_with_the_closest_passages(page: Page) -> None:
    page.goto("/")
    ask(page, UNANSWERABLE)
    expect(page.locator(".badge.warn")).to_contain_text("Not found in the articles")
    shot(page, "4-abstained")


def test_keyboard_only_ask_and_open_a_citation(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_label("Your question")).to_be_focused()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    chip = page.locator(".answer-text .cite").first
    expect(chip).to_be_visible()
    chip.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#source-panel")).to_be_focused()
    expect(page.locator("#cited-span")).to_be_visible()
    page.keyboard.press("Escape")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1]" in copied and "\n\nReferences:\n[1] " in copied


def test_library_uploads_lists_and_deletes_articles_then_answers_from_an_upload(page: Page, tmp_path: Path) -> None:
    good, bad = tmp_path / "skerryvore.md", tmp_path / "scan.pdf"
    good.write_text(UPLOAD)
    bad.write_bytes(b"%PDF-1.4")
    page.goto("/")
    page.get_by_role("button", name="Library").click()
    rows = page.locator("#documents tbody tr")
    expect(rows).to_have_count(5)
    page.locator("#upload").set_input_files([str(good), str(bad)])
    expect(page.locator(".upload.done")).to_contain_text("skerryvore: added")
    expect(page.locator(".upload.failed")).to_contain_text("scan.pdf: not a readable PDF")
    expect(rows).to_have_count(6)
    shot(page, "5-library")

    page.get_by_role("button", name="Chat").click()
    ask(page, "When did automation remove the last Skerryvore lighthouse keepers?")
    chip = page.locator(".answer-text .cite").first
    expect(chip).to_have_attribute("title", re.compile("Lighthouse keepers return to Skerryvore"))

    page.get_by_role("button", name="Library").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Lighthouse keepers return to Skerryvore").click()
    expect(rows).to_have_count(5)


def test_page_fits_a_phone_width_window(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")
    ask(page, QUESTION)
    page.locator(".answer-text .cite").first.click()
    expect(page.locator("#cited-span")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "6-phone")


def test_unreachable_or_loading_server_is_explained_and_the_question_can_be_retried(page: Page) -> None:
    page.route("**/health", lambda route: route.abort())
    page.route("**/ask/stream", lambda route: route.fulfill(
        status=503, json={"detail": "the model is loading", "code": "model_unavailable"}))
    page.goto("/")
    expect(page.locator("#banner")).to_contain_text("Cannot reach the server")
    expect(page.locator("#health")).to_have_text("Server unreachable")
    ask(page, QUESTION)
    expect(page.locator(".badge.error")).to_contain_text("The model is still loading")
    shot(page, "7-server-down")
    page.unroute("**/ask/stream")
    page.get_by_role("button", name="Try again").click()
    expect(page.locator(".answer-text .cite").first).to_be_visible()


def test_the_date_control_shows_today_and_its_day_is_the_answers_as_of(page: Page) -> None:
    import datetime as dt

    page.goto("/")
    control = page.get_by_label("As of")
    expect(control).to_have_value(dt.date.today().isoformat())
    control.fill("2025-09-06")
    ask(page, QUESTION)
    answer = page.locator(".turn.assistant .answer").last
    expect(answer.locator(".dating")).to_contain_text("Asked as of 2025-09-06")


def test_sources_that_disagree_are_shown_side_by_side(page: Page, live_server: str) -> None:
    report = ("The harbour commission chose Vireo Shipping to run the new container terminal at Port Elwyn, "
              "its chair said on Monday.")
    for article_id, text in (("harbour-a", report), ("harbour-b", report.replace("Vireo", "Castell"))):
        posted = httpx.post(f"{live_server}/documents", json={"id": article_id, "title": "Port Elwyn terminal",
                                                              "text": text, "published": "2025-09-01"})
        assert posted.status_code == 201
    page.goto("/")
    page.locator("#as-of").fill("2025-09-02")
    ask(page, "Which company will run the new container terminal at Port Elwyn?")
    disagreement = page.locator(".turn.assistant .conflicts").last
    expect(disagreement).to_contain_text("Sources disagree")
    expect(disagreement).to_contain_text("Vireo Shipping")
    expect(disagreement).to_contain_text("Castell Shipping")
    shot(page, "9-disagreement")
