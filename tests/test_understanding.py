"""The understanding stage: one frozen Question per message, and the conversation decision with
its reason, over many phrasings (not one per rule)."""
from __future__ import annotations

import dataclasses

import pytest

from assistant.records import Filters, Turn
from assistant.understanding import Question, understand
from assistant.understanding.conversation import points_back

PASAL_4 = [
    Turn(role="user", content="Apa isi Pasal 4 Permenpan RB 45/2022?"),
    Turn(role="assistant", content="Menurut Permenpan RB Nomor 45 Tahun 2022, Pasal 4: Klasifikasi jabatan pelaksana "
                                   "terdiri atas tiga klasifikasi: klerek, operator, dan teknisi. [1]"),
]
ADMINISTRATOR = [
    Turn(role="user", content="pejabat administrator disetarakan ke jenjang JF apa?"),
    Turn(role="assistant", content="Menurut Permenpan RB Nomor 17 Tahun 2021: jabatan administrator disetarakan "
                                   "dengan jabatan fungsional ahli madya. [1]"),
]


def _understand(assistant, question, history=(), filters=None) -> Question:
    state = assistant.store.state()
    return understand(question, list(history), filters, assistant.resolver(), assistant.speller(), state.documents)


def test_the_question_is_frozen(assistant):
    q = _understand(assistant, "Apa isi Pasal 4 Permenpan RB 45/2022?")
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.kind = "umum"  # type: ignore[misc]
    assert q.reference.pasal == "4" and q.reference.doc_ids == ["permenpan-rb-45-2022"]
    assert not q.continues and q.continuation.reason == "tanpa-riwayat"


@pytest.mark.parametrize("question", [
    "Apa saja tahapan penyetaraan jabatan?",
    "Apa itu peta jabatan?",
    "Penyesuaian sistem kerja itu tujuannya apa saja?",
    "siapa yang menetapkan nomenklatur jabatan pelaksana di instansi daerah?",
    "berapa besaran tunjangan kinerja PNS?",
    "gimana cara evaluasi jabatan setelah penyetaraan",
    "SE walikota cilegon soal sistem kerja isinya apa",
    "Permenpan 25/2021 mengatur apa?",
])
def test_a_self_contained_question_starts_fresh(assistant, question):
    q = _understand(assistant, question, PASAL_4)
    assert not q.continues, q.continuation
    assert q.continuation.reason in ("topik-sendiri", "menyebut-peraturan")
    assert q.reference.pasal is None  # the conversation's Pasal 4 is not carried over
    assert q.standalone == q.spelled


@pytest.mark.parametrize("question, reason", [
    ("Kalau pejabat pengawas?", "pembuka"),
    ("kalo yg eselon 4 gimana?", "pembuka"),
    ("terus dasar hukumnya pasal berapa?", "pembuka"),
    ("Bagaimana dengan pejabat pengawas?", "pembuka"),
    ("Aturan tersebut ditetapkan kapan?", "rujukan"),
    ("yang tadi itu berlaku sejak kapan?", "pembuka"),
    ("Berapa lama batas waktunya?", "tanpa-topik"),
    ("masih berlaku gak?", "tanpa-topik"),
    ("syaratnya apa?", "rujukan"),
])
def test_a_leaning_question_continues(assistant, question, reason):
    q = _understand(assistant, question, ADMINISTRATOR)
    assert q.continues and q.continuation.reason == reason
    assert "permenpan-rb-17-2021" in q.conversation_docs
    if q.continuation.document_level:  # asks about the document: searched by its name
        assert "Permenpan RB Nomor 17 Tahun 2021" in q.standalone
    else:  # borrows the earlier question's topic
        assert ADMINISTRATOR[0].content in q.standalone


@pytest.mark.parametrize("question", [
    "Itu mencabut peraturan yang mana?",
    "Dan yang dicabutnya apa?",
    "masih berlaku gak aturan itu?",
    "kapan ditetapkannya?",
    "peraturan itu diundangkan kapan?",
])
def test_a_document_question_resolves_to_the_conversations_document_not_its_pasal(assistant, question):
    q = _understand(assistant, question, PASAL_4)
    assert q.continues and q.continuation.document_level
    assert q.reference.doc_ids == ["permenpan-rb-45-2022"] and q.reference.pasal is None


def test_that_pasal_is_the_conversations_pasal(assistant):
    q = _understand(assistant, "pasal itu ada ayatnya berapa?", PASAL_4)
    assert q.continues and q.reference.pasal == "4" and q.reference.doc_ids == ["permenpan-rb-45-2022"]


@pytest.mark.parametrize("question, points", [
    ("Itu mencabut apa?", "rujukan"),
    ("pasal itu bunyinya apa", "rujukan"),
    ("apa itu peta jabatan", None),
    ("sistem kerja itu tujuannya apa", None),
    ("kalau operator?", "pembuka"),
    ("aturan tsb masih berlaku?", "rujukan"),
    ("yg itu?", "pembuka"),
    ("ketentuan yang itu?", "rujukan"),
])
def test_demonstratives_point_back_only_where_the_grammar_says(question, points):
    assert points_back(question) == points


def test_parts_sides_and_kind_are_read_once(assistant):
    q = _understand(assistant, "bedanya operator sama teknisi apa?")
    assert q.compared == ("operator", "teknisi")
    q = _understand(assistant, "berapa lama batas waktu penyetaraan, dan apa akibatnya kalau terlambat?")
    assert len(q.sub_questions) == 2 and q.kind == "waktu"
    q = _understand(assistant, "mau dijadiin contoh, kota serang udh punya perwal peta jabatan blm?")
    assert "serang" in q.places


def test_filters_are_named_for_the_message(assistant):
    q = _understand(assistant, "klasifikasi jabatan pelaksana", filters=Filters(doc_id=["uu-20-2023"], tahun=[2023]))
    assert q.filters_named == ("dokumen: UU Nomor 20 Tahun 2023", "tahun: 2023")


# ---- refusal with reason codes, through the whole assistant ---------------------------------

def test_a_filter_that_excludes_the_answer_says_so(assistant):
    answer = assistant.ask("Jabatan pelaksana diklasifikasikan menjadi apa saja?", filters=Filters(doc_id=["uu-20-2023"]))
    assert not answer.found and answer.reason == "di-luar-filter"
    assert "tidak ditemukan dalam dokumen yang dipilih" in answer.answer and "UU Nomor 20 Tahun 2023" in answer.answer
    assert "Permenpan RB Nomor 45 Tahun 2022" in answer.answer  # where the answer is
    unfiltered = assistant.ask("Jabatan pelaksana diklasifikasikan menjadi apa saja?")
    assert unfiltered.found and unfiltered.reason is None


@pytest.mark.parametrize("question, reason", [
    ("Pasal 99 Permenpan RB 45/2022 isinya apa?", "pasal-tidak-ada"),
    # the corpus holds ayat (1) of this Pasal only: quoting it would answer another question
    ("Tolong kutip Pasal 61 ayat 3 Perpres Nomor 95 Tahun 2018", "pasal-tidak-ada"),
    ("Permendagri 99 tahun 2019 mengatur apa?", "dokumen-tidak-ada"),
    ("perwal kota serang tentang peta jabatan nomor berapa?", "daerah-tidak-ada"),
    ("resep rendang padang yang enak gimana?", "bukti-lemah"),
    ("Berapa gaji pokok PNS golongan III/a?", "bukti-lemah"),  # the README's example
    # a regulation the corpus only names (Kepmenpan 282/2025 revoked it), asked for its content
    ("Kepmen PANRB 11 tahun 2024 isinya apa?", "naskah-tidak-dimuat"),
    ("kepmenpan 11/2024 itu mengatur apa aja", "naskah-tidak-dimuat"),
])
def test_every_refusal_carries_its_reason(assistant, question, reason):
    answer = assistant.ask(question)
    assert not answer.found and answer.reason == reason and not answer.citations


def test_a_regulation_only_mentioned_is_refused_for_its_content_not_its_subject(assistant):
    """Permenpan RB 7/2022's digest names Perbup Bogor 65/2023 and its title, nothing of its text."""
    content = assistant.ask("Perbup Bogor Nomor 65 Tahun 2023 mengatur apa saja soal tim kerja?")
    assert not content.found and content.reason == "naskah-tidak-dimuat"
    subject = assistant.ask("Peraturan Bupati Bogor 65/2023 itu tentang apa?")
    assert subject.found and subject.citations[0].doc_id == "permenpan-rb-7-2022"


def test_an_ayat_the_corpus_holds_is_still_quoted(assistant):
    answer = assistant.ask("Tolong kutip Pasal 61 ayat 1 Perpres Nomor 95 Tahun 2018")
    assert answer.found and (answer.citations[0].pasal, answer.citations[0].ayat) == ("61", "1")


def test_a_pasal_is_cited_before_a_summary_of_the_same_fact(assistant):
    answer = assistant.ask("Jabatan pelaksana diklasifikasikan menjadi apa saja?")
    assert answer.citations[0].doc_id == "permenpan-rb-45-2022" and answer.citations[0].pasal == "4"
    hits = assistant.search("klasifikasi jabatan pelaksana klerek")
    assert (hits[0].chunk.doc_id, hits[0].chunk.pasal) == ("permenpan-rb-45-2022", "4")


def test_a_topic_switch_mid_conversation_is_answered_from_the_new_topic(assistant):
    history = list(PASAL_4)
    answer = assistant.ask("Apa saja tahapan penyetaraan jabatan?", history=history)
    assert answer.found and answer.citations[0].doc_id == "permenpan-rb-17-2021"
    answer = assistant.ask("Itu mencabut peraturan yang mana?", history=history)
    assert answer.found and answer.citations[0].doc_id == "permenpan-rb-45-2022"
    assert "41" in answer.answer  # Permenpan RB 41/2018, which 45/2022 replaced


def test_a_regulations_name_is_not_the_unknown_asked():
    """"Nomor 11 Tahun 2024" in a note names a regulation: a question asking "nomor berapa" is not
    answered by the note's "tidak ditemukan" about that regulation's content."""
    from assistant.compose.base import Evidence
    from assistant.compose.extractive import _says_unknown

    evidence = Evidence(question="mencabut kepmen nomor berapa?", context="", kind="nomor", hits=[], documents={},
                        idf=lambda t: 1.0)
    note = ("Keputusan ini mencabut Keputusan Menteri PANRB Nomor 11 Tahun 2024 tentang jabatan pelaksana. "
            "Isi keputusan yang dicabut itu tidak ditemukan dalam sumber.")
    assert not _says_unknown(note, evidence)
    assert _says_unknown("Nomor Berita Negara peraturan ini tidak ditemukan dalam sumber yang tersedia.", evidence)


@pytest.mark.parametrize("question", [
    "kalau tunjangan kinerjanya berapa rupiah?",
    "terus gaji pokok PPPK paruh waktu berapa?",
])
def test_a_follow_up_with_its_own_topic_still_needs_evidence(assistant, question):
    answer = assistant.ask(question, history=ADMINISTRATOR)
    assert not answer.found and answer.reason, answer.answer[:200]


def test_a_status_follow_up_is_answered_from_what_the_document_says_of_itself(assistant):
    answer = assistant.ask("masih berlaku gak aturannya?", history=ADMINISTRATOR)
    assert answer.found and answer.citations[0].doc_id == "permenpan-rb-17-2021"
    assert "Status" in answer.citations[0].label  # not the earlier question's Kesetaraan Jenjang section


# ---- pointing back with -nya; what the corpus says of a Pasal ----------------------------------

@pytest.mark.parametrize("question", [
    "dasar hukumnya diundangkan di berita negara nomor berapa?",
    "aturannya sudah dicabut belum sih?",
    "peraturannya ditandatangani siapa?",
    "pasalnya menyebut jabatan pelaksana apa lagi?",
])
def test_a_reference_noun_carrying_nya_points_back(assistant, question):
    q = _understand(assistant, question, ADMINISTRATOR)
    assert q.continues and q.continuation.reason == "rujukan", q.continuation
    assert "permenpan-rb-17-2021" in q.conversation_docs


def test_what_a_source_says_of_a_pasal_answers_but_not_its_wording(assistant):
    """PP 18/2016's digest holds what another regulation says Pasal 108 requires, not its text."""
    answer = assistant.ask("Pasal 108 PP Nomor 18 Tahun 2016 mengamanatkan apa?")
    assert answer.found and answer.citations[0].doc_id == "pp-18-2016"
    wording = assistant.ask("Tolong kutipkan bunyi Pasal 108 PP Nomor 18 Tahun 2016.")
    assert not wording.found and wording.reason == "pasal-tidak-ada"


def test_a_regulation_outside_the_corpus_that_the_conversation_cites_continues_it(assistant):
    history = [
        Turn(role="user", content="Menurut Menimbang Permenpan RB 1/2020, analisis jabatan disusun untuk apa?"),
        Turn(role="assistant", content="Menurut Permenpan RB Nomor 1 Tahun 2020, Menimbang: ... [1]"),
    ]
    q = understand("itu melaksanakan pasal berapa UU 5/2014?", history, None, assistant.resolver(),
                   assistant.speller(), assistant.store.state().documents, cites=assistant._cites)
    assert q.continues and q.continuation.reason == "peraturan-luar"
    assert q.reference.doc_ids == ["permenpan-rb-1-2020"]  # the document that cites it answers
    # one the conversation's documents do not cite, or a corpus regulation, starts afresh
    for question in ("PP 30/2019 tentang penilaian kinerja mengatur apa?", "itu sama dengan Pasal 4 Permenpan RB 45/2022?"):
        fresh = understand(question, history, None, assistant.resolver(), assistant.speller(),
                           assistant.store.state().documents, cites=assistant._cites)
        assert not fresh.continues and fresh.continuation.reason == "menyebut-peraturan", question


@pytest.mark.parametrize("question", ["SPBE?", "Bappeda jadi apa?", "operator?", "yg klerek gmn?"])
def test_a_fragment_that_swaps_one_element_continues(assistant, question):
    q = _understand(assistant, question, PASAL_4)
    assert q.continues, q.continuation


@pytest.mark.parametrize("question", ["Apa itu JDIH?", "Apa itu SOTK?", "Apa itu peta jabatan?"])
def test_a_short_definition_question_starts_afresh(assistant, question):
    q = _understand(assistant, question, PASAL_4)
    assert not q.continues and q.continuation.reason == "topik-sendiri", q.continuation


@pytest.mark.parametrize("question, points", [
    ("unit setingkat seksi yg masih boleh itu merujuk PP apa?", "rujukan-klausa"),
    ("jabatan yang tidak disetarakan itu apa saja?", "rujukan-klausa"),
    ("siapa lagi?", "rujukan"),
    ("permen apa lagi yang disosialisasikan?", "rujukan"),
    ("dokumen mana lainnya?", "rujukan"),
    # a question frame of its own, and "lagi" as "currently": no pointer
    ("Apa yang dimaksud dengan sistem kerja itu?", None),
    ("lagi rame soal SPBE, Perpres 95/2018 mengatur apa?", None),
])
def test_relative_clauses_and_more_of_the_same_point_back(question, points):
    assert points_back(question) == points


@pytest.mark.parametrize("question, continues", [
    ("tujuannya apa?", True),
    ("dasarnya apa?", True),
    ("delayering artinya apa", False),
    ("SOTK maksudnya apa?", False),
])
def test_a_nya_points_back_only_when_its_owner_is_not_in_the_message(assistant, question, continues):
    q = _understand(assistant, question, PASAL_4)
    assert q.continues == continues, q.continuation


# ---- a follow-up's kind; an annex the corpus does not hold -------------------------------------

DEADLINE = [
    Turn(role="user", content="Kapan batas waktu pelantikan pejabat fungsional hasil penyetaraan?"),
    Turn(role="assistant", content="Menurut Permenpan RB Nomor 17 Tahun 2021, Pasal 34: pelantikan paling lambat "
                                   "31 Desember 2021. [1]"),
]


@pytest.mark.parametrize("question, inherits", [
    ("kalau untuk pejabat pengawas?", True),   # no interrogative: the earlier question's kind
    ("terus yang eselon 4?", True),
    ("bagaimana kalau terlambat dilantik?", False),  # its own interrogative: its own kind
    ("kalau lewat, gmn nasibnya?", False),
    ("terus siapa yg melantik?", False),
])
def test_a_follow_up_takes_the_earlier_kind_only_without_an_interrogative_of_its_own(assistant, question, inherits):
    q = _understand(assistant, question, DEADLINE)
    assert q.continues, q.continuation
    assert (q.kind == "waktu") is inherits, q.kind


@pytest.mark.parametrize("question", [
    "Isi lampiran Permenpan RB 25/2021 apa saja?",
    "tolong kutipkan bunyi lampiran Perwal Cilegon 9 tahun 2023",
    "Lampiran PermenPANRB No. 17 Th 2021 memuat apa?",
])
def test_the_annex_of_a_document_whose_annex_the_corpus_lacks_is_refused(assistant, question):
    answer = assistant.ask(question)
    assert not answer.found and answer.reason == "naskah-tidak-dimuat", answer.answer[:200]
    assert "lampiran" in answer.answer.lower()


@pytest.mark.parametrize("question, doc_id", [
    ("Lampiran Permenpan RB 1/2020 memuat tahapan analisis jabatan apa saja?", "permenpan-rb-1-2020"),
    ("isi lampiran Permendagri 12/2017 soal kriteria pembentukan UPTD apa?", "permendagri-12-2017"),
])
def test_an_annex_the_corpus_holds_is_quoted(assistant, question, doc_id):
    answer = assistant.ask(question)
    assert answer.found and answer.citations[0].doc_id == doc_id, answer.answer[:200]


# ---- a guessed follow-up read alone; a marker that turns to another matter ----------------------

TEAMS = [
    Turn(role="user", content="anggota tim kerja boleh diambil lintas instansi gak?"),
    Turn(role="assistant", content="Menurut Permenpan RB Nomor 7 Tahun 2022, Lampiran — Dua Level Struktural dan Tim "
                                   "Kerja: anggota tim kerja dapat berasal dari lintas unit atau lintas instansi. [1]"),
]


@pytest.mark.parametrize("history, question, doc_id", [
    (TEAMS, "evaluasi kinerja pegawai yang periodik dan tahunan itu masuk tahap apa dalam pengelolaan kinerja ASN?",
     "permenpan-rb-6-2022"),
    (TEAMS, "terus kalau mau membentuk UPTD baru kriterianya apa saja?", "permendagri-12-2017"),
    (ADMINISTRATOR, "lalu klasifikasi jabatan pelaksana yang baru terdiri dari apa saja?", "permenpan-rb-45-2022"),
    (ADMINISTRATOR, "kalau mau menyusun analisis beban kerja, jam kerja efektif setahun berapa?", "permenpan-rb-1-2020"),
    (ADMINISTRATOR, "terus peta jabatan itu disusun dalam tahap apa evaluasi jabatan?", "permenpan-rb-34-2011"),
])
def test_a_follow_up_guessed_from_its_opening_is_answered_as_its_own_question(assistant, history, question, doc_id):
    answer = assistant.ask(question, history=history)
    assert answer.found and answer.citations[0].doc_id == doc_id, answer.answer[:200]
    assert answer.standalone_question == question  # the conversation's topic was not borrowed


@pytest.mark.parametrize("question", ["kalau pejabat pengawas?", "terus syaratnya apa aja?", "yang eselon 4 gimana?"])
def test_a_true_follow_up_still_continues(assistant, question):
    answer = assistant.ask(question, history=ADMINISTRATOR)
    assert answer.found and answer.citations[0].doc_id == "permenpan-rb-17-2021", answer.answer[:200]


@pytest.mark.parametrize("question, continues", [
    ("btw JDIH itu singkatan dari apa?", False),
    ("oh ya, jam kerja efektif setahun dalam ABK berapa jam?", False),
    ("Satu lagi: siapa yang menetapkan nomenklatur jabatan pelaksana?", False),
    ("oh iya, kalau pejabat pengawas?", True),        # what follows still points back
    ("btw aturan tersebut masih berlaku?", True),
])
def test_a_topic_switch_marker_starts_afresh_unless_the_rest_points_back(assistant, question, continues):
    q = _understand(assistant, question, ADMINISTRATOR)
    assert q.continues is continues, q.continuation
    if not continues:
        assert q.continuation.reason == "pengalih-topik"
    assert not q.spelled.lower().startswith(("btw", "oh", "satu lagi"))  # the marker is not what is asked


@pytest.mark.parametrize("question, expected", [
    ("Permenpan RB 25/2021 BN-nya nomor berapa?", "546"),          # "BN-nya": the clitic after a hyphen
    ("Kalau Permenpan 28/2019, di mengingatnya ada perpres apa aja?", "47 Tahun 2015"),  # Perpres expanded
    ("PP 18 Tahun 2016 dimuat di LN nomor berapa?", "114"),       # not the note on its unknown Pasal numbers
])
def test_gazette_and_regulation_abbreviations_meet_the_passages(assistant, question, expected):
    answer = assistant.ask(question)
    assert answer.found and expected in answer.answer, answer.answer[:200]


def test_a_note_on_other_unknown_numbers_does_not_refuse(assistant):
    answer = assistant.ask("Permenpan RB 6 Tahun 2022 itu mencabut Permenpan nomor berapa?")
    assert answer.found and "8 Tahun 2021" in answer.answer, answer.answer[:200]
    unknown = assistant.ask("Permenpan RB 6/2022 diundangkan di Berita Negara nomor berapa?")
    assert not unknown.found and unknown.reason == "dinyatakan-tidak-diketahui"


@pytest.mark.parametrize("question", [
    "Menurut Pasal 19 ayat (3) PP 18/2016, UPT dinas daerah provinsi diklasifikasikan menjadi apa saja?",
    "UPT dinas daerah provinsi dikelompokkan jadi kelas apa saja?",
])
def test_a_confixed_verb_after_a_region_word_is_no_place(assistant, question):
    from assistant.references import named_places

    assert named_places(question) == []
    assert named_places("perwal kota serang soal SOTK") == ["serang"]
    answer = assistant.ask(question)
    assert answer.reason != "daerah-tidak-ada", answer.answer[:200]


@pytest.mark.parametrize("question", [
    "Biro Organisasi provinsi mengundang kami rapat soal UPT. UPT dinas provinsi dibentuk dengan apa?",
    "Apakah kabupaten dikirimi salinan peraturan itu?",
    "UPT dibentuk kalau provinsi menetapkan urusan itu?",
])
def test_a_prefixed_verb_after_a_region_word_is_no_place(assistant, question):
    from assistant.references import named_places

    assert named_places(question) == []
    assert named_places("perbup kota bekasi dan kota medan") == ["bekasi", "medan"]
    assert assistant.ask(question).reason != "daerah-tidak-ada"


def test_pasal2_is_chat_reduplication_not_pasal_2(assistant):
    q = _understand(assistant, "Permenpan RB 1 Tahun 2023 melaksanakan pasal2 mana aja dari PP 11/2017?")
    assert q.reference.pasal is None
    assert _understand(assistant, "isi pasal 2 permenpan 45/2022?").reference.pasal == "2"


def test_the_conversations_documents_are_those_the_answer_quoted_first(assistant):
    """A glossary answer that mentions UU 20/2023 in passing: the conversation is about what it
    quoted first (the glossary), then the regulations it names."""
    from assistant.understanding.conversation import conversation_documents

    history = [
        Turn(role="user", content="kepala bidang (eselon III) disetarakan jadi JF jenjang apa?"),
        Turn(role="assistant", content="Menurut Glosarium Penyederhanaan Birokrasi, Jenjang JF Ahli: JF ahli madya adalah "
                                       "kesetaraan jabatan administrator (eselon III); UU Nomor 20 Tahun 2023 menyebut "
                                       "administrator sebagai jabatan manajerial. [1]"),
    ]
    documents = conversation_documents(history, assistant.resolver())
    assert documents[:2] == ["glosarium-penyederhanaan-birokrasi", "uu-20-2023"]
    # "dasar hukumnya ...?" after a glossary answer that names its regulation: that regulation
    glossary = [
        Turn(role="user", content="Apa itu penyetaraan jabatan?"),
        Turn(role="assistant", content="Menurut Glosarium Penyederhanaan Birokrasi, Penyetaraan Jabatan: penyetaraan "
                                       "jabatan menurut Permenpan RB Nomor 17 Tahun 2021 adalah pengalihan pejabat "
                                       "administrasi ke dalam jabatan fungsional. [1]"),
    ]
    answer = assistant.ask("dasar hukumnya diundangkan di BN nomor berapa?", history=glossary)
    assert answer.found and "525" in answer.answer, answer.answer[:200]
    # a client's own text without citation labels: the regulations it names
    plain = [Turn(role="user", content="apa itu delayering?"), Turn(role="assistant", content="Lihat Permenpan RB 25/2021.")]
    assert conversation_documents(plain, assistant.resolver()) == ["permenpan-rb-25-2021"]


@pytest.mark.parametrize("question, stems", [
    ("siapa wawalkotnya?", ["wakil", "wali", "kota"]),
    ("kadisnya siapa", ["kepala", "dinas"]),
])
def test_an_abbreviation_carrying_nya_expands(question, stems):
    from assistant.text import tokens

    assert set(stems) <= set(tokens(question))


def test_a_follow_up_asking_what_the_conversations_document_says_it_does_not_know_is_refused(assistant):
    history = [Turn(role="user", content="Perwal Kota Cilegon Nomor 6 Tahun 2023 itu tentang apa?")]
    history.append(Turn(role="assistant", content=assistant.ask(history[0].content).answer))
    for question in ("isi pasal-pasalnya gimana?", "terus isi pasalnya apa aja?"):
        answer = assistant.ask(question, history=history)
        assert not answer.found and answer.reason == "dinyatakan-tidak-diketahui", (question, answer.answer[:200])
    # a number the note does not list ("nomor Berita Daerah ...") is not refused by it
    answer = assistant.ask("Perwal 6/2023 itu melaksanakan Perda Kota Cilegon nomor berapa?")
    assert answer.reason != "dinyatakan-tidak-diketahui", answer.answer[:200]


@pytest.mark.parametrize("question", [
    "di cilegon perombakan SOTK 2021 lewat apa?",
    "pertanyaan 2023 soal tim kerja: siapa yang menetapkan ketua tim?",
])
def test_a_year_after_a_word_is_no_regulation_number(assistant, question):
    q = _understand(assistant, question)
    assert q.reference.unresolved is None, q.reference
    assert assistant.ask(question).reason != "dokumen-tidak-ada"


def test_an_instrument_outside_the_corpus_with_its_number_is_still_refused(assistant):
    answer = assistant.ask("Pergub Banten nomor 12 tahun 2021 tentang SOTK isinya apa?")
    assert not answer.found and answer.reason in ("dokumen-tidak-ada", "daerah-tidak-ada"), answer.answer[:200]


def test_another_attachment_is_not_the_documents_annex(assistant):
    answer = assistant.ask("Menurut Permenpan RB 17/2021, apa saja lampiran usulan penyetaraan yang harus disiapkan instansi?")
    assert answer.reason != "naskah-tidak-dimuat", answer.answer[:200]


def test_a_regulation_named_with_its_year_then_another_year(assistant):
    """"PP 18/2016 thn 2017": the regulation is PP 18/2016; "thn 2017" dates the event asked about."""
    q = _understand(assistant, "Siapa Kabag Organisasi Setda Cilegon waktu tim Setwapres meninjau penerapan PP 18/2016 thn 2017?")
    assert q.reference.doc_ids == ["pp-18-2016"] and q.reference.unresolved is None
    assert "2017" in q.reference.strip_from(q.spelled)  # the year stays in what is asked


@pytest.mark.parametrize("question", ["UU 20 tahun 2023 disahkan kapan?", "kapan UU ASN 2023 disahkan presiden?"])
def test_disahkan_asks_when_a_law_was_signed(assistant, question):
    answer = assistant.ask(question)
    assert answer.found and "31 Oktober 2023" in answer.answer, answer.answer[:200]


@pytest.mark.parametrize("question, absent", [
    ("Kapan sebuah kegiatan dianggap selesai?", "buah"),    # "sebuah" is an article, not "buah"
    ("seorang kasubag yang disetarakan jadi apa?", "orang"),
])
def test_an_indefinite_article_is_no_topic(question, absent):
    from assistant.understanding.conversation import own_topic

    topic = own_topic(question)
    assert absent not in topic and topic, topic


@pytest.mark.parametrize("question, says", [
    ("Perwal Cilegon 9/2023 naskahnya udah ada?", "naskah"),
    ("Permendagri 25/2021 tentang penyederhanaan birokrasi itu memang ada?", "Tidak ditemukan"),
    ("apakah naskah Perwal Kota Cilegon Nomor 6 Tahun 2023 sudah tersedia?", "naskah"),
])
def test_whether_it_exists_is_answered_by_the_corpus_note_that_it_is_not_found(assistant, question, says):
    answer = assistant.ask(question)
    assert answer.found and says in answer.answer and answer.citations, answer.answer[:200]


def test_asking_its_content_is_still_refused_by_that_note(assistant):
    answer = assistant.ask("isi Perwal Cilegon 9/2023 apa saja?")
    assert not answer.found and answer.reason == "dinyatakan-tidak-diketahui", answer.answer[:200]
    assert assistant.ask("apa saja yang ada di lampiran Permenpan RB 1/2020?").found  # "yang ada": no existence question


@pytest.mark.parametrize("word, standard", [
    ("nentuinnya", "menentukannya"), ("ngusulinnya", "mengusulkannya"), ("ditetapinnya", "ditetapkannya"),
    ("hanya", "hanya"), ("pelaksananya", "pelaksananya"),   # words of the language stay
])
def test_a_chat_verb_carrying_nya_is_read_in_standard_spelling(word, standard):
    from assistant.text import colloquial_to_standard

    assert colloquial_to_standard(word) == standard


@pytest.mark.parametrize("question", [
    "Ada berita bilang istilah klerek itu dari Permenpan 34/2011, bener gak?",
    "katanya istilah klerek asalnya dari Permenpan RB Nomor 34 Tahun 2011, betul begitu?",
])
def test_a_note_in_another_document_about_the_named_one_answers(assistant, question):
    """The named Permenpan 34/2011 does not speak of klerek; a note of Permenpan 45/2022 on that
    attribution does, and names 34/2011: it is the answer."""
    answer = assistant.ask(question)
    assert answer.found and answer.citations[0].doc_id == "permenpan-rb-45-2022", answer.answer[:200]


def test_the_named_document_still_answers_what_it_holds(assistant):
    answer = assistant.ask("Kapan tepatnya Permenpan 17/2021 ditetapkan dan diundangkan?")
    assert all(c.doc_id == "permenpan-rb-17-2021" for c in answer.citations[:1]), answer.answer[:200]
    assert "permenpan-rb-17-2021" in {r.doc_id for r in answer.retrieved[:3]}


@pytest.mark.parametrize("question", [
    "Pasal berapa di Permendagri 12/2017 yang mengatur evaluasi UPTD yang sudah terbentuk, dan siapa yang berwenang "
    "mengevaluasinya?",
    "pasal brp permendagri 12 th 2017 soal evaluasi UPTD yg udah berdiri, siapa yg ngevaluasi?",
])
def test_pasal_berapa_does_not_take_a_numbered_pasal_on_another_subject(assistant, question):
    """Permendagri 12/2017's Pasal 3 is about cabang dinas: it is no answer to which Pasal governs
    evaluating UPTD, which the corpus says it does not know."""
    answer = assistant.ask(question)
    assert not any(c.pasal == "3" for c in answer.citations), answer.answer[:200]


# ---- wave 2 session 7: fresh sets FR and M ---------------------------------------------------
def _exchange(question, answer):
    return [Turn(role="user", content=question), Turn(role="assistant", content=answer)]


EVALUATION_AFTER_CLASSES = (
    _exchange("Berapa jumlah nomenklatur jabatan pelaksana di Permenpan 41/2018 dulu?",
              "Menurut Permenpan RB Nomor 45 Tahun 2022, Ringkasan — Penyederhanaan: 3.414 nomenklatur. [1]")
    + _exchange("Permenpan ttg pedoman evaluasi jabatan nomor berapa?",
                "Menurut Permenpan RB Nomor 34 Tahun 2011, Identitas Peraturan: Judul lengkap ... [1]")
)


@pytest.mark.parametrize("question", ["pasal 3-nya ngatur apa?", "kalau pasal 3 isinya apa?", "pasal 3 nya gimana?"])
def test_a_pasal_follow_up_means_the_latest_exchanges_document(assistant, question):
    q = _understand(assistant, question, EVALUATION_AFTER_CLASSES)
    assert q.continues and q.reference.doc_ids == ["permenpan-rb-34-2011"] and q.reference.pasal == "3"


def test_the_conversation_documents_run_latest_exchange_first(assistant):
    from assistant.understanding.conversation import conversation_documents

    assert conversation_documents(EVALUATION_AFTER_CLASSES, assistant.resolver())[:2] == [
        "permenpan-rb-34-2011", "permenpan-rb-45-2022"]


@pytest.mark.parametrize("question, family", [
    ("permenpannya sendiri masih berlaku gak?", "permenpan-rb-17-2021"),
    ("PermenPAN-nya udah dicabut belum?", "permenpan-rb-17-2021"),
    ("SE-nya masih berlaku?", "se-walikota-cilegon-060-328-org-2023"),
    ("kalau SE-nya, masih berlaku?", "se-walikota-cilegon-060-328-org-2023"),
])
def test_a_kind_named_alone_picks_the_conversations_document_of_that_kind(assistant, question, family):
    history = (_exchange("Batas waktu pelantikan menurut Pasal 34 ayat (2) Permenpan RB 17/2021 kapan?",
                         "Menurut Permenpan RB Nomor 17 Tahun 2021, Pasal 34 ayat (2): ... 31 Desember 2021. [1]")
               + _exchange("Cilegon ngelantiknya kapan?",
                           "Menurut Berita Penyetaraan Jabatan Kota Cilegon 2021, Pelantikan: 31 Desember 2021. [1] "
                           "Selain itu, SE Wali Kota Cilegon Nomor 060/328/org/2023 menyebutkan: 227 pejabat. [2]"))
    q = _understand(assistant, question, history)
    assert q.continues and q.reference.doc_ids == [family]


def test_kinds_named_alone_are_read_from_the_family_words():
    from assistant.references import families_named

    assert families_named("permenpannya sendiri masih berlaku?") == ["permen"]
    assert families_named("UU-nya kapan disahkan, perwalnya juga?") == ["uu", "perwal"]
    assert families_named("apa itu peta jabatan?") == []


@pytest.mark.parametrize("question", [
    "di situ ada yg namanya ketua tim?",
    "di situ disebut pejabat level 2 juga?",
    "yang di situ berlaku buat pemda juga?",
])
def test_di_situ_points_back(question):
    assert points_back(question) == "rujukan"


@pytest.mark.parametrize("question", [
    "di situ ada yg namanya ketua tim?",
    "ada ketentuan soal tim kerja lintas unit?",
    "apa ada yg ngatur soal umpan balik?",
])
def test_a_follow_up_asking_whether_something_exists_keeps_its_own_kind(assistant, question):
    history = _exchange("Permenpan yg ngatur sistem kerja pasca penyederhanaan birokrasi nomor brp?",
                        "Menurut Permenpan RB Nomor 7 Tahun 2022: ... [1]")
    q = _understand(assistant, question, history)
    assert q.kind != "nomor"


@pytest.mark.parametrize("question, kind", [
    ("ayat berapa yang bilang pelaksana itu kerjanya rutin?", "pasal"),
    ("itu diatur di ayat mana?", "pasal"),
    ("Pasal 34 ayat berapa yang mengatur batas pelantikan?", "pasal"),
    # "kapan ... diundangkan" asks a date only within one question
    ("Permenpan 34/2011 mulai berlaku kapan? sejak diundangkan atau gimana?", "waktu"),
    ("Permenpan 34/2011 diundangkan kapan?", "tanggal"),
    ("kapan Perwal 9/2023 ditetapkan?", "tanggal"),
    # an alternative question asks which option holds, not a value
    ("Permenpan 34/2011 mulai berlaku sejak tanggal ditetapkan atau sejak diundangkan?", "apakah"),
    ("apakah batas waktunya 30 Juni atau 31 Desember 2021?", "apakah"),
    ("tanggal berapa Permenpan 34/2011 ditetapkan?", "tanggal"),
    ("berapa tahun atau berapa bulan masa penyesuaiannya?", "jumlah"),
    # a time frame noun with its possessive
    ("batas waktunya instansi nyesuain nomenklatur?", "waktu"),
    ("tenggatnya kapan?", "waktu"),
    ("jangka waktunya berapa?", "waktu"),
])
def test_the_kind_of_ayat_and_date_questions(question, kind):
    from assistant.text import standardize
    from assistant.understanding.kinds import question_kind

    assert question_kind(standardize(question)) == kind


def test_the_clitic_after_the_suffix_i_keeps_the_root():
    from assistant.text import stem

    # Sastrawi alone: "menilainya" -> "nila"; "bunyinya" and "isinya" were right already
    assert [stem(w) for w in ("menilainya", "dinilainya", "memenuhinya", "bunyinya", "isinya")] == [
        "nilai", "nilai", "penuh", "bunyi", "isi"]


# ---- wave 2 session 8: fresh set P -----------------------------------------------------------
@pytest.mark.parametrize("message, parts", [
    ("Klasifikasi jabatan pelaksana di Permen PANRB 45/2022 ada apa saja, dan diatur di pasal berapa?", 2),
    ("Perpres SPBE itu nomor berapa, lalu siapa yang menetapkannya?", 2),
    ("batas waktu usulan kapan, terus pelantikannya paling lambat kapan?", 2),
    ("Tugas, fungsi, dan wewenang Bagian Organisasi apa saja?", 1),
    ("Jabatan administrator, pengawas, dan pelaksana disetarakan ke jenjang apa?", 1),
    ("Di bagian kami ada staf yang ngurus surat, menata arsip, dan input data. Mereka masuk kelompok apa?", 1),
])
def test_a_comma_and_conjunction_opens_a_second_question_only_between_two_questions(message, parts):
    from assistant.understanding.kinds import sub_questions

    assert len(sub_questions(message)) == parts


@pytest.mark.parametrize("follow_up", ["direkturnya bertanggung jawab ke siapa?", "kedudukannya di bawah siapa?",
                                       "pengecualiannya ada?"])
def test_a_message_opening_with_a_possessed_noun_points_back(follow_up):
    from assistant.understanding.conversation import points_back

    assert points_back(follow_up) == "rujukan"


@pytest.mark.parametrize("message", ["Sebenarnya apa itu peta jabatan?", "Biasanya anjab disusun siapa?",
                                     "Apa itu peta jabatan?"])
def test_a_discourse_adverb_or_no_nya_opening_does_not_point_back(message):
    from assistant.understanding.conversation import points_back

    assert points_back(message) is None


def test_a_status_asked_after_a_question_about_a_matter_is_that_matters(assistant):
    q = _understand(assistant, "perannya masih berlaku gak?",
                    _exchange("Apakah koordinator dan subkoordinator itu jabatan?",
                              "Menurut Permenpan RB Nomor 28 Tahun 2019, Ringkasan — Koordinator: ... [1]"))
    assert q.continues and not q.continuation.document_level
    named = _understand(assistant, "masih berlaku?",
                        _exchange("Permenpan 28/2019 ttg apa?", "Menurut Permenpan RB Nomor 28 Tahun 2019: ... [1]"))
    assert named.continuation.document_level and named.reference.doc_ids == ["permenpan-rb-28-2019"]


@pytest.mark.parametrize("switch", ["Apa beda Perwal dan Perbup?", "bedanya perbup sama perwal apa?"])
def test_comparing_two_kinds_of_instrument_is_a_topic_of_its_own(assistant, switch):
    q = _understand(assistant, switch, _exchange("Apa saja kriteria pembentukan UPTD?",
                                                 "Menurut Permendagri Nomor 12 Tahun 2017, ... [1]"))
    assert not q.continues


@pytest.mark.parametrize("message", ["apa peran Pejabat Level 2 pada tahap perencanaan?",
                                     "kepala seksi level 4 jadi apa?"])
def test_a_word_of_the_language_before_a_number_names_no_instrument(assistant, message):
    ref = assistant.resolver().resolve(message)
    assert ref.unresolved is None and not ref.doc_ids


def test_an_instrument_outside_the_corpus_is_still_named(assistant):
    assert assistant.resolver().resolve("Pergub Banten 12/2020 ngatur apa?").unresolved


def test_a_regulations_name_does_not_make_the_kind(assistant):
    named = "Menurut Permenpan RB Nomor 7 Tahun 2022, penyederhanaan birokrasi dilaksanakan dalam berapa tahap?"
    assert _understand(assistant, named, []).kind != "nomor"
    asked = "Permenpan RB Nomor 17 Tahun 2021 itu diundangkan di BN nomor brp?"
    assert _understand(assistant, asked, []).kind == "nomor"


def test_asking_for_examples_asks_a_list(assistant):
    q = _understand(assistant, "contohnya?", _exchange("Informasi jabatan hasil anjab memuat berapa butir?",
                                                       "Menurut Permenpan RB Nomor 1 Tahun 2020, ... 17 butir [1]"))
    assert q.kind == "daftar"


# ---- wave 2 session 10 -------------------------------------------------------------------------
def test_the_same_thing_in_other_words_is_nothing_new_to_the_conversation(assistant):
    """"tanda tangan" is how staff say "ditandatangani" (lexicon related_terms): a follow-up in the
    one after a question in the other brings no topic of its own."""
    history = [Turn(role="user", content="Komitmen bersama smart city Cilegon ditandatangani kapan?"),
               Turn(role="assistant", content="...")]
    q = _understand(assistant, "terus siapa saja yang tanda tangan?", history)
    assert q.continues and not q.continuation.new_words, q.continuation


# ---- wave 2 session 11: fresh sets Y and Z ----------------------------------------------------
@pytest.mark.parametrize("message, parts", [
    ("Kapan Perpres SPBE ditetapkan? Sekalian, pejabat yang menandatanganinya siapa?", 2),
    ("Klerek itu apa? Oh ya, kalau teknisi tugas pokoknya apa?", 2),
    ("Eselon IV disetarakan ke jenjang apa? Satu lagi, pelantikan hasil penyetaraannya paling lambat kapan?", 2),
    ("Permenpan 45/2022 ditetapkan tgl brp? Btw, itu menggantikan permen yang lama yg mana?", 2),
    # a closing sentence that asks nothing of its own (fewer than three words) is no part
    ("Apa itu peta jabatan? Terima kasih?", 1),
    # a statement before the question is the situation, not a second question
    ("Saya staf baru di Bagian Organisasi. Apa itu peta jabatan?", 1),
])
def test_a_sentence_the_writer_closed_with_a_question_mark_is_a_question_of_its_own(message, parts):
    """The question mark is the writer's own mark of a question: after "...? Sekalian, ...?" the
    second sentence asks something even when no question word opens it."""
    from assistant.understanding.kinds import sub_questions

    assert len(sub_questions(message)) == parts, sub_questions(message)


# ---- wave 2 session 12: fresh sets AA and AB --------------------------------------------------
@pytest.mark.parametrize("message, sides", [
    ("bedanya operator sama teknisi apa?", ["operator", "teknisi"]),
    ("Klerek, operator, dan teknisi itu bedanya di mana?", ["Klerek", "operator", "teknisi"]),
    ("jabatan fungsional dan jabatan pelaksana apa bedanya?", ["jabatan fungsional", "jabatan pelaksana"]),
    ("UPTD kelas A sama kelas B beda nya apa", ["UPTD kelas A", "kelas B"]),
    ("Koordinator dan subkoordinator bedanya apa? Itu jabatan resmi atau bukan?", ["Koordinator", "subkoordinator"]),
    ("Apakah ada perbedaan antara UPTD kelas A dan kelas B?", ["UPTD kelas A", "kelas B"]),
    ("apa perbedaan klerek, operator dan teknisi?", ["klerek", "operator", "teknisi"]),
    # no sides named: nothing is compared
    ("Apa saja jabatan yang tidak berbeda?", []),
    ("bedanya apa ya?", []),
])
def test_the_sides_of_a_comparison_are_read_before_or_after_the_comparison_word(message, sides):
    """"A dan B bedanya apa?" names the sides before the comparison word, "bedanya A dan B?" after
    it; a sentence closed with "?" bounds them ("bedanya apa? Itu jabatan resmi atau bukan?" is
    no comparison of "itu jabatan resmi" and "bukan")."""
    from assistant.understanding.kinds import compared_sides

    assert compared_sides(message) == sides


@pytest.mark.parametrize("message, searched", [
    ("mksd delayering itu apa sih? sering denger tp ga paham", "mksd delayering itu apa sih?"),
    ("BN nya permenpan 45 thn 2022 nomor brp? buat konsiderans draf perwal", "BN nya permenpan 45 thn 2022 nomor brp?"),
    # what follows asks something: an interrogative, or a statement closed by a tag particle
    ("yg nyampein itu siapa? wakil walkot kan", "yg nyampein itu siapa? wakil walkot kan"),
    ("Apa itu peta jabatan? Terus siapa yang menyusunnya", "Apa itu peta jabatan? Terus siapa yang menyusunnya"),
])
def test_a_remark_after_the_question_is_not_searched(assistant, message, searched):
    """A remark after the question mark that asks nothing says what the answer is for or why the
    user asks; it is not what retrieval searches ("draf perwal" would rank a Perwal first)."""
    q = _understand(assistant, message)
    assert q.standalone == searched


def test_a_short_turn_naming_its_own_regulation_is_the_whole_context(assistant):
    """"kalau Perwal 6/2023 judulnya apa?" is short but names its own regulation: a follow-up after
    it borrows that turn's topic, not the one before it as well (which was about Perwal 9/2023)."""
    history = [Turn(role="user", content="peta jabatan itu sebenernya diatur di pedoman mana?"),
               Turn(role="assistant", content="Menurut Perwal Kota Cilegon Nomor 9 Tahun 2023 ..."),
               Turn(role="user", content="kalau Perwal 6/2023 judulnya apa?"),
               Turn(role="assistant", content="Peraturan Wali Kota Cilegon Nomor 6 Tahun 2023 tentang Pola Koordinasi ...")]
    q = _understand(assistant, "naskahnya ada?", history)
    assert q.continues and q.continuation.context == "kalau Perwal 6/2023 judulnya apa?"
    assert "peta" not in q.standalone


@pytest.mark.parametrize("follow_up", ["kapan ditetapkannya?", "itu ditetapkan kapan?", "ditetapkan tgl berapa?"])
def test_a_document_question_after_a_glossary_answer_is_about_the_regulation_it_names(assistant, follow_up):
    """The glossary has no date or status: "kapan ditetapkannya?" after an answer quoting its entry
    ("... menurut Permenpan RB Nomor 45 Tahun 2022") asks about the regulation the entry names."""
    history = [Turn(role="user", content="klerek operator teknisi itu apa?"),
               Turn(role="assistant", content="Menurut Glosarium Penyederhanaan Birokrasi, Klerek, Operator, Teknisi: "
                                              "Klerek, operator, dan teknisi adalah tiga klasifikasi jabatan pelaksana "
                                              "menurut Permenpan RB Nomor 45 Tahun 2022. [1]")]
    q = _understand(assistant, follow_up, history)
    assert q.continues and q.continuation.document_level
    assert q.reference.doc_ids == ["permenpan-rb-45-2022"], q.reference


@pytest.mark.parametrize("follow_up", [
    "Menimbangnya merujuk pasal berapa UU ASN?",
    "mengingatnya nyebut UU 20/2023 gak?",
    "konsideransnya ngutip UU ASN pasal berapa?",
])
def test_a_possessed_document_part_opening_the_message_is_the_conversation_documents(assistant, follow_up):
    """"Menimbangnya ... UU ASN": the -nya owner is the document spoken of; the regulation named
    after it is what that part refers to, not a new topic."""
    history = [Turn(role="user", content="Informasi jabatan hasil anjab itu memuat berapa butir?"),
               Turn(role="assistant", content="Menurut Permenpan RB Nomor 1 Tahun 2020, Ringkasan: 17 butir. [1]")]
    q = _understand(assistant, follow_up, history)
    assert q.continues and q.conversation_docs[:1] == ["permenpan-rb-1-2020"], q.continuation


def test_a_regulation_named_without_a_possessed_part_is_a_question_of_its_own(assistant):
    history = [Turn(role="user", content="Informasi jabatan hasil anjab itu memuat berapa butir?"),
               Turn(role="assistant", content="Menurut Permenpan RB Nomor 1 Tahun 2020, Ringkasan: 17 butir. [1]")]
    q = _understand(assistant, "UU ASN 2023 menimbangnya apa saja?", history)
    assert not q.continues and q.continuation.reason == "menyebut-peraturan"


@pytest.mark.parametrize("message, kind", [
    ("Apakah Permenpan RB 28/2019 masih dapat digunakan sebagai dasar hukum konsiderans kami?", "status"),
    ("UU 5/2014 masih bisa dicantumkan di bagian mengingat?", "status"),
    ("aturan itu masih berlaku?", "status"),
    ("apa dasar hukumnya?", "pasal"),
    ("dasar hukum evaluasi UPTD apa?", "pasal"),
])
def test_using_a_regulation_as_a_basis_asks_whether_it_stands(message, kind):
    """"masih dapat digunakan sebagai dasar hukum?" asks whether the regulation still stands; "apa
    dasar hukumnya?" asks which regulation is the basis."""
    from assistant.understanding.kinds import question_kind

    assert question_kind(message.lower()) == kind
