"""gettext for the workforce engine, which also runs without Django settings (bench/forecast.py)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _gettext


def gettext(message: str) -> str:
    """The translation in the active language; the Chinese source text when Django is not configured."""
    return _gettext(message) if settings.configured else message
