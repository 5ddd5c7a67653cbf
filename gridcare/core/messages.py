"""Messages the system writes for people to read later — timeline entries, notifications —
stored as a code and parameters and rendered in the reader's language when shown.

The app that writes a message registers its code here with a translatable template and,
for parameters that are codes themselves (a status, a clock kind), how to put each into
words at display time: a ``TextChoices`` class or a function. A stored message is plain
JSON (``{"code": ..., "params": {...}}``), so a changed translation or label reaches old
rows too, and an English reader never meets a Chinese sentence stored years ago.

    register("order.accepted", _("%(channel)s受理"), channel=Channel)
    Message("order.accepted", {"channel": "phone"}).render()   # "95598电话受理" / "Accepted via 95598 phone"
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

log = logging.getLogger("gridcare.core")

Words = Callable[[object], str]


@dataclass(frozen=True)
class _Entry:
    template: object  # a lazy translation
    words: dict[str, Words]


CATALOG: dict[str, _Entry] = {}


def _choice_words(choices) -> Words:
    def words(value):
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return words


def register(code: str, template, **params) -> None:
    """Declare message ``code``: its template and how each coded parameter reads."""
    words = {name: (_choice_words(how) if hasattr(how, "choices") else how) for name, how in params.items()}
    CATALOG[code] = _Entry(template, words)


def local_minute(value) -> str:
    """An ISO datetime parameter as the reader's local "MM-DD HH:MM"."""
    try:
        at = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{timezone.localtime(at):%m-%d %H:%M}"


@dataclass(frozen=True)
class Message:
    code: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"code": self.code, "params": self.params}

    def render(self) -> str:
        return render(self.code, self.params)


def msg(code: str, **params) -> Message:
    """A message to store; parameters must be JSON values (datetimes become ISO strings)."""
    clean = {k: (v.isoformat() if isinstance(v, dt.datetime | dt.date) else v) for k, v in params.items()}
    return Message(code, clean)


def render(code: str, params: dict | None, fallback: str = "") -> str:
    """The message in the active language; an unknown code or a missing parameter gives
    ``fallback`` (or the code) rather than an error on someone's page."""
    entry = CATALOG.get(code)
    if entry is None:
        return fallback or code
    values = dict(params or {})
    for name, words in entry.words.items():
        if name in values:
            values[name] = words(values[name])
    try:
        return str(entry.template) % values
    except (KeyError, TypeError, ValueError):
        log.warning("message %s cannot be rendered with %r", code, params)
        return fallback or code


def render_stored(stored, fallback: str = "") -> str:
    """A message as stored in JSON (``{"code", "params"}``), or ``fallback`` when there is none."""
    if isinstance(stored, dict) and stored.get("code"):
        return render(stored["code"], stored.get("params"), fallback)
    return fallback
