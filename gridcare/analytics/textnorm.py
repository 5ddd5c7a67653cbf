"""Analytics' name for the shared text normalisation and segmentation.

The code and the word lists moved down to :mod:`gridcare.core.textseg` (and
``gridcare/core/data/``) so the knowledge base can segment with the same dictionary;
analytics keeps importing these names from here.
"""

from __future__ import annotations

from gridcare.core import textseg as _textseg
from gridcare.core.textseg import (  # noqa: F401 (re-exported)
    AMOUNT,
    DATA_DIR,
    KWH,
    LONGNUM,
    NUM,
    PHONE,
    PLACEHOLDERS,
    SERVICE_NUMBERS,
    domain_words,
    en_glossary,
    mask_numbers,
    normalize,
    segment,
    translate_english,
)


def __getattr__(name: str):
    # DOMAIN_WORDS / EN_GLOSSARY and the rest stay reachable under this module's name.
    return getattr(_textseg, name)
