"""Small text helpers shared by every app: masking personal data, normalising input."""

from __future__ import annotations

import re
import unicodedata
from functools import cache


def mask_phone(phone: str) -> str:
    """138****5678 for mobiles; keep the area code and last 2 digits for landlines."""
    p = (phone or "").strip()
    if not p:
        return ""
    if len(p) >= 11:
        return p[:3] + "*" * (len(p) - 7) + p[-4:]
    if len(p) >= 6:
        return p[:2] + "*" * (len(p) - 4) + p[-2:]
    return "*" * len(p)


def mask_id_number(value: str) -> str:
    v = (value or "").strip()
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


_PHONE_IN_TEXT = re.compile(
    r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"
)
_ID_IN_TEXT = re.compile(r"(?<![0-9Xx])\d{17}[0-9Xx](?![0-9Xx])")


def mask_personal(text: str) -> str:
    """``text`` with the phone and ID numbers in it masked (138****5678,
    3201**********1234): what someone asked, not how to reach or identify them."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text or "")
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[^\d]", "", m.group(0))), text)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ｑ１２３　) to half-width; leaves CJK untouched."""
    if text.isascii():
        return text
    return text.translate(_HALFWIDTH)


@cache
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


# Blocks whose characters OpenCC's t2s may change on their own: CJK Unified Ideographs,
# Extension A, compatibility ideographs. Characters beyond the BMP always go to OpenCC.
_BMP_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@cache
def _traditional_re() -> re.Pattern:
    """Characters that t2s changes, asked of OpenCC once per process (a few ms)."""
    chars = [chr(cp) for lo, hi in _BMP_HAN for cp in range(lo, hi + 1)]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # never seen; then every Han character goes to OpenCC
        return re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
    changed = "".join(ch for ch, out in zip(chars, converted, strict=True) if ch != out)
    return re.compile("[" + re.escape(changed) + "\U00020000-\U0003ffff]")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``, with its phrase tables).

    The one converter of the project: search, the classifier's normalisation and the
    topic words all go through it. Text without any traditional character (nearly all of
    it) is returned as it is, without a call into OpenCC.
    """
    if not text or _traditional_re().search(text) is None:
        return text
    return _t2s().convert(text)


def normalize_query(text: str) -> str:
    """What a search box should match on: half-width, simplified, trimmed, NFC."""
    text = unicodedata.normalize("NFC", to_halfwidth(text or "")).strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = to_simplified(text)
    return " ".join(text.split())
