"""The hall API: take a number, call next (204 when nobody waits), actions, rating, figures;
errors name the field; scoped; the ticket list's query count is pinned."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gridcare.hall import services
from gridcare.hall.models import Hall, Ticket
from gridcare.org.choices import Role

from .factories import counter, make_hall

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def hall(world):
    return make_hall(world.county_a)


@pytest.fixture
def clerk(world):
    return world.staff(Role.COUNTER_CLERK, world.county_a)


def test_take_call_serve_finish_rate(hall, clerk):
    api = _api(clerk)
    r = api.post("/api/hall/tickets/", {"hall": hall.pk, "service_type": "business"}, format="json")
    assert r.status_code == 201 and r.json()["number"] == "A001" and r.json()["status"] == "waiting"
    pk = r.json()["id"]
    r = api.post(f"/api/hall/counters/{counter(hall).pk}/call-next/")
    assert r.status_code == 200 and r.json()["id"] == pk and r.json()["counter_number"] == 1
    r = api.post(f"/api/hall/tickets/{pk}/finish/", {}, format="json")
    assert r.status_code == 409 and "status" in r.json()["errors"]
    assert api.post(f"/api/hall/tickets/{pk}/serve/", {}, format="json").status_code == 200
    assert api.post(f"/api/hall/tickets/{pk}/finish/", {}, format="json").json()["status"] == "done"
    r = api.post(f"/api/hall/tickets/{pk}/rate/", {"score": 9}, format="json")
    assert r.status_code == 400 and "score" in r.json()["errors"]
    r = api.post(f"/api/hall/tickets/{pk}/rate/", {"score": 5, "comment": "好"}, format="json")
    assert r.status_code == 201 and r.json()["score"] == 5
    r = api.post(f"/api/hall/counters/{counter(hall).pk}/call-next/")
    assert r.status_code == 204


def test_errors_name_the_field(hall, clerk):
    api = _api(clerk)
    r = api.post("/api/hall/tickets/", {"hall": hall.pk, "service_type": "nope"}, format="json")
    assert r.status_code == 400 and "service_type" in r.json()["errors"]
    r = api.post("/api/hall/tickets/", {"hall": "x", "service_type": "business"}, format="json")
    assert r.status_code == 400 and "hall" in r.json()["errors"]
    r = api.post(
        "/api/hall/tickets/",
        {"hall": hall.pk, "service_type": "business", "customer": "nobody"},
        format="json",
    )
    assert r.status_code == 400 and "customer" in r.json()["errors"]
    Hall.objects.filter(pk=hall.pk).update(closed_now=True)
    r = api.post("/api/hall/tickets/", {"hall": hall.pk, "service_type": "business"}, format="json")
    assert r.status_code == 409 and "hall" in r.json()["errors"]  # a ticket for a closed hall
    for q, field in (
        ("?month=2026-13", "month"),
        ("?day=2026-02-30", "day"),
        ("?day=2999-01-01", "day"),
        ("?hall=999999", "hall"),
        ("?day=2026-01-01&month=2026-01", "month"),
    ):
        r = api.get("/api/hall/figures/" + q)
        assert r.status_code == 400 and field in r.json()["errors"], q


def test_scope_and_permissions(world, hall, clerk):
    services.ticket_take(actor=clerk, hall=hall, service_type="business")
    outsider = _api(world.staff(Role.COUNTER_CLERK, world.county_b))
    assert outsider.get("/api/hall/tickets/").json()["results"] == []
    assert outsider.get("/api/hall/halls/").json()["results"] == []
    assert outsider.post(f"/api/hall/counters/{counter(hall).pk}/call-next/").status_code == 404
    sup = _api(world.staff(Role.SUPERVISOR, world.county_a))
    assert sup.get("/api/hall/tickets/").status_code == 200
    assert sup.post(f"/api/hall/counters/{counter(hall).pk}/call-next/").status_code == 403
    assert (
        sup.post(
            "/api/hall/tickets/", {"hall": hall.pk, "service_type": "business"}, format="json"
        ).status_code
        == 403
    )
    agent = _api(world.staff(Role.HOTLINE_AGENT, world.county_a))
    assert agent.get("/api/hall/figures/").status_code == 403


def test_ticket_list_filters_and_query_count(hall, clerk, django_assert_max_num_queries):
    for i in range(15):
        services.ticket_take(actor=clerk, hall=hall, service_type="business" if i % 3 else "payment")
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    api = _api(clerk)
    with django_assert_max_num_queries(8):
        r = api.get(f"/api/hall/tickets/?hall={hall.pk}&status=waiting")
    assert r.status_code == 200 and len(r.json()["results"]) == 14
    assert len(api.get("/api/hall/tickets/?status=called").json()["results"]) == 1
    # An id out of any database's range is a 400 naming the field (was an overflow, a 500).
    for bad in ("6.3e+47", "99999999999999999999", "0", "-1", "x"):
        r = api.get(f"/api/hall/tickets/?hall={bad}")
        assert r.status_code == 400 and "hall" in r.json()["errors"], (bad, r.content)


def test_transfer_and_figures(hall, clerk):
    api = _api(clerk)
    t = services.ticket_take(actor=clerk, hall=hall, service_type="consult")
    services.ticket_call_next(actor=clerk, counter=counter(hall))
    api.post(f"/api/hall/tickets/{t.pk}/serve/", {}, format="json")
    r = api.post(
        f"/api/hall/tickets/{t.pk}/transfer/",
        {"service_type": "payment", "to_counter": counter(hall, 2).pk},
        format="json",
    )
    assert r.status_code == 201 and r.json()["number"] == "B001"
    assert Ticket.objects.get(pk=t.pk).status == "transferred"
    r = api.get(f"/api/hall/figures/?hall={hall.pk}")
    body = r.json()
    assert r.status_code == 200 and body["total"]["tickets"] == 2 and body["total"]["transferred"] == 1
    assert body["halls"][0]["figures"]["commitment"] == 15
