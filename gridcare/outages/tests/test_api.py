import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind, OutageStatus
from gridcare.outages.services import outage_create, outage_restore

from .factories import feeder_with_areas


@pytest.fixture
def dispatcher(world):
    return world.staff(Role.DISPATCHER, world.county_a)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _fault(actor, areas, minutes_ago=30, **kw):
    return outage_create(
        actor=actor,
        kind=OutageKind.FAULT,
        areas=areas,
        cause="10kV线路跳闸",
        started_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        estimated_restoration=timezone.now() + dt.timedelta(hours=2),
        **kw,
    )


def test_list_detail_and_filters(world, dispatcher):
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [3, 2])
    outage = _fault(dispatcher, [a1, a2])
    outage_restore(actor=dispatcher, outage=outage, areas=[a2.code])
    client = _client(dispatcher)

    rows = client.get("/api/outages/").json()["results"]
    assert [r["outage_no"] for r in rows] == [outage.outage_no]
    assert rows[0]["customers_affected"] == 5 and rows[0]["customers_off"] == 3
    assert client.get("/api/outages/?status=restored").json()["results"] == []
    assert client.get("/api/outages/?active=true").json()["count"] == 1
    assert client.get("/api/outages/?active=false").json()["count"] == 0
    assert client.get("/api/outages/?kind=planned").json()["count"] == 0

    body = client.get(f"/api/outages/{outage.outage_no}/").json()
    areas = {a["code"]: a for a in body["areas"]}
    assert areas[a1.code]["restored"] is False and areas[a1.code]["customers_off"] == 3
    assert areas[a2.code]["restored"] is True and areas[a2.code]["customers_affected"] == 2


def test_another_countys_outage_is_404(world, dispatcher):
    other = world.staff(Role.DISPATCHER, world.county_b)
    outage = _fault(other, [world.area_b])
    client = _client(dispatcher)
    assert client.get("/api/outages/").json()["count"] == 0
    assert client.get(f"/api/outages/{outage.outage_no}/").status_code == 404
    assert client.post(f"/api/outages/{outage.outage_no}/restore/", {}, format="json").status_code == 404


def test_create_start_restore_cancel(world, dispatcher):
    client = _client(dispatcher)
    _feeder, (a1,) = feeder_with_areas(world.station_a, [4])
    start = (timezone.now() + dt.timedelta(days=1)).isoformat()
    end = (timezone.now() + dt.timedelta(days=1, hours=4)).isoformat()
    r = client.post(
        "/api/outages/",
        {"kind": "planned", "areas": [a1.code], "cause": "检修", "planned_start": start, "planned_end": end},
        format="json",
    )
    assert r.status_code == 201, r.json()
    no, version = r.json()["outage_no"], r.json()["version"]
    assert r.json()["status"] == OutageStatus.ANNOUNCED

    stale = client.post(f"/api/outages/{no}/start/", {"expected_version": version + 5}, format="json")
    assert stale.status_code == 409
    r = client.post(f"/api/outages/{no}/start/", {"expected_version": version}, format="json")
    assert r.status_code == 200 and r.json()["customers_affected"] == 4
    r = client.post(f"/api/outages/{no}/cancel/", {}, format="json")
    assert r.status_code == 409 and r.json()["errors"].keys() == {"status"}
    r = client.post(f"/api/outages/{no}/restore/", {"areas": [a1.code]}, format="json")
    assert r.status_code == 200 and r.json()["status"] == OutageStatus.RESTORED

    r = client.post(
        "/api/outages/", {"kind": "fault", "areas": [a1.code], "started_at": start}, format="json"
    )
    assert r.status_code == 201
    announced = client.post(
        "/api/outages/",
        {"kind": "planned", "areas": [world.area_a.code], "planned_start": start},
        format="json",
    ).json()["outage_no"]
    r = client.post(f"/api/outages/{announced}/cancel/", {"reason": "天气"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == OutageStatus.CANCELLED


def test_bad_input_names_the_field(world, dispatcher):
    client = _client(dispatcher)
    r = client.post("/api/outages/", {"kind": "fault", "areas": ["NO-SUCH"]}, format="json")
    assert r.status_code == 400 and r.json()["errors"].keys() == {"areas"}
    r = client.post("/api/outages/", {"kind": "nonsense", "areas": [world.area_a.code]}, format="json")
    assert r.status_code == 400 and "kind" in r.json()["errors"]
    r = client.post(
        "/api/outages/",
        {
            "kind": "planned",
            "areas": [world.area_a.code],
            "planned_start": "2025-03-10T10:00:00+08:00",
            "planned_end": "2025-03-10T08:00:00+08:00",
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"].keys() == {"planned_end"}
    r = client.post(
        "/api/outages/", {"kind": "fault", "areas": [world.area_a.code], "started_at": "0001-01-01T00:00"}
    )
    assert r.status_code == 400 and "started_at" in r.json()["errors"]
    outage = _fault(dispatcher, [world.area_a])
    r = client.post(f"/api/outages/{outage.outage_no}/restore/", {"areas": ["TA-B1"]}, format="json")
    assert r.status_code == 400 and r.json()["errors"].keys() == {"areas"}


def test_roles_without_manage_are_refused(world, dispatcher):
    outage = _fault(dispatcher, [world.area_a])
    agent = _client(world.staff(Role.HOTLINE_AGENT, world.county_a))
    assert agent.get(f"/api/outages/{outage.outage_no}/").status_code == 200
    for verb in ("start", "restore", "cancel"):
        assert agent.post(f"/api/outages/{outage.outage_no}/{verb}/", {}, format="json").status_code == 403
    assert agent.post("/api/outages/", {"kind": "fault"}, format="json").status_code == 403
    planner = _client(world.staff(Role.PLANNER, world.county_a))
    assert planner.get("/api/outages/").status_code == 403
    assert planner.get("/api/outages/lookup/?phone=13800000000").status_code == 403


# ----------------------------------------------------------------------------- lookup


def test_lookup_by_phone_and_customer_no(world, dispatcher):
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [1, 1])
    out = CustomerFactory(area=a1, phone="13911112222", phone2="")
    fine = CustomerFactory(area=a2, phone="13933334444", phone2="02588886666")
    outage = _fault(dispatcher, [a1])
    client = _client(world.staff(Role.HOTLINE_AGENT, world.county_a))

    body = client.get("/api/outages/lookup/?phone=13911112222").json()
    assert body["customer_found"] and body["in_outage"]
    assert body["outage"]["outage_no"] == outage.outage_no
    assert body["outage"]["kind"] == "fault" and body["outage"]["kind_label"] == "故障"
    assert body["outage"]["cause"] == "10kV线路跳闸" and body["outage"]["estimated_restoration"]

    assert client.get(f"/api/outages/lookup/?customer_no={out.customer_no}").json()["in_outage"] is True
    body = client.get(f"/api/outages/lookup/?customer_no={fine.customer_no}").json()
    assert body == {"customer_found": True, "in_outage": False, "outage": None}
    assert client.get("/api/outages/lookup/?phone=02588886666").json()["in_outage"] is False
    body = client.get("/api/outages/lookup/?phone=10000000000").json()
    assert body["customer_found"] is False and body["in_outage"] is False

    # Partial restoration: the caller's area is back, so the caller is no longer out.
    outage_restore(actor=dispatcher, outage=outage, areas=[a1.code])
    assert client.get("/api/outages/lookup/?phone=13911112222").json()["in_outage"] is False


def test_lookup_announced_counts_only_for_today(world, dispatcher):
    customer = CustomerFactory(area=world.area_a, phone="13955556666")
    now = timezone.localtime()
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=9, minute=0)
    outage_create(actor=dispatcher, kind=OutageKind.PLANNED, areas=[world.area_a], planned_start=tomorrow)
    client = _client(dispatcher)
    assert client.get(f"/api/outages/lookup/?customer_no={customer.customer_no}").json()["in_outage"] is False
    later_today = now.replace(hour=23, minute=59, second=0)
    if later_today > now:
        other_feeder, (a2,) = feeder_with_areas(world.station_a, [0])
        c2 = CustomerFactory(area=a2)
        today = outage_create(
            actor=dispatcher, kind=OutageKind.PLANNED, areas=[a2], planned_start=later_today
        )
        body = client.get(f"/api/outages/lookup/?customer_no={c2.customer_no}").json()
        assert body["in_outage"] and body["outage"]["outage_no"] == today.outage_no
        assert body["outage"]["started_at"] is None and body["outage"]["planned_start"]


def test_lookup_needs_a_number_and_stays_in_scope(world, dispatcher):
    client = _client(dispatcher)
    r = client.get("/api/outages/lookup/")
    assert r.status_code == 400 and r.json()["errors"].keys() == {"phone"}
    r = client.get("/api/outages/lookup/?customer_no=" + "9" * 40)
    assert r.status_code == 400 and r.json()["errors"].keys() == {"customer_no"}
    far = CustomerFactory(area=world.area_b, phone="13977778888")
    _fault(world.staff(Role.DISPATCHER, world.county_b), [world.area_b])
    body = client.get("/api/outages/lookup/?phone=13977778888").json()
    assert body == {"customer_found": False, "in_outage": False, "outage": None}
    assert far.pk


def test_lookup_query_count_is_constant(world, dispatcher, django_assert_num_queries):
    """The IVR asks on every call: token, customer (its scope a join), outage area — three
    queries, however many customers, stations or outages there are."""
    ivr = world.staff(Role.HOTLINE_AGENT, world.company)
    token = Token.objects.create(user=ivr).key
    _feeder, areas = feeder_with_areas(world.station_a, [5, 5, 5])
    CustomerFactory(area=areas[0], phone="13912340000")
    _fault(dispatcher, areas)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with django_assert_num_queries(3):
        r = client.get("/api/outages/lookup/?phone=13912340000")
    assert r.status_code == 200 and r.json()["in_outage"] is True
    with django_assert_num_queries(2):  # no customer: no outage to look for
        r = client.get("/api/outages/lookup/?customer_no=NOPE")
    assert r.json()["customer_found"] is False
