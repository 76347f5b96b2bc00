/*
 * Asisten Regulasi — portal widget.
 *
 *   <script src="https://ASISTEN/widget.js" data-api="https://ASISTEN" data-key="WIDGET_KEY" defer></script>
 *
 * Adds a chat bubble to the page. Questions go to POST {data-api}/v1/ask/stream (Server-Sent
 * Events: "delta", then "citations", then "done"). Under each answer: its warnings (revoked,
 * unofficial digest), and thumbs that POST {data-api}/v1/feedback for that answer's id. A request
 * that fails (network down, server busy) says so in Indonesian and offers "Coba lagi" with the same
 * question; the question is also put back in the box. Everything from the server is rendered as text
 * (textContent), never as HTML; links are set only for http(s) URLs. Styles live in a shadow root
 * so the host page and the widget do not affect each other.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__asistenRegulasiWidget) return;
  window.__asistenRegulasiWidget = true;

  var apiBase = (script.getAttribute("data-api") || "").replace(/\/+$/, "");
  if (!apiBase) {
    try { apiBase = new URL(script.src, window.location.href).origin; } catch (e) { apiBase = ""; }
  }
  var apiKey = script.getAttribute("data-key") || "";
  var title = script.getAttribute("data-title") || "Asisten Regulasi";
  var MAX_HISTORY = 10;

  var css = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,'Segoe UI',Roboto,sans-serif}",
    ".bubble{position:fixed;right:20px;bottom:20px;width:58px;height:58px;border-radius:50%;border:0;display:flex;align-items:center;justify-content:center;",
    "background:#1d4ed8;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 6px 18px rgba(0,0,0,.25);z-index:2147483000}",
    ".panel{position:fixed;right:20px;bottom:90px;width:min(380px,calc(100vw - 40px));height:min(560px,calc(100vh - 120px));",
    "background:#fff;color:#111827;border-radius:14px;box-shadow:0 12px 36px rgba(0,0,0,.28);display:none;flex-direction:column;",
    "overflow:hidden;z-index:2147483000;font-size:14px}",
    ".panel.open{display:flex}",
    ".head{background:#1d4ed8;color:#fff;padding:10px 14px;display:flex;justify-content:space-between;align-items:center}",
    ".head strong{font-size:15px}.head button{background:transparent;border:0;color:#fff;font-size:20px;cursor:pointer}",
    ".log{flex:1;overflow-y:auto;padding:12px;background:#f8fafc}",
    ".msg{margin:0 0 10px 0;padding:8px 10px;border-radius:10px;white-space:pre-wrap;line-height:1.45;word-wrap:break-word}",
    ".user{background:#dbeafe;margin-left:40px}.bot{background:#fff;border:1px solid #e5e7eb;margin-right:20px}",
    ".cites{margin:6px 0 0 0;padding:0;list-style:none;font-size:12.5px}",
    ".cites li{margin:4px 0;padding:6px 8px;background:#f1f5f9;border-radius:8px}",
    ".cites .label{font-weight:600}.cites .quote{display:block;color:#374151;margin-top:3px}",
    ".cites .badge{display:inline-block;margin-left:4px;padding:0 6px;border-radius:99px;font-size:11px;background:#ede9fe;color:#5b21b6}",
    ".cites a{color:#1d4ed8}",
    ".err{color:#991b1b}",
    ".warn{margin:6px 0 0 0;padding:6px 8px;border:1px solid #f59e0b;background:#fffbeb;color:#78350f;border-radius:8px;font-size:12.5px}",
    ".warn ul{margin:2px 0 0 16px;padding:0}",
    ".fb{margin-top:6px;display:flex;gap:6px;align-items:center;font-size:12px;color:#4b5563}",
    ".fb button,.retry{background:#fff;border:1px solid #cbd5e1;border-radius:99px;padding:2px 10px;cursor:pointer;font-size:12px;color:#1f2937}",
    ".fb button:disabled{opacity:.5;cursor:default}",
    ".retry{display:block;margin-top:6px;border-color:#1d4ed8;color:#1d4ed8}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #e5e7eb;background:#fff}",
    "textarea{flex:1;resize:none;height:44px;padding:8px;border:1px solid #cbd5e1;border-radius:8px;font-size:14px}",
    "form button{background:#1d4ed8;color:#fff;border:0;border-radius:8px;padding:0 14px;cursor:pointer;font-size:14px}",
    "form button:disabled{opacity:.5;cursor:default}",
    ".note{font-size:11px;color:#6b7280;padding:0 12px 8px;background:#fff}"
  ].join("");

  var host = document.createElement("div");
  host.id = "asisten-regulasi-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent = css;
  root.appendChild(style);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var bubble = el("button", "bubble");
  bubble.type = "button";
  var NS = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(NS, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "28");
  icon.setAttribute("height", "28");
  icon.setAttribute("aria-hidden", "true");
  var shape = document.createElementNS(NS, "path");
  shape.setAttribute("fill", "currentColor");
  shape.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.2 1.2 0 1 0 0 2.4A1.2 1.2 0 0 0 7 10zm5 0a1.2 1.2 0 1 0 0 2.4 1.2 1.2 0 0 0 0-2.4zm5 0a1.2 1.2 0 1 0 0 2.4 1.2 1.2 0 0 0 0-2.4z");
  icon.appendChild(shape);
  bubble.appendChild(icon);
  bubble.setAttribute("aria-label", "Buka " + title);
  bubble.setAttribute("data-testid", "asisten-bubble");
  var panel = el("div", "panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  var head = el("div", "head");
  head.appendChild(el("strong", null, title));
  var close = el("button", null, "×");
  close.type = "button";
  close.setAttribute("aria-label", "Tutup");
  head.appendChild(close);
  var log = el("div", "log");
  log.setAttribute("aria-live", "polite");
  log.appendChild(el("div", "msg bot", "Halo! Tanyakan regulasi penyederhanaan birokrasi; setiap jawaban disertai dasar hukumnya."));
  var form = el("form");
  var input = el("textarea");
  input.placeholder = "Tulis pertanyaan…";
  input.setAttribute("aria-label", "Pertanyaan");
  input.maxLength = 2000;
  var send = el("button", null, "Kirim");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  var note = el("div", "note", "Jawaban disusun dari korpus regulasi; periksa teks resmi sebelum dipakai dalam surat.");
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  panel.appendChild(note);
  root.appendChild(bubble);
  root.appendChild(panel);

  var history = [];
  var busy = false;

  function toggle(open) {
    panel.classList.toggle("open", open);
    if (open) input.focus();
  }
  bubble.addEventListener("click", function () { toggle(!panel.classList.contains("open")); });
  close.addEventListener("click", function () { toggle(false); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : submit(ev); }
  });

  function scroll() { log.scrollTop = log.scrollHeight; }

  function safeUrl(url) {
    if (typeof url !== "string") return null;
    try {
      var u = new URL(url);
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) { return null; }
  }

  function cutAtWord(text, max) {
    // A quote longer than `max` ends at the last whole word before it, never inside a word.
    text = String(text).replace(/\s+/g, " ").trim();
    if (text.length <= max) return text;
    var cut = text.slice(0, max + 1);
    var space = cut.lastIndexOf(" ");
    cut = (space > max * 0.5 ? cut.slice(0, space) : text.slice(0, max)).replace(/[\s,;:.\-–—(]+$/, "");
    return cut + " …";
  }

  function renderWarnings(box, warnings) {
    if (!warnings || !warnings.length) return;
    var wrap = el("div", "warn");
    wrap.setAttribute("role", "alert");
    wrap.setAttribute("data-testid", "asisten-warnings");
    wrap.appendChild(el("strong", null, "Perhatian"));
    var list = el("ul");
    warnings.forEach(function (w) { list.appendChild(el("li", null, w)); });
    wrap.appendChild(list);
    box.appendChild(wrap);
  }

  function renderFeedback(box, answerId) {
    if (!answerId) return;
    var row = el("div", "fb");
    row.setAttribute("data-testid", "asisten-feedback");
    var label = el("span", null, "Apakah jawaban ini membantu?");
    var up = el("button", null, "👍 Membantu");
    var down = el("button", null, "👎 Kurang tepat");
    [up, down].forEach(function (b) { b.type = "button"; });
    up.setAttribute("data-testid", "asisten-fb-up");
    down.setAttribute("data-testid", "asisten-fb-down");
    function rate(rating) {
      up.disabled = down.disabled = true;
      var headers = { "Content-Type": "application/json" };
      if (apiKey) headers["X-API-Key"] = apiKey;
      fetch(apiBase + "/v1/feedback", {
        method: "POST", headers: headers, body: JSON.stringify({ answer_id: answerId, rating: rating })
      }).then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        label.textContent = "Terima kasih, masukan Anda tersimpan.";
        row.setAttribute("data-sent", rating);
        up.remove(); down.remove();
      }).catch(function () {
        label.textContent = "Masukan belum terkirim; coba lagi.";
        up.disabled = down.disabled = false;
      });
    }
    up.addEventListener("click", function () { rate("up"); });
    down.addEventListener("click", function () { rate("down"); });
    row.appendChild(label);
    row.appendChild(up);
    row.appendChild(down);
    box.appendChild(row);
  }

  function renderCitations(box, citations) {
    if (!citations || !citations.length) return;
    var list = el("ul", "cites");
    list.setAttribute("data-testid", "asisten-citations");
    citations.forEach(function (c) {
      var item = el("li");
      item.appendChild(el("span", "label", "[" + c.n + "] " + (c.label || c.doc_id || "")));
      if (c.status === "dicabut") item.appendChild(el("span", "badge", "dicabut"));
      if (c.resmi === false) item.appendChild(el("span", "badge", "ringkasan tidak resmi"));
      if (c.quote) item.appendChild(el("span", "quote", "“" + cutAtWord(c.quote, 300) + "”"));
      var href = safeUrl(c.sumber_url);
      if (href) {
        var a = el("a", null, "sumber");
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        item.appendChild(document.createTextNode(" "));
        item.appendChild(a);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function parseEvents(buffer, onEvent) {
    // Splits complete SSE events off `buffer`; returns what is left (an incomplete event).
    buffer = buffer.replace(/\r\n/g, "\n");
    var parts = buffer.split("\n\n");
    var rest = parts.pop();
    parts.forEach(function (block) {
      var event = "message", data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) event = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (data.length) {
        var payload;
        try { payload = JSON.parse(data.join("\n")); } catch (e) { return; }
        onEvent(event, payload);
      }
    });
    return rest;
  }

  function errorMessage(status, body) {
    if (body && body.error && body.error.message) return body.error.message;
    if (status === 429) return "Terlalu banyak permintaan; coba lagi sebentar lagi.";
    return "Maaf, asisten sedang tidak dapat dihubungi (" + status + ").";
  }

  var OFFLINE = "Koneksi ke server terputus; pertanyaan Anda belum terjawab. Periksa jaringan lalu coba lagi.";

  function submit(ev) {
    if (ev) ev.preventDefault();
    var question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    log.appendChild(el("div", "msg user", question));
    ask(question);
  }

  function ask(question) {
    busy = true;
    send.disabled = true;
    var box = el("div", "msg bot");
    box.setAttribute("data-testid", "asisten-answer");
    var text = el("div", null, "…");
    box.appendChild(text);
    log.appendChild(box);
    scroll();
    var answer = "";
    var headers = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    if (apiKey) headers["X-API-Key"] = apiKey;
    fetch(apiBase + "/v1/ask/stream", {
      method: "POST",
      headers: headers,
      body: JSON.stringify({ question: question, history: history.slice(-MAX_HISTORY) })
    }).then(function (res) {
      if (!res.ok || !res.body) {
        return res.json().catch(function () { return null; }).then(function (body) {
          throw new Error(errorMessage(res.status, body));
        });
      }
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (step) {
          if (step.done) return;
          buffer = parseEvents(buffer + decoder.decode(step.value, { stream: true }), function (event, data) {
            if (event === "delta") {
              answer += data.text || "";
              text.textContent = answer;
            } else if (event === "citations") {
              renderCitations(box, data.citations);
            } else if (event === "done") {
              answer = data.answer || answer;
              text.textContent = answer;
              renderWarnings(box, data.warnings);
              renderFeedback(box, data.answer_id);
              box.setAttribute("data-answer-id", data.answer_id || "");
              box.setAttribute("data-done", "true");
            } else if (event === "error") {
              throw new Error(errorMessage(0, data));
            }
            scroll();
          });
          return pump();
        });
      }
      return pump();
    }).then(function () {
      history.push({ role: "user", content: question });
      history.push({ role: "assistant", content: answer });
    }).catch(function (err) {
      // fetch rejects with a TypeError ("Failed to fetch") when the network or the server is gone
      var offline = !err || err instanceof TypeError;
      text.textContent = offline ? OFFLINE : (err.message || "Maaf, terjadi kesalahan.");
      text.className = "err";
      box.setAttribute("data-done", "error");
      Array.prototype.slice.call(box.querySelectorAll(".cites")).forEach(function (n) { n.remove(); });
      var retry = el("button", "retry", "Coba lagi");
      retry.type = "button";
      retry.setAttribute("data-testid", "asisten-retry");
      retry.addEventListener("click", function () {
        if (busy) return;
        box.remove();
        if (input.value.trim() === question) input.value = "";
        ask(question);
      });
      box.appendChild(retry);
      if (!input.value.trim()) input.value = question;  // the question is kept, ready to send again
    }).then(function () {
      busy = false;
      send.disabled = false;
      scroll();
    });
  }
  form.addEventListener("submit", submit);

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
