"""The hall queue's services: taking numbers (numbering, closed halls, priority), the one
calling order (priority with aging), every legal and illegal transition, transfer,
rating, scope and permissions, and one ticket per counter when counters call at once."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.core.intake import customer_terms, register_customer_terms
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.hall import selectors, services
from gridcare.hall.choices import TRANSITIONS, PriorityClass, TicketEventKind, TicketStatus
from gridcare.hall.models import CounterRating, HallSetting, Ticket, TicketEvent
from gridcare.org.choices import Role

from .factories import counter, make_hall

pytestmark = pytest.mark.django_db
S = TicketStatus


@pytest.fixture
def hall(world):
    return make_hall(world.county_a)


@pytest.fixture
def clerk(world):
    return world.staff(Role.COUNTER_CLERK, world.county_a)


def _at(hh, mm=0, day=None):
    day = day or timezone.localdate()
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=timezone.get_current_timezone())


def test_numbers_run_per_letter_per_day(hall, clerk):
    a1 = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    a2 = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    b1 = services.ticket_take(actor=clerk, hall=hall, service_type="payment")
    assert [a1.number, a2.number, b1.number] == ["A001", "A002", "B001"]
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert (
        services.ticket_take(actor=clerk, hall=hall, service_type="business", now=tomorrow).number == "A001"
    )
    assert TicketEvent.objects.filter(ticket=a1, kind=TicketEventKind.ISSUED).count() == 1


def test_a_closed_hall_refuses_tickets(world, clerk):
    hall = make_hall(world.county_a, weekday_hours="08:30-17:30", weekend_hours="", open_on_holidays=False)
    monday = dt.date(2026, 11, 30)  # a working day
    with pytest.raises(ApplicationError) as err:
        services.ticket_take(actor=clerk, hall=hall, service_type="business", now=_at(7, 0, monday))
    assert err.value.field == "hall" and err.value.code == "closed" and err.value.status == 409
    assert services.ticket_take(actor=clerk, hall=hall, service_type="business", now=_at(9, 0, monday))
    with pytest.raises(ApplicationError):  # Sunday: the weekend hours are blank
        services.ticket_take(
            actor=clerk, hall=hall, service_type="business", now=_at(10, 0, dt.date(2026, 11, 29))
        )
    with pytest.raises(ApplicationError):  # 国庆 2026-10-01 (a Thursday): a holiday
        services.ticket_take(
            actor=clerk, hall=hall, service_type="business", now=_at(10, 0, dt.date(2026, 10, 1))
        )
    admin = world.staff(Role.ADMIN, world.company)
    services.hall_set_closed(actor=admin, hall=hall, closed=True, note="停电检修")
    with pytest.raises(ApplicationError) as err:
        services.ticket_take(actor=clerk, hall=hall, service_type="business", now=_at(9, 30, monday))
    assert err.value.code == "closed"
    services.hall_set_closed(actor=admin, hall=hall, closed=False)
    assert services.ticket_take(actor=clerk, hall=hall, service_type="business", now=_at(9, 30, monday))


def test_bad_input_names_the_field(world, hall, clerk):
    with pytest.raises(ApplicationError) as err:
        services.ticket_take(actor=clerk, hall=hall, service_type="nope")
    assert err.value.field == "service_type"
    other = CustomerFactory(station=world.station_b, area=world.area_b)
    with pytest.raises(ApplicationError) as err:
        services.ticket_take(actor=clerk, hall=hall, service_type="business", customer=other)
    assert err.value.field == "customer"
    outsider = world.staff(Role.COUNTER_CLERK, world.county_b)
    with pytest.raises(ApplicationError) as err:
        services.ticket_take(actor=outsider, hall=hall, service_type="business")
    assert err.value.field == "hall" and err.value.status == 404
    supervisor = world.staff(Role.SUPERVISOR, world.county_a)
    with pytest.raises(PermissionDeniedError):  # no permission to take numbers or call
        services.ticket_take(actor=supervisor, hall=hall, service_type="business")
    with pytest.raises(PermissionDeniedError):
        services.ticket_call_next(actor=supervisor, counter=counter(hall))


def test_priority_from_care_and_declaration(world, hall, clerk, monkeypatch):
    customer = CustomerFactory(station=world.station_a, area=world.area_a)
    care = services.ticket_take(actor=clerk, hall=hall, service_type="business", declared_care=True)
    assert care.priority == PriorityClass.CARE
    assert care.issued_at - care.rank_at == dt.timedelta(minutes=15)
    monkeypatch.setattr(services, "customer_terms", lambda c, purpose: {"hall_priority": purpose == "hall"})
    vip = services.ticket_take(actor=clerk, hall=hall, service_type="business", customer=customer)
    assert vip.priority == PriorityClass.VIP and vip.priority_reason
    assert vip.issued_at - vip.rank_at == dt.timedelta(minutes=20)


def test_customer_terms_purposes_are_separate(world):
    customer = CustomerFactory(station=world.station_a, area=world.area_a)

    def fn(c):
        return {"hall_priority": True, "marker": 1}

    register_customer_terms(fn, purpose="hall-test")
    assert customer_terms(customer, purpose="hall-test")["marker"] == 1
    assert "marker" not in customer_terms(customer)
    assert customer_terms(None, purpose="hall-test") == {}


def test_the_calling_order_priority_with_aging(hall, clerk):
    """A VIP taken 10 minutes after a normal ticket goes first (20-minute lead); once the
    normal ticket has waited past the longest wait (25), it goes first whatever comes."""
    t0 = timezone.now() - dt.timedelta(minutes=30)
    normal = services.ticket_take(actor=clerk, hall=hall, service_type="business", now=t0)
    vip = services.ticket_take(
        actor=clerk, hall=hall, service_type="business", now=t0 + dt.timedelta(minutes=10)
    )
    Ticket.objects.filter(pk=vip.pk).update(
        priority=PriorityClass.VIP, rank_at=vip.issued_at - dt.timedelta(minutes=20)
    )
    care = services.ticket_take(
        actor=clerk, hall=hall, service_type="business", declared_care=True, now=t0 + dt.timedelta(minutes=12)
    )
    c = counter(hall)
    early = t0 + dt.timedelta(minutes=15)
    order = list(selectors.next_candidates(c, now=early, max_wait_minutes=25))
    assert [t.pk for t in order] == [vip.pk, care.pk, normal.pk]
    late = t0 + dt.timedelta(minutes=26)  # the normal ticket has waited 26 > 25 minutes
    order = list(selectors.next_candidates(c, now=late, max_wait_minutes=25))
    assert [t.pk for t in order] == [normal.pk, vip.pk, care.pk]
    assert [t.pk for t in selectors.queue_order(Ticket.objects.all(), now=late, max_wait_minutes=25)] == [
        t.pk for t in order
    ]
    first = services.ticket_call_next(actor=clerk, counter=c, now=late)
    assert first.pk == normal.pk


def test_queue_order_matches_the_database_ordering(hall, clerk):
    rnd = random.Random(7)
    base = timezone.now() - dt.timedelta(hours=1)
    for _i in range(30):
        services.ticket_take(
            actor=clerk,
            hall=hall,
            service_type="business",
            declared_care=rnd.random() < 0.3,
            now=base + dt.timedelta(minutes=rnd.uniform(0, 55)),
        )
    now = base + dt.timedelta(minutes=58)
    db = [t.pk for t in selectors.next_candidates(counter(hall), now=now, max_wait_minutes=25)]
    py = [t.pk for t in selectors.queue_order(Ticket.objects.all(), now=now, max_wait_minutes=25)]
    assert db == py


def test_the_state_machine(hall, clerk):
    c1, c2 = counter(hall, 1), counter(hall, 2)
    assert services.ticket_call_next(actor=clerk, counter=c1) is None  # nobody waits
    t = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    assert services.ticket_call_next(actor=clerk, counter=c2) is None  # counter 2 serves payment only
    called = services.ticket_call_next(actor=clerk, counter=c1)
    assert called.pk == t.pk and called.status == S.CALLED and called.called_at and called.called_by == clerk
    with pytest.raises(ApplicationError) as err:  # one ticket at a counter at a time
        services.ticket_call_next(actor=clerk, counter=c1)
    assert err.value.code == "busy"
    for bad in (services.ticket_finish,):
        with pytest.raises(ApplicationError) as err:
            bad(actor=clerk, ticket=t)
        assert err.value.status == 409
    t = services.ticket_recall(actor=clerk, ticket=t)
    assert t.recalls == 1 and t.status == S.CALLED
    t = services.ticket_serve(actor=clerk, ticket=t)
    assert t.status == S.SERVING and t.serving_at
    for bad in (services.ticket_serve, services.ticket_no_show, services.ticket_recall):
        with pytest.raises(ApplicationError):
            bad(actor=clerk, ticket=t)
    t = services.ticket_finish(actor=clerk, ticket=t)
    assert t.status == S.DONE and t.finished_at
    for bad in (
        services.ticket_serve,
        services.ticket_finish,
        services.ticket_no_show,
        services.ticket_recall,
    ):
        with pytest.raises(ApplicationError):
            bad(actor=clerk, ticket=t)
    kinds = list(TicketEvent.objects.filter(ticket=t).values_list("kind", flat=True))
    assert kinds == ["issued", "called", "recalled", "serving", "done"]
    # no-show
    n = services.ticket_take(actor=clerk, hall=hall, service_type="consult")
    services.ticket_call_next(actor=clerk, counter=c1)
    n = services.ticket_no_show(actor=clerk, ticket=n)
    assert n.status == S.NO_SHOW and n.finished_at
    with pytest.raises(ApplicationError):
        services.ticket_transfer(actor=clerk, ticket=n, service_type="business")
    # every pair the table forbids is refused by some service
    assert TRANSITIONS[S.WAITING] == {S.CALLED}


def test_stale_version_is_refused(hall, clerk):
    t = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    t.refresh_from_db()
    services.ticket_recall(actor=clerk, ticket=t, expected_version=t.version)
    with pytest.raises(ApplicationError) as err:
        services.ticket_serve(actor=clerk, ticket=t, expected_version=t.version)
    assert err.value.status == 409


def test_transfer_keeps_the_place_and_can_target_a_counter(hall, clerk):
    c1, c2 = counter(hall, 1), counter(hall, 2)
    t = services.ticket_take(actor=clerk, hall=hall, service_type="consult")
    services.ticket_call_next(actor=clerk, counter=c1)
    with pytest.raises(ApplicationError):  # only while serving
        services.ticket_transfer(actor=clerk, ticket=t, service_type="payment")
    services.ticket_serve(actor=clerk, ticket=t)
    with pytest.raises(ApplicationError) as err:
        services.ticket_transfer(actor=clerk, ticket=t)
    assert err.value.field == "service_type"
    with pytest.raises(ApplicationError) as err:
        services.ticket_transfer(actor=clerk, ticket=t, to_counter=c1)
    assert err.value.field == "to_counter"
    later = services.ticket_take(actor=clerk, hall=hall, service_type="payment")
    new = services.ticket_transfer(actor=clerk, ticket=t, service_type="payment", to_counter=c2)
    t.refresh_from_db()
    assert t.status == S.TRANSFERRED and new.status == S.WAITING and new.number.startswith("B")
    assert new.rank_at == t.rank_at and new.transferred_from_id == t.pk and new.target_counter_id == c2.pk
    # counter 1 (serves everything) may not call a ticket sent to counter 2
    got = services.ticket_call_next(actor=clerk, counter=c1)
    assert got.pk == later.pk
    got2 = services.ticket_call_next(actor=clerk, counter=c2)
    assert got2.pk == new.pk  # kept its place ahead of nobody else here


def test_rating_once_in_range_after_done(hall, clerk, world):
    t = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    with pytest.raises(ApplicationError) as err:
        services.ticket_rate(actor=clerk, ticket=t, score=5)
    assert err.value.code == "not_done"
    services.ticket_serve(actor=clerk, ticket=t)
    services.ticket_finish(actor=clerk, ticket=t)
    for bad in (0, 6, True, "5"):
        with pytest.raises(ApplicationError) as err:
            services.ticket_rate(actor=clerk, ticket=t, score=bad)
        assert err.value.field == "score"
    rating = services.ticket_rate(actor=clerk, ticket=t, score=4, comment="很好")
    assert rating.clerk == clerk and rating.counter == counter(hall) and rating.unit_path == hall.unit_path
    with pytest.raises(ApplicationError) as err:
        services.ticket_rate(actor=clerk, ticket=t, score=5)
    assert err.value.code == "already_rated"
    t2 = services.ticket_take(actor=clerk, hall=hall, service_type="business")
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    services.ticket_serve(actor=clerk, ticket=t2)
    services.ticket_finish(actor=clerk, ticket=t2)
    late = timezone.now() + dt.timedelta(minutes=HallSetting.get(HallSetting.RATING_WINDOW) + 1)
    with pytest.raises(ApplicationError) as err:
        services.ticket_rate(actor=clerk, ticket=t2, score=5, now=late)
    assert err.value.code == "too_late"
    assert CounterRating.objects.count() == 1


def test_a_ticket_taken_by_another_counter_meanwhile_is_skipped(hall, clerk, monkeypatch):
    """The conditional UPDATE: a candidate read as waiting but taken by another counter in
    between is skipped, on every database (the race without threads)."""
    world_hall = hall
    t1 = services.ticket_take(actor=clerk, hall=world_hall, service_type="business")
    t2 = services.ticket_take(actor=clerk, hall=world_hall, service_type="business")
    Ticket.objects.filter(pk=t1.pk).update(status=S.CALLED)  # taken elsewhere after the read
    real = selectors.next_candidates

    def stale(counter, **kw):
        qs = real(counter, **kw)
        return Ticket.objects.filter(pk__in=[t1.pk, t2.pk]).order_by("pk") if not kw.get("_") else qs

    monkeypatch.setattr(selectors, "next_candidates", stale)
    got = services.ticket_call_next(actor=clerk, counter=counter(world_hall))
    assert got.pk == t2.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counters_calling_at_once_get_different_tickets(world):
    """Several counters (threads with their own connections) call at the same moment: each
    ticket goes to one counter only. On PostgreSQL this is the real race (SKIP LOCKED and
    the conditional UPDATE); SQLite serialises writers (a locked database is retried)."""
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    hall = make_hall(world.county_a, counters=[("", n) for n in range(1, 7)])
    for _ in range(4):
        services.ticket_take(actor=clerk, hall=hall, service_type="business")
    counters = list(hall.counters.order_by("number"))
    got, errors = [], []
    barrier = threading.Barrier(len(counters))

    def call(c):
        try:
            barrier.wait()
            for _ in range(50):
                try:
                    got.append(services.ticket_call_next(actor=clerk, counter=c))
                    break
                except Exception as exc:  # noqa: BLE001
                    if connection.vendor != "sqlite" or "locked" not in str(exc):
                        errors.append(exc)
                        break
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(c,)) for c in counters]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    taken = [t.pk for t in got if t is not None]
    assert len(taken) == 4 and len(set(taken)) == 4  # four tickets, four counters, no double
    assert sum(1 for t in got if t is None) == 2
    assert Ticket.objects.filter(status=S.CALLED).values("counter").distinct().count() == 4


def test_the_day_end_job_closes_what_is_open_and_counts_the_unserved_wait(world, clerk):
    """After closing, numbers never served lapse (their wait to closing counts in the
    figures), a service left open is finished, a call in progress lapses; before closing
    nothing is touched; a rerun changes nothing."""
    hall = make_hall(
        world.county_a,
        code="H9",
        counters=(("", 1), ("", 2)),
        weekday_hours="08:30-17:30",
        weekend_hours="08:30-17:30",
        open_on_holidays=True,
    )
    desk = counter(hall)
    day = timezone.localdate() - dt.timedelta(days=1)
    waiting = services.ticket_take(actor=clerk, hall=hall, service_type="business", now=_at(16, 0, day))
    serving = services.ticket_take(actor=clerk, hall=hall, service_type="business", now=_at(15, 0, day))
    called = services.ticket_take(actor=clerk, hall=hall, service_type="business", now=_at(15, 10, day))
    assert services.ticket_call_next(actor=clerk, counter=desk, now=_at(15, 5, day)).pk == serving.pk
    services.ticket_serve(actor=clerk, ticket=serving, now=_at(15, 6, day))
    other = counter(hall, 2)
    assert services.ticket_call_next(actor=clerk, counter=other, now=_at(17, 0, day)).pk == called.pk
    # Before the day's closing hour nothing happens.
    assert services.tickets_close_day(now=_at(17, 0, day)) == {"no_show": 0, "done": 0}
    result = services.tickets_close_day(now=_at(9, 0, day + dt.timedelta(days=1)))
    assert result == {"no_show": 2, "done": 1}
    waiting.refresh_from_db()
    serving.refresh_from_db()
    assert serving.status == S.DONE and serving.finished_at == _at(17, 30, day)
    lapsed = waiting
    assert Ticket.objects.get(pk=called.pk).status == S.NO_SHOW  # called at 17:00, never came
    assert lapsed.status == S.NO_SHOW and lapsed.called_at is None and lapsed.finished_at == _at(17, 30, day)
    assert TicketEvent.objects.filter(
        ticket=lapsed, kind=TicketEventKind.NO_SHOW, actor__isnull=True
    ).exists()
    assert services.tickets_close_day(now=_at(10, 0, day + dt.timedelta(days=1))) == {"no_show": 0, "done": 0}
    # The lapsed number's wait (to closing) is in the figures: 90 minutes, over the commitment.
    rows = list(Ticket.objects.filter(pk=lapsed.pk).values(*selectors.FIGURE_FIELDS))
    figures = selectors.summarize(rows, 15)
    assert figures["called"] == 0 and figures["no_shows"] == 1
    assert (
        figures["avg_wait"] == (_at(17, 30, day) - lapsed.issued_at).total_seconds() / 60
        and figures["within"] == 0
    )
