"""The rough edges of the browser audit (issue 17), in a real headless Chromium (Debian's
/usr/bin/chromium driven by Playwright, a fresh profile per launch): a citation opens the reader at
its Pasal; the chat's thumbs on an older answer rate that answer (checked in the database); filters
reset on "Percakapan baru"; on a 390 px phone nothing covers the answer (screenshot); the sign-in at
/masuk when API keys and users are set; no English tooltip, toast or Gradio translation; the widget's
thumbs, warnings, retry after a network failure, and quotes cut at word boundaries.

Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import re
import time

import httpx
import pytest
import sqlalchemy as sa
from api_server import ServerThread, app_settings, free_port
from test_ui_browser import ARTIFACTS, CHROMIUM_ARGS, ask_in_ui, browser, chromium_path, shot  # noqa: F401

from assistant.database import database_url

pytestmark = [pytest.mark.browser, pytest.mark.server]

WIDGET_KEY = "kunci-widget-audit-12345"
QUESTION = "Apa saja klasifikasi jabatan pelaksana?"
PASAL_QUESTION = "Apa isi Pasal 4 Permenpan RB Nomor 45 Tahun 2022?"
OTHER_QUESTION = "Bagaimana penyetaraan jabatan administrasi ke dalam jabatan fungsional?"
ENGLISH = ["Clear", "Copy message", "Like", "Dislike", "Connection to the server was lost", "Failed to fetch"]


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(r"(?<![A-Za-z])" + re.escape(w) + r"(?![A-Za-z])", text)]


@pytest.fixture(scope="module")
def audit_server(assistant, shipped_settings, tmp_path_factory):
    from assistant.api import create_app

    port = free_port()
    settings = app_settings(shipped_settings, tmp_path_factory.mktemp("ui-audit"),
                            api_keys=f"{WIDGET_KEY}:ask:http://127.0.0.1:{port}", ui_access="open")
    srv = ServerThread(create_app(settings, assistant=assistant, ui=True), port=port).start()
    srv.settings = settings
    yield srv
    srv.stop()


def db(server):
    return sa.create_engine(database_url(server.settings))


def new_page(browser, server, **context):
    ctx = browser.new_context(**{"viewport": {"width": 1360, "height": 900}, "locale": "id-ID", **context})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    outside = []
    local = (server.url, "data:", "blob:", "about:")
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(local) else None)
    return ctx, page, outside


@pytest.fixture()
def page(browser, audit_server):
    ctx, page, outside = new_page(browser, audit_server)
    yield page
    ctx.close()
    assert outside == [], f"requests left the machine: {outside}"


def wait_idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('.pending, .generating')", timeout=60_000)


def bot_messages(page):
    return page.locator("#chat [data-testid=bot]")


# ---- the chat page ---------------------------------------------------------------------------

def test_a_citation_opens_the_reader_at_that_pasal(page, audit_server):
    ask_in_ui(page, audit_server.url, PASAL_QUESTION)
    chip = page.locator("#citation-chips label").first
    label = chip.inner_text()
    pasal = re.search(r"Pasal (\d+[A-Z]?)", label)
    assert pasal, label
    chip.click()
    page.locator("[data-testid=pasal-card]").wait_for()
    page.locator("#open-reader").click()
    unit = page.locator("[data-testid=reader-unit]")
    unit.wait_for()
    assert page.get_by_role("tab", name="Dokumen").get_attribute("aria-selected") == "true"
    title = unit.locator("h4").inner_text()
    assert title.endswith(f"Pasal {pasal.group(1)}"), (label, title)
    assert label.split("] ", 1)[1].split(",")[0] in title  # the cited regulation, not another
    current = page.locator("[data-testid=reader-outline] [aria-current=true]")
    assert current.count() == 1 and current.inner_text().startswith(f"Pasal {pasal.group(1)}")
    shot(page, "ui-pembaca-dari-kutipan.png")


def test_thumbs_on_an_older_answer_store_feedback_for_that_answer(page, audit_server):
    ask_in_ui(page, audit_server.url, QUESTION)
    wait_idle(page)
    box = page.locator("#question textarea")
    box.fill(OTHER_QUESTION)
    box.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#chat [data-testid=bot]').length >= 2")
    page.locator("#citation-chips label").first.wait_for()
    wait_idle(page)
    first = bot_messages(page).first
    first.hover()
    # the thumbs of the first answer (Gradio puts them in the message's button bar)
    like = page.locator("#chat .message-row, #chat .message-wrap > div").filter(has=first).locator(
        "button[aria-label='Membantu'], button[title='Membantu']").first
    if like.count() == 0:
        like = page.locator("#chat button[aria-label='Membantu'], #chat button[title='Membantu']").first
    like.click()
    page.locator("#status").get_by_text("Terima kasih, masukan Anda tersimpan.").wait_for()
    engine = db(audit_server)
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT a.question, f.rating, f.channel FROM feedback f JOIN answers a ON a.answer_id = f.answer_id "
            "ORDER BY f.feedback_id DESC LIMIT 1")).one()
    engine.dispose()
    assert tuple(row) == (QUESTION, 1, "ui"), row


def test_filters_reset_after_new_conversation(page, audit_server):
    page.goto(audit_server.url + "/")
    page.locator("#question textarea").wait_for()
    page.locator("#filters").get_by_text("Saring sumber").click()
    for box in ("#filter-doc", "#filter-year"):
        page.locator(f"{box} input").click()
        page.get_by_role("option").first.click()
        page.keyboard.press("Escape")
        page.locator(f"{box} .token").first.wait_for()
    assert page.locator("#filter-doc .token").count() == 1 and page.locator("#filter-year .token").count() == 1
    page.locator("#new-chat").click()
    page.wait_for_function("() => !document.querySelector('#filter-doc .token, #filter-year .token')",
                           timeout=30_000)
    wait_idle(page)
    shot(page, "ui-saringan-direset.png")


def test_phone_viewport_label_does_not_cover_the_answer(browser, audit_server):
    ctx, page, outside = new_page(browser, audit_server, viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        ask_in_ui(page, audit_server.url, QUESTION)
        wait_idle(page)
        overlap = page.evaluate("""() => {
          const answer = document.querySelector('#chat [data-testid=bot]').getBoundingClientRect();
          const hits = [];
          for (const node of document.querySelectorAll('#chat *')) {
            const own = [...node.childNodes].filter(n => n.nodeType === 3).map(n => n.nodeValue).join('').trim();
            if (own !== 'Percakapan') continue;
            const r = node.getBoundingClientRect();
            if (r.width && r.height && r.left < answer.right && r.right > answer.left &&
                r.top < answer.bottom && r.bottom > answer.top) hits.push(node.outerHTML.slice(0, 120));
          }
          return hits;
        }""")
        assert overlap == [], overlap
        answer_top = bot_messages(page).first.bounding_box()["y"]
        chips_top = page.locator("#citation-chips").bounding_box()["y"] + page.evaluate("window.scrollY")
        assert answer_top < 844 and chips_top < 3 * 844, (answer_top, chips_top)
        shot(page, "ui-ponsel-390.png")
    finally:
        ctx.close()
    assert outside == []


def test_sign_in_at_masuk_when_keys_and_users_are_set(browser, assistant, shipped_settings, tmp_path):
    from assistant.api import create_app

    settings = app_settings(shipped_settings, tmp_path, api_keys="kunci-admin-masuk-12345:admin",
                            ui_users="staf:sandi-rahasia-1", ui_access="login")
    srv = ServerThread(create_app(settings, assistant=assistant, ui=True)).start()
    ctx, page, outside = new_page(browser, srv)
    try:
        page.goto(srv.url + "/")
        assert "/masuk" in page.url
        form = page.locator("[data-testid=login-form]")
        form.wait_for()
        assert "Nama pengguna" in form.inner_text() and "Kata sandi" in form.inner_text()
        page.fill("#user", "staf")
        page.fill("#pw", "sandi-salah-99")
        page.locator("[data-testid=login-form] button[type=submit]").click()
        page.get_by_text("Nama pengguna atau kata sandi salah.").wait_for()
        shot(page, "ui-masuk-gagal.png")
        page.fill("#user", "staf")
        page.fill("#pw", "sandi-rahasia-1")
        page.locator("[data-testid=login-form] button[type=submit]").click()
        page.locator("#question textarea").wait_for()
        assert "/masuk" not in page.url
        # the API keeps its keys: the page's cookie is no API key
        assert httpx.get(srv.url + "/v1/documents", timeout=30).status_code == 401
    finally:
        ctx.close()
        srv.stop()
    assert outside == []


def test_no_english_tooltip_toast_or_translation(page, audit_server):
    ask_in_ui(page, audit_server.url, QUESTION)
    wait_idle(page)
    bot_messages(page).first.hover()
    texts = page.evaluate("""() => {
      const out = [document.body.innerText];
      for (const node of document.querySelectorAll('*')) {
        for (const attr of ['title', 'aria-label', 'placeholder', 'alt']) {
          const v = node.getAttribute(attr); if (v) out.push(v);
        }
      }
      return out.join('\\n');
    }""")
    assert english_in(texts) == [], english_in(texts)
    # Gradio's own translation table, as the page receives it
    config = httpx.get(audit_server.url + "/config", timeout=30).json()
    table = config.get("i18n_translations") or {}
    assert table, sorted(config)
    for lang in ("id", "en"):
        values = "\n".join(str(v) for v in (table.get(lang) or {}).values())
        assert values and english_in(values) == [], (lang, english_in(values))
        assert table[lang]["chatbot.like"] == "Membantu" and table[lang]["chatbot.clear"] == "Hapus percakapan"


def test_lost_connection_toast_is_indonesian(browser, assistant, shipped_settings, tmp_path):
    from assistant.api import create_app

    settings = app_settings(shipped_settings, tmp_path, ui_access="open")
    srv = ServerThread(create_app(settings, assistant=assistant, ui=True)).start()
    ctx, page, _ = new_page(browser, srv)
    try:
        page.goto(srv.url + "/")
        box = page.locator("#question textarea")
        box.wait_for()
        wait_idle(page)
        srv.stop()  # the server goes away under the open page
        box.fill(QUESTION)
        box.press("Enter")
        page.get_by_text(re.compile("Koneksi ke server terputus")).first.wait_for(timeout=45_000)
        body = page.evaluate("() => document.body.innerText")
        assert english_in(body) == [], english_in(body)
        shot_path = ARTIFACTS / "ui-koneksi-terputus.png"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(shot_path))
    finally:
        ctx.close()
        srv.stop()


# ---- the widget ------------------------------------------------------------------------------

def open_widget(page, server, question: str):
    page.goto(server.url + "/widget-demo")
    page.locator("[data-testid=asisten-bubble]").click()
    box = page.locator("#asisten-regulasi-widget textarea")
    box.fill(question)
    box.press("Enter")
    return box


def test_widget_feedback_warnings_and_quotes_cut_at_words(page, audit_server, assistant):
    expected = assistant.ask(QUESTION)
    open_widget(page, audit_server, QUESTION)
    answer = page.locator("[data-testid=asisten-answer][data-done=true]")
    answer.wait_for()
    if expected.warnings:
        warn = answer.locator("[data-testid=asisten-warnings]")
        assert warn.count() == 1 and expected.warnings[0] in warn.inner_text()
    quotes = {c.n: " ".join(c.quote.split()) for c in expected.citations}
    shown = answer.locator("[data-testid=asisten-citations] li")
    assert shown.count() == len(quotes)
    cut = 0
    for i in range(shown.count()):
        item = shown.nth(i)
        n = int(re.match(r"\[(\d+)\]", item.locator(".label").inner_text()).group(1))
        text = item.locator(".quote").inner_text().strip("“”")
        full = quotes[n]
        if text != full:
            cut += 1
            assert text.endswith(" …"), text
            head = text[: -len(" …")]
            assert full.startswith(head) and full[len(head)] in " ,;:.", (head[-30:], full[len(head):len(head) + 10])
    answer_id = answer.get_attribute("data-answer-id")
    assert answer_id
    answer.locator("[data-testid=asisten-fb-up]").click()
    answer.get_by_text("Terima kasih, masukan Anda tersimpan.").wait_for()
    engine = db(audit_server)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT rating, channel FROM feedback WHERE answer_id = :a"), {"a": answer_id}).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "widget")]
    shot(page, "widget-masukan-peringatan.png")


def test_widget_cuts_a_long_quote_at_a_word_boundary(page, audit_server):
    page.goto(audit_server.url + "/widget-demo")
    page.locator("[data-testid=asisten-bubble]").wait_for()
    long_text = " ".join(f"kata{i}panjang" for i in range(120))
    # the widget's own function, on a quote longer than it shows
    page.route("**/v1/ask/stream", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream"},
        body=("event: citations\ndata: " + __import__("json").dumps({"citations": [
            {"n": 1, "label": "Uji", "quote": long_text, "doc_id": "uji"}]}) + "\n\n"
              "event: done\ndata: " + __import__("json").dumps({"answer": "Jawaban uji [1].", "answer_id": "uji1",
                                                                 "warnings": ["Peringatan uji."]}) + "\n\n")))
    page.locator("[data-testid=asisten-bubble]").click()
    box = page.locator("#asisten-regulasi-widget textarea")
    box.fill(QUESTION)
    box.press("Enter")
    page.locator("[data-testid=asisten-answer][data-done=true]").wait_for()
    quote = page.locator("[data-testid=asisten-citations] .quote").inner_text().strip("“”")
    assert quote.endswith(" …") and len(quote) <= 305
    words = quote[:-2].split()
    assert all(re.fullmatch(r"kata\d+panjang", w) for w in words), words[-3:]
    assert "Peringatan uji." in page.locator("[data-testid=asisten-warnings]").inner_text()


def test_widget_retries_after_a_network_failure(page, audit_server):
    failures = {"n": 0}

    def drop(route):
        failures["n"] += 1
        route.abort("internetdisconnected")

    page.goto(audit_server.url + "/widget-demo")
    page.route("**/v1/ask/stream", drop)
    page.locator("[data-testid=asisten-bubble]").click()
    box = page.locator("#asisten-regulasi-widget textarea")
    box.fill(QUESTION)
    box.press("Enter")
    failed = page.locator("[data-testid=asisten-answer][data-done=error]")
    failed.wait_for()
    message = failed.inner_text()
    assert "Koneksi ke server terputus" in message and english_in(message) == [], message
    assert box.input_value() == QUESTION  # the question is kept
    shot(page, "widget-gagal-koneksi.png")
    page.unroute("**/v1/ask/stream")
    failed.locator("[data-testid=asisten-retry]").click()
    answer = page.locator("[data-testid=asisten-answer][data-done=true]")
    answer.wait_for()
    assert "[1]" in answer.inner_text()
    assert page.locator("#asisten-regulasi-widget .user").count() == 1  # asked once, answered once
    assert page.locator("[data-testid=asisten-answer][data-done=error]").count() == 0
    assert failures["n"] == 1
