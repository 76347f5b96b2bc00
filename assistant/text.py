"""Indonesian text normalisation and the tokens BM25 sees.

Two sides, on purpose: a *question* is brought to standard spelling (chat slang, Jakarta-style
verbs, everyday words → the texts' words) before it is tokenized (`tokens`, `standardize`); a
*passage* keeps its own words (`passage_tokens`): only forms that mean the same are added beside
them (digits for number words and "eselon IV", the expansion of an abbreviation). Identifiers —
words written in capitals or inside a code ("SE 060/328/ORG/2023", "Permenpan RB") — are never
rewritten on either side.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from .lexicons import lexicon_hash, load_map, load_words
from .lexicons.language import colloquial_lexicon, function_words, root_words, source_fingerprint

# Bump the revision when the code of `passage_tokens` changes; the lexicons' bytes (ours, Kamus
# Alay's version, Sastrawi's dictionary) are part of the version, so editing a table re-tokenizes
# the index on the next ingest.
_TOKENIZER_REVISION = 8
TOKENIZER_VERSION = f"{_TOKENIZER_REVISION}-{lexicon_hash()[:10]}-{source_fingerprint()[:10]}"

# "inget2", "tahap2nya": chat writes a reduplicated word with a 2; the base word carries the sense.
_REDUPLICATION_MARK = re.compile(r"\b([a-z]{2,})2(?=nya\b|\b)", re.I)
# "BN-nya", "SK-mu", "Perwal-nya": the spelling rules (PUEBI) hyphenate a clitic onto an
# abbreviation or a capitalised word; the word is what carries the sense.
_HYPHENATED_CLITIC = re.compile(r"\b([a-z0-9]+)-(?:nya|ku|mu)\b", re.I)
_WORD = re.compile(r"[0-9]+[a-z]?|[a-z]+(?:-[a-z]+)*")
_stemmer = None


def normalize(text: str) -> str:
    """NFKC, lower case, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _REDUPLICATION_MARK.sub(r"\1", text)
    text = _HYPHENATED_CLITIC.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _token_form(text: str) -> str:
    """The normalised text with "eselon IV" written "eselon 4", as both sides are tokenized."""
    return _ROMAN_AFTER.sub(lambda m: f"{m.group(1)} {_ROMAN[m.group(2)]}", normalize(text))


def _get_stemmer():
    global _stemmer
    if _stemmer is None:
        _stemmer = StemmerFactory().create_stemmer()
    return _stemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    # Numbers and number+letter (5a) are kept as they are: they name Pasal, years, deadlines.
    if word[0].isdigit():
        return word
    # Reduplicated words (jabatan-jabatan) stem to their base; other hyphenated words stay joined.
    parts = word.split("-")
    if len(parts) == 2 and parts[0] == parts[1]:
        word = parts[0]
    if word.endswith("inya") and len(word) > 7:
        # The clitic -nya follows every derivational suffix; after the suffix "-i" Sastrawi,
        # stripping both, lands on another root ("menilainya" -> "nila", "dinilainya" -> "nila").
        # The word without the clitic, when it stems to a root word, is what it means ("menilai"
        # -> "nilai").
        base = _get_stemmer().stem(word[:-3])
        if base in root_words():
            return base
    return _get_stemmer().stem(word) or word


# Chat spellings staff type (Kamus Alay + ours), and everyday words, mapped to the standard/corpus word.
SLANG = {**colloquial_lexicon(), **load_map("question_paraphrases")}
# Office abbreviations ("TPP", "Pemkot") are written in capitals as often as not: they expand anyway.
_DOMAIN_CHAT = load_map("domain_chat")
# Roman numerals after these words are written as digits in the tokens ("eselon IV" meets "eselon 4").
_ROMAN = load_map("roman_numerals")
_ROMAN_AFTER = re.compile(
    rf"\b({'|'.join(sorted(load_words('roman_numeral_contexts')))})[\s-]+({'|'.join(sorted(_ROMAN, key=len, reverse=True))})\b"
)
# Spelled-out small numbers are digits in the tokens too ("dua level" meets "2 level").
_NUMBER_WORDS = load_map("number_words")
# Abbreviations expanded in both questions and passages, so "JF" meets "jabatan fungsional".
ABBREVIATIONS = load_map("domain_abbreviations")


# Jakarta-style verb forms: "ditetapin" → "ditetapkan", "ngelantik" → "melantik", "ngatur" → "mengatur".
_COLLOQUIAL_IN = re.compile(r"^(di|me|mem|men|meng|ber|ter|ng|nge)([a-z]{3,})in$")
_NOT_COLLOQUIAL = load_words("not_colloquial_verbs")


def is_indonesian_word(word: str) -> bool:
    """Whether `word` is in Sastrawi's root dictionary, or an affixed form of a root in it."""
    roots = root_words()
    parts = [part for part in word.lower().split("-") if part]
    return bool(parts) and all(part in roots or stem(part) in roots for part in parts)


@lru_cache(maxsize=100_000)  # called for every word of every passage the composer weighs
def colloquial_to_standard(word: str) -> str:
    lower = word.lower()
    if lower in SLANG:
        return SLANG[lower]
    # The Jakarta-style verb rules guess; a word of the language is not a guess ("dingin", "ingin").
    if is_indonesian_word(lower):
        return word
    if lower.endswith("nya") and len(lower) > 6:
        # "nentuinnya", "ngusulinnya": the chat verb carries the clitic -nya, read without it
        base = colloquial_to_standard(lower[:-3])
        if base != lower[:-3]:
            return base + "nya"
    if lower not in _NOT_COLLOQUIAL:
        match = _COLLOQUIAL_IN.match(lower)
        if match:
            lower = f"{match.group(1)}{match.group(2)}kan"
    if lower.startswith("nge") and len(lower) > 6:
        lower = "me" + lower[3:]
    elif lower.startswith("ng") and len(lower) > 4 and lower[2] in "aiueo":
        lower = "meng" + lower[2:]
    return lower if lower != word.lower() else word


def expand(word: str) -> list[str]:
    """A question word (already in standard spelling) as the texts' words: digits for a number
    word, the expansion of an abbreviation (also carrying the clitic -nya: "kadisnya")."""
    if word in _NUMBER_WORDS:
        return [_NUMBER_WORDS[word]]
    word = _abbreviation_of(word)
    return ABBREVIATIONS[word].split() if word in ABBREVIATIONS else word.split()


def _passage_forms(word: str) -> list[str]:
    """A passage word kept as written, with what means the same beside it."""
    if word in _NUMBER_WORDS:
        return [_NUMBER_WORDS[word]]
    base = _abbreviation_of(word)
    return [word, *ABBREVIATIONS[base].split()] if base in ABBREVIATIONS else [word]


def _abbreviation_of(word: str) -> str:
    """"wawalkotnya" is "wawalkot" + the clitic -nya: the stemmer does not know an abbreviation's
    root, so the clitic is taken off here when what is left is one."""
    if word.endswith("nya") and word not in ABBREVIATIONS and word[:-3] in ABBREVIATIONS:
        return word[:-3]
    return word


_TEXT_WORD = re.compile(r"\b\w+\b")


def _mostly_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _is_identifier(match: re.Match, capitals_mean_identifier: bool) -> bool:
    """A word in capitals ("ORG", "RB") or inside a code ("060/328/org/2023") names something."""
    word, text = match.group(0), match.string
    if capitals_mean_identifier and len(word) >= 2 and word.isupper():
        return True
    before = text[match.start() - 1] if match.start() else " "
    after = text[match.end()] if match.end() < len(text) else " "
    return before == "/" or after == "/"


# Memoised: the composer weighs the same passage units for many questions (~57 token lists per
# answer, most of an answer's non-model time before); every table they read is fixed at import.
TEXT_CACHE_SIZE = 50_000


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def standardize(text: str) -> str:
    """A question in standard spelling (slang replaced, identifiers kept), for the dense model and
    the question's tokens."""
    capitals = not _mostly_capitals(text)  # a question typed all in capitals has no capital marks
    text = _REDUPLICATION_MARK.sub(r"\1", text)
    return _TEXT_WORD.sub(
        lambda m: _DOMAIN_CHAT.get(m.group(0).lower(), m.group(0)) if _is_identifier(m, capitals)
        else colloquial_to_standard(m.group(0)),
        text,
    )


def tokens(text: str) -> list[str]:
    """A question's stemmed tokens (standard spelling first), without a stop-word list (Sastrawi's
    list hurt retrieval in our probes). A new list each call (the tokens themselves are cached)."""
    return list(_tokens(text))


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_stem_in_standard_spelling(x) for w in _WORD.findall(_token_form(standardize(text))) for x in expand(w))


@lru_cache(maxsize=100_000)
def _stem_in_standard_spelling(word: str) -> str:
    """A chat spelling of a root is one in its affixed forms too: "setaun" stems to "taun", which
    the chat lexicon reads as "tahun". Whole words were looked up already (`standardize`), so
    only a root the stemmer uncovers is looked up here; a word kept as written (an identifier,
    "ORG") is its own stem and stays."""
    root = stem(word)
    standard = SLANG.get(root) if root != word else None
    if not standard or " " in standard:
        return root
    return stem(standard)


_WRITTEN_WORD = re.compile(r"[\w-]+")


def word_groups(text: str) -> list[tuple[str, ...]]:
    """The stems of `text` (as `tokens` reads the whole text: "eselon IV" is "eselon 4"), the stems
    one written word expands to kept together ("PNS": pegawai, negeri, sipil): one concept the
    user wrote, which must not weigh three times."""
    stems = tokens(text)
    expansions = {tuple(tokens(w)) for w in _WRITTEN_WORD.findall(text)}
    expansions = sorted((e for e in expansions if len(e) > 1), key=len, reverse=True)
    groups: list[tuple[str, ...]] = []
    i = 0
    while i < len(stems):
        group = next((e for e in expansions if tuple(stems[i:i + len(e)]) == e), (stems[i],))
        groups.append(tuple(dict.fromkeys(group)))
        i += len(group)
    return groups


def passage_tokens(text: str) -> list[str]:
    """A passage's stemmed tokens for the index: its own words, nothing rewritten."""
    return [stem(x) for w in _WORD.findall(_token_form(text)) for x in _passage_forms(w)]


# How staff say it and how the texts say it (lexicons/data/related_terms.tsv): the eselon a position
# had and the name the regulations give it now ("eselon 3", "kabid" -> "administrator", and back);
# office words for what the texts say ("gak ikut disetarakan" -> "dikecualikan", "diundur" ->
# "perpanjangan"). Keys are compared as stemmed token sequences, so every affixed form matches.
@lru_cache(maxsize=1)
def _related_terms() -> tuple[tuple[tuple[str, ...], str], ...]:
    return tuple((tuple(tokens(said)), texts_say) for said, texts_say in load_map("related_terms").items())


def _holds(sequence: list[str], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(tuple(sequence[i:i + n]) == part for i in range(len(sequence) - n + 1))


@lru_cache(maxsize=4096)
def with_related_terms(question: str) -> str:
    """`question` with the texts' words for what it says (other names of the positions it
    mentions, office words) appended: for retrieval and for choosing units. Memoised: an answer
    asks for the same texts several times (search, evidence, each part)."""
    said = tokens(question)
    present = set(said)
    extra = [
        words for key, words in _related_terms()
        if key and key[0] in present and _holds(said, key) and not set(tokens(words)) <= present
    ]
    extra = list(dict.fromkeys(extra))
    return f"{question} ({', '.join(extra)})" if extra else question


def related_stems(question: str) -> list[tuple[frozenset[str], frozenset[str]]]:
    """For each related term `question` says: the stems it is said with and the stems of the texts'
    words for it ("tanda tangan" -> {tanda, tangan}, {tandatangan})."""
    said = tokens(question)
    present = set(said)
    return [(frozenset(key), frozenset(tokens(words))) for key, words in _related_terms()
            if key and key[0] in present and _holds(said, key)]


def without_related_terms(text: str) -> str:
    """`text` without the related terms `with_related_terms` appended to it (if it did)."""
    match = re.search(r" \([^()]*\)$", text)
    if match and with_related_terms(text[: match.start()]) == text:
        return text[: match.start()]
    return text


@lru_cache(maxsize=1)
def function_stems() -> frozenset[str]:
    """The stems of Sastrawi's stop words (lexicons.language.function_words)."""
    return frozenset(t for w in sorted(function_words()) for t in tokens(w))
