"""Overdue rectification items watched by escalation's time-limit monitor.

An item waiting for its fix (open, or reopened) owes it by the end of its due date (a
working day). Items register with the monitor through ``core.deadlines`` (escalation sits
on the same floor and imports nothing of this app): the sweep reads the running deadlines
here (``running``: one query for the items, one for the levels they reached), and for
each active warning level reached — a share of the time from the start of the item's
current cycle to the end of its due date, the 100 % breach escalating one unit up —
records a ``RectificationWarning`` under the item's row lock (``record``; unique per item,
cycle and level, so each level is acted on once per cycle) and then warns, escalates,
notifies and audits exactly as for an order. A reopened item starts a new cycle: its new
due date is watched from the start again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridcare.core.calendar import local_tz
from gridcare.core.deadlines import Deadline, Hit, register_deadline_source

from .choices import AWAITING_FIX
from .models import RectificationItem, RectificationWarning


def due_at(due_date: dt.date) -> dt.datetime:
    """The end of the due date (the next day's 00:00 in the site's time zone)."""
    return dt.datetime.combine(due_date + dt.timedelta(days=1), dt.time(0, 0), tzinfo=local_tz())


class RectificationSource:
    """Items waiting for their fix, watched by the time-limit monitor (``core.deadlines``)."""

    key = "rectification"
    label = _("整改期限")

    def running(self, *, now: dt.datetime) -> list[Deadline]:
        items = list(
            RectificationItem.objects.filter(status__in=AWAITING_FIX)
            .only("id", "status", "due_date", "cycle", "cycle_started_at", "unit_path", "version")
            .order_by("pk")
        )
        if not items:
            return []
        reached: dict[tuple[int, int], set[int]] = defaultdict(set)
        for item_id, cycle, level_id in RectificationWarning.objects.filter(
            item_id__in=[i.pk for i in items]
        ).values_list("item_id", "cycle", "level_id"):
            reached[(item_id, cycle)].add(level_id)
        return [
            Deadline(
                source=self.key,
                subject=i,
                number=i.number,
                unit_path=i.unit_path,
                started_at=i.cycle_started_at,
                due_at=due_at(i.due_date),
                url=reverse("rectification:detail", args=[i.pk]),
                reached=frozenset(reached[(i.pk, i.cycle)]),
                version=i.version,
            )
            for i in items
        ]

    def record(self, *, deadline: Deadline, hits: list[Hit], now: dt.datetime) -> list[Hit]:
        """Under the item's row lock (skipped when someone holds it: the next sweep takes
        it): still waiting for its fix and unchanged since listed, the levels not recorded
        yet in this cycle are written; returns those this call wrote."""
        locked = (
            RectificationItem.objects.select_for_update(skip_locked=True)
            .filter(pk=deadline.subject.pk)
            .only("id", "status", "version", "cycle")
            .first()
        )
        if locked is None or locked.status not in AWAITING_FIX or locked.version != deadline.version:
            return []
        done = set(
            RectificationWarning.objects.filter(item_id=locked.pk, cycle=locked.cycle).values_list(
                "level_id", flat=True
            )
        )
        new = [h for h in hits if h.level.pk not in done]
        if not new:
            return []
        RectificationWarning.objects.bulk_create(
            [
                RectificationWarning(
                    item_id=locked.pk,
                    cycle=locked.cycle,
                    level_id=h.level.pk,
                    percent=h.level.percent,
                    due_at=deadline.due_at,
                    threshold_at=h.threshold_at,
                    at=now,
                    escalated_to=h.to_unit,
                    unit_path=deadline.unit_path,
                )
                for h in new
            ],
            ignore_conflicts=True,
        )
        # A row another sweep wrote first (the unique constraint kept ours out) is not ours.
        ours = set(
            RectificationWarning.objects.filter(
                item_id=locked.pk, cycle=locked.cycle, at=now, level_id__in=[h.level.pk for h in new]
            ).values_list("level_id", flat=True)
        )
        return [h for h in new if h.level.pk in ours]


rectification_source = register_deadline_source(RectificationSource())
