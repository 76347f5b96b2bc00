"""PDF page text rebuilt from character positions (pdfplumber), not from the order of text
operators: letter-spaced ("P a s a l 1") and glyph-by-glyph headings come out as words, a raised
small digit after a word is a footnote mark (written as a superscript digit, which the structure
parser reads off: "Pasal 7²" is Pasal 7 with note 2, never Pasal 72), small lines at the foot of a
page that start with a mark are footnote texts (prefixed FOOTNOTE_LINE), and ruled tables become
Markdown rows with their header.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

FOOTNOTE_LINE = "\ue000"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MIN_TEXT_CHARS = 40  # fewer visible characters than this on a page: its text is an image (scan)


@dataclass
class PageText:
    text: str
    visible_chars: int
    has_images: bool
    tables: int = 0

    @property
    def needs_ocr(self) -> bool:
        return self.visible_chars < MIN_TEXT_CHARS or (self.has_images and self.visible_chars < 3 * MIN_TEXT_CHARS)


@dataclass
class _Line:
    chars: list = field(default_factory=list)
    marks: list = field(default_factory=list)  # raised small digits

    @property
    def bottom(self) -> float:
        return statistics.median(c["bottom"] for c in self.chars)

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars)

    @property
    def size(self) -> float:
        return statistics.median(c["size"] for c in self.chars)


def page_text(page) -> PageText:
    tables = _tables(page)
    in_table = [t.bbox for t, _ in tables]
    chars = [
        c for c in page.chars
        if c.get("upright", True) and not any(_inside(c, box) for box in in_table)
    ]
    visible = sum(1 for c in page.chars if c["text"].strip())
    lines = _group_lines(chars)
    body_size = statistics.median([c["size"] for c in chars if c["text"].strip()] or [10])
    entries: list[tuple[float, str]] = []
    for line in lines:
        text = _line_text(line)
        if not text.strip():
            continue
        small = line.size < 0.85 * body_size
        if small and line.top > page.height * 0.7 and text[:1].isdigit():
            mark, _, rest = text.partition(" ")
            text = f"{FOOTNOTE_LINE}{mark.strip('.)')} {rest}"
        elif small and line.top > page.height * 0.7 and entries and entries[-1][1].startswith(FOOTNOTE_LINE):
            entries[-1] = (entries[-1][0], f"{entries[-1][1]} {text}")
            continue
        entries.append((line.top, text))
    for table, rows in tables:
        entries.append((table.bbox[1], "\n".join(_markdown(rows))))
    entries.sort(key=lambda e: (e[1].startswith(FOOTNOTE_LINE), e[0]))
    return PageText("\n".join(t for _, t in entries), visible, bool(page.images), len(tables))


def _inside(char, box) -> bool:
    x0, top, x1, bottom = box
    return x0 - 1 <= char["x0"] and char["x1"] <= x1 + 1 and top - 1 <= char["top"] and char["bottom"] <= bottom + 1


def _tables(page) -> list:
    """Ruled tables with at least a header and one row of two or more columns."""
    found = []
    try:
        candidates = page.find_tables()
    except Exception:  # noqa: BLE001 - a damaged drawing must not cost the page its text
        return []
    for table in candidates:
        rows = [[(cell or "").replace("\n", " ").strip() for cell in row] for row in table.extract()]
        rows = [r for r in rows if any(r)]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            found.append((table, rows))
    return found


def _markdown(rows: list[list[str]]) -> list[str]:
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    clean = [[c.replace("|", "/") for c in r] for r in rows]
    return (["| " + " | ".join(clean[0]) + " |", "| " + " | ".join("---" for _ in range(width)) + " |"]
            + ["| " + " | ".join(r) + " |" for r in clean[1:]])


def _group_lines(chars: list) -> list[_Line]:
    """Chars on one baseline form a line; a small char raised above a line's baseline (inside its
    height) is a mark of that line, not a line of its own."""
    lines: list[_Line] = []
    for char in sorted(chars, key=lambda c: (-c["size"], c["bottom"])):
        home = None
        for line in lines:
            if abs(char["bottom"] - line.bottom) <= max(1.5, 0.25 * line.size):
                home = line
                break
        if home is not None:
            home.chars.append(char)
            continue
        raised = next(
            (line for line in lines
             if char["size"] < 0.8 * line.size and line.top - 1 <= char["top"] and char["bottom"] < line.bottom - 0.5),
            None,
        )
        if raised is not None and char["text"].isdigit():
            raised.marks.append(char)
        else:
            lines.append(_Line([char]))
    return sorted(lines, key=lambda l: l.top)


def _line_text(line: _Line) -> str:
    chars = sorted(line.chars + line.marks, key=lambda c: c["x0"])
    marks = {id(c) for c in line.marks}
    has_spaces = any(c["text"] == " " for c in chars)
    gaps = [b["x0"] - a["x1"] for a, b in zip(chars, chars[1:]) if a["text"] != " " and b["text"] != " "]
    typical = statistics.median(gaps) if gaps else 0.0
    letter_spaced = typical > 0.12 * line.size
    out: list[str] = []
    previous = None
    for char in chars:
        text = char["text"]
        if id(char) in marks:
            out.append(text.translate(_SUPERSCRIPT))
            previous = char
            continue
        if previous is not None and text != " " and (not out or out[-1] != " "):
            gap = char["x0"] - previous["x1"]
            threshold = max(typical * 1.8, 0.5 * line.size) if letter_spaced else 0.2 * line.size
            if gap > threshold and not (has_spaces and not letter_spaced and gap < 0.5 * line.size):
                out.append(" ")
        if text == " " and letter_spaced:
            # A space between letter-spaced letters is a word break only when it is wider.
            out.append(" ")
        else:
            out.append(text)
        previous = char
    text = "".join(out)
    return " ".join(text.split())
