"""Indonesian for the strings libraries write in English (`id.json`): Gradio's built-in controls,
the few strings Gradio's page hard-codes, and Click/Typer's help and errors behind the CLI.

Click and Typer translate through `gettext` (default domain "messages"), which reads only compiled
catalogues: `install_cli_translations()` compiles the table once (polib) into a cache folder and
binds the domain there, before Typer is imported (it reads some titles at import time).
"""
from __future__ import annotations

import gettext
import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

LOCALE_FILE = Path(__file__).with_name("id.json")
LANGUAGE = "id"


@lru_cache(maxsize=1)
def table() -> dict:
    return json.loads(LOCALE_FILE.read_text(encoding="utf-8"))


def gradio_keys() -> dict[str, str]:
    return dict(table()["gradio_keys"])


def gradio_page_text() -> dict[str, str]:
    return dict(table()["gradio_page_text"])


def cli_strings() -> dict[str, str]:
    return dict(table()["cli"])


def install_cli_translations() -> Path:
    """Compiles the CLI table to `messages.mo` (cached by content hash) and makes gettext use it.
    LANGUAGE is only set when the user has not chosen one."""
    import polib

    strings = cli_strings()
    digest = hashlib.sha1(json.dumps(strings, sort_keys=True).encode()).hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / f"asisten-locale-{digest}"
    mo = root / LANGUAGE / "LC_MESSAGES" / "messages.mo"
    if not mo.exists():
        catalogue = polib.POFile()
        catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": LANGUAGE}
        for msgid, msgstr in strings.items():
            catalogue.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        mo.parent.mkdir(parents=True, exist_ok=True)
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        catalogue.save_as_mofile(str(partial))
        partial.replace(mo)  # atomic: concurrent first runs never read half a file
    os.environ.setdefault("LANGUAGE", LANGUAGE)
    gettext.bindtextdomain("messages", str(root))
    return mo
