"""The lexicon data files: loader, schema, and the tables themselves."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import lexicons
from assistant.lexicons import LexiconInvalid, lexicon_files, lexicon_hash, load_map, load_words
from assistant.lexicons.schema import parse_map, parse_words


def test_every_data_file_passes_the_schema_and_names_source_and_licence():
    files = lexicon_files()
    assert len(files) >= 5
    for path in files:
        head = path.read_text("utf-8").splitlines()[:6]
        assert any(line.startswith("# source:") for line in head), path.name
        assert any(line.startswith("# licence:") for line in head), path.name
        table = parse_map(path) if path.suffix == ".tsv" else parse_words(path)
        assert table, f"{path.name} is empty"


def test_loader_is_typed_and_cached():
    words = load_words("roman_numeral_contexts")
    assert isinstance(words, frozenset) and "eselon" in words
    table = load_map("domain_abbreviations")
    assert table["jf"] == "jabatan fungsional"
    assert load_map("domain_abbreviations") is table
    with pytest.raises(TypeError):
        table["jf"] = "x"  # read-only
    with pytest.raises(LexiconInvalid, match="tidak ada"):
        load_map("no_such_table")


def test_lexicon_hash_follows_the_bytes(tmp_path, monkeypatch):
    before = lexicon_hash()
    assert len(before) == 64 and before == lexicon_hash()
    copy = tmp_path / "data"
    shutil.copytree(lexicons.DATA_DIR, copy)
    monkeypatch.setattr(lexicons, "DATA_DIR", copy)
    lexicons.lexicon_hash.cache_clear()
    try:
        assert lexicon_hash() == before
        with (copy / "number_words.tsv").open("a", encoding="utf-8") as f:
            f.write("sebelas\t11\n")
        lexicons.lexicon_hash.cache_clear()
        assert lexicon_hash() != before
    finally:
        lexicons.lexicon_hash.cache_clear()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("kata\tbaku\nyg\tyang\nyg\tyang\n", "sudah ada di baris 4"),
        ("kata\tbaku\nYg\tyang\n", "huruf kecil"),
        ("kata\tbaku\nyg\t\n", "kosong"),
        ("kata\tbaku\nyg\n", "dua kolom"),
        ("kata\tbaku\nyang itu\titu\n", "satu kata"),
    ],
)
def test_schema_rejects_broken_maps_naming_file_and_line(tmp_path: Path, body, problem):
    path = tmp_path / "slang.tsv"
    path.write_text("# source: test\n# licence: MIT\n" + body, "utf-8")
    with pytest.raises(LexiconInvalid, match=problem) as caught:
        parse_map(path)
    assert "slang.tsv baris" in caught.value.message


def test_schema_requires_source_and_licence(tmp_path: Path):
    path = tmp_path / "words.txt"
    path.write_text("# source: test\nkata\n", "utf-8")
    with pytest.raises(LexiconInvalid, match="licence"):
        parse_words(path)


def test_number_and_roman_tables_map_to_digits():
    assert all(v.isdigit() for v in load_map("number_words").values())
    assert all(v.isdigit() for v in load_map("roman_numerals").values())
    assert all(set(k) <= set("ivx") for k in load_map("roman_numerals"))
