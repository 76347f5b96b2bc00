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


def test_phrase_maps_take_several_word_keys_and_still_check_them(tmp_path: Path):
    path = tmp_path / "terms.tsv"
    path.write_text("# source: test\n# licence: MIT\n# keys: phrases\nsaid\ttexts\nbatas akhir\tbatas waktu\n", "utf-8")
    assert parse_map(path) == {"batas akhir": "batas waktu"}
    path.write_text("# source: test\n# licence: MIT\n# keys: phrases\nsaid\ttexts\nbatas  Akhir\tbatas waktu\n", "utf-8")
    with pytest.raises(LexiconInvalid, match="baris 5"):
        parse_map(path)


def test_schema_requires_source_and_licence(tmp_path: Path):
    path = tmp_path / "words.txt"
    path.write_text("# source: test\nkata\n", "utf-8")
    with pytest.raises(LexiconInvalid, match="licence"):
        parse_words(path)


def test_number_and_roman_tables_map_to_digits():
    assert all(v.isdigit() for v in load_map("number_words").values())
    assert all(v.isdigit() for v in load_map("roman_numerals").values())
    assert all(set(k) <= set("ivx") for k in load_map("roman_numerals"))


# --- The lexicons at work: questions are normalised, passages keep their words, valid words stay ---

import random
import re

from assistant.lexicons.language import colloquial_lexicon, root_words
from assistant.spelling import Speller
from assistant.text import TOKENIZER_VERSION, is_indonesian_word, stem, passage_tokens, standardize, tokens, with_related_terms

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
# Identifiers as the texts write them: a word in capitals, or a part of a numbered code.
_CAPITALS = re.compile(r"\b[A-Z]{2,}\b")
_CODE = re.compile(r"\b[0-9A-Za-z.]+(?:/[0-9A-Za-z.]+)+\b")


def _corpus_texts() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(CORPUS.rglob("*.md")) if p.name != "README.md"]


@pytest.fixture(scope="module")
def corpus_speller() -> Speller:
    texts = _corpus_texts()
    return Speller.from_texts(texts, {t for text in texts for t in passage_tokens(text)})


def test_passages_keep_every_identifier_the_corpus_writes():
    """No lexicon entry rewrites a token the corpus uses as an identifier (ORG, PAN, RB, SE, ...):
    in the index, each one is still there as written."""
    checked = 0
    for text in _corpus_texts():
        for line in text.splitlines():
            line = re.sub(r"https?://\S+", " ", line)  # an address is not a text's word
            names = set(_CAPITALS.findall(line))
            codes = [code for code in _CODE.findall(line) if any(c.isdigit() for c in code)]
            names |= {part for code in codes for part in re.split(r"[/.]", code) if part.isalpha()}
            if not names:
                continue
            have = set(passage_tokens(line))
            # Roman numerals are numbers: "eselon IV" is indexed as "eselon 4", as the questions are.
            for name in names - {n for n in names if set(n.lower()) <= set("ivx")}:
                # kept as written (a stemmed heading word, "SALINAN" → "salin", is the same word)
                assert name.lower() in have or stem(name.lower()) in have, (name, line[:120])
                checked += 1
    assert checked > 100  # the corpus writes many of them; the test looked at real ones


def test_questions_keep_identifiers_but_lose_their_slang():
    assert "org" in tokens("isi SE 060/328/ORG/2023 apa")
    assert "org" in tokens("isi se 060/328/org/2023 apa")  # a code in lower case is still a code
    assert {"rb", "pan"} <= set(tokens("Permen PAN RB 45/2022 ttg apa"))
    assert "orang" in tokens("tim kerja min brp org?")
    assert "orang" in tokens("TIM KERJA MIN BRP ORG?")  # all in capitals: the capitals mean nothing
    assert standardize("yg ngatur gmn?") == "yang mengatur bagaimana?"
    # office abbreviations expand in capitals too: they are chat words, not identifiers
    assert {"tambah", "hasil", "pegawai"} <= set(tokens("besaran TPP di Pemkot"))


def test_kamus_alay_does_not_rewrite_indonesian_words():
    table = colloquial_lexicon()
    assert len(table) > 3000  # the kept lexicon is there, not a short hand-typed table
    # Kamus Alay maps these to other words; they are standard words (kasi = kepala seksi here).
    for word in ("kasi", "haru", "pala", "rana"):
        assert word not in table, word
    assert table["gmn"] == "bagaimana" and table["skrg"] == "sekarang"
    # The project's reviewed entries win over Kamus Alay's.
    assert table["gak"] == "tidak"


def test_the_speller_never_corrects_a_valid_indonesian_word(corpus_speller):
    rng = random.Random(12)
    roots = sorted(root_words())
    sample = rng.sample(roots, 3000)
    affixed = [f"{prefix}{w}" for w in rng.sample(roots, 400) for prefix in ("ber", "di", "ter")]
    affixed = [w for w in affixed if is_indonesian_word(w)]
    assert len(affixed) > 200
    changed = [w for w in sample + affixed if corpus_speller.correct(w) != w]
    assert not changed, changed[:20]
    for word in ("tinggal", "berapa", "berada", "berupa", "tanggal", "kapan", "bulan", "teradu", "umurnya"):
        assert corpus_speller.correct(word) == word


def test_the_speller_still_repairs_words_outside_the_language(corpus_speller):
    fixed = {
        "jabtan": "jabatan", "fungsioanl": "fungsional", "pelaksna": "pelaksana",
        "penyetaraaan": "penyetaraan", "klasifkasi": "klasifikasi", "nomenkaltur": "nomenklatur",
        # valid to the stemmer only as an affixed short root ("penye-tar-an") the corpus never uses
        "penyetaran": "penyetaraan",
    }
    for typo, word in fixed.items():
        assert corpus_speller.correct(typo) == word, typo


def test_a_question_with_valid_words_near_corpus_words_is_left_as_written(corpus_speller):
    question = "klasifikasi jabatan pelaksana skrg tinggal apa aja sih, berapa yang berada di bawahnya"
    assert corpus_speller.correct(question) == question


def test_the_tokenizer_version_follows_the_lexicons():
    assert lexicon_hash()[:10] in TOKENIZER_VERSION


def test_related_terms_map_office_words_to_words_the_texts_use():
    """Each entry of related_terms.tsv is read as a token sequence, and what it adds is the
    corpus's own vocabulary (else it could not help retrieval)."""
    vocabulary = {t for text in _corpus_texts() for t in passage_tokens(text)}
    table = load_map("related_terms")
    assert len(table) >= 20
    for said, texts_say in table.items():
        assert tokens(said), said
        missing = [t for t in tokens(texts_say) if t not in vocabulary]
        assert not missing, (said, texts_say, missing)


@pytest.mark.parametrize(("question", "added"), [
    ("kabid di dinas kami dialihkan ke JF apa?", "administrator"),
    ("Kepala Bidang yang pindah ke jabatan fungsional jadi apa?", "administrator"),
    ("eselon III sekarang namanya apa?", "administrator"),
    ("kasubag gak ikut disetarakan?", "dikecualikan"),
    ("tenggatnya kapan ya", "batas waktu paling lambat"),
    ("kalau penyetaraannya dimundurkan boleh?", "perpanjangan"),
    ("pengawas itu dulu eselon berapa", "eselon iv"),
])
def test_related_terms_match_every_affixed_and_abbreviated_form(question, added):
    assert added in with_related_terms(question)


def test_related_terms_add_nothing_the_question_already_says():
    assert with_related_terms("pejabat administrator eselon III disetarakan ke mana?") == (
        "pejabat administrator eselon III disetarakan ke mana?"
    )


def test_answer_cues_give_every_kind_the_composer_reads():
    from assistant.compose import extractive

    kinds = {kind for value in load_map("answer_cues").values() for kind in value.split()}
    assert kinds == {"who", "defines", "modal", "status", "deadline", "enumerates"}
    assert extractive._DEADLINE.search("diselesaikan paling lambat 31 Desember 2021")
    assert extractive._STATUS.search("Peraturan ini Digantikan oleh Permenpan RB 17/2021")
    assert extractive._WHO.search("ditetapkan oleh Wali Kota")
    assert extractive._ENUMERATES.search("Klasifikasi jabatan pelaksana terdiri atas:")
    assert not extractive._MODAL.search("mendapatkan tunjangan")  # whole words only ("dapat" inside)


def test_no_word_that_frames_a_question_is_an_abbreviation():
    """Frame words are compared as stems of their tokens: an abbreviation among them ("kepmen" ->
    "keputusan menteri") would make its expansion's words ("menteri") frame words in every question."""
    from assistant.lexicons import load_map, load_words
    from assistant.text import ABBREVIATIONS

    frame = set(load_words("question_frame_words")) | set(load_words("document_level_words"))
    frame |= {w for words in load_map("question_frame_by_kind").values() for w in words.split()}
    assert not frame & set(ABBREVIATIONS), sorted(frame & set(ABBREVIATIONS))


def test_a_chat_spelling_of_a_root_is_read_in_its_affixed_forms():
    # "taun" is a chat spelling of "tahun" (chat_slang.tsv); the stemmer uncovers it in "setaun"
    assert tokens("jam kerja efektif setaun") == tokens("jam kerja efektif setahun")
    assert tokens("pertaun") == ["tahun"]
    # a word kept as written is its own stem and stays ("ORG" is no "orang")
    assert "org" in tokens("SE 060/328/ORG/2023")
