"""Text features: character n-gram TF-IDF, jieba word n-gram TF-IDF and a polarity block.

The polarity block (``use_polarity``, from model ``seed-2`` on) holds the pseudo-tokens
of :mod:`.polarity` — evaluative words with their negation scope marked, negated intent
words, bad events, scare quotes and irony frames — as sublinear counts times
``polarity_weight`` (no IDF, no normalisation: a cue weighs the same in a short and a
long text). With ``mark_negation`` the n-gram blocks read the text with negated
evaluative words replaced by a mark. Artifacts written before either have neither
and load unchanged.

The fitted state is kept as plain Python/numpy data (two vocabularies and their IDF
weights), not as pickled scikit-learn objects, so a shipped artifact loads with any
scikit-learn release; scikit-learn's ``TfidfVectorizer`` is only used to fit them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from ..textnorm import segment
from .polarity import LEXICON_FINGERPRINT, mark_negation, polarity_tokens

log = logging.getLogger(__name__)


def word_ngrams(text: str, ngram_range: tuple[int, int] = (1, 2)) -> list[str]:
    """jieba words of a normalised text and their adjacent n-grams (joined by a space)."""
    words = segment(text)
    lo, hi = ngram_range
    out = list(words) if lo == 1 else []
    for n in range(max(lo, 2), hi + 1):
        out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return out


@dataclass
class FeatureConfig:
    char_ngram_range: tuple[int, int] = (1, 3)
    word_ngram_range: tuple[int, int] = (1, 2)
    use_words: bool = True
    min_df: int = 2
    char_max_features: int = 40000
    word_max_features: int = 20000
    word_weight: float = 1.0
    # False in artifacts written before the block existed (see ``from_state``).
    use_polarity: bool = True
    polarity_weight: float = 0.5
    # Char/word n-grams read the text with negated evaluative words replaced by a mark
    # (polarity.mark_negation); False in artifacts written before it.
    mark_negation: bool = True


@dataclass
class TextFeaturizer:
    """Fits and applies the feature map; ``state()``/``from_state()`` for storage."""

    config: FeatureConfig = field(default_factory=FeatureConfig)
    char_vocab: dict[str, int] | None = None
    char_idf: np.ndarray | None = None
    word_vocab: dict[str, int] | None = None
    word_idf: np.ndarray | None = None
    polarity_vocab: dict[str, int] | None = None
    polarity_lexicon: str | None = None  # LEXICON_FINGERPRINT at fit time

    # -- fitting -------------------------------------------------------------------------
    def _ngram_texts(self, texts: list[str]) -> list[str]:
        return [mark_negation(t) for t in texts] if self.config.mark_negation else texts

    def fit(self, texts: list[str]) -> TextFeaturizer:
        cfg = self.config
        plain, texts = texts, self._ngram_texts(texts)
        tv = TfidfVectorizer(
            analyzer="char",
            ngram_range=tuple(cfg.char_ngram_range),
            lowercase=False,
            min_df=cfg.min_df,
            max_features=cfg.char_max_features,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit(texts)
        self.char_vocab = {k: int(v) for k, v in tv.vocabulary_.items()}
        self.char_idf = tv.idf_.astype(np.float32)
        if cfg.use_words:
            tokenized = [self._words(t) for t in texts]
            wv = TfidfVectorizer(
                analyzer=lambda toks: toks,
                min_df=cfg.min_df,
                max_features=cfg.word_max_features,
                sublinear_tf=True,
                dtype=np.float32,
            ).fit(tokenized)
            self.word_vocab = {k: int(v) for k, v in wv.vocabulary_.items()}
            self.word_idf = wv.idf_.astype(np.float32)
        else:
            self.word_vocab, self.word_idf = None, None
        if cfg.use_polarity:
            df: dict[str, int] = {}
            for text in plain:
                for tok in set(polarity_tokens(text)):
                    df[tok] = df.get(tok, 0) + 1
            kept = sorted(t for t, c in df.items() if c >= cfg.min_df)
            self.polarity_vocab = {t: i for i, t in enumerate(kept)}
            self.polarity_lexicon = LEXICON_FINGERPRINT
        else:
            self.polarity_vocab, self.polarity_lexicon = None, None
        return self

    def _words(self, text: str) -> list[str]:
        return word_ngrams(text, tuple(self.config.word_ngram_range))

    # -- transform -----------------------------------------------------------------------
    # Counting is done here rather than with CountVectorizer(vocabulary=…): one dict
    # lookup per n-gram and no per-document Counter, about twice as fast, and the same
    # n-grams as the vectorizers used at fit time (normalised text has single spaces).
    def _char_counts(self, texts: list[str]) -> sp.csr_matrix:
        get = self.char_vocab.get
        lo, hi = self.config.char_ngram_range
        indices: list[int] = []
        indptr = [0]
        append = indices.append
        for text in texts:
            length = len(text)
            for n in range(lo, hi + 1):
                for i in range(length - n + 1):
                    j = get(text[i : i + n])
                    if j is not None:
                        append(j)
            indptr.append(len(indices))
        return self._csr(indices, indptr, len(texts), len(self.char_vocab))

    def _word_counts(self, texts: list[str]) -> sp.csr_matrix:
        get = self.word_vocab.get
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            indices.extend(j for j in map(get, self._words(text)) if j is not None)
            indptr.append(len(indices))
        return self._csr(indices, indptr, len(texts), len(self.word_vocab))

    def _polarity_block(self, texts: list[str]) -> sp.csr_matrix:
        get = self.polarity_vocab.get
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            indices.extend(j for j in map(get, polarity_tokens(text)) if j is not None)
            indptr.append(len(indices))
        m = self._csr(indices, indptr, len(texts), len(self.polarity_vocab))
        np.log(m.data, out=m.data)
        m.data += 1.0
        m.data *= np.float32(self.config.polarity_weight)
        return m

    @staticmethod
    def _csr(indices: list[int], indptr: list[int], rows: int, cols: int) -> sp.csr_matrix:
        idx = np.asarray(indices, dtype=np.int32)
        m = sp.csr_matrix(
            (np.ones(len(idx), dtype=np.float32), idx, np.asarray(indptr, dtype=np.int32)), shape=(rows, cols)
        )
        m.sum_duplicates()
        return m

    @staticmethod
    def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
        counts = counts.tocsr().astype(np.float32)
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
        counts.data *= idf[counts.indices]
        return l2_normalize(counts, copy=False)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        plain, texts = texts, self._ngram_texts(texts)
        blocks = [self._tfidf(self._char_counts(texts), self.char_idf)]
        if self.word_vocab is not None:
            w = self._tfidf(self._word_counts(texts), self.word_idf)
            if self.config.word_weight != 1.0:
                w = w * np.float32(self.config.word_weight)
            blocks.append(w)
        if self.polarity_vocab is not None:
            blocks.append(self._polarity_block(plain))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        return self.fit(texts).transform(texts)

    @property
    def n_features(self) -> int:
        return len(self.char_vocab or {}) + len(self.word_vocab or {}) + len(self.polarity_vocab or {})

    # -- storage -------------------------------------------------------------------------
    def state(self) -> dict:
        return {
            "config": self.config.__dict__.copy(),
            "char_vocab": self.char_vocab,
            "char_idf": self.char_idf,
            "word_vocab": self.word_vocab,
            "word_idf": self.word_idf,
            "polarity_vocab": self.polarity_vocab,
            "polarity_lexicon": self.polarity_lexicon,
        }

    @classmethod
    def from_state(cls, state: dict) -> TextFeaturizer:
        config = dict(state["config"])
        config.setdefault("use_polarity", False)  # written before the polarity block
        config.setdefault("mark_negation", False)
        cfg = FeatureConfig(**config)
        lexicon = state.get("polarity_lexicon")
        if (cfg.use_polarity or cfg.mark_negation) and lexicon != LEXICON_FINGERPRINT:
            log.warning(
                "classifier fitted with polarity lexicon %s, this code has %s: rebuild it "
                "(gridcare classifier build-seed / train)",
                lexicon,
                LEXICON_FINGERPRINT,
            )
        return cls(
            config=cfg,
            char_vocab=state["char_vocab"],
            char_idf=np.asarray(state["char_idf"], dtype=np.float32),
            word_vocab=state["word_vocab"],
            word_idf=None if state["word_idf"] is None else np.asarray(state["word_idf"], dtype=np.float32),
            polarity_vocab=state.get("polarity_vocab"),
            polarity_lexicon=lexicon,
        )
