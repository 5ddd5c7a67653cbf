"""A short-lived per-process cache for configuration read on hot paths (the commitment
catalogue at every intake, care's treatments) that changes rarely (admin edits).

    RULES = ProcessCache("workorders", seconds=30).follow(CommitmentRule, PolicySetting)
    RULES.get("rules", lambda: list(CommitmentRule.objects.filter(active=True)))

Each process keeps a value for ``seconds`` and drops everything when a followed model's
row is saved or deleted in this process; another process sees an edit within ``seconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db.models.signals import post_delete, post_save

_ALL: list[ProcessCache] = []


def process_caches_clear() -> None:
    """Drop every process cache (tests: a rolled-back row sends no signal)."""
    for cache in list(_ALL):
        cache.clear()


class ProcessCache:
    def __init__(self, name: str, *, seconds: float = 30.0):
        _ALL.append(self)
        self.name = name
        self.seconds = seconds
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, object]] = {}

    def get(self, key: str, load: Callable[[], object]):
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
            if hit is not None and now - hit[0] < self.seconds:
                return hit[1]
        value = load()
        with self._lock:
            self._values[key] = (now, value)
        return value

    def clear(self, **_kwargs) -> None:
        with self._lock:
            self._values.clear()

    def follow(self, *models) -> ProcessCache:
        """Drop everything when a row of one of ``models`` is saved or deleted."""
        for model in models:
            uid = f"{self.name}_cache_{model._meta.label_lower}"
            post_save.connect(self.clear, sender=model, dispatch_uid=f"{uid}_save", weak=False)
            post_delete.connect(self.clear, sender=model, dispatch_uid=f"{uid}_delete", weak=False)
        return self
