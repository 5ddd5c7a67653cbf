"""Small text helpers shared by every app: masking personal data, normalising input."""

from __future__ import annotations

import unicodedata


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


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ｑ１２３　) to half-width; leaves CJK untouched."""
    if text.isascii():
        return text
    return text.translate(_HALFWIDTH)


_t2s = None


def to_simplified(text: str) -> str:
    global _t2s
    if _t2s is None:
        from opencc import OpenCC

        _t2s = OpenCC("t2s")
    return _t2s.convert(text)


def normalize_query(text: str) -> str:
    """What a search box should match on: half-width, simplified, trimmed, NFC."""
    text = unicodedata.normalize("NFC", to_halfwidth(text or "")).strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = to_simplified(text)
    return " ".join(text.split())
