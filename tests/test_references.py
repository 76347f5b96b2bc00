"""Explicit references across the spellings staff use, resolved against a catalogue."""
import pytest

from assistant.records import DocumentMeta
from assistant.references import ReferenceResolver

CATALOGUE = {
    d.doc_id: d
    for d in [
        DocumentMeta(doc_id="permenpan-rb-45-2022", jenis="Peraturan Menteri PANRB", nomor="45", tahun=2022, judul="Jabatan Pelaksana"),
        DocumentMeta(doc_id="permenpan-rb-17-2021", jenis="Peraturan Menteri PANRB", nomor="17", tahun=2021, judul="Penyetaraan"),
        DocumentMeta(doc_id="permenpan-rb-25-2021", jenis="Peraturan Menteri PANRB", nomor="25", tahun=2021, judul="Struktur"),
        DocumentMeta(doc_id="kepmenpan-rb-282-2025", jenis="Keputusan Menteri PANRB", nomor="282", tahun=2025,
                     judul="Jabatan Pelaksana ASN", mencabut=["kepmenpan-rb-11-2024"]),
        DocumentMeta(doc_id="uu-20-2023", jenis="Undang-Undang", nomor="20", tahun=2023, judul="Aparatur Sipil Negara",
                     mencabut=["uu-5-2014"]),
        DocumentMeta(doc_id="perwal-cilegon-9-2023", jenis="Peraturan Wali Kota Cilegon", nomor="9", tahun=2023, judul="Peta Jabatan"),
        DocumentMeta(doc_id="se-walikota-cilegon-060-328-org-2023", jenis="Surat Edaran Wali Kota Cilegon",
                     nomor="060/328/org/2023", tahun=2023, judul="Penegasan"),
        DocumentMeta(doc_id="surat-mendagri-800-2603-otda-2021", jenis="Surat Menteri Dalam Negeri", nomor="800/2603/OTDA",
                     tahun=2021, judul="Penyederhanaan"),
    ]
}


@pytest.fixture(scope="module")
def resolver():
    return ReferenceResolver(CATALOGUE)


@pytest.mark.parametrize(
    "question, doc_id, pasal, ayat",
    [
        ("Pasal 4 Permenpan RB 45/2022 isinya apa?", "permenpan-rb-45-2022", "4", None),
        ("psl 2 permenpanrb no 45 thn 2022 isinya apa", "permenpan-rb-45-2022", "2", None),
        ("pasal 34 ayat 2 PermenPANRB 17 tahun 2021", "permenpan-rb-17-2021", "34", "2"),
        ("pasal 34 ayat (2) Peraturan Menteri PANRB Nomor 17 Tahun 2021", "permenpan-rb-17-2021", "34", "2"),
        ("isi pasal 13 UU ASN yg baru", "uu-20-2023", "13", None),
        ("undang-undang nomor 20 tahun 2023", "uu-20-2023", None, None),
        ("Perwal 9/2023 kapan ditetapkan", "perwal-cilegon-9-2023", None, None),
        ("Perwal Cilegon 9/2023", "perwal-cilegon-9-2023", None, None),
        ("SE 060/328 isinya apa", "se-walikota-cilegon-060-328-org-2023", None, None),
        ("surat mendagri 800/2603/otda", "surat-mendagri-800-2603-otda-2021", None, None),
        ("permen pan rb 25/2021", "permenpan-rb-25-2021", None, None),
        ("kepmenpan 282 tahun 2025", "kepmenpan-rb-282-2025", None, None),
    ],
)
def test_explicit_references(resolver, question, doc_id, pasal, ayat):
    ref = resolver.resolve(question)
    assert ref.doc_ids == [doc_id]
    assert ref.pasal == pasal and ref.ayat == ayat
    assert ref.unresolved is None


def test_a_regulation_outside_the_corpus_is_unresolved(resolver):
    ref = resolver.resolve("isi Permendagri 25 tahun 2021 apa saja?")
    assert ref.doc_ids == [] and ref.unresolved == "permendagri 25 tahun 2021"
    assert resolver.resolve("pergub 5 tahun 2020").unresolved == "pergub 5 tahun 2020"


def test_a_revoked_regulation_resolves_to_the_document_that_revoked_it(resolver):
    assert resolver.resolve("Kepmenpan 11 tahun 2024 masih berlaku?").doc_ids == ["kepmenpan-rb-282-2025"]


def test_plain_numbers_are_not_references(resolver):
    for text in ("paling lambat 2 tahun", "ada 227 pejabat", "tiga level", "berapa 4 tahun"):
        ref = resolver.resolve(text)
        assert ref.doc_ids == [] and ref.unresolved is None, text


def test_the_naming_words_are_stripped_from_the_topic(resolver):
    ref = resolver.resolve("Pasal 4 Permenpan RB 45/2022 isinya apa?")
    assert ref.strip_from("Pasal 4 Permenpan RB 45/2022 isinya apa?") == "isinya apa?"


def test_huruf(resolver):
    ref = resolver.resolve("menimbang huruf a permenpan 25/2021")
    assert ref.huruf == "a" and ref.doc_ids == ["permenpan-rb-25-2021"]


def test_a_law_named_by_its_acronym_and_year(resolver):
    # the year travels with the name and leaves the topic
    ref = resolver.resolve("jabatan manajerial menurut UU ASN 2023 itu apa aja?")
    assert ref.doc_ids == ["uu-20-2023"] and "2023" not in ref.strip_from("jabatan manajerial menurut UU ASN 2023")
    # the older law of the same name is answered by the law that revoked it
    assert resolver.resolve("UU ASN tahun 2014 masih berlaku?").doc_ids == ["uu-20-2023"]
    # one the corpus knows nothing of is unresolved
    ref = resolver.resolve("UU ASN 1999 ngatur apa")
    assert ref.doc_ids == [] and ref.unresolved == "uu asn 1999"


@pytest.mark.parametrize(
    "question, places",
    [
        ("kota serang udh punya perwal peta jabatan blm?", ["serang", "peta"]),
        ("pemkab bogor pake perbup no brp?", ["bogor"]),
        ("kita kan pemkot, eselon 4 mana aja yg msh boleh?", []),
        ("di kab/kota lain gimana?", []),
    ],
)
def test_named_places(question, places):
    # candidates only: the assistant keeps those the corpus never uses ("serang", not "peta")
    from assistant.references import named_places

    assert named_places(question) == places


@pytest.mark.parametrize("question, doc_ids, unresolved", [
    # a noun derived by per-/ke-...-an opens like an instrument's kind but names none
    ("Apa saja perubahan di Permenpan 45/2022 dibanding aturan yang lama?", ["permenpan-rb-45-2022"], None),
    ("rencana perubahan nomenklatur 8 OPD tahun 2021 apa saja?", [], None),
    ("pertimbangan penetapan Perwal 9/2023 apa?", ["perwal-cilegon-9-2023"], None),
    # instrument kinds the corpus does not hold stay named
    ("pergub 12/2020 ngatur apa", [], "pergub 12/2020"),
    ("Peraturan Bupati Bogor Nomor 65 Tahun 2023 isinya apa?", [], "peraturan bupati bogor nomor 65 tahun 2023"),
])
def test_a_derived_noun_is_no_instrument_kind(resolver, question, doc_ids, unresolved):
    ref = resolver.resolve(question)
    assert (ref.doc_ids, ref.unresolved) == (doc_ids, unresolved)
