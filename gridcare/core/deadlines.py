"""Deadlines of higher apps watched by the time-limit monitor, filled at start-up.

Escalation's monitor (floor 5) warns and escalates work orders by their clocks. An app above
it that promises something by a time — outages (floor 6): power back by the estimated
restoration — registers a *deadline source* here, and the same sweep watches its deadlines
the same way (the same warning levels and notification rules, each level once, one unit up
at the breach, audited) without escalation importing the app:

    register_deadline_source(source)

A source is any object with

``key``: a short code (``"outage_restoration"``), stored in messages and outbox keys;
``label``: what its deadlines are called (a lazy translation, rendered when a message is read);
``running(now) -> Iterable[Deadline]``: the deadlines still running, each with the ids of
    the warning levels already recorded for it (the source keeps this read cheap);
``record(deadline, hits, now) -> list[Hit]``: inside the monitor's transaction, lock the
    subject (skip it when someone else holds it), check it still runs as listed, record
    each level reached — unique per subject and level, so a rerun or a second worker records
    nothing twice — and return the hits recorded now (the monitor acts on those only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Deadline:
    """One running time limit of a subject row (an outage)."""

    source: str  # the registered source's key
    subject: object  # the model instance: audited against, passed back to ``record``
    number: str  # what people call the subject (an outage number)
    unit_path: str  # the responsible unit's organisation path
    started_at: dt.datetime
    due_at: dt.datetime
    url: str  # where a notification links to
    reached: frozenset[int] = frozenset()  # ids of the warning levels already recorded
    version: int = 0  # the subject's version when listed (``record`` refuses a changed one)


@dataclass(frozen=True)
class Hit:
    """A warning level a deadline has reached: when (``threshold_at``), and for a breach
    that escalates, the unit it goes to (``to_unit``; None at the top of the tree)."""

    level: object  # escalation.WarningLevel
    threshold_at: dt.datetime
    to_unit: object | None = None  # org.OrgUnit


class DeadlineSource(Protocol):
    key: str
    label: object

    def running(self, *, now: dt.datetime) -> Iterable[Deadline]: ...

    def record(self, *, deadline: Deadline, hits: list[Hit], now: dt.datetime) -> list[Hit]: ...


_SOURCES: dict[str, DeadlineSource] = {}


def register_deadline_source(source: DeadlineSource) -> DeadlineSource:
    _SOURCES[source.key] = source
    return source


def deadline_sources() -> list[DeadlineSource]:
    """Every registered source, in registration order."""
    return list(_SOURCES.values())


def deadline_label(key: str) -> str:
    """What a source's deadlines are called, in the active language (the key if unknown)."""
    source = _SOURCES.get(key) if isinstance(key, str) else None
    return str(source.label) if source is not None else str(key)


def deadline_threshold(started_at: dt.datetime, due_at: dt.datetime, percent: int) -> dt.datetime:
    """Pure: when a deadline running from ``started_at`` to ``due_at`` has used ``percent``
    of its time (100: the due time itself; a deadline due at or before its start is
    reached at once, at every level)."""
    allowed = max((due_at - started_at).total_seconds(), 0)
    return due_at - dt.timedelta(seconds=allowed * (100 - percent) / 100)
