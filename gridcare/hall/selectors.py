"""Reads of the hall queue: halls, counters and tickets scoped to the user, the one queue
ordering, the board, and the figures — each defined once here and used by the pages, the
Excel export and the API.

**Wait** of a ticket: ``called_at - issued_at``, over the tickets that were called (no-shows
included: they were called and waited; tickets never called — still waiting, or left when
the hall closed — are not counted). **Within commitment**: a wait of at most the setting's
minutes (15 by default). **P90**: the nearest-rank 90th percentile (``percentile``).
**Service time**: ``finished_at - serving_at`` of the tickets done. A transferred customer's
new number is a ticket of its own (its wait counted from the transfer).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from .choices import ACTIVE, TicketStatus
from .models import Counter, CounterRating, Hall, HallSetting, ServiceType, Ticket

S = TicketStatus
FIGURE_HALLS_MAX = 200


# --------------------------------------------------------------------------- the queue


def next_candidates(counter: Counter, *, now: dt.datetime, max_wait_minutes: int) -> QuerySet[Ticket]:
    """The waiting tickets ``counter`` may call, in calling order (``queue_key``): a ticket
    waiting more than ``max_wait_minutes`` goes first (oldest first) whatever the others'
    priority — so no normal ticket is starved — then the earliest ``rank_at`` (arrival less
    the priority lead), then arrival."""
    cutoff = now - dt.timedelta(minutes=max_wait_minutes)
    codes = counter.codes
    served = Q(service_type__code__in=codes) if codes else Q()
    eligible = (Q(target_counter__isnull=True) & served) | Q(target_counter=counter)
    return (
        Ticket.objects.filter(hall_id=counter.hall_id, status=S.WAITING)
        .filter(eligible)
        .annotate(
            late=Case(
                When(issued_at__lte=cutoff, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            key_at=Case(When(issued_at__lte=cutoff, then=F("issued_at")), default=F("rank_at")),
        )
        .order_by("late", "key_at", "issued_at", "id")
    )


def queue_key(ticket: Ticket, *, now: dt.datetime, max_wait_minutes: int) -> tuple:
    """The calling order of one ticket (the same as ``next_candidates``), for the board's
    "people ahead" and the tests."""
    late = ticket.issued_at <= now - dt.timedelta(minutes=max_wait_minutes)
    return (0 if late else 1, ticket.issued_at if late else ticket.rank_at, ticket.issued_at, ticket.pk or 0)


def queue_order(tickets, *, now: dt.datetime, max_wait_minutes: int) -> list[Ticket]:
    return sorted(tickets, key=lambda t: queue_key(t, now=now, max_wait_minutes=max_wait_minutes))


def people_ahead(ticket: Ticket, *, now: dt.datetime | None = None) -> int:
    """Waiting tickets of the same type called before this one."""
    now = now or timezone.now()
    max_wait = HallSetting.get(HallSetting.MAX_WAIT)
    waiting = list(
        Ticket.objects.filter(
            hall_id=ticket.hall_id, status=S.WAITING, service_type_id=ticket.service_type_id
        )
    )
    mine = queue_key(ticket, now=now, max_wait_minutes=max_wait)
    return sum(
        1 for t in waiting if t.pk != ticket.pk and queue_key(t, now=now, max_wait_minutes=max_wait) < mine
    )


# ---------------------------------------------------------------------------- lookups


def halls_for(user) -> QuerySet[Hall]:
    return Hall.objects.visible_to(user).select_related("unit").order_by("code")


def hall_get(user, pk: int | None) -> Hall | None:
    if pk is None:
        return None
    return halls_for(user).filter(pk=pk).first()


def counters_for(user, hall: Hall | None = None) -> QuerySet[Counter]:
    qs = Counter.objects.visible_to(user).select_related("hall").filter(hall__active=True)
    if hall is not None:
        qs = qs.filter(hall=hall)
    return qs.order_by("hall__code", "number")


def counter_get(user, pk: int | None) -> Counter | None:
    if pk is None:
        return None
    return counters_for(user).filter(pk=pk).first()


def tickets_for(
    user, *, hall: Hall | None = None, status: str = "", day: dt.date | None = None
) -> QuerySet[Ticket]:
    qs = Ticket.objects.visible_to(user).select_related("hall", "service_type", "counter", "customer")
    if hall is not None:
        qs = qs.filter(hall=hall)
    if status:
        qs = qs.filter(status=status)
    if day is not None:
        qs = qs.filter(day=day)
    return qs.order_by("-issued_at", "-id")


def ticket_get(user, pk: int | None) -> Ticket | None:
    if pk is None:
        return None
    return (
        Ticket.objects.visible_to(user)
        .select_related("hall", "service_type", "counter", "customer", "called_by__staff", "work_order")
        .filter(pk=pk)
        .first()
    )


def ticket_for_application(user, pk: int | None) -> Ticket | None:
    """The ticket an application is taken for (``applications:new?ticket=``): scoped to the
    user, with its hall, customer and service type."""
    if pk is None:
        return None
    return (
        Ticket.objects.visible_to(user)
        .select_related("hall", "customer", "service_type")
        .filter(pk=pk)
        .first()
    )


def counter_current(counter: Counter) -> Ticket | None:
    """The ticket called to or being served at ``counter`` now."""
    return (
        Ticket.objects.filter(counter=counter, status__in=ACTIVE)
        .select_related("service_type", "customer", "work_order", "hall")
        .order_by("-called_at")
        .first()
    )


def counter_to_rate(counter: Counter, *, now: dt.datetime | None = None) -> Ticket | None:
    """The latest ticket done at ``counter`` within the rating window and not rated yet."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=HallSetting.get(HallSetting.RATING_WINDOW))
    return (
        Ticket.objects.filter(counter=counter, status=S.DONE, finished_at__gte=since, rating__isnull=True)
        .select_related("called_by__staff", "service_type")
        .order_by("-finished_at", "-id")
        .first()
    )


def service_types() -> list[ServiceType]:
    return list(ServiceType.objects.filter(active=True).order_by("order", "code"))


# ----------------------------------------------------------------------------- figures


def percentile(values, pct: float = 90.0) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``pct`` % of the
    values at or below it (P90 of 10 values is the 9th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 1)


def summarize(rows: list[dict], commitment_minutes: int) -> dict:
    """The figures of a set of tickets (``rows``: status, issued_at, called_at, serving_at,
    finished_at, score) — the one computation behind the board, the page, Excel and API.

    **Wait** of a ticket: from taking the number to being called; a ticket never called
    that lapsed when the hall's day ended (no-show without a call) waited until then — it
    counts with that wait, so a queue left unserved at closing cannot flatter the figures."""
    waits = [
        ((r["called_at"] or r["finished_at"]) - r["issued_at"]).total_seconds()
        for r in rows
        if r["called_at"] or (r["status"] == S.NO_SHOW and r["finished_at"])
    ]
    called = sum(1 for r in rows if r["called_at"])
    services = [
        (r["finished_at"] - r["serving_at"]).total_seconds()
        for r in rows
        if r["status"] == S.DONE and r["serving_at"] and r["finished_at"]
    ]
    scores = [r["score"] for r in rows if r.get("score")]
    limit = commitment_minutes * 60
    within = sum(1 for w in waits if w <= limit)
    return {
        "tickets": len(rows),
        "called": called,
        "done": sum(1 for r in rows if r["status"] == S.DONE),
        "no_shows": sum(1 for r in rows if r["status"] == S.NO_SHOW),
        "transferred": sum(1 for r in rows if r["status"] == S.TRANSFERRED),
        "waiting": sum(1 for r in rows if r["status"] == S.WAITING),
        "avg_wait": _minutes(sum(waits) / len(waits)) if waits else None,
        "p90_wait": _minutes(percentile(waits)),
        "within": within,
        "within_share": round(100.0 * within / len(waits), 1) if waits else None,
        "avg_service": _minutes(sum(services) / len(services)) if services else None,
        "ratings": len(scores),
        "avg_rating": round(sum(scores) / len(scores), 2) if scores else None,
        "commitment": commitment_minutes,
        "over": (sum(waits) / len(waits)) > limit if waits else False,
        "p90_over": (percentile(waits) or 0) > limit,
    }


FIGURE_FIELDS = ("status", "issued_at", "called_at", "serving_at", "finished_at", "hall_id", "counter_id")


def _period_rows(user, *, start: dt.date, end: dt.date, hall: Hall | None = None) -> list[dict]:
    qs = Ticket.objects.visible_to(user).filter(day__gte=start, day__lte=end)
    if hall is not None:
        qs = qs.filter(hall=hall)
    return list(qs.values(*FIGURE_FIELDS, score=F("rating__score")))


def period_bounds(*, day: dt.date | None = None, month: dt.date | None = None) -> tuple[dt.date, dt.date]:
    if month is not None:
        first = month.replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        return first, nxt - dt.timedelta(days=1)
    day = day or timezone.localdate()
    return day, day


def hall_figures(user, *, start: dt.date, end: dt.date, hall: Hall | None = None) -> dict:
    """Per hall and per counter of the period (tickets taken on days ``start``…``end``):
    ``{"total": {...}, "halls": [{hall, figures, counters: [{counter, figures}]}]}``."""
    commitment = HallSetting.get(HallSetting.WAIT_COMMITMENT)
    rows = _period_rows(user, start=start, end=end, hall=hall)
    halls = {h.pk: h for h in halls_for(user).filter(pk__in={r["hall_id"] for r in rows})[:FIGURE_HALLS_MAX]}
    counters = {c.pk: c for c in Counter.objects.filter(hall_id__in=halls).order_by("number")}
    by_hall: dict[int, list] = defaultdict(list)
    by_counter: dict[int, list] = defaultdict(list)
    for r in rows:
        by_hall[r["hall_id"]].append(r)
        if r["counter_id"]:
            by_counter[r["counter_id"]].append(r)
    out = []
    for pk, hall_obj in sorted(halls.items(), key=lambda kv: kv[1].code):
        out.append(
            {
                "hall": hall_obj,
                "figures": summarize(by_hall[pk], commitment),
                "counters": [
                    {"counter": c, "figures": summarize(by_counter[c.pk], commitment)}
                    for c in counters.values()
                    if c.hall_id == pk and by_counter.get(c.pk)
                ],
            }
        )
    return {
        "total": summarize(rows, commitment),
        "halls": out,
        "start": start,
        "end": end,
        "commitment": commitment,
    }


def board(user, hall: Hall, *, now: dt.datetime | None = None) -> dict:
    """The hall board: now serving per counter, waiting per type with the estimated wait,
    and today's average and P90 wait against the commitment. A fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counters = list(Counter.objects.filter(hall=hall, active=True).order_by("number"))
    current = {
        t.counter_id: t
        for t in Ticket.objects.filter(hall=hall, status__in=ACTIVE)
        .select_related("service_type")
        .order_by("called_at")
    }
    types = service_types()
    waiting = dict(
        Ticket.objects.filter(hall=hall, status=S.WAITING)
        .values_list("service_type_id")
        .annotate(n=Count("id"))
        .values_list("service_type_id", "n")
    )
    rows = []
    for stype in types:
        serving = [c for c in counters if not c.codes or stype.code in c.codes] or []
        n = waiting.get(stype.pk, 0)
        estimate = math.ceil(n * stype.average_minutes / max(1, len(serving))) if n else 0
        rows.append({"type": stype, "waiting": n, "counters": len(serving), "estimate": estimate})
    commitment = HallSetting.get(HallSetting.WAIT_COMMITMENT)
    today_rows = list(
        Ticket.objects.filter(hall=hall, day=today).values(*FIGURE_FIELDS, score=F("rating__score"))
    )
    return {
        "hall": hall,
        "now": now,
        "counters": [{"counter": c, "ticket": current.get(c.pk)} for c in counters],
        "types": rows,
        "today": summarize(today_rows, commitment),
        "commitment": commitment,
        "is_open": _is_open(hall, now),
    }


def _is_open(hall: Hall, now: dt.datetime) -> bool:
    from .services import hall_is_open

    return hall_is_open(hall, now)


def counter_rating_figures(
    user, *, start: dt.date, end: dt.date, by: str = "hall", hall: Hall | None = None
) -> list[dict]:
    """Ratings given at the counters (tablet) on days ``start``…``end``, per ``by``
    (``hall``, ``counter`` or ``clerk``): count, average score, fives, low (≤ 2). Read by
    the supervision figures (issue 16)."""
    key = {"hall": "hall_id", "counter": "counter_id", "clerk": "clerk_id"}.get(by)
    if key is None:
        raise ValueError(by)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = CounterRating.objects.visible_to(user).filter(rated_at__gte=lo, rated_at__lt=hi)
    if hall is not None:
        qs = qs.filter(hall=hall)
    labels = {
        "hall": ("hall__name",),
        "counter": ("hall__name", "counter__number"),
        "clerk": ("clerk__staff__display_name", "clerk__username"),
    }[by]
    rows = (
        qs.values(key, *labels)
        .annotate(
            count=Count("id"),
            score_sum=Sum("score"),
            fives=Count("id", filter=Q(score=5)),
            low=Count("id", filter=Q(score__lte=2)),
        )
        .order_by(key)
    )
    return [
        {
            "key": r[key],
            "label": " ".join(str(r[x]) for x in labels if r.get(x) not in (None, "")),
            "count": r["count"],
            "average": round(r["score_sum"] / r["count"], 2) if r["count"] else None,
            "fives": r["fives"],
            "low": r["low"],
        }
        for r in rows
    ]
