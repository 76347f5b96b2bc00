"""The default composer: deterministic, extractive, every sentence with its citation.

It splits the retrieved passages into units (ayat, list items, sentences), scores each against
the question (idf-weighted overlap of stems, plus what the kind of question wants: a date for
"kapan", list items for "apa saja"), and writes the best units as the answer, each with `[n]`.
Nothing is written that is not in a passage.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterator

from ..citations import body, make_citation
from ..lexicons import load_map, load_words
from ..records import ScoredChunk
from ..text import function_stems, standardize, tokens, without_related_terms, word_groups
from ..understanding.conversation import document_words
from ..understanding.kinds import (
    FRAME_WORDS,
    QUESTION_WORDS,
    compared_sides,
    question_kind,
    situation_and_question,
    sub_questions,
)
from .base import Composition, Evidence

_ITEM = re.compile(r"^(?:\(\d+[a-z]?\)|[a-z]\.|\d+\.|[-•*])\s")
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\"“])")
_DATE = re.compile(
    r"\b(?:\d{1,2}\s+)?(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember)\s+\d{4}\b"
    # a duration ("2 (dua) tahun"), but not a regulation's "Nomor 9 Tahun 2023"
    r"|\b(?:\d+|satu|dua|tiga|empat|lima|enam)\s+(?:\(\w+\)\s+)?(?:hari|minggu|bulan|tahun)\b(?!\s+(?:19|20)\d\d)"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.I,
)
_NUMBER_WORD = r"(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu)"
# A quantity: a number or number word that is not a year and does not name a regulation,
# a Pasal or an ayat ("Nomor 45", "Pasal 4", "ayat (2)").
_NUMBER = re.compile(
    r"(?<!nomor )(?<!no\. )(?<!pasal )(?<!ayat \()(?<!tahun )(?<!salah )(?<!\d)(?<![\d/])"
    r"\b(?!(?:19|20)\d\d\b)(?:\d[\d.,]*|" + _NUMBER_WORD + r"|\w+\s+(?:belas|puluh|ratus|ribu))\b",
    re.I,
)
# "eselon III" answers "eselon berapa?", and only a question about an eselon.
_NUMBER_OR_ESELON = re.compile(_NUMBER.pattern + r"|\b(?<=eselon )(?:i{1,3}|iv|v)\b", re.I)


def _cues(kind: str, tail: str = "") -> re.Pattern:
    """The cue words of `kind` (lexicons/data/answer_cues.tsv) as one whole-word pattern."""
    phrases = sorted((cue for cue, kinds in load_map("answer_cues").items() if kind in kinds.split()),
                     key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b" + tail, re.I)


# A unit that says who acts, defines, obliges or permits (the cue words are lexicon data).
_WHO = _cues("who")
# "siapa yang dilantik?" asks who underwent the action, "siapa yang melantik?" / "dilantik siapa?" its doer.
_ASKS_PATIENT = re.compile(r"\bsiapa\s+(?:saja\s+|aja\s+)?(?:yang|yg)\s+(?:akan\s+|telah\s+|sudah\s+)?di(?!\s)", re.I)
# The agent of a passive clause, marked by "oleh" ("ditetapkan oleh Menteri", "dilantik dan diambil
# sumpahnya langsung oleh Wali Kota"): up to two words may stand between "oleh" and the doer.
_AGENT = re.compile(r"\boleh\s+(?:\w+\s+){0,2}(?:" + _WHO.pattern + ")", re.I)
AGENT_REACH = 8  # words before "oleh" in which the passive verbs it completes stand


def _passive_verbs(before: str) -> set[str]:
    """The stems of the passive verbs ("di-") among the last AGENT_REACH words of `before`."""
    words = re.findall(r"\w+", before)[-AGENT_REACH:]
    return {t for w in words if w.lower().startswith("di") for t in tokens(w)}


_DEFINES = _cues("defines")
_MODAL = _cues("modal")

@dataclass
class _Unit:
    hit_index: int
    text: str
    score: float
    line: int
    own: float = 0.0  # share of the question's own topic weight (not the borrowed context) it holds
    # the stems of what the unit means beyond its words: a list item's lead-in, a table row's header
    context: frozenset = frozenset()


class ExtractiveComposer:
    name = "extractive"
    max_citations = 3

    def compose(self, evidence: Evidence) -> Composition:
        existence = _asks_existence(evidence.question)
        note = None if existence else declared_unknown(evidence)
        if note is not None:
            return Composition(answer="", citations=[], refusal=note, reason="dinyatakan-tidak-diketahui")
        picked = self._pick_for_each_part(evidence)
        if not picked:
            reason = "jenis-tidak-terpenuhi" if evidence.kind in _WANTS else "tidak-ada-kutipan"
            return Composition(answer="", citations=[], refusal=_missing(evidence.kind), reason=reason)
        if _says_unknown(picked[0].text, evidence) and not existence and evidence.kind != "status":
            # The best passage is the corpus saying it does not know ("... tidak ditemukan"); to
            # "naskahnya sudah ada?" that statement is the answer, and to "masih berlaku?" the note
            # that the status is not known.
            label = make_citation(1, evidence.hits[picked[0].hit_index], evidence.documents, []).label
            return Composition(answer="", citations=[], refusal=_unknown_message(picked[0].text, label),
                               reason="dinyatakan-tidak-diketahui")
        by_hit: dict[int, list[_Unit]] = {}
        for unit in picked:
            by_hit.setdefault(unit.hit_index, []).append(unit)
        citations, sentences = [], []
        for n, (index, units) in enumerate(by_hit.items(), 1):
            units.sort(key=lambda u: u.line)
            hit = evidence.hits[index]
            citation = make_citation(n, hit, evidence.documents, [u.text for u in units])
            citations.append(citation)
            lead = f"Menurut {citation.label}:" if n == 1 else f"Selain itu, {citation.label} menyebutkan:"
            sentences.append(lead + " " + _join(units, n))
        warnings = []
        named_pasal = any(c.pasal or re.search(r"\bpasal\s+\d", c.quote, re.I) for c in citations)
        if _ASKS_PASAL_NUMBER.search(evidence.question) and not named_pasal:
            # "Pasal berapa?" and the passages that answer name no Pasal: say so rather than guess one.
            warnings.append(
                "Korpus tidak mencantumkan nomor Pasal untuk ketentuan ini; periksa naskah resminya (JDIH) "
                "sebelum mengutip nomor Pasal."
            )
        wanted = _wanted(evidence)
        if wanted is not None and not any(h.exact for h in evidence.hits) and not any(
            wanted.search(_content(u.text, _own_names(evidence))) for u in picked
        ):
            # A strong passage that does not state what the kind of question wants is quoted, with a
            # note, rather than refused: the guessed kind may be wrong, the passage is the best basis.
            warnings.append(_not_stated(evidence.kind))
        return Composition(answer="\n\n".join(sentences), citations=citations, warnings=warnings)

    def stream(self, evidence: Evidence) -> Iterator[str | Composition]:
        composition = self.compose(evidence)
        for piece in re.findall(r"\S+\s*", composition.answer):
            yield piece
        yield composition

    # ---- selection ----------------------------------------------------------------------
    def _pick_for_each_part(self, evidence: Evidence) -> list[_Unit]:
        """The units that answer a message: each side of a comparison, each part of a message that
        asks two things ("berapa lama ..., dan apa akibatnya?"), the question of a message that
        first describes the situation; otherwise simply the best units."""
        compared = list(evidence.compared) if evidence.compared is not None else compared_sides(evidence.question)
        parts, background = _parts(evidence), ""
        if evidence.kind in _WANTS:
            compared = []  # "berapa skor yang membedakan kelas A dan kelas B?" asks a value, not the difference
        if compared and len(parts) < 2:
            picked = self._pick_each_side(evidence, compared)
            if picked:
                return picked
        if len(parts) < 2:
            background, asked = situation_and_question(evidence.question)
            if not background:
                return self._pick(evidence)
            parts = [asked]
        picked: list[_Unit] = []
        for i, part in enumerate(parts):
            situation, asked = situation_and_question(part)
            others = " ".join(p for j, p in enumerate(parts) if j != i)
            kind = question_kind(standardize(asked))
            other_kinds = {question_kind(standardize(p)) for j, p in enumerate(parts) if j != i}
            if kind == "umum" and evidence.kind in other_kinds:
                # "menggantikan permen yg mana, dan brp nomenklatur yg dirombak?": the message's kind
                # is another part's ("brp"); this part asks nothing of that kind.
                kind = "umum"
            elif kind == "umum":
                kind = evidence.kind
            part_evidence = replace(
                evidence,
                question=asked,
                kind=kind,
                context=" ".join(x for x in (evidence.context, others) if x),
                situation=" ".join(x for x in (background, situation) if x),
            )
            exclude = frozenset((u.hit_index, u.line) for u in picked)
            units = self._pick(part_evidence, exclude=exclude)
            # "Klerek dan operator bedanya apa? Terus teknisi kerjanya apa?": the part that compares is
            # answered side by side when its best units do not name every side
            sides = compared_sides(asked) if compared else []
            if sides and not _names_every_side(units, sides, evidence):
                units = self._pick_each_side(part_evidence, sides, exclude) or units
            if i == 0 and not units:
                return []  # the main question has no answer here; the rest cannot stand for it
            cited_docs = {evidence.hits[u.hit_index].chunk.doc_id for u in picked}
            for unit in units:
                if any((u.hit_index, u.line) == (unit.hit_index, unit.line) for u in picked):
                    continue  # the passage around an earlier part's answer may hold it again
                if i > 0 and evidence.hits[unit.hit_index].chunk.doc_id not in cited_docs:
                    continue  # a later part is answered from the documents the first part cites
                used = {u.hit_index for u in picked}
                if unit.hit_index in used or len(used) < self.max_citations:
                    picked.append(unit)
        return picked

    def _pick_each_side(self, evidence: Evidence, sides: list[str], exclude: frozenset = frozenset()) -> list[_Unit]:
        """"Bedanya operator sama teknisi?": the unit that says what each side is ([] unless every
        side has one). A unit that already says what a side is ("UPTD kelas A untuk beban kerja
        besar dan UPTD kelas B untuk beban kerja kecil") answers that side too."""
        picked: list[_Unit] = []
        covered, tellings = 0, []
        for side in sides:
            side_evidence = replace(evidence, question=side, kind="definisi", context=evidence.question)
            # the unit must name the side by its most telling word ("operator" in "jab pelaksana operator")
            telling = _telling(side, evidence)
            if any(_describes_apart(u.text, previous, telling) for u in picked for previous in tellings):
                covered += 1
                continue
            tellings.append(telling)
            exclude = exclude | frozenset((u.hit_index, u.line) for u in picked)
            # a unit that glosses the side ("- klerek: tugas pelayanan administrasi ...") in any passage
            # read, before the best unit that merely names it ("... klerek, operator, dan teknisi")
            glossing = [u for u in self._glosses(side_evidence, telling) if (u.hit_index, u.line) not in exclude]
            naming = glossing[:1] or [u for u in self._pick(side_evidence, exclude=exclude) if telling in tokens(u.text)]
            picked += naming[:1]
        return picked if len(picked) + covered == len(sides) else []

    def _glosses(self, evidence: Evidence, word: str) -> list[_Unit]:
        """The units of the passages read that gloss `word` ("- klerek: ..."), a regulation's own
        before a glossary's or a report's, best first."""
        weights = _query_weights(evidence)
        units = [u for index, hit in enumerate(evidence.hits) for u in self._units(index, hit, evidence, weights)]
        glossing = [u for u in units if (m := _GLOSS.match(u.text)) and word in tokens(m.group(1))]

        def secondary(unit: _Unit) -> bool:
            meta = evidence.documents.get(evidence.hits[unit.hit_index].chunk.doc_id)
            return meta is not None and meta.jenis.lower() in SECONDARY_KINDS

        return sorted(glossing, key=lambda u: (secondary(u), -u.score))

    def _pick(self, evidence: Evidence, exclude: frozenset = frozenset()) -> list[_Unit]:
        """The units that answer `evidence.question` (none of `exclude`, (hit, line) pairs that
        an earlier part of the question already took), best first."""
        weights = _query_weights(evidence)
        frame = FRAME_WORDS.get(evidence.kind, frozenset())
        # The question's own topic words that some passage could hold (a word the corpus never uses
        # is for the evidence decision to weigh, not a share every unit would miss alike).
        own = _own_weights(evidence, frame)
        # "BN-nya Permenpan 45/2022 tentang jabatan pelaksana nomor berapa?": the named document's
        # title words only say which document; the topic is "Berita Negara".
        titles = _title_tokens(evidence)
        if any(t not in titles for t in own):
            own = {t: w for t, w in own.items() if t not in titles}
        own_total = sum(own.values())
        if evidence.kind == "ihwal" and evidence.named_docs and not evidence.pasal \
                and not any(h.exact for h in evidence.hits):
            about = self._about(evidence)
            if about:
                return about
        every = [u for i, hit in enumerate(evidence.hits[:8]) for u in self._units(i, hit, evidence, weights)]
        for unit in every:
            stems = set(tokens(unit.text))
            # With no topic words of its own ("itu tgl brp?" about a named document) any unit qualifies.
            unit.own = sum(w for t, w in own.items() if t in stems) / own_total if own_total else 1.0
        units = [u for u in every if u.score > 0 and (u.hit_index, u.line) not in exclude
                 and not _lists_other_unknowns(u.text, evidence)]
        if not units:
            return []
        best = max(units, key=lambda u: u.score)
        if own_total and not _is_provision(evidence.hits[best.hit_index]):
            # A regulation's own Pasal that holds the question's topic as fully as the best summary
            # or glossary unit is the better legal basis: the answer quotes the Pasal.
            provisions = [u for u in units if _is_provision(evidence.hits[u.hit_index]) and u.own >= best.own > 0]
            if provisions:
                best = max(provisions, key=lambda u: u.score)
        if evidence.kind == "daftar" and not _lists(best.text):
            # "N apa saja?" asks for the members of N: the unit of the same document that lists them
            # ("Klasifikasi ... terdiri atas tiga klasifikasi: klerek, ...") answers it, though
            # another holds more of the question's words ("dikelompokkan ke dalam klasifikasi
            # berdasarkan ...", for "dikelompokkan jd klasifikasi apa aja?").
            asked = _answer_type(evidence)
            doc = evidence.hits[best.hit_index].chunk.doc_id
            listing = [u for u in units if evidence.hits[u.hit_index].chunk.doc_id == doc
                       and _lists(u.text, asked) and u.score >= LISTING_SHARE * best.score]
            if listing:
                best = max(listing, key=lambda u: u.score)
        if _ASKS_PASAL_NUMBER.search(evidence.question) and not evidence.hits[best.hit_index].chunk.pasal:
            # "Pasal berapa?": a provision with its Pasal that answers nearly as well is the answer;
            # at less than half as well it is a Pasal on another subject, not the one asked for
            # (0.3 -> 0.5 on the dev split: "Pasal berapa ... evaluasi UPTD" took Pasal 3 on cabang dinas).
            numbered = [u for u in units if evidence.hits[u.hit_index].chunk.pasal
                        and u.score >= NUMBERED_SHARE * best.score]
            if numbered:
                best = max(numbered, key=lambda u: u.score)
        if evidence.place_docs and evidence.hits[best.hit_index].chunk.doc_id not in evidence.place_docs \
                and not _speaks_of_places(evidence.hits[best.hit_index].chunk, evidence.places):
            # "Di Cilegon, ... OPD mana?": what the region's own documents say answers first, when
            # they answer nearly as well as a national rule (not over a rule's own section on the
            # region: "Penerapan di Kota Cilegon — Tinjauan Setwapres 2017").
            local = [u for u in units if evidence.hits[u.hit_index].chunk.doc_id in evidence.place_docs
                     and u.score >= 0.5 * best.score]
            if local:
                best = max(local, key=lambda u: u.score)
        status = [u for u in units if _states_status(evidence, evidence.hits[u.hit_index])]
        if evidence.kind == "status" and status:
            # "Permenpan 34/2011 masih berlaku?": the named document's status section says it (that
            # it is not known, too); its Pasal that another regulation "tidak berlaku lagi" answers
            # another question.
            best = max(status, key=lambda u: u.score)
        elif _says_unknown(best.text, evidence):
            # The corpus's own "not known" outranks any unit that merely holds a date; not a unit
            # that states the fact with as much of the question ("Tidak ditemukan sumber yang
            # menyatakan ... dicabut" against "... mencabut Kepmenpan 11/2024" for "mencabut apa?").
            stating = [u for u in units if u.hit_index != best.hit_index and not _says_unknown(u.text, evidence)
                       and u.own >= best.own and u.score >= STATING_SHARE * best.score]
            if not stating:
                return [best]
            best = max(stating, key=lambda u: u.score)
        # A Pasal the question named is the answer whatever it says.
        wanted = None if any(h.exact for h in evidence.hits) else _wanted(evidence)
        if wanted is not None:
            # "Tanggal berapa?" / "Berapa?" need a date or a number: take the best unit that has one,
            # if it is still about the question; otherwise the corpus does not hold what was asked.
            # "BN-nya Permenpan 45/2022 nomor berapa?": the named regulation's own number is no answer.
            own_names = _own_names(evidence)
            # A named document anchors the question: its title words need not be in the unit.
            min_own = 0.15 if evidence.named_docs else MIN_OWN_WITH_FACT
            # "berapa jumlah PNS ...?": the number must be about what is counted; a unit naming it
            # is about the question even with less of the rest of its words.
            counted, counts_after = _counted_noun(evidence)
            counted = set(counted)
            holding = [
                u for u in units
                if wanted.search(_content(u.text, own_names)) and u.score >= 0.25 * best.score
                and counted <= set(tokens(u.text)) | u.context
                and u.own >= (COUNTED_OWN if counted and counts_after else min_own)
            ]
            if not holding and evidence.kind == "waktu":
                # "Kapan suatu kegiatan dianggap selesai?": with no date about the topic, a clause of
                # time or condition ("... selesai apabila ...") is what answers "kapan".
                holding = [u for u in units if _TIME_OR_CONDITION.search(_content(u.text, own_names))
                           and u.score >= 0.25 * best.score and u.own >= min_own]
            if holding:
                best = max(holding, key=lambda u: u.score)
            elif evidence.kind in _STRICT_WANTS or not _strong(best, own):
                # "Tanggal berapa?", "berapa orang?" ask for a value no unit about the topic holds
                # (the corpus does not state it); or no unit holds the topic itself.
                return []
            else:
                wanted = None  # "kapan dianggap selesai?": a condition answers it; the composer notes it
        chosen = [best]
        # More of the best passage: its list items, or units nearly as good.
        same = [u for u in every if u.hit_index == best.hit_index and u is not best]
        if evidence.kind == "daftar" or best.text.rstrip().endswith(":"):
            chosen += _following_items(same, best)
        # The sentences around the best one often hold the decisive fact (the consequence, the
        # name, the date) with fewer of the question's words: up to three more of that passage.
        scored = [u for u in same if u.score > 0]
        if len(scored) <= 2 and not evidence.hits[best.hit_index].chunk.pasal:
            # A short prose section is read whole; a Pasal is quoted by the ayat that answers, so
            # that the citation names the ayat.
            chosen += [u for u in scored if u not in chosen]
        else:
            chosen += [u for u in scored if u not in chosen and u.score >= SAME_PASSAGE_SHARE * best.score][:3]
        # The unit of that passage that names the question's rarest word ("BKPP") when the
        # chosen ones do not: it is most likely the specific answer.
        rarest = max((t for t in own if t in weights), key=own.get, default=None)
        if rarest and not any(rarest in tokens(u.text) for u in chosen):
            naming = [u for u in same if u not in chosen and rarest in tokens(u.text) and u.score > 0]
            chosen += sorted(naming, key=lambda u: -u.score)[:1]
        # A second passage only when it answers nearly as well and adds another provision.
        others = sorted((u for u in units if u.hit_index != best.hit_index), key=lambda u: -u.score)
        used_hits = {best.hit_index}
        for unit in others:
            if len(used_hits) >= self.max_citations:
                break
            if unit.hit_index in used_hits or unit.score < 0.8 * best.score:
                continue
            if wanted is not None and not wanted.search(_content(unit.text, own_names)):
                continue
            focus = evidence.named_docs or evidence.conversation_docs or evidence.place_docs
            if focus and evidence.hits[unit.hit_index].chunk.doc_id not in focus:
                continue  # the question (or the conversation) is about other documents
            if any(_overlap(unit.text, c.text) > 0.6 for c in chosen):
                continue
            best_doc = evidence.hits[best.hit_index].chunk.doc_id
            if evidence.hits[unit.hit_index].chunk.doc_id != best_doc and not _adds_topic(unit, chosen, own):
                continue  # another document restating what is already answered
            chosen.append(unit)
            used_hits.add(unit.hit_index)
        return chosen

    def _about(self, evidence: Evidence) -> list[_Unit]:
        """'Perwal X itu tentang apa?': the named document's introduction or identity passage."""
        for index, hit in enumerate(evidence.hits):
            chunk = hit.chunk
            if chunk.doc_id not in evidence.named_docs:
                continue
            heading = (chunk.heading or "").lower()
            if chunk.bagian in ("Isi", "Pembukaan") and (not chunk.heading or "identitas" in heading or "pengantar" in heading):
                texts = _split_units(body(chunk))[:2]
                return [_Unit(index, text, 1.0, line) for line, text in enumerate(texts)]
        return []

    def _units(self, index: int, hit: ScoredChunk, evidence: Evidence, weights: dict[str, float]) -> list[_Unit]:
        prior = 1.0 / (1.0 + 0.15 * index) + (0.5 if hit.exact else 0.0)
        meta = evidence.documents.get(hit.chunk.doc_id)
        if hit.chunk.pasal and hit.chunk.bagian == "Batang Tubuh":
            # A provision with its Pasal is the better legal basis; "pasal berapa?" needs one.
            prior *= 1.5 if evidence.kind == "pasal" else 1.15
        if meta is not None and meta.jenis.lower() in SECONDARY_KINDS:
            prior *= 0.8  # a regulation's own provision is the better legal basis than a glossary entry
        if _PREAMBLE.match(hit.chunk.heading or "") and not _ASKS_PREAMBLE.search(evidence.question):
            prior *= 0.5  # "Menimbang"/"Mengingat" give the reasons and the basis, not the rules
        if (hit.chunk.heading or "").startswith("Konteks"):
            prior *= 0.75  # a digest's context section retells other sources; it is not the document's own rule
        if hit.chunk.doc_id in evidence.place_docs:
            prior *= 1.3  # "di Cilegon ...": the region's own documents say what happened there
        intro = hit.chunk.bagian == "Isi" and not hit.chunk.heading and meta is not None and not meta.resmi
        plans_unasked = not _IRREALIS.search(evidence.question)
        out = []
        lead: set[str] = set()  # the stems of the sentence that introduces a list ("... meliputi:")
        header: set[str] = set()  # the stems of a table's header row
        # A line of the preamble asked for means what its heading says of it ("Menimbang": "a.
        # bahwa ..."), as a list item means what its lead-in says. (Not every heading: a digest's
        # headings retell its topic and would outrank the Pasal that states it.)
        asked_preamble = _PREAMBLE.match(hit.chunk.heading or "") and _ASKS_PREAMBLE.search(evidence.question)
        section = set(tokens(hit.chunk.heading or "")) if asked_preamble else set()
        for line_no, text in enumerate(_split_units(body(hit.chunk))):
            stems = set(tokens(text))
            overlap = sum(w for t, w in weights.items() if t in stems)
            overlap += 0.5 * sum(w for t, w in weights.items() if t in section and t not in stems)
            row = text.startswith("|")
            context = frozenset(header) if row and header else frozenset()
            header = (header or stems) if row else set()
            if _ITEM.match(text):
                context = frozenset(lead)
                # A list item means what its lead-in says of it: "penyetaraan di Cilegon meliputi:
                # - jabatan administrator, khusus pada DPMPTSP" answers "penyetaraan di Cilegon?".
                overlap += 0.5 * sum(w for t, w in weights.items() if t in lead and t not in stems)
            else:
                lead = stems if text.rstrip().endswith(":") else set()
            if hit.exact or (not weights and hit.chunk.doc_id in evidence.named_docs):
                # The Pasal the question named, or the document it asks about without naming a
                # topic ("itu tgl brp?"), is relevant as a whole.
                overlap = max(overlap, 0.1)
            score = overlap * prior * (1.0 + _kind_bonus(evidence, text, in_pasal=bool(hit.chunk.pasal)))
            if plans_unasked and _IRREALIS.search(text):
                score *= PLAN_SHARE  # "Pemkot akan mengalihkan sedikitnya 200 pejabat": a plan, not what happened
            if _ABOUT_THE_DIGEST.search(text):
                score *= 0.4  # a digest describing itself answers no question about the rules
            elif intro:
                score *= 0.6  # a digest's opening summary: its sections say the same, with detail
            if evidence.ayat and text.startswith(f"({evidence.ayat})"):
                score *= 3.0
            if evidence.huruf and text.startswith(f"{evidence.huruf}."):
                score *= 3.0
            out.append(_Unit(index, text, score, line_no, context=context))
        return out


# Markers of what has not happened yet (lexicon ``irrealis_markers``): a sentence stating a plan
# weighs this share when the question asks about no plan.
_IRREALIS = re.compile(r"\b(?:" + "|".join(sorted(load_words("irrealis_markers"))) + r")\b", re.I)
PLAN_SHARE = 0.7
# Sentences in which a digest describes itself or its sources ("Dokumen ini merangkum ...").
_ABOUT_THE_DIGEST = re.compile(
    r"^(?:(?:dokumen|ringkasan|glosarium|catatan) ini\b|semua isi berstatus|naskah resmi\w* tidak|isi di bawah"
    r"|satu-satunya sumber|dari naskah\w*|nomor pasal hanya|hanya pembukaan)",
    re.I,
)
_PREAMBLE = re.compile(r"^(?:menimbang|mengingat)\b", re.I)
_ASKS_PREAMBLE = re.compile(
    r"\b(?:menimbang\w*|mengingat\w*|pertimbangan|latar belakang|alasan|tujuan\w*|guna\w*|fungsi\w*"
    r"|manfaat\w*|(?:untuk|buat)\s+(?:\w+\s+)?apa)\b",
    re.I,
)
_CALENDAR_DATE = re.compile(
    r"\b(?:\d{1,2}\s+)?(?:januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember)"
    r"\s+\d{4}\b|\b\d{4}-\d{2}-\d{2}\b",
    re.I,
)
# What a kind of question needs in its answer. "tanggal"/"tahun"/"nomor"/"jumlah" cannot be
# answered without one; "waktu" ("kapan", "batas waktu") may also be answered by a condition.
_WANTS = {
    "waktu": _DATE,
    "tanggal": _CALENDAR_DATE,
    # a year, but not the year in a regulation's name ("Nomor 17 Tahun 2021", "45/2022")
    "tahun": re.compile(r"(?<!tahun )(?<!/)\b(?:19|20)\d\d\b", re.I),
    "jumlah": _NUMBER,
    "nomor": re.compile(r"\b(?:nomor|no\.?)\s*[\w/.]*\d|\b[A-Z]{1,4}/\d+", re.I),
}
_STRICT_WANTS = {"tanggal", "tahun", "jumlah", "nomor"}
# Subordinating conjunctions of time and condition (lexicon ``time_and_condition_conjunctions``).
_TIME_OR_CONDITION = re.compile(
    r"\b(?:" + "|".join(sorted(load_words("time_and_condition_conjunctions"))) + r")\b", re.I)


def _wanted(evidence: Evidence) -> re.Pattern | None:
    if evidence.kind == "jumlah" and "eselon" in tokens(without_related_terms(evidence.question)):
        return _NUMBER_OR_ESELON
    return _WANTS.get(evidence.kind)
# A date or number answers only from a unit that holds this share of the question's own topic:
# "batas usia pensiun JF ahli madya?" is not answered by a number next to "JF ahli madya".
MIN_OWN_WITH_FACT = 0.4
# ... or this share, when the unit names what a "berapa"/"jumlah" question counts.
COUNTED_OWN = 0.1
# A unit holding this share of the question's own topic is a strong passage: when it lacks the date
# or number the question's kind wants, it is quoted with a note instead of refused.
STRONG_OWN = 0.5
NUMBERED_SHARE = 0.5  # a numbered Pasal answers "pasal berapa?" when it scores this share of the best unit
SAME_PASSAGE_SHARE = 0.35
# A unit stating the fact with as much of the question's topic outranks the corpus's "not known"
# when it scores at least this share of it (cue words weigh on both).
STATING_SHARE = 0.75
# "klasifikasi apa saja?": the unit listing the asked noun's members answers at this share of the
# best unit's score (z03 of fresh set Z: 0.24, the Pasal listing against the one grouping).
LISTING_SHARE = 0.2
SECONDARY_KINDS = {"glosarium", "berita"}


# The corpus's own notes on what it does not hold ("Yang tidak diketahui: isi surat edaran, ...").
_DECLARES_UNKNOWN = re.compile(r"(?:yang )?tidak (?:diketahui|ditemukan|tercantum|dapat dibaca)\b", re.I)
_ASKS_PASAL_NUMBER = re.compile(r"\b(?:pasal|psl|ayat)\s*(?:ke\s*)?(?:berapa|brp|mana|yang mana|yg mana)\b", re.I)
_ASKS_CONTENT = re.compile(r"\b(?:isi|isinya|bunyi|bunyinya|poin|butir|intinya|pokok|ketentuan)\b", re.I)
# What a kind of question asks for, as a note of the unknown words it.
_ASKED_BY_KIND = {"tanggal": "tanggal", "nomor": "nomor", "tahun": "tahun"}


def _says_unknown(text: str, evidence: Evidence) -> bool:
    """The unit is the corpus saying it does not know ("Tidak ditemukan ...", or "Tanggal ditetapkan
    ... tidak ditemukan dalam sumber" for a question asking that date): quoting it as an answer
    would present "not known" as found."""
    if _DECLARES_UNKNOWN.match(text):
        return True
    said = _DECLARES_UNKNOWN.search(text)
    if not said:
        return False
    # The words of the declaring sentence before the declaration, without regulations' names
    # ("... Nomor 11 Tahun 2024 ...": a name's "Nomor" is not the number asked about).
    sentence = re.split(r"(?<=[.;])\s+", text[: said.start()])[-1]
    declared = set(tokens(_REGULATION_NAME.sub(" ", sentence)))
    frame = FRAME_WORDS.get(evidence.kind)
    if frame and frame & declared:
        return True
    # Whatever the kind: the sentence declares unknown every word the question asks about ("Mohon
    # informasi nomor Berita Negara ..." and "... nomor Berita Negara ... tidak tercantum").
    asked = _asked_words(evidence)
    return len(asked) >= 2 and asked <= declared


def _asked_words(evidence: Evidence) -> set[str]:
    """The question's own topic stems: no question words, no named document's title or name."""
    question = _REGULATION_NAME.sub(" ", without_related_terms(evidence.question))
    return {t for t in tokens(question) if t not in QUESTION_WORDS and evidence.known(t)} - _title_tokens(evidence)


_CITES = re.compile(r"\b(?:nomor|no\.?)\s*[\w/.-]*\d[\w/.-]*\s+tahun\s+\d{4}|\bpasal\s+\d+", re.I)
_REGULATION_NAME = re.compile(r"\b(?:nomor|no\.?)\s*[\w/.-]*\d[\w/.-]*(?:\s+tahun\s+\d{4})?|\b\d+/\d{4}\b", re.I)


def _parts(evidence: Evidence) -> list[str]:
    """The questions a message asks: as the understanding stage read them, or (a composer called
    without it) read here."""
    return list(evidence.parts) if evidence.parts is not None else sub_questions(evidence.question)


def declared_unknown(evidence: Evidence) -> str | None:
    """A refusal quoting the document's own note when it says that what is asked (its content, its
    date, its number) is not known. The document is the one the question names, or, for a
    follow-up, the one the conversation is about ("isi pasal-pasalnya gimana?")."""
    docs = evidence.named_docs or evidence.conversation_docs[:1]
    if not docs or any(h.exact for h in evidence.hits):
        return None
    parts = _parts(evidence)
    asked = _ASKED_BY_KIND.get(evidence.kind)
    if asked is None and (evidence.kind in ("ihwal", "daftar", "umum") and _ASKS_CONTENT.search(evidence.question)):
        asked = "isi"
    if asked is None and len(parts) < 2:
        return None
    for hit in evidence.hits:
        if hit.chunk.doc_id not in docs:
            continue
        for text in _split_units(body(hit.chunk)):
            lowered = text.lower()
            if not lowered.startswith("yang tidak diketahui"):
                continue
            if evidence.pasal and not re.search(rf"\bpasal\s+{re.escape(evidence.pasal)}\b", lowered):
                continue  # "Pasal 108 ... isinya apa?": a note on other matters says nothing of that Pasal
            if len(parts) > 1:
                # "ditujukan kepada siapa, dan apa isi penegasannya?": refused only when the note
                # names what every part asks; "judulnya apa, dan apakah isinya sudah dapat
                # dirujuk?" is answered with what is known.
                named = all(_note_item_names(lowered, replace(evidence, question=part)) for part in parts)
            else:
                named = _note_names_the_asked(lowered, asked, evidence)
            if named:
                label = make_citation(1, hit, evidence.documents, []).label
                return _unknown_message(text, label)
    return None


def _naming_tokens(evidence: Evidence) -> set[str]:
    """The stems of the named documents' short names ("Perwal Kota Cilegon Nomor 9 Tahun 2023")."""
    return {t for d in evidence.named_docs if d in evidence.documents for t in tokens(evidence.documents[d].short_name)}


def _note_item_names(note: str, evidence: Evidence) -> bool:
    """Whether one item of a "Yang tidak diketahui: ..." note holds every word the question asks
    about ("kepada siapa surat itu ditujukan" for "ditujukan kepada siapa saja?")."""
    asked = _asked_words(evidence) - FRAME_WORDS.get(question_kind(standardize(evidence.question)), frozenset()) \
        - _naming_tokens(evidence)
    items = re.split(r"[,;:()]|\b(?:dan|serta)\b", note.removeprefix("yang tidak diketahui"))
    if not asked:
        # "apa saja poin penegasannya?" (its topic is the document's title): it asks the content
        return bool(_ASKS_CONTENT.search(evidence.question)) and any("isi" in tokens(item) for item in items)
    return any(asked <= set(tokens(item)) for item in items)


_EXISTENCE_WORDS = "|".join(sorted(load_words("existence_words")))
# "... sudah ada?", "... ada gak?", "apakah ... memang ada?": the message ends asking whether it
# exists (not "apa saja yang ada?", where "ada" is inside a relative clause).
_EXISTENCE_QUESTION = re.compile(
    rf"(?<!\byang )(?<!\byg )\b(?:{_EXISTENCE_WORDS})\s*(?:gak|ga|nggak|enggak|tidak|belum|kah)?\s*\?*\s*$", re.I)


# "Apakah ada Permendagri 25/2021 ...?", "adakah ...?": the polar question opens with the
# existence predicate (the yes/no particle, then "ada"), the thing asked about follows.
_EXISTENCE_FIRST = re.compile(
    rf"^(?:apakah|apa|apa\s+benar|benarkah)\s+(?:memang\s+|sudah\s+|masih\s+)?(?:{_EXISTENCE_WORDS})\b"
    r"|^(?:adakah|tersediakah)\b", re.I)


def _asks_existence(question: str) -> bool:
    text = without_related_terms(question).strip()
    return bool(_EXISTENCE_QUESTION.search(text) or _EXISTENCE_FIRST.search(text))


def _lists_other_unknowns(text: str, evidence: Evidence) -> bool:
    """A "Yang tidak diketahui: ..." note none of whose items is the date or number asked ("nomor
    Pasal ... tipologi" for "dimuat di LN nomor berapa?"): neither an answer nor a reason to refuse."""
    asked = _ASKED_BY_KIND.get(evidence.kind)
    lowered = text.lower()
    # a note that names no number at all ("produk hukum yang menetapkan hasilnya") may still be
    # what is asked; only one listing other numbers is set aside
    return (asked is not None and lowered.startswith("yang tidak diketahui")
            and re.search(rf"\b{asked}\b", lowered) is not None and not _note_names_the_asked(lowered, asked, evidence))


def _note_names_the_asked(note: str, asked: str, evidence: Evidence) -> bool:
    """Whether an item of the note ("nomor Berita Negara", one of "tanggal penetapan, tanggal
    pengundangan, nomor Berita Negara, ...") is what the question asks: it names the asked word, and
    what qualifies it there is the question's topic (or either has nothing else). "Mencabut Permenpan
    nomor berapa?" asks a number, but not the Berita Negara number the note says is unknown. Only
    for numbers (a regulation's number, its Pasal's, its gazette's are different facts); a date
    of a regulation is its enactment's ("ditandatangani" is the note's "tanggal penetapan"), unless
    the question asks the date of something else the note does not speak of ("komitmen smart
    city-nya ditandatangani kapan?")."""
    if asked == "tanggal":
        other = (_asked_words(evidence) - FRAME_WORDS.get(evidence.kind, frozenset()) - set(tokens(asked))
                 - _naming_tokens(evidence) - document_words())
        if other and max(other, key=evidence.idf) not in set(tokens(note)):
            return False
    if asked != "nomor":
        return bool(re.search(rf"\b{asked}\b", note))
    topic = _asked_words(evidence) - FRAME_WORDS.get(evidence.kind, frozenset()) - set(tokens(asked))
    for item in re.split(r"[,;:()]|\b(?:dan|serta)\b", note.removeprefix("yang tidak diketahui")):
        if not re.search(rf"\b{asked}\b", item):
            continue
        # "... untuk Perwal ini": function words and the named document's own name qualify nothing
        qualifier = set(tokens(item)) - set(tokens(asked)) - function_stems() - _naming_tokens(evidence)
        # "nomor Berita Daerah Kota Cilegon" is not what "perda ... nomor berapa?" asks, though
        # "daerah" is in both: most of what qualifies the item must be asked, and the note must
        # speak of the question's most specific word ("Perda RPJMD Kota Cilegon ... nomor
        # berapa?": the note of Perwal 106/2016 does not speak of the RPJMD).
        if not qualifier or not topic:
            return True
        if 2 * len(qualifier & topic) >= len(qualifier) and max(topic, key=evidence.idf) in set(tokens(note)):
            return True
    return False


def _unknown_message(note: str, label: str) -> str:
    return (
        f"Korpus tidak memuat hal yang Anda tanyakan, jadi saya tidak akan menebak. Catatan pada {label}: "
        f"\u201c{note.strip()}\u201d Periksa naskah resminya (JDIH) atau tanyakan kepada instansi penerbitnya."
    )


def _content(text: str, own_names: re.Pattern | None = None) -> str:
    """A unit without its list marker ("2. ", "(3) ", "b. "), which is no quantity, nor the
    number of the regulation the question named."""
    text = _ITEM.sub("", text, count=1)
    return own_names.sub(" ", text) if own_names else text


def _own_names(evidence: Evidence) -> re.Pattern | None:
    """The ways a text cites the documents the question named ("Nomor 45 Tahun 2022", "45/2022")."""
    names = []
    for doc_id in evidence.named_docs:
        meta = evidence.documents.get(doc_id)
        if meta and meta.nomor and meta.tahun:
            nomor = re.escape(meta.nomor)
            names.append(rf"(?:nomor|no\.?)\s*{nomor}\s+tahun\s+{meta.tahun}|\b{nomor}\s*/\s*{meta.tahun}")
    return re.compile("|".join(names), re.I) if names else None


def _following_items(units: list[_Unit], best: _Unit) -> list[_Unit]:
    """The list items right after the best unit (its enumeration), up to the next non-item."""
    items = []
    for unit in sorted((u for u in units if u.line > best.line), key=lambda u: u.line):
        if not _ITEM.match(unit.text) or len(items) >= 12:
            break
        items.append(unit)
    return items


# What a kind of question asks for, as the messages name it.
_WHAT_BY_KIND = {"waktu": "tanggal atau batas waktu", "tanggal": "tanggal", "tahun": "tahun",
                 "jumlah": "angka atau jumlah", "nomor": "nomor"}


def _missing(kind: str) -> str:
    what = _WHAT_BY_KIND.get(kind, "jawaban")
    return (
        f"Korpus memuat ketentuan yang berkaitan, tetapi tidak menyebutkan {what} yang Anda tanyakan, "
        "jadi saya tidak akan menebak. Periksa teks resmi peraturannya (JDIH) atau tanyakan kepada instansi pembina."
    )


def _strong(unit: _Unit, own: dict[str, float]) -> bool:
    """A unit that holds most of the question's own topic, its most specific word included
    ("pensiun" in "batas usia pensiun JF ahli madya"): it answers the topic even when it lacks
    the date or number the kind of question wants."""
    if unit.own < STRONG_OWN or not own:
        return False
    return max(own, key=own.get) in tokens(unit.text)


def _states_status(evidence: Evidence, hit: ScoredChunk) -> bool:
    """A passage of the named document's section on its status ("Status Peraturan", "Identitas
    dan Status Berlaku")."""
    return hit.chunk.doc_id in evidence.named_docs and bool(_STATUS_HEADING.search(hit.chunk.heading or ""))


_STATUS_HEADING = re.compile(r"^status\b|\bstatus berlaku\b", re.I)


def _is_provision(hit: ScoredChunk) -> bool:
    return bool(hit.chunk.pasal) and hit.chunk.bagian == "Batang Tubuh"


def _not_stated(kind: str) -> str:
    what = _WHAT_BY_KIND.get(kind, "hal")
    return (
        f"Bagian yang dikutip tidak menyebutkan {what} yang Anda tanyakan; jawaban di atas adalah ketentuan "
        "terdekat di korpus. Periksa teks resminya (JDIH) sebelum mengutip."
    )


def _own_weights(evidence: Evidence, frame: frozenset[str]) -> dict[str, float]:
    """The question's own topic stems and their weights: idf, except that the stems one written
    word expands to ("PNS") share that word's weight (its rarest stem's idf), so a unit holding
    "pegawai negeri sipil" holds one concept of the question, not three."""
    own: dict[str, float] = {}
    for group in word_groups(evidence.question):
        stems = [t for t in group if t not in QUESTION_WORDS and t not in frame and evidence.known(t) and t not in own]
        if not stems:
            continue
        idf = [evidence.idf(t) for t in stems]
        scale = max(idf) / sum(idf) if sum(idf) else 0.0
        own.update({t: w * scale for t, w in zip(stems, idf)})
    return own


def _counted_noun(evidence: Evidence) -> tuple[tuple[str, ...], bool]:
    """The stems of what a "berapa"/"jumlah" question counts, and whether they follow the question
    word: the first word after it that is not a frame word ("berapa jumlah PNS ...": PNS; "brp
    orang pejabat ...": pejabat), or the noun right before a "berapa" that ends its clause
    ("setara eselon berapa kalau ...?": eselon). A number answers only from a unit that names it;
    () when the question names none. Only a counted noun after the question word names what is
    counted fully enough to relax how much of the rest of the topic the unit must hold."""
    found = _counted(evidence)
    return found if found else ((), False)


def _counted(evidence: Evidence) -> tuple[tuple[str, ...], bool] | None:
    if evidence.kind != "jumlah":
        return None
    frame = QUESTION_WORDS | FRAME_WORDS.get("jumlah", frozenset())
    groups = word_groups(_REGULATION_NAME.sub(" ", without_related_terms(evidence.question)))
    # numbers, Arabic or Roman ("eselon IV yg naik ke III brp?"), are not what is counted
    contents = [tuple(t for t in group if t not in frame and not t.isdigit() and t not in _ROMAN)
                for group in groups]
    for i, group in enumerate(groups):
        if not {"berapa", "jumlah"} & set(group):
            continue
        later = next((c for c in contents[i + 1:] if c), ())
        # "berapa tahun", "brp level": a unit of measure says how, not what, is counted
        if i + 1 < len(groups) and contents[i + 1]:
            return None if set(later) & _MEASURE_UNITS else (later, True)
        classifier = i + 1 < len(groups) and set(groups[i + 1]) & (FRAME_WORDS.get("jumlah", frozenset()) | _MEASURE_UNITS)
        if "berapa" in group and i > 0 and contents[i - 1] and not classifier:
            # "setara eselon berapa kalau ...?", "kelas berapa?": a noun right before "berapa" is
            # what is asked (its number or rank); the next clause is not.
            return None if set(contents[i - 1]) & _MEASURE_UNITS else (contents[i - 1], False)
        if later:
            return None if set(later) & _MEASURE_UNITS else (later, True)
    return None


_MEASURE_UNITS = frozenset(tokens(" ".join(sorted(load_words("measure_units")))))
_ROMAN = frozenset(load_map("roman_numerals"))


def _title_tokens(evidence: Evidence) -> set[str]:
    """The stems of the named documents' titles: they say which document, not what is asked."""
    return {t for d in evidence.named_docs if d in evidence.documents for t in tokens(evidence.documents[d].judul)}


def _query_weights(evidence: Evidence) -> dict[str, float]:
    weights: dict[str, float] = {}
    # The situation a message describes ("Saya staf baru di Bagian Organisasi ...") weighs least,
    # the earlier turns or the other half of a two-part question more, the question itself most.
    for text, share in ((evidence.situation, 0.2), (evidence.context, 0.5)):
        for token in tokens(text):
            if token not in QUESTION_WORDS:
                weights[token] = max(weights.get(token, 0.0), share * evidence.idf(token))
    # "di OPD mana saja?", "jabatan apa saja?": the word before "mana"/"apa" names the kind of
    # answer, which every candidate shares; it weighs less than the topic.
    answer_type = {t for m in _ANSWER_TYPE.finditer(evidence.question.lower()) for t in tokens(m.group(1))}
    # "... dicabut oleh Permenpan 34/2011 tentang Pedoman Evaluasi Jabatan": the title names the
    # document (already found); the topic is "dicabut".
    titles = _title_tokens(evidence)
    for token in tokens(evidence.question):
        if token not in QUESTION_WORDS:
            weight = evidence.idf(token) * (0.3 if token in answer_type or token in titles else 1.0)
            weights[token] = max(weights.get(token, 0.0), weight)
    return weights


_ANSWER_TYPE = re.compile(r"\b(\w+)\s+(?:mana|apa)(?:\s+(?:saja|aja|sj))?\b")


def _answer_type(evidence: Evidence) -> set[str]:
    """The stems of the noun a question asks the kind of ("klasifikasi" in "klasifikasi apa saja?")."""
    return {t for m in _ANSWER_TYPE.finditer(evidence.question.lower()) for t in tokens(m.group(1))
            if t not in QUESTION_WORDS}


def _lists(text: str, of: set[str] | None = None) -> bool:
    """Whether a unit enumerates ("... terdiri atas: a, b, dan c"), with `of`: things named by one
    of those stems before the enumeration ("Klasifikasi jabatan pelaksana terdiri atas ...")."""
    if of is None and (_ITEM.match(text) or _INLINE_LIST.search(text)):
        return True  # a list's item ("- pengolahan data: ..."), a list after a colon ("prinsip: (1) ..., (2) ...")
    match = _ENUMERATES.search(text)
    if not match or not ("," in text[match.end():] or text.rstrip().endswith(":")):
        return False
    return of is None or bool(of & set(tokens(text[: match.start()])))


_INLINE_LIST = re.compile(r":\s*\S[^:]*[,;]")


def _split_units(text: str) -> list[str]:
    units: list[str] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if _ITEM.match(line) or len(line) < 240:
            units.append(line)
        else:
            units.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return units


def _speaks_of_places(chunk, places: tuple[str, ...]) -> bool:
    """Whether the passage's heading names one of the regions."""
    heading = set(tokens(chunk.heading or ""))
    return any(set(tokens(place)) <= heading for place in places if tokens(place))


_STATUS = _cues("status")
_DEADLINE = _cues("deadline")
_ENUMERATES = re.compile(_cues("enumerates").pattern + r"|:\s*$", re.I)  # or a line ending in ":"


def _kind_bonus(evidence: Evidence, text: str, in_pasal: bool = False) -> float:
    kind = evidence.kind
    if kind == "waktu":  # a deadline question: a date, best one stated as a deadline
        return (0.6 if _DATE.search(text) else 0.0) + (0.4 if _DEADLINE.search(text) else 0.0)
    if kind == "tanggal":
        return 0.6 if _DATE.search(text) else 0.0
    if kind == "jumlah":
        return 0.4 if _NUMBER.search(text) else 0.0
    if kind == "siapa":
        # "Pejabat Level 2 menentukan ...": the one who acts, as the sentence's subject, answers "siapa".
        content = _content(text)
        agents = list(_AGENT.finditer(content))
        # "siapa yang dilantik?" asks who underwent the action (the passive's subject), not its doer
        if agents and not _ASKS_PATIENT.search(evidence.question):
            asked = set(tokens(evidence.question))
            if any(asked & _passive_verbs(content[:m.start()]) for m in agents):
                return 0.9  # "dilantik ... oleh Wali Kota ...": the doer of the very action asked about
        who = _WHO.search(content)
        return 0.0 if not who else 0.6 if who.start() < 25 else 0.3
    if kind == "definisi":
        return _defines_topic(evidence, text)
    if kind == "daftar":
        # An explicit enumeration ("terdiri atas a, b, dan c") is the answer to "apa saja?", best
        # one whose subject is what was asked ("Jabatan manajerial terdiri atas" for "jabatan
        # manajerial apa saja?", not "Jabatan ASN terdiri atas"); mere commas are not.
        match = _ENUMERATES.search(text)
        if match:
            listed = 0.6 if text.count(",") >= 1 or text.rstrip().endswith(":") else 0.4
            return listed + _subject_share(evidence, text[: match.start()])
        if _ITEM.match(text):
            return 0.6
        return 0.2 if text.count(",") >= 2 else 0.0
    if kind == "status":  # "masih berlaku?": what revoked, replaced or amended it, or that it stands
        return 0.8 if _STATUS.search(text) else 0.0
    if kind == "pasal":
        # "dasar hukumnya apa?", "pasal berapa?": a digest's or a report's unit citing a regulation by
        # its number or a Pasal ("mengacu pada Permendagri Nomor 12 Tahun 2017") names the basis asked
        # for; a Pasal's own unit is that basis already (its prior)
        if in_pasal or not _CITES.search(text):
            return 0.0
        return 0.4 if _CITES.search(_content(text, _own_names(evidence))) else 0.0
    if kind == "apakah":
        return 0.2 if _MODAL.search(text) else 0.0
    return 0.0


def _telling(side: str, evidence: Evidence) -> str:
    """The side's rarest topic word, the first of equals as written (a set's order changes from
    one process to the next, and the answer must not)."""
    words = [t for t in tokens(side) if t not in QUESTION_WORDS]
    return max(words, key=evidence.idf)


def _names_every_side(units: list[_Unit], sides: list[str], evidence: Evidence) -> bool:
    """Whether `units` say something of each side: every side is named, and for each two sides
    some unit names one without the other or describes them apart (units that only list
    "klerek, operator, dan teknisi" say what neither is)."""
    tellings = [_telling(side, evidence) for side in sides]
    held = [set(tokens(u.text)) for u in units]
    if not all(any(t in h for h in held) for t in tellings):
        return False
    return all(any(a not in h or b not in h or _describes_apart(u.text, a, b) for u, h in zip(units, held))
               for i, a in enumerate(tellings) for b in tellings[i + 1:])


def _describes_apart(text: str, first: str, second: str) -> bool:
    """Whether `text` names both sides with words of its own between them ("UPTD kelas A untuk
    beban kerja yang besar dan UPTD kelas B ..."), not only lists them ("klerek, operator, dan
    teknisi")."""
    words = [tokens(w) for w in re.findall(r"\w+", text)]
    at = {stem: i for i, ws in enumerate(words) for stem in ws}
    return first in at and second in at and abs(at[second] - at[first]) > DESCRIPTION_GAP


DESCRIPTION_GAP = 3  # words between two sides' names that say something of the first


def _defines_topic(evidence: Evidence, text: str) -> float:
    """A unit that defines the asked term ("Klerek adalah ...", "- klerek: tugas ...") beats one
    that merely uses it."""
    glossed = _GLOSS.match(text)
    if glossed:
        return 0.3 + 0.7 * _subject_share(evidence, glossed.group(1))
    match = _DEFINES.search(text)
    if not match:
        return 0.0
    return 0.3 + 0.7 * _subject_share(evidence, text[: match.start()])


_GLOSS = re.compile(r"^[-•*]?\s*([^:;,.]{1,40}):\s+\S")  # "- teknisi: tugas teknis ..."


def _subject_share(evidence: Evidence, subject: str) -> float:
    """The idf-weighted share of the question's topic words found in a unit's subject (the words
    before "adalah" / "terdiri atas")."""
    topic = {t: evidence.idf(t) for t in tokens(evidence.question) if t not in QUESTION_WORDS}
    total = sum(topic.values())
    if not total:
        return 0.0
    present = set(tokens(subject))
    return sum(w for t, w in topic.items() if t in present) / total


def _adds_topic(unit: _Unit, chosen: list[_Unit], own: dict[str, float]) -> bool:
    """Whether `unit` holds a topic word of the question that none of the chosen units hold."""
    held = set().union(*(set(tokens(c.text)) for c in chosen))
    return any(t in own and t not in held for t in tokens(unit.text))


def _overlap(a: str, b: str) -> float:
    sa, sb = set(tokens(a)), set(tokens(b))
    return len(sa & sb) / max(1, min(len(sa), len(sb)))


def _join(units: list[_Unit], n: int) -> str:
    parts = []
    for unit in units:
        text = unit.text.rstrip()
        if _ITEM.match(text) or text.endswith(":"):
            parts.append(f"\n{text} [{n}]" if parts else f"{text} [{n}]")
        else:
            if not text.endswith((".", "!", "?", ";", ":")):
                text += "."
            parts.append(f"{text} [{n}]")
    return " ".join(parts).replace(" \n", "\n")


