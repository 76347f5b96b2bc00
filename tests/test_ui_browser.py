"""The chat UI and the portal widget in a real headless Chromium (Debian's, driven by Playwright).

Screenshots go to test-artifacts/. Outside CI, without Chromium, these tests skip and say how to
install it; in CI (CI=true) a missing Chromium is a failure.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from api_server import ServerThread, app_settings, free_port

pytestmark = [pytest.mark.browser, pytest.mark.server]

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
INSTALL_HINT = "install it with: apt-get update && apt-get install -y chromium"
WIDGET_KEY = "kunci-widget-uji-12345"
QUESTION = "Apa saja klasifikasi jabatan pelaksana?"


def chromium_path() -> str:
    candidates = [os.environ.get("ASISTEN_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    for path in candidates:
        if path and Path(path).exists():
            return path
    message = f"Debian's Chromium was not found (/usr/bin/chromium); {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the playwright package is missing (pip install playwright)")
        pytest.skip("the playwright package is missing (pip install playwright)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def ui_server(assistant, shipped_settings, tmp_path_factory):
    from assistant.api import create_app

    port = free_port()
    settings = app_settings(
        shipped_settings, tmp_path_factory.mktemp("ui-data"),
        api_keys=f"{WIDGET_KEY}:ask:http://127.0.0.1:{port}", ui_access="open",
    )
    srv = ServerThread(create_app(settings, assistant=assistant, ui=True), port=port).start()
    yield srv
    srv.stop()


@pytest.fixture()
def page(browser, ui_server):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="id-ID")
    page = context.new_page()
    outside = []
    local = (ui_server.url, "data:", "blob:", "about:")
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(local) else None)
    page.set_default_timeout(60_000)
    yield page
    context.close()
    assert outside == [], f"requests left the machine: {outside}"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    # let Gradio finish its pending updates (it greys out components while they load)
    page.wait_for_function("() => !document.querySelector('.pending, .generating')", timeout=30_000)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000
    return path


def ask_in_ui(page, url: str, question: str) -> None:
    page.goto(url + "/")
    box = page.locator("#question textarea")
    box.wait_for()
    box.fill(question)
    box.press("Enter")
    page.locator("#citation-chips label").first.wait_for()


def test_ui_answers_with_citations(page, ui_server):
    ask_in_ui(page, ui_server.url, QUESTION)
    chat = page.locator("#chat")
    assert "[1]" in chat.inner_text()
    chips = page.locator("#citation-chips label")
    assert chips.count() >= 1 and chips.first.inner_text().startswith("[1]")
    letter = page.locator("#letter-text textarea").input_value()
    assert "Dasar hukum:" in letter
    page.locator("#copy-btn").click()
    page.get_by_text("Jawaban beserta dasar hukum disalin.").wait_for()
    page.locator("#fb-comment textarea").fill("Jawaban jelas")
    page.locator("#fb-up").click()
    page.get_by_text("Terima kasih, masukan Anda tersimpan.").wait_for()
    shot(page, "ui-jawaban.png")


def test_ui_opens_a_citation(page, ui_server):
    ask_in_ui(page, ui_server.url, QUESTION)
    first = page.locator("#citation-chips label").first
    label = first.inner_text()
    first.click()
    card = page.locator("[data-testid=pasal-card]")
    card.wait_for()
    text = card.inner_text()
    assert label.split("] ", 1)[1] in text
    assert "ringkasan tidak resmi" in text or "teks resmi" in text
    assert "Sumber:" in text
    shot(page, "ui-kutipan.png")


def test_ui_documents_tab(page, ui_server):
    page.goto(ui_server.url + "/")
    page.get_by_role("tab", name="Dokumen").click()
    table = page.locator("[data-testid=doc-table]")
    table.wait_for()
    assert "Permenpan RB Nomor 45 Tahun 2022" in table.inner_text()
    shot(page, "ui-dokumen.png")


def test_widget_demo_answers(page, ui_server):
    page.goto(ui_server.url + "/widget-demo")
    page.locator("[data-testid=asisten-bubble]").click()
    box = page.locator("#asisten-regulasi-widget textarea")
    box.fill(QUESTION)
    box.press("Enter")
    answer = page.locator("[data-testid=asisten-answer][data-done=true]")
    answer.wait_for()
    assert "[1]" in answer.inner_text()
    cites = page.locator("[data-testid=asisten-citations] li")
    assert cites.count() >= 1 and cites.first.inner_text().startswith("[1]")
    shot(page, "widget-demo.png")


def test_widget_renders_text_never_html(page, ui_server):
    page.goto(ui_server.url + "/widget-demo")
    page.locator("[data-testid=asisten-bubble]").click()
    box = page.locator("#asisten-regulasi-widget textarea")
    hostile = '<img src=x onerror="window.__pwned=1"> apa itu <b>klerek</b>?'
    box.fill(hostile)
    box.press("Enter")
    page.locator("[data-testid=asisten-answer][data-done]").wait_for()
    assert page.locator("#asisten-regulasi-widget img").count() == 0
    assert page.locator("#asisten-regulasi-widget .user").first.inner_text() == hostile
    assert page.evaluate("() => window.__pwned") is None


def test_swagger_docs_render_offline(page, ui_server):
    page.goto(ui_server.url + "/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Asisten Regulasi API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator("#operations-tanya-ask_v1_ask_post").wait_for()
    shot(page, "api-docs.png")
