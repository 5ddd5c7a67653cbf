"""Text normalisation and segmentation for customers' requests (shared: analytics, knowledge).

The classifier, clustering and search all see text through :func:`normalize`, so that
traditional and simplified characters, full- and half-width forms, and different phone,
account and meter numbers do not split one request into many. Personal numbers are
masked into placeholder tokens (they carry no class information and must not end up in
a model artifact).

Placeholders are upper-case ASCII words; user text is lower-cased before masking, so
they never collide with what customers typed.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from gridcare.core.textutil import to_simplified

# Placeholder tokens.
PHONE = "PHONE"
LONGNUM = "LONGNUM"
AMOUNT = "AMOUNT"
KWH = "KWH"
NUM = "NUM"
PLACEHOLDERS = (PHONE, LONGNUM, AMOUNT, KWH, NUM)

# Service numbers that mean something (hotline, regulator, government hotline) stay literal.
SERVICE_NUMBERS = ("95598", "12398", "12345", "110", "119", "120")


# Word lists live in data/ (UTF-8, one entry a line, ``#`` comments), read once per process.
DATA_DIR = Path(__file__).resolve().parent / "data"


def _list_lines(name: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of a word-list file in data/, less comments and blank lines."""
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if line.strip() and not line.startswith("#"):
                yield number, line


@cache
def domain_words() -> list[str]:
    """Words jieba must keep whole (data/domain_words.txt): 台区, 低电压, 95598 …"""
    return [line.strip() for _, line in _list_lines("domain_words.txt")]


@cache
def en_glossary() -> dict[str, str]:
    """English words customers mix in → the Chinese terms the corpus uses (data/en_glossary.tsv).

    Applied to lower-cased text, whole words only, longest phrase first, so English or
    mixed text lands on the same features. General domain vocabulary, not tuned to any
    evaluation text.
    """
    glossary: dict[str, str] = {}
    for number, line in _list_lines("en_glossary.tsv"):
        english, tab, chinese = line.partition("\t")
        if not tab or not english or not chinese or "\t" in chinese:
            raise ValueError(f"en_glossary.tsv line {number}: expected 'english<TAB>chinese', got {line!r}")
        glossary[english] = chinese
    return glossary


def __getattr__(name: str):
    # The lists keep their module-level names (textnorm.DOMAIN_WORDS, textnorm.EN_GLOSSARY).
    if name == "DOMAIN_WORDS":
        return domain_words()
    if name == "EN_GLOSSARY":
        return en_glossary()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_EMOJI_RE = re.compile(
    "["
    "\U0001f000-\U0001faff"  # emoticons, symbols, pictographs, flags, mahjong …
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u2b00-\u2bff"  # arrows, stars
    "\ufe00-\ufe0f"  # variation selectors
    "\u200d"  # zero-width joiner
    "\u20e3"  # keycap
    "\U000e0000-\U000e007f"  # tags
    "]+"
)
# Full-width ASCII (U+FF01–FF5E) → ASCII; ideographic space → space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
_AMOUNT_RE = re.compile(
    r"(?:[¥￥]\s*\d+(?:[.,]\d+)*|\d+(?:[.,]\d+)*\s*(?:多|几)?\s*(?:元|块钱|块|rmb|万元|毛))"
)
_KWH_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:多|几)?\s*(?:度电|度|千瓦时|kwh|kw·h|kw)")
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_LONG_DIGITS = 6
_SPACE_RE = re.compile(r"\s+")

_LATIN_WORD = re.compile(r"[a-z]{2,}")


@cache
def _en_re() -> re.Pattern:
    glossary = en_glossary()
    return re.compile(
        r"(?<![a-z])("
        + "|".join(re.escape(k) for k in sorted(glossary, key=len, reverse=True))
        + r")(?![a-z])"
    )


def translate_english(text: str) -> str:
    """Replace known English domain words in lower-cased text by their Chinese terms."""
    if _LATIN_WORD.search(text) is None:
        return text
    glossary = en_glossary()
    return _en_re().sub(lambda m: f" {glossary[m.group(1)]} ", text)


_lock = threading.Lock()
_jieba_ready = False


def _mask_number(match: re.Match) -> str:
    digits = match.group(0)
    if digits in SERVICE_NUMBERS:
        return f" {digits} "
    if "." not in digits and len(digits) >= _LONG_DIGITS:
        return f" {LONGNUM} "
    return f" {NUM} "


def mask_numbers(text: str) -> str:
    """Replace phone numbers, amounts, energy figures and digit runs with placeholders."""
    text = _MOBILE_RE.sub(f" {PHONE} ", text)
    text = _LANDLINE_RE.sub(f" {PHONE} ", text)
    text = _AMOUNT_RE.sub(f" {AMOUNT} ", text)
    text = _KWH_RE.sub(f" {KWH} ", text)
    return _DIGITS_RE.sub(_mask_number, text)


def normalize(text: str | None, max_chars: int | None = None) -> str:
    """The canonical form of a request text.

    Steps: strip emoji → full-width to half-width → traditional to simplified →
    lower-case Latin → known English domain words to Chinese → mask numbers →
    collapse whitespace. ``max_chars`` truncates the
    input first (very long letters keep their opening, which states the request).
    """
    if not text:
        return ""
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars]
    text = _EMOJI_RE.sub(" ", text)
    text = text.translate(_FULLWIDTH)
    text = to_simplified(text)
    text = text.lower()
    text = translate_english(text)
    text = mask_numbers(text)
    return _SPACE_RE.sub(" ", text).strip()


def _ensure_jieba():
    global _jieba_ready
    if _jieba_ready:
        return
    with _lock:
        if _jieba_ready:
            return
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.initialize()
        for word in domain_words():
            jieba.add_word(word, freq=20000)
        for token in PLACEHOLDERS:
            jieba.add_word(token, freq=20000)
        _jieba_ready = True


def segment(text: str) -> list[str]:
    """jieba words of an already normalised text, without blanks and punctuation-only tokens."""
    _ensure_jieba()
    import jieba

    # jieba yields punctuation and blanks as one-character tokens.
    return [w for w in jieba.dt.cut(text, HMM=False) if len(w) > 1 or w.isalnum()]
