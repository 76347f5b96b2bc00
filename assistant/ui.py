"""The staff chat page (Gradio Blocks, mounted at "/" of the API app).

Indonesian throughout; the answer streams in; each citation is a chip that opens the quoted Pasal
with its regulation, status badge and source link; filters by regulation and year; example
questions; thumbs up/down with an optional comment; the answer with its legal basis ready to paste
into a letter; a "Dokumen" tab with the corpus. No CDN asset: system fonts, no LaTeX, no plots.
Every value shown as HTML is escaped here; links are only http(s).
"""
from __future__ import annotations

import html
import json
import logging
import time
import uuid
from typing import Any

import gradio as gr

from .config import Settings
from .errors import AsistenError
from .feedback_store import FeedbackStore, UnknownAnswer
from .locale import gradio_keys, gradio_page_text
from .ui_access import LoginGate, Sessions, ui_auth
from .records import Answer, Citation, ChunkRecord, DocumentMeta, Filters, Turn

log = logging.getLogger("assistant.ui")

EXAMPLES = [
    "Apa saja klasifikasi jabatan pelaksana menurut Permenpan RB Nomor 45 Tahun 2022?",
    "Bagaimana penyetaraan jabatan administrasi ke dalam jabatan fungsional?",
    "Apa yang diatur dalam sistem kerja pada instansi pemerintah untuk penyederhanaan birokrasi?",
    "Apa isi Pasal 4 Permenpan RB Nomor 45 Tahun 2022?",
]

STATUS_LABEL = {
    "berlaku": "berlaku",
    "diubah": "diubah",
    "dicabut": "dicabut",
    "tidak diketahui": "status tidak diketahui",
}

CSS = """
#citation-chips .wrap { gap: 6px; }
#citation-chips label { border-radius: 999px !important; padding: 4px 12px !important; cursor: pointer; }
#citation-chips input[type=radio] { display: none; }
#citation-chips label.selected { background: #1d4ed8 !important; border-color: #1d4ed8 !important; }
#citation-chips label.selected span { color: #fff !important; }
.pasal-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 14px; }
.pasal-card h3 { margin: 6px 0 2px 0; font-size: 1.05em; }
.pasal-card .judul { color: var(--body-text-color-subdued); margin: 0 0 8px 0; font-size: 0.92em; }
.pasal-card blockquote { border-left: 4px solid #2563eb; margin: 8px 0; padding: 4px 10px; background: rgba(37,99,235,.06); }
.pasal-card .pasal-text p { margin: 6px 0; white-space: pre-wrap; }
.pasal-card .sumber { font-size: 0.88em; margin-top: 10px; word-break: break-all; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 0.8em; font-weight: 600; margin-right: 4px; }
.badge-berlaku { background: #dcfce7; color: #166534; }
.badge-dicabut { background: #fee2e2; color: #991b1b; }
.badge-diubah { background: #fef3c7; color: #92400e; }
.badge-tidak-diketahui { background: #e5e7eb; color: #374151; }
.badge-tidak-resmi { background: #ede9fe; color: #5b21b6; }
.badge-resmi { background: #dbeafe; color: #1e40af; }
.doc-table { width: 100%; border-collapse: collapse; font-size: 0.92em; }
.doc-table th, .doc-table td { border-bottom: 1px solid var(--border-color-primary); padding: 6px 8px; text-align: left; vertical-align: top; }
.muted { color: var(--body-text-color-subdued); }
.answer-warnings { border: 1px solid #f59e0b; background: #fffbeb; color: #78350f; border-radius: 8px; padding: 8px 12px; margin-top: 6px; }
.answer-warnings ul { margin: 4px 0 0 18px; padding: 0; }
#examples { flex-wrap: wrap; gap: 6px; }
#examples .example-q { white-space: normal !important; text-align: left; flex: 1 1 260px; min-width: 0; height: auto; line-height: 1.35; }
.outline { display: flex; flex-direction: column; gap: 2px; max-height: 70vh; overflow-y: auto; }
.outline .ol-bagian { font-weight: 700; margin-top: 8px; }
.outline .ol-bab { font-weight: 600; margin: 6px 0 0 6px; font-size: 0.92em; }
.outline .ol-struktur { margin: 4px 0 0 12px; font-size: 0.9em; color: var(--body-text-color-subdued); }
.outline .ol-unit { text-align: left; background: none; border: 0; border-radius: 6px; padding: 3px 8px 3px 18px; cursor: pointer; color: inherit; font: inherit; }
.outline .ol-unit:hover, .outline .ol-unit[aria-current] { background: rgba(37,99,235,.1); }
.reader-head h3 { margin: 6px 0 2px 0; }
.reader-head .relasi { margin: 6px 0 6px 18px; padding: 0; }
.timeline ol { margin: 4px 0 8px 18px; padding: 0; }
.reader-unit { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 14px; margin-top: 8px; }
.reader-unit h4 { margin: 0 0 4px 0; }
.reader-unit .pasal-text p { margin: 6px 0; white-space: pre-wrap; }
@media (max-width: 640px) {
  #chat { height: 52vh !important; min-height: 260px; }
  #tanya-row { gap: 8px; }
  .doc-table { display: block; overflow-x: auto; }
}
"""

COPY_JS = """
(text) => {
  const fallback = () => {
    const area = document.createElement('textarea');
    area.value = text || '';
    area.setAttribute('readonly', '');
    area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } catch (e) {}
    document.body.removeChild(area);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text || '').catch(fallback);
  } else { fallback(); }
  return [text];
}
"""

e = html.escape


def _safe_url(url: str | None) -> str | None:
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _badges(status: str, resmi: bool) -> str:
    cls = "badge-" + status.replace(" ", "-")
    parts = [f'<span class="badge {e(cls)}">{e(STATUS_LABEL.get(status, status))}</span>']
    if resmi:
        parts.append('<span class="badge badge-resmi">teks resmi</span>')
    else:
        parts.append('<span class="badge badge-tidak-resmi">ringkasan tidak resmi</span>')
    return "".join(parts)


def _doc_title(meta: DocumentMeta) -> str:
    head = meta.jenis
    if meta.nomor:
        head += f" Nomor {meta.nomor}"
    if meta.tahun:
        head += f" Tahun {meta.tahun}"
    return f"{head} tentang {meta.judul}"


def _body(chunk: ChunkRecord) -> str:
    from .citations import body

    return body(chunk)


def _paragraphs(text: str, quote: str | None) -> str:
    out = []
    for para in [p for p in text.split("\n") if p.strip()]:
        escaped = e(para.strip())
        if quote:
            q = e(quote.strip())
            if q and q in escaped:
                escaped = escaped.replace(q, f"<mark>{q}</mark>", 1)
        out.append(f"<p>{escaped}</p>")
    return "".join(out)


def citation_card(c: Citation, meta: DocumentMeta | None, chunks: list[ChunkRecord]) -> str:
    """The source view of one citation: regulation, badges, the quote, the whole Pasal, links."""
    cited = next((ch for ch in chunks if ch.chunk_id == c.chunk_id), None)
    if cited is not None and cited.pasal:
        selected = [ch for ch in chunks if ch.pasal == cited.pasal and ch.bagian == cited.bagian]
    else:
        selected = [cited] if cited is not None else []
    status = meta.status if meta else c.status
    resmi = meta.resmi if meta else c.resmi
    parts = ['<div class="pasal-card" data-testid="pasal-card">', _badges(status, resmi)]
    parts.append(f"<h3>[{c.n}] {e(c.label)}</h3>")
    if meta:
        parts.append(f'<p class="judul">{e(_doc_title(meta))}</p>')
    parts.append(f"<blockquote>{e(c.quote)}</blockquote>")
    if selected:
        title = f"Teks {('Pasal ' + cited.pasal) if cited and cited.pasal else 'bagian'} dalam korpus"
        parts.append(f'<p class="muted"><strong>{e(title)}</strong></p>')
        parts.append('<div class="pasal-text">')
        parts.append(_paragraphs("\n".join(_body(ch) for ch in selected), c.quote[:200]))
        parts.append("</div>")
    links = []
    urls = [c.sumber_url] + (list(meta.sumber) if meta else [])
    for url in dict.fromkeys(u for u in urls if _safe_url(u)):
        links.append(f'<a href="{e(url, quote=True)}" target="_blank" rel="noopener noreferrer">{e(url)}</a>')
    src = f"berkas {e(c.source)}" + (f", hlm. {c.page}" if c.page else "")
    parts.append(f'<p class="sumber">Sumber: {" · ".join(links[:3]) or "—"}<br>{src}'
                 f" · verifikasi: {e(c.verifikasi)}</p>")
    if meta and getattr(meta, "catatan", None):
        parts.append(f'<p class="muted">{e(str(meta.catatan))}</p>')
    parts.append("</div>")
    return "".join(parts)


def documents_table(docs: list[DocumentMeta]) -> str:
    names = {d.doc_id: d.short_name for d in docs}

    def rel(ids: list[str]) -> str:
        return ", ".join(e(names.get(i, i)) for i in ids)

    rows = []
    for d in docs:
        relations = []
        for title, ids in (("mencabut", d.mencabut), ("dicabut oleh", d.dicabut_oleh),
                           ("mengubah", d.mengubah), ("diubah oleh", d.diubah_oleh)):
            if ids:
                relations.append(f"{title}: {rel(ids)}")
        rows.append(
            "<tr>"
            f"<td><strong>{e(d.short_name)}</strong><br><span class='muted'>{e(d.judul)}</span>"
            f"<br><code>{e(d.doc_id)}</code></td>"
            f"<td>{e(d.jenis)}</td><td>{e(str(d.tahun or '—'))}</td>"
            f"<td>{_badges(d.status, d.resmi)}</td>"
            f"<td>{'<br>'.join(relations) or '—'}</td>"
            "</tr>"
        )
    head = "<tr><th>Dokumen</th><th>Jenis</th><th>Tahun</th><th>Status</th><th>Relasi</th></tr>"
    return (f"<p>{len(docs)} dokumen dalam korpus.</p>"
            f"<table class='doc-table' data-testid='doc-table'>{head}{''.join(rows)}</table>")


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text_of(p) for p in content)
    if isinstance(content, dict):
        if content.get("type") == "text":
            return str(content.get("text", ""))
        return ""
    return ""


def _history(chat: list, max_turns: int) -> list[Turn]:
    turns = []
    for msg in chat or []:
        role = msg.get("role") if isinstance(msg, dict) else getattr(msg, "role", None)
        content = msg.get("content") if isinstance(msg, dict) else getattr(msg, "content", None)
        text = _text_of(content).strip()
        if role in ("user", "assistant") and text:
            turns.append(Turn(role=role, content=text))
    return turns[-max_turns:] if max_turns else []


def build_ui(holder, store: FeedbackStore, settings: Settings) -> gr.Blocks:
    from .api.render import letter_text
    from .ui_reader import document_view, unit_key

    def assistant():
        return holder.get()

    def client_of(request: gr.Request | None) -> str | None:
        try:
            return request.client.host if request and request.client else None
        except Exception:  # noqa: BLE001
            return None

    def load(request: gr.Request):
        try:
            docs = assistant().documents()
        except AsistenError as exc:
            msg = f"<p>{e(exc.message)}</p>"
            return gr.update(choices=[]), gr.update(choices=[]), msg, gr.update(choices=[])
        doc_choices = [(f"{d.short_name}", d.doc_id) for d in docs]
        years = sorted({d.tahun for d in docs if d.tahun}, reverse=True)
        return (gr.update(choices=doc_choices), gr.update(choices=[(str(y), y) for y in years]),
                documents_table(docs), gr.update(choices=doc_choices))

    def respond(message, chat, doc_ids, years, state, request: gr.Request):
        question = (message or "").strip()
        chat = list(chat or [])
        skip7 = (gr.skip(),) * 7
        if not question:
            yield skip7
            return
        if len(question) > settings.max_question_chars:
            raise gr.Error(f"Pertanyaan terlalu panjang: {len(question)} karakter "
                           f"(maksimal {settings.max_question_chars}).")
        history = _history(chat, settings.max_history_turns)
        filters = Filters(doc_id=list(doc_ids or []), tahun=[int(y) for y in years or []])
        filters = None if filters.is_empty() else filters
        chat += [{"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        no_chips = gr.update(choices=[], value=None)
        yield chat, "", no_chips, "", "", gr.skip(), ""
        answer_id = uuid.uuid4().hex
        started = time.perf_counter()
        text, final = "", None
        try:
            for kind, payload in assistant().ask_stream(question, history, filters, None):
                if kind == "delta":
                    text += str(payload)
                    chat[-1] = {"role": "assistant", "content": text}
                    yield (chat,) + skip7[1:]
                elif kind == "done":
                    final = payload.model_copy(update={"answer_id": answer_id})
        except AsistenError as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {exc.message}"}
            yield (chat,) + skip7[1:]
            return
        if final is None:
            return
        latency = (time.perf_counter() - started) * 1000
        try:
            store.log_answer(
                answer_id=answer_id, question=question, channel="ui", status="ok", answer=final.answer,
                found=final.found, citations=[c.model_dump(mode="json") for c in final.citations],
                latency_ms=latency, filters=filters.model_dump(exclude_defaults=True) if filters else None,
                client=client_of(request),
            )
        except Exception:  # noqa: BLE001 - the answer matters more than its log line
            log.exception("failed to log UI answer")
        chat[-1] = {"role": "assistant", "content": final.answer}
        chips = gr.update(
            choices=[(f"[{c.n}] {c.label}", str(c.n)) for c in final.citations],
            value=None,
            visible=True,
        )
        hint = ("<p class='muted'>Klik salah satu kutipan di atas untuk membuka Pasal yang dikutip.</p>"
                if final.citations else "<p class='muted'>Tidak ada kutipan untuk jawaban ini.</p>")
        # Every answer's id by its position in the chat: the thumbs on an older message rate that one.
        ids = dict((state or {}).get("ids") or {})
        ids[str(len(chat) - 1)] = answer_id
        new_state = {"answer_id": answer_id, "answer": final.model_dump(mode="json"), "ids": ids}
        yield chat, gr.skip(), chips, hint, letter_text(final), new_state, warnings_html(final.warnings)

    def cited(choice, state) -> tuple[Citation, DocumentMeta | None, list[ChunkRecord]] | None:
        if not choice or not state or not state.get("answer"):
            return None
        answer = Answer.model_validate(state["answer"])
        c = next((c for c in answer.citations if str(c.n) == str(choice)), None)
        if c is None:
            return None
        try:
            meta, chunks = assistant().document(c.doc_id)
        except AsistenError:
            meta, chunks = None, []
        return c, meta, chunks

    def open_citation(choice, state):
        found = cited(choice, state)
        if found is None:
            return gr.skip(), gr.update(visible=False)
        return citation_card(*found), gr.update(visible=found[1] is not None)

    def open_in_reader(choice, state):
        """A citation opens the Dokumen tab's reader at the cited Pasal."""
        found = cited(choice, state)
        if found is None or found[1] is None:
            return (gr.skip(),) * 5
        c, meta, chunks = found
        chunk = next((ch for ch in chunks if ch.chunk_id == c.chunk_id), None)
        key = unit_key(chunk) if chunk is not None else (f"pasal:{c.pasal}" if c.pasal else None)
        head, outline, unit = document_view(assistant(), meta.doc_id, key)
        return gr.Tabs(selected="dokumen"), gr.update(value=meta.doc_id), head, outline, unit

    def read_document(doc_id):
        if not doc_id:
            return "", "", ""
        try:
            return document_view(assistant(), doc_id)
        except AsistenError as exc:
            return f"<p>{e(exc.message)}</p>", "", ""

    def read_unit(doc_id, evt: gr.EventData):
        key = getattr(evt, "_data", None) or {}
        key = key.get("unit") if isinstance(key, dict) else None
        if not doc_id or not key:
            return gr.skip(), gr.skip()
        try:
            _, outline, unit = document_view(assistant(), doc_id, key)
        except AsistenError as exc:
            return gr.skip(), f"<p>{e(exc.message)}</p>"
        return outline, unit

    def give_feedback(rating: int):
        def handler(comment, state, request: gr.Request):
            if not state or not state.get("answer_id"):
                return "Belum ada jawaban untuk dinilai.", gr.skip()
            try:
                store.add_feedback(state["answer_id"], rating, (comment or "").strip()[:2000] or None,
                                   channel="ui", client=client_of(request))
            except UnknownAnswer:
                return "Jawaban ini tidak tercatat; masukan tidak dapat disimpan.", gr.skip()
            return "Terima kasih, masukan Anda tersimpan.", ""

        return handler

    def like(data: gr.LikeData, state, request: gr.Request):
        """The chat's own thumbs rate the message they sit on, found by its position in the chat."""
        if data.liked is None or not state:
            return gr.skip()
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        answer_id = (state.get("ids") or {}).get(str(index))
        if answer_id is None:
            return "Pesan ini tidak dapat dinilai (bukan jawaban asisten yang tercatat)."
        try:
            store.add_feedback(answer_id, 1 if data.liked else -1, None, channel="ui", client=client_of(request))
        except UnknownAnswer:
            return "Jawaban ini tidak tercatat; masukan tidak dapat disimpan."
        return "Terima kasih, masukan Anda tersimpan."

    def reset():
        """A new conversation starts clean: no answer, no citation, and no filter left set."""
        return ([], "", gr.update(choices=[], value=None), "", "", None, "",
                gr.update(value=[]), gr.update(value=[]), gr.update(visible=False), "")

    with gr.Blocks(title="Asisten Regulasi", analytics_enabled=False) as demo:
        gr.Markdown(
            "# Asisten Regulasi\n"
            "Tanya-jawab regulasi penyederhanaan birokrasi. Setiap jawaban disertai dasar hukumnya "
            "(regulasi, Pasal, ayat); bila korpus tidak memuat dasarnya, asisten mengatakannya."
        )
        last = gr.State(None)
        with gr.Tabs() as tabs:
            with gr.Tab("Tanya", id="tanya"):
                with gr.Row(elem_id="tanya-row"):
                    with gr.Column(scale=3, min_width=300):
                        chatbot = gr.Chatbot(
                            label="Percakapan",
                            show_label=False,  # a floating label covered the first line on a phone
                            height=460,
                            placeholder="Tulis pertanyaan tentang penyederhanaan birokrasi, penyetaraan "
                                        "jabatan, sistem kerja, atau jabatan pelaksana.",
                            elem_id="chat",
                            buttons=["copy"],
                            feedback_options=("Like", "Dislike"),
                        )
                        warnings = gr.HTML(elem_id="answer-warnings")
                        msg = gr.Textbox(
                            label="Pertanyaan",
                            placeholder="Contoh: Apa saja klasifikasi jabatan pelaksana?",
                            submit_btn="Kirim",
                            max_length=settings.max_question_chars,
                            elem_id="question",
                            autofocus=True,
                        )
                    with gr.Column(scale=2, min_width=300, elem_id="basis-col"):
                        gr.Markdown("### Dasar hukum")
                        chips = gr.Radio(label="Kutipan (klik untuk membuka Pasal)", choices=[],
                                         elem_id="citation-chips")
                        pasal_view = gr.HTML(elem_id="pasal-view")
                        to_reader = gr.Button("Buka di pembaca dokumen", size="sm", visible=False,
                                              elem_id="open-reader")
                        with gr.Group():
                            letter = gr.Textbox(label="Jawaban + dasar hukum (siap ditempel ke surat)", lines=6,
                                                interactive=False, buttons=["copy"], elem_id="letter-text")
                            copy_btn = gr.Button("Salin jawaban + dasar hukum", size="sm", elem_id="copy-btn")
                        with gr.Row():
                            up = gr.Button("Membantu", size="sm", elem_id="fb-up")
                            down = gr.Button("Kurang tepat", size="sm", elem_id="fb-down")
                        comment = gr.Textbox(label="Komentar (opsional)", lines=2, max_length=2000,
                                             elem_id="fb-comment")
                        status = gr.Markdown(elem_id="status")
                gr.Markdown("**Contoh pertanyaan** (klik untuk bertanya)")
                with gr.Row(elem_id="examples"):
                    example_buttons = [gr.Button(q, size="sm", elem_classes=["example-q"]) for q in EXAMPLES]
                with gr.Row():
                    with gr.Accordion("Saring sumber", open=False, elem_id="filters"):
                        with gr.Row():
                            doc_filter = gr.Dropdown(label="Regulasi", choices=[], multiselect=True,
                                                     elem_id="filter-doc")
                            year_filter = gr.Dropdown(label="Tahun", choices=[], multiselect=True,
                                                      elem_id="filter-year")
                    new_chat = gr.Button("Percakapan baru", variant="secondary", size="sm", elem_id="new-chat")
            with gr.Tab("Dokumen", id="dokumen"):
                with gr.Row(elem_id="reader"):
                    with gr.Column(scale=1, min_width=260):
                        reader_doc = gr.Dropdown(label="Pilih dokumen", choices=[], elem_id="reader-doc")
                        reader_outline = gr.HTML(
                            elem_id="reader-outline-box",
                            js_on_load=OUTLINE_JS,
                        )
                    with gr.Column(scale=2, min_width=300):
                        reader_head = gr.HTML(elem_id="reader-head-box")
                        reader_unit = gr.HTML(elem_id="reader-unit-box")
                with gr.Accordion("Katalog dokumen", open=True):
                    docs_html = gr.HTML("<p>Memuat daftar dokumen …</p>", elem_id="doc-list")

        outputs = [chatbot, msg, chips, pasal_view, letter, last, warnings]
        ask_inputs = [msg, chatbot, doc_filter, year_filter, last]
        msg.submit(respond, ask_inputs, outputs, api_visibility="private")
        for button, question in zip(example_buttons, EXAMPLES):
            button.click(lambda q=question: q, None, [msg], api_visibility="private").then(
                respond, ask_inputs, outputs, api_visibility="private")
        chips.change(open_citation, [chips, last], [pasal_view, to_reader], api_visibility="private")
        to_reader.click(open_in_reader, [chips, last], [tabs, reader_doc, reader_head, reader_outline, reader_unit],
                        api_visibility="private")
        reader_doc.input(read_document, [reader_doc], [reader_head, reader_outline, reader_unit],
                         api_visibility="private")
        reader_outline.click(read_unit, [reader_doc], [reader_outline, reader_unit], api_visibility="private")
        up.click(give_feedback(1), [comment, last], [status, comment], api_visibility="private")
        down.click(give_feedback(-1), [comment, last], [status, comment], api_visibility="private")
        chatbot.like(like, [last], [status], api_visibility="private")
        copy_btn.click(lambda text: "Jawaban beserta dasar hukum disalin." if text else "Belum ada jawaban.",
                       [letter], [status], js=COPY_JS, api_visibility="private")
        new_chat.click(reset, None, outputs + [doc_filter, year_filter, to_reader, status], api_visibility="private")
        demo.load(load, None, [doc_filter, year_filter, docs_html, reader_doc], api_visibility="private")
    return demo


def warnings_html(warnings: list[str]) -> str:
    """The answer's warnings (revoked, digest, only reported), shown right under the answer."""
    if not warnings:
        return ""
    items = "".join(f"<li>{e(w)}</li>" for w in warnings)
    return f'<div class="answer-warnings" role="alert" data-testid="answer-warnings"><strong>Perhatian</strong><ul>{items}</ul></div>'


OUTLINE_JS = """
element.addEventListener('click', (event) => {
  const item = event.target.closest('[data-unit]');
  if (item) trigger('click', {unit: item.dataset.unit});
});
"""


THEME_FONTS = dict(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                   font_mono=["ui-monospace", "Consolas", "monospace"])


def locale_head() -> str:
    """A script that puts the few strings Gradio's page hard-codes in English (the "connection
    lost" toast, tooltips) into Indonesian as they appear; the table is assistant/locale/id.json."""
    table = json.dumps(gradio_page_text(), ensure_ascii=False).replace("</", "<\\/")
    return "<script>window.ASISTEN_ID = " + table + ";" + LOCALE_JS + "</script>"


LOCALE_JS = """
(() => {
  const t = window.ASISTEN_ID;
  const fix = (node) => {
    if (node.nodeType === 3) {
      const key = node.nodeValue.trim();
      if (key && t[key]) node.nodeValue = node.nodeValue.replace(key, t[key]);
      return;
    }
    if (node.nodeType !== 1) return;
    for (const attr of ['title', 'aria-label', 'placeholder']) {
      const v = node.getAttribute(attr);
      if (v && t[v.trim()]) node.setAttribute(attr, t[v.trim()]);
    }
    for (const child of node.childNodes) fix(child);
  };
  const start = () => {
    fix(document.body);
    new MutationObserver((changes) => changes.forEach((c) => {
      if (c.type === 'characterData' || c.type === 'attributes') fix(c.target); else c.addedNodes.forEach(fix);
    })).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                attributeFilter: ['title', 'aria-label', 'placeholder']});
  };
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


def gradio_i18n() -> gr.I18n:
    """Gradio's built-in controls in Indonesian whatever the browser's language (Gradio picks its
    strings by the browser; these keys override them for Indonesian and for the English fallback)."""
    keys = gradio_keys()
    return gr.I18n(id=keys, en=keys)


def mount_ui(app, *, holder, store: FeedbackStore, settings: Settings, keyed: bool = False):
    """Mount the chat page at "/" now (after every API route, which keep precedence). The server
    uses `assistant.ui_lazy.mount_lazy_ui`, which builds it after start-up instead."""
    check = ui_auth(settings, keyed)  # a bad user list stops the start with its reason
    if check is not None:
        app.add_middleware(LoginGate, sessions=Sessions(settings, check), limiter=app.state.client_limiter)
    return mount_gradio(app, holder=holder, store=store, settings=settings)


def mount_gradio(app, *, holder, store: FeedbackStore, settings: Settings):
    """Builds the Blocks and mounts them on `app` at "/" (Gradio's start-up events in its lifespan)."""
    demo = build_ui(holder, store, settings)
    theme = gr.themes.Soft(**THEME_FONTS)  # system fonts: no web-font request leaves the machine
    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        theme=theme,
        css=CSS,
        head=locale_head(),
        i18n=gradio_i18n(),
        footer_links=[],
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        enable_monitoring=False,
        show_error=False,
    )
