"""OCR of page images with Tesseract and its Indonesian data, for scanned pages and pages whose
text layer is only a stamp. Pages are rendered with pypdfium2; each page read is reported to a
progress callback (OCR takes seconds a page), which the CLI shows as a bar."""
from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path
from typing import Callable

from assistant.errors import DocumentRejected

LANGUAGE = "ind"
DPI = 300
INSTALL_HINT = (
    "pasang mesin OCR Tesseract beserta data bahasa Indonesia: "
    "sudo apt-get install tesseract-ocr tesseract-ocr-ind (Debian/Ubuntu), lalu jalankan ingest lagi"
)

# Called as progress(pages_done, pages_total) for one file.
PageProgress = Callable[[int, int], None]


@lru_cache(maxsize=8)
def engine_problem(command: str = "tesseract") -> str | None:
    """None when Tesseract (`command`) with Indonesian data can run; else what is missing (Indonesian)."""
    if shutil.which(command) is None:
        return f"mesin OCR Tesseract tidak terpasang (perintah '{Path(command).name}' tidak ditemukan)"
    try:
        import pytesseract

        pytesseract.pytesseract.tesseract_cmd = command
        languages = pytesseract.get_languages(config="")
    except Exception as exc:  # noqa: BLE001 - a broken install is the same as a missing one
        return f"mesin OCR Tesseract tidak dapat dijalankan ({exc})"
    if LANGUAGE not in languages:
        return "data bahasa Indonesia Tesseract (tesseract-ocr-ind) tidak terpasang"
    return None


def ocr_pages(path: Path, numbers: list[int], command: str = "tesseract",
              progress: PageProgress | None = None) -> dict[int, str]:
    """Page number (1-based) → OCR text, or DocumentRejected saying how to install the engine."""
    problem = engine_problem(command)
    if problem:
        raise DocumentRejected(str(path), f"halaman {_pages(numbers)} berupa gambar hasil pindaian dan perlu OCR, tetapi "
                               f"{problem}; {INSTALL_HINT}")
    import pypdfium2
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = command
    out: dict[int, str] = {}
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        if progress:
            progress(0, len(numbers))  # the bar shows before the first (slow) page
        for done, number in enumerate(numbers, 1):
            image = pdf[number - 1].render(scale=DPI / 72, grayscale=True).to_pil()
            out[number] = pytesseract.image_to_string(image, lang=LANGUAGE, config="--psm 4")
            if progress:
                progress(done, len(numbers))
    finally:
        pdf.close()
    return out


def _pages(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" dst." if len(numbers) > 10 else "")
