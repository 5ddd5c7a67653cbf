"""Pluggable delivery of outbound messages (SMS, WeChat, email).

``settings.GRIDCARE_NOTIFY_BACKEND`` names a class with ``send(message) -> SendResult``.
A backend raises nothing for an ordinary refusal: it answers ``ok=False`` with the
gateway's words, and the outbox retries. The default, ``RecordingBackend``, records
what it would send and never talks to the outside world — tests and demos use it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass
class SendResult:
    ok: bool
    provider_id: str = ""
    detail: dict = field(default_factory=dict)


class NotifyBackend:
    """Interface: deliver one ``OutboundMessage``. ``message.key``/``pk`` let a real gateway dedupe."""

    def send(self, message) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError


class RecordingBackend(NotifyBackend):
    """Records every message in memory (``RecordingBackend.sent``) and reports success."""

    sent: list[dict] = []
    _lock = threading.Lock()

    def send(self, message) -> SendResult:
        entry = {
            "id": message.pk,
            "channel": message.channel,
            "recipient": message.recipient,
            "body": message.body,
        }
        with self._lock:
            RecordingBackend.sent.append(entry)
        return SendResult(ok=True, provider_id=f"rec-{message.pk}", detail={"recorded": True})

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls.sent.clear()


class FailingBackend(NotifyBackend):
    """Refuses everything (for tests of retries and the failed status)."""

    def send(self, message) -> SendResult:
        return SendResult(ok=False, detail={"error": "gateway refused"})


def get_backend() -> NotifyBackend:
    path = getattr(settings, "GRIDCARE_NOTIFY_BACKEND", "gridcare.escalation.backends.RecordingBackend")
    return import_string(path)()
