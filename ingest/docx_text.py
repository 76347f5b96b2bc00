"""Word documents as the structure parser needs them: paragraphs with their automatic numbers
restored (Word keeps "1." / "a." of a numbered list in numbering.xml, not in the text), and data
tables rendered as Markdown rows under their header. Tables that only lay out a preamble
("Menimbang | : | a. bahwa ...") stay cell by cell."""
from __future__ import annotations

from docx.oxml.ns import qn

_FORMATS = {
    "decimal": lambda n: str(n),
    "lowerLetter": lambda n: _letters(n),
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperRoman": lambda n: _roman(n),
}


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(97 + rest) + out
    return out


def _roman(n: int) -> str:
    values = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
              (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in values:
        while n >= value:
            out, n = out + letters, n - value
    return out


class Numbering:
    """Counters of Word's automatic numbering, read from numbering.xml."""

    def __init__(self, document):
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}  # (numId, ilvl) → fmt, text, start
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if definition is None:
                continue
            for level in definition.findall(qn("w:lvl")):
                fmt, text, start = level.find(qn("w:numFmt")), level.find(qn("w:lvlText")), level.find(qn("w:start"))
                self.levels[(num.get(qn("w:numId")), level.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "%1.",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )

    def label(self, paragraph) -> str | None:
        num_pr = _num_pr(paragraph)
        if num_pr is None:
            return None
        num_id_el, ilvl_el = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
        num_id = num_id_el.get(qn("w:val")) if num_id_el is not None else None
        ilvl = int(ilvl_el.get(qn("w:val"))) if ilvl_el is not None else 0
        if num_id is None or num_id == "0" or (num_id, str(ilvl)) not in self.levels:
            return None
        fmt, text, start = self.levels[(num_id, str(ilvl))]
        formatter = _FORMATS.get(fmt)
        if formatter is None:  # bullets and picture numbering carry no number
            return None
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [lvl for lvl in counters if lvl > ilvl]:
            del counters[deeper]
        label = text
        for lvl in range(ilvl + 1):
            lvl_fmt = self.levels.get((num_id, str(lvl)), (fmt, "", start))[0]
            value = counters.get(lvl, self.levels.get((num_id, str(lvl)), (fmt, "", 1))[2])
            label = label.replace(f"%{lvl + 1}", _FORMATS.get(lvl_fmt, _FORMATS["decimal"])(value))
        return label.strip() or None


def _num_pr(paragraph):
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        return p_pr.numPr
    style = paragraph.style
    while style is not None:
        el = style.element.pPr
        if el is not None and el.numPr is not None:
            return el.numPr
        style = style.base_style
    return None


def paragraph_text(paragraph, numbering: Numbering) -> str:
    text = paragraph.text
    label = numbering.label(paragraph) if text.strip() else None
    return f"{label} {text}" if label and not text.lstrip().startswith(label) else text


def table_blocks(table, numbering: Numbering) -> list[str]:
    from docx.table import Table

    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if cell._tc in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(cell._tc)
            cells.append(cell)
        rows.append(cells)
    if _is_layout(rows):
        texts = []
        for cells in rows:
            for cell in cells:
                for item in cell.iter_inner_content():
                    texts.extend(table_blocks(item, numbering) if isinstance(item, Table) else [paragraph_text(item, numbering)])
        return texts
    grid = [[" ".join(c.text.split()).replace("|", "/") for c in cells] for cells in rows]
    width = max(len(r) for r in grid)
    grid = [r + [""] * (width - len(r)) for r in grid]
    lines = ["| " + " | ".join(grid[0]) + " |", "| " + " | ".join("---" for _ in range(width)) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in grid[1:]]
    return ["\n".join(lines)]


def _is_layout(rows) -> bool:
    """A preamble laid out in a table: a column of colons, a single row, or a single column."""
    if len(rows) < 2 or max(len(r) for r in rows) < 2:
        return True
    columns = max(len(r) for r in rows)
    for index in range(columns):
        values = {r[index].text.strip() for r in rows if index < len(r)}
        if values <= {":", ""}:
            return True
    first = " ".join(c.text for c in rows[0][:1]).strip()
    return first.rstrip(":") in ("Menimbang", "Mengingat", "Memperhatikan", "Menetapkan")
