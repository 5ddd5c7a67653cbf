"""The figures, hand-checked: average and nearest-rank P90 wait, the share within the
commitment, service time, no-shows, ratings; per hall and counter; the ratings selector."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridcare.hall import selectors, services
from gridcare.hall.choices import TicketStatus as S
from gridcare.hall.models import Ticket
from gridcare.org.choices import Role

from .factories import counter, make_hall

pytestmark = pytest.mark.django_db


def test_percentile_nearest_rank():
    assert selectors.percentile([]) is None
    assert selectors.percentile([5]) == 5
    assert selectors.percentile(range(1, 11)) == 9  # ceil(0.9 × 10) = 9th
    assert selectors.percentile([*range(1, 11), 20]) == 10  # ceil(9.9) = 10th of 11
    assert selectors.percentile([3, 1, 2]) == 3  # ceil(2.7) = 3rd


def _served(clerk, hall, ctr, issued, wait_min, service_min, *, no_show=False, score=None):
    t = services.ticket_take(actor=clerk, hall=hall, service_type="business", now=issued)
    called = issued + dt.timedelta(minutes=wait_min)
    t = services.ticket_call_next(actor=clerk, counter=ctr, now=called)
    if no_show:
        return services.ticket_no_show(actor=clerk, ticket=t, now=called + dt.timedelta(minutes=2))
    start = called + dt.timedelta(minutes=1)
    services.ticket_serve(actor=clerk, ticket=t, now=start)
    end = start + dt.timedelta(minutes=service_min)
    t = services.ticket_finish(actor=clerk, ticket=t, now=end)
    if score:
        services.ticket_rate(actor=clerk, ticket=t, score=score, now=end + dt.timedelta(seconds=30))
    return t


def test_hall_figures_hand_checked(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    hall = make_hall(world.county_a)
    c1, c2 = counter(hall, 1), counter(hall, 2)
    Ticket.objects.all().delete()
    base = timezone.now() - dt.timedelta(hours=3)
    # counter 1: waits 1..10 minutes, service 4 minutes, ratings 5,5,4
    for i, w in enumerate(range(1, 11)):
        _served(
            clerk, hall, c1, base + dt.timedelta(minutes=15 * i), w, 4, score=(5, 5, 4)[i] if i < 3 else None
        )
    # counter 2 serves everything only when told: give it one 20-minute wait, a no-show
    c2.service_codes = ""
    c2.save()
    _served(clerk, hall, c2, base + dt.timedelta(minutes=170), 20, 0, no_show=True)
    services.ticket_take(actor=clerk, hall=hall, service_type="business")  # still waiting: not counted
    today = timezone.localdate()
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    data = selectors.hall_figures(sup, start=today, end=today)
    f = data["halls"][0]["figures"]
    assert f["tickets"] == 12 and f["called"] == 11 and f["waiting"] == 1
    assert f["avg_wait"] == round(75 / 11, 1)  # (1+…+10+20)/11
    assert f["p90_wait"] == 10.0  # nearest rank: the 10th of 11
    assert f["within"] == 10 and f["within_share"] == round(100 * 10 / 11, 1)
    assert f["no_shows"] == 1 and f["done"] == 10 and f["avg_service"] == 4.0
    assert f["ratings"] == 3 and f["avg_rating"] == round(14 / 3, 2)
    counters = {c["counter"].number: c["figures"] for c in data["halls"][0]["counters"]}
    assert counters[1]["avg_wait"] == 5.5 and counters[1]["p90_wait"] == 9.0
    assert counters[2]["avg_wait"] == 20.0 and counters[2]["within"] == 0 and counters[2]["no_shows"] == 1
    # the other county sees none of it
    assert (
        selectors.hall_figures(world.staff(Role.SUPERVISOR, world.county_b), start=today, end=today)["halls"]
        == []
    )
    # the board's today figure is the same function
    board = selectors.board(sup, hall)
    assert board["today"]["avg_wait"] == f["avg_wait"] and board["today"]["p90_wait"] == 10.0


def test_counter_rating_figures(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    hall = make_hall(world.county_a)
    base = timezone.now() - dt.timedelta(hours=2)
    for i, score in enumerate([5, 5, 3, 1]):
        _served(clerk, hall, counter(hall), base + dt.timedelta(minutes=20 * i), 2, 3, score=score)
    today = timezone.localdate()
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    by_clerk = selectors.counter_rating_figures(sup, start=today, end=today, by="clerk")
    assert len(by_clerk) == 1 and by_clerk[0]["key"] == clerk.pk
    assert by_clerk[0]["count"] == 4 and by_clerk[0]["average"] == 3.5 and by_clerk[0]["fives"] == 2
    assert by_clerk[0]["low"] == 1
    assert selectors.counter_rating_figures(sup, start=today, end=today, by="counter")[0]["count"] == 4
    assert selectors.counter_rating_figures(sup, start=today, end=today, by="hall")[0]["average"] == 3.5
    yesterday = today - dt.timedelta(days=1)
    assert selectors.counter_rating_figures(sup, start=yesterday, end=yesterday) == []
    outsider = world.staff(Role.SUPERVISOR, world.county_b)
    assert selectors.counter_rating_figures(outsider, start=today, end=today) == []
    with pytest.raises(ValueError):
        selectors.counter_rating_figures(sup, start=today, end=today, by="nope")
    assert Ticket.objects.filter(status=S.DONE).count() == 4
