"""How the knowledge base sees text: the same normalisation and jieba dictionary as the
rest of GridCare (``core.textseg``), plus the knowledge base's own synonym groups and
stop words (data/).

Articles are indexed with jieba's search mode (a long word also yields the shorter words
inside it: 峰谷电价 → 峰谷, 电价, 峰谷电价), queries with the precise mode; a query term
also matches as a prefix, which is the fallback for one- and two-character terms and for
words jieba splits differently in the query than in the article.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from gridcare.core.textseg import PLACEHOLDERS, _ensure_jieba, normalize, segment

DATA_DIR = Path(__file__).resolve().parent / "data"
QUERY_MAX_CHARS = 200  # longer queries keep their opening (a pasted letter states its request first)
MAX_TERMS = 12


def _lines(name: str) -> list[str]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip() and not line.startswith("#")]


@cache
def stopwords() -> frozenset[str]:
    return frozenset(w for line in _lines("stopwords.txt") for w in line.split())


@cache
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """word → the other words of its groups (a word may sit in several groups)."""
    out: dict[str, list[str]] = {}
    for line in _lines("synonyms.txt"):
        words = [normalize(w) for w in line.split()]
        for w in words:
            out.setdefault(w, [])
            out[w].extend(x for x in words if x != w and x not in out[w])
    return {w: tuple(v) for w, v in out.items()}


@cache
def _dictionary_ready() -> bool:
    """jieba knows every synonym word (so a query keeps 没电 whole)."""
    _ensure_jieba()
    import jieba

    for word in synonym_groups():
        if len(word) > 1 and not word.isascii():
            jieba.add_word(word, freq=20000)
    return True


def index_tokens(text: str | None, *, max_chars: int | None = None) -> str:
    """The space-separated tokens an article field is indexed with (search mode, lower-case)."""
    _dictionary_ready()
    import jieba

    norm = normalize(text, max_chars=max_chars)
    if not norm:
        return ""
    out = [w for w in jieba.dt.cut_for_search(norm, HMM=False) if (len(w) > 1 or w.isalnum()) and w.strip()]
    return " ".join(w.lower() for w in out if w not in PLACEHOLDERS)


def query_terms(query: str | None) -> list[str]:
    """The terms of a query that carry a topic: normalised, segmented, without stop words
    and placeholders, de-duplicated in order, at most ``MAX_TERMS``. A query made only of
    stop words keeps them (someone searched "怎么办"; better something than nothing)."""
    _dictionary_ready()
    norm = normalize(query, max_chars=QUERY_MAX_CHARS)
    if not norm:
        return []
    words = [w.lower() for w in segment(norm) if w not in PLACEHOLDERS]
    stop = stopwords()
    kept = [w for w in words if w not in stop] or words
    seen: list[str] = []
    for w in kept:
        if w not in seen:
            seen.append(w)
    return seen[:MAX_TERMS]


def expand(term: str) -> tuple[str, ...]:
    """The synonyms of a term (without the term)."""
    return synonym_groups().get(term, ())


@cache
def subwords(term: str) -> tuple[str, ...]:
    """The shorter dictionary words inside a compound term (光伏并网 → 光伏, 并网): an
    article holding all of them matches the term almost as well as one holding it whole."""
    if len(term) < 3:
        return ()
    _dictionary_ready()
    import jieba

    return tuple(
        dict.fromkeys(w for w in jieba.dt.cut_for_search(term, HMM=False) if w != term and len(w) > 1)
    )
