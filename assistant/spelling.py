"""Question words the corpus never uses, brought back to the corpus's spelling.

Staff type fast: "fungsioanl", "jabtan", "nyusun", "sebutin". A word whose stem the index does
not know is tried as a Jakarta-style verb ("sebutin" → "sebutkan", "nyusun" → "menyusun") and
then, only if it is not an Indonesian word at all (Sastrawi's root dictionary, affixed forms
through the stemmer), as a typo of a corpus word (rapidfuzz, same first letter, one or two slips).
A valid word is never "corrected": "tinggal" stays "tinggal" although the corpus says "tanggal".
What stays unknown after that is a real gap in the corpus, which the evidence check counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .text import colloquial_to_standard, is_indonesian_word, normalize, root_words, stem, tokens

_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_ROMAN = re.compile(r"^[ivx]+$")  # "III/b": a rank, not a topic
_MIN_TYPO_LENGTH = 6  # shorter words have too many neighbours to guess from ("bulan" is not "bukan")
# A root this short under affixes this long ("penye-tar-an") is the stemmer over-reading a typo.
_SHORT_ROOT = 3
_LONG_AFFIXES = 5


@dataclass
class Speller:
    words: list[str]  # surface words of the corpus (normalised), the typo candidates
    stems: frozenset[str]  # stems the index knows
    vocabulary: frozenset[str] = frozenset()  # every surface word of the corpus
    _cache: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts, stems) -> "Speller":
        # Normalising is local to a whitespace-separated piece (NFKC, lower case, "tahap2nya"), so
        # each distinct piece is normalised once rather than every text whole: the same words,
        # 20 s → a few at 274,000 chunks, whose pieces repeat.
        pieces = set()
        for text in texts:
            pieces.update(text.split())
        vocabulary = {w for piece in pieces for w in _WORD.findall(normalize(piece))}
        words = sorted(w for w in vocabulary if len(w) >= _MIN_TYPO_LENGTH - 1)
        return cls(words=words, stems=frozenset(stems), vocabulary=frozenset(vocabulary))

    def correct(self, text: str) -> str:
        """`text` with unknown words replaced by the corpus word they most likely mean."""
        return _WORD.sub(lambda m: self._word(m.group(0)), text)

    def unknown(self, text: str) -> list[str]:
        """The stems of `text` (after correction) that the index does not know."""
        # Codes ("III/b", "D-3") and two-letter fragments say nothing about the topic.
        return [
            t for t in dict.fromkeys(tokens(self.correct(text)))
            if t not in self.stems and len(t) > 2 and not any(c.isdigit() for c in t) and not _ROMAN.match(t)
        ]

    def knows(self, word: str) -> bool:
        """Whether the corpus uses `word` as written or in its standard spelling ("tetep" is
        "tetap"); for names, where a stem or a typo guess would match too much."""
        lower = word.lower()
        return bool({lower, colloquial_to_standard(lower)} & self.vocabulary)

    def _known(self, word: str) -> bool:
        return all(stem(part) in self.stems for part in word.split())

    def _word(self, word: str) -> str:
        lower = word.lower()
        if lower not in self._cache:
            self._cache[lower] = self._lookup(lower)
        fixed = self._cache[lower]
        return word if fixed == lower else fixed

    def _lookup(self, lower: str) -> str:
        if is_indonesian_word(lower):
            return self._dropped_letter(lower)
        standard = colloquial_to_standard(lower)
        if self._known(standard) or is_indonesian_word(standard):
            return lower
        for candidate in _verb_forms(standard):
            if self._known(candidate):
                return candidate
        if len(standard) < _MIN_TYPO_LENGTH or "-" in standard:
            return lower
        # One slip (a letter missing, extra, wrong or two swapped) in a short word, two in a long one.
        edits = 1 if len(standard) <= 8 else 2
        found = process.extractOne(
            standard,
            [w for w in self.words if w[0] == standard[0] and abs(len(w) - len(standard)) <= edits],
            scorer=OSA.distance,
            score_cutoff=edits,
        )
        return found[0] if found else lower


    def _dropped_letter(self, lower: str) -> str:
        """A long word the stemmer accepts only by stripping it down to a short root the corpus
        never uses, one dropped letter away from a corpus word, is that word mistyped: Sastrawi
        reads "penyetaran" as "tar" under a prefix and a suffix, but it is "penyetaraan". A root
        itself ("tinggal"), a word whose root the corpus uses, a word under one short affix
        ("teradu": ter + adu) or any other slip ("umurnya" is not "umumnya") stays as written."""
        root = stem(lower)
        if lower in root_words() or root in self.stems or len(root) > _SHORT_ROOT \
                or len(lower) - len(root) < _LONG_AFFIXES:
            return lower
        longer = [w for w in self.words if len(w) == len(lower) + 1 and w[0] == lower[0]]
        found = process.extractOne(lower, longer, scorer=OSA.distance, score_cutoff=1)
        return found[0] if found else lower


def _verb_forms(word: str) -> list[str]:
    """Standard forms of a colloquial verb: "sebutin" → "sebutkan", "nyusun" → "menyusun"."""
    forms = []
    if word.endswith("in") and len(word) > 5:
        forms += [word[:-2] + "kan", word[:-2] + "i"]
    if word.startswith("ny") and len(word) > 4:
        # colloquial ny- stands for meN- on a root in s- ("nyusun": menyusun) or c- ("nyabut": mencabut)
        forms.append("meny" + word[2:])
        forms.append("menc" + word[2:])
        forms.append("men" + word[2:])
    if word.endswith("nya") and len(word) > 6:
        forms += [f[:-3] for f in [word, *forms] if f.endswith("nya")]
    return forms
