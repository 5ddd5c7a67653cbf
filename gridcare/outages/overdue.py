"""Overdue restoration (恢复送电超时): when an outage in progress owes its customers their
power back, and the time-limit monitor watching it.

**The restoration deadline** of an outage that has started is, in this order:

1. its estimated restoration (``estimated_restoration``: what the customers were told, and
   each new estimate tells them again);
2. for a pre-arranged outage, its planned end (``planned_end``: the notice's promise);
3. for a fault, the fault-repair commitment from the start: the commitment catalog's
   restoration rule for the area class of each of its transformer areas (the same rules
   that give a fault order its clocks, ``workorders.rules.winning_rules``), counted — as a
   fault order counts it — after the arrival rule when the restoration rule runs from the
   arrival (urban 45 min + 3 h, rural 90 min + 4 h by default); the strictest of its areas.

Otherwise (an arrears cut-off without an estimate) nothing is promised and nothing is
watched. The outage is **overdue** while it is in progress past that deadline.

**Watched by the monitor**: outages register with escalation's time-limit monitor through
``core.deadlines`` (escalation sits below outages and does not import it). The monitor's
sweep reads the running deadlines here (``running``: the outages in progress, three
queries), and for each active warning level reached — a share of the time from the start
to the deadline used, the 100 % breach escalating one unit up — records an
``OutageWarning`` under the outage's row lock (``record``; unique per outage and level,
so each level is acted on once) and then warns, escalates, notifies and audits exactly as
for an order. A later estimate moves the levels still to come, not those reached.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcare.core.deadlines import Deadline, Hit, register_deadline_source
from gridcare.workorders.choices import ClockKind, RequestType
from gridcare.workorders.models import active_commitment_rules
from gridcare.workorders.rules import clock_due, winning_rules

from .choices import PLANNED_KINDS, OutageKind, OutageStatus
from .models import Outage, OutageArea, OutageWarning

ESTIMATE, PLANNED, COMMITMENT = "estimate", "planned", "commitment"
BASIS_LABELS = {
    ESTIMATE: _("预计恢复时间"),
    PLANNED: _("计划送电时间"),
    COMMITMENT: _("抢修承诺时限"),
}


@dataclass(frozen=True)
class RestorationDue:
    """When an outage's power is owed back, and on what grounds (``basis``)."""

    at: dt.datetime
    basis: str

    @property
    def basis_label(self) -> str:
        return str(BASIS_LABELS[self.basis])


def committed_restoration(start: dt.datetime, area_classes: Iterable[str], rules) -> dt.datetime | None:
    """Pure: the fault-repair commitment's restoration time for a fault that began at
    ``start`` on areas of ``area_classes`` (the strictest; None when no rule promises one)."""
    dues = []
    for area_class in set(area_classes) or {""}:
        best = winning_rules(rules, request_type=RequestType.FAULT_REPAIR, area_class=area_class or "")
        restoration = best.get(ClockKind.RESTORATION)
        if restoration is None:
            continue
        begins = start
        arrival = best.get(ClockKind.ARRIVAL)
        if restoration.after == ClockKind.ARRIVAL and arrival is not None:
            begins = clock_due(arrival.basis, arrival.amount, start)
        dues.append(clock_due(restoration.basis, restoration.amount, begins))
    return min(dues) if dues else None


def restoration_due(outage: Outage, area_classes: Iterable[str] = (), rules=None) -> RestorationDue | None:
    """Pure (given the area classes and the rules): the outage's restoration deadline, or
    None before it starts or when nothing is promised."""
    if outage.started_at is None:
        return None
    if outage.estimated_restoration is not None:
        return RestorationDue(outage.estimated_restoration, ESTIMATE)
    if outage.kind in PLANNED_KINDS and outage.planned_end is not None:
        return RestorationDue(outage.planned_end, PLANNED)
    if outage.kind == OutageKind.FAULT:
        at = committed_restoration(outage.started_at, area_classes, rules or [])
        if at is not None:
            return RestorationDue(at, COMMITMENT)
    return None


def _needs_commitment(outage: Outage) -> bool:
    return (
        outage.started_at is not None
        and outage.estimated_restoration is None
        and outage.kind == OutageKind.FAULT
    )


def restoration_dues(outages: Iterable[Outage]) -> dict[int, RestorationDue | None]:
    """Outage id -> its restoration deadline, for many outages: one query (the area classes
    of the faults without an estimate), none when every one has an estimate."""
    outages = list(outages)
    need = [o.pk for o in outages if _needs_commitment(o)]
    classes: dict[int, set[str]] = defaultdict(set)
    if need:
        for oid, area_class in OutageArea.objects.filter(outage_id__in=need).values_list(
            "outage_id", "area__area_class"
        ):
            classes[oid].add(area_class or "")
    rules = active_commitment_rules() if need else []
    return {o.pk: restoration_due(o, classes.get(o.pk, ()), rules) for o in outages}


def is_overdue(outage: Outage, due: RestorationDue | None, now: dt.datetime) -> bool:
    return outage.status == OutageStatus.IN_PROGRESS and due is not None and due.at < now


def attach_restoration_state(outages: Iterable[Outage], *, now: dt.datetime | None = None) -> None:
    """Set ``restoration_due`` (None before the start or when nothing is promised),
    ``restoration_overdue`` (in progress past it), ``restored_late`` (restored after it),
    ``warned_percent`` (the highest warning level reached while in progress, 0 for none) and
    ``escalated_to`` (the unit name a breach went to, or "") on each outage of a page: at
    most two queries for the page."""
    outages = list(outages)
    now = now or timezone.now()
    started = [o for o in outages if o.started_at is not None and o.status != OutageStatus.CANCELLED]
    running = [o for o in started if o.status == OutageStatus.IN_PROGRESS]
    dues = restoration_dues(started)
    warned: dict[int, tuple[int, str]] = {}
    if running:
        for oid, percent, unit in (
            OutageWarning.objects.filter(outage_id__in=[o.pk for o in running])
            .order_by("outage_id", "percent")
            .values_list("outage_id", "percent", "escalated_to__name")
        ):
            old = warned.get(oid, (0, ""))
            warned[oid] = (max(old[0], percent), unit or old[1])
    for o in outages:
        o.restoration_due = dues.get(o.pk)
        o.restoration_overdue = is_overdue(o, o.restoration_due, now)
        o.restored_late = bool(
            o.restoration_due is not None
            and o.restored_at is not None
            and o.restored_at > o.restoration_due.at
        )
        o.warned_percent, o.escalated_to = warned.get(o.pk, (0, ""))


def outage_warnings(outage: Outage):
    """The levels the outage's restoration deadline reached, in order (for its page)."""
    return OutageWarning.objects.filter(outage=outage).select_related("escalated_to").order_by("percent")


# ------------------------------------------------------------- the monitor's deadline source


class OutageRestorationSource:
    """Outages in progress, watched by escalation's time-limit monitor (``core.deadlines``)."""

    key = "outage_restoration"
    label = _("停电恢复送电")

    def running(self, *, now: dt.datetime) -> list[Deadline]:
        outages = list(
            Outage.objects.filter(status=OutageStatus.IN_PROGRESS, started_at__isnull=False)
            .only(
                "id",
                "outage_no",
                "kind",
                "status",
                "started_at",
                "estimated_restoration",
                "planned_end",
                "unit_path",
                "version",
            )
            .order_by("pk")
        )
        if not outages:
            return []
        dues = restoration_dues(outages)
        reached: dict[int, set[int]] = defaultdict(set)
        for oid, level_id in OutageWarning.objects.filter(outage_id__in=[o.pk for o in outages]).values_list(
            "outage_id", "level_id"
        ):
            reached[oid].add(level_id)
        out = []
        for o in outages:
            due = dues.get(o.pk)
            if due is None:
                continue
            out.append(
                Deadline(
                    source=self.key,
                    subject=o,
                    number=o.outage_no,
                    unit_path=o.unit_path,
                    started_at=o.started_at,
                    due_at=due.at,
                    url=reverse("outages:detail", args=[o.outage_no]),
                    reached=frozenset(reached[o.pk]),
                    version=o.version,
                )
            )
        return out

    def record(self, *, deadline: Deadline, hits: list[Hit], now: dt.datetime) -> list[Hit]:
        """Under the outage's row lock (skipped when someone holds it: the next sweep takes
        it): still in progress and unchanged since listed, the levels not recorded yet are
        written; returns those this call wrote."""
        locked = (
            Outage.objects.select_for_update(skip_locked=True)
            .filter(pk=deadline.subject.pk)
            .only("id", "status", "version")
            .first()
        )
        if locked is None or locked.status != OutageStatus.IN_PROGRESS or locked.version != deadline.version:
            return []
        done = set(OutageWarning.objects.filter(outage_id=locked.pk).values_list("level_id", flat=True))
        new = [h for h in hits if h.level.pk not in done]
        if not new:
            return []
        OutageWarning.objects.bulk_create(
            [
                OutageWarning(
                    outage_id=locked.pk,
                    level=h.level,
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
            OutageWarning.objects.filter(
                outage_id=locked.pk, at=now, level_id__in=[h.level.pk for h in new]
            ).values_list("level_id", flat=True)
        )
        return [h for h in new if h.level.pk in ours]


restoration_source = register_deadline_source(OutageRestorationSource())
