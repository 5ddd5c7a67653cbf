import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind, OutageStatus
from gridcare.outages.models import Outage
from gridcare.outages.services import outage_create, outage_restore

from .factories import feeder_with_areas


@pytest.fixture
def dispatcher(world):
    return world.staff(Role.DISPATCHER, world.county_a)


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fault(actor, areas):
    return outage_create(
        actor=actor,
        kind=OutageKind.FAULT,
        areas=areas,
        cause="跳闸",
        started_at=timezone.now() - dt.timedelta(hours=1),
    )


def test_board_shows_active_and_recent(world, dispatcher):
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [3, 2])
    active = _fault(dispatcher, [a1])
    done = _fault(dispatcher, [a2])
    outage_restore(actor=dispatcher, outage=done)
    html = _page(dispatcher).get("/outages/").content.decode()
    assert active.outage_no in html and done.outage_no in html
    assert a1.name in html
    html = _page(dispatcher).get("/outages/?status=in_progress").content.decode()
    assert active.outage_no in html and done.outage_no not in html


def test_another_countys_outage_is_404(world, dispatcher):
    other = _fault(world.staff(Role.DISPATCHER, world.county_b), [world.area_b])
    client = _page(dispatcher)
    assert other.outage_no not in client.get("/outages/").content.decode()
    assert client.get(f"/outages/{other.outage_no}/").status_code == 404
    assert client.post(f"/outages/{other.outage_no}/restore/").status_code == 404
    assert Outage.objects.get(pk=other.pk).status == OutageStatus.IN_PROGRESS


def test_manager_acts_on_the_page(world, dispatcher):
    _feeder, (a1, a2) = feeder_with_areas(world.station_a, [3, 2])
    outage = _fault(dispatcher, [a1, a2])
    client = _page(dispatcher)
    html = client.get(f"/outages/{outage.outage_no}/").content.decode()
    assert f"/outages/{outage.outage_no}/restore/" in html
    r = client.post(
        f"/outages/{outage.outage_no}/restore/", {"area": [a2.code], "expected_version": outage.version}
    )
    assert r.status_code == 302
    outage.refresh_from_db()
    assert outage.status == OutageStatus.IN_PROGRESS and outage.version == 3
    # A stale form changes nothing.
    client.post(f"/outages/{outage.outage_no}/restore/", {"expected_version": 1})
    outage.refresh_from_db()
    assert outage.status == OutageStatus.IN_PROGRESS
    html = client.get(f"/outages/{outage.outage_no}/", follow=True).content.decode()
    assert "restore" in html
    client.post(f"/outages/{outage.outage_no}/restore/", {"expected_version": outage.version})
    outage.refresh_from_db()
    assert outage.status == OutageStatus.RESTORED
    html = client.get(f"/outages/{outage.outage_no}/").content.decode()
    assert "/restore/" not in html and "outage.restore" in html  # the timeline


def test_start_and_cancel(world, dispatcher):
    client = _page(dispatcher)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    a = outage_create(actor=dispatcher, kind=OutageKind.PLANNED, areas=[world.area_a], planned_start=tomorrow)
    client.post(f"/outages/{a.outage_no}/cancel/", {"reason": "天气", "expected_version": a.version})
    assert Outage.objects.get(pk=a.pk).status == OutageStatus.CANCELLED
    b = outage_create(actor=dispatcher, kind=OutageKind.PLANNED, areas=[world.area_a], planned_start=tomorrow)
    client.post(f"/outages/{b.outage_no}/start/", {"expected_version": b.version, "at": "bad"})
    assert Outage.objects.get(pk=b.pk).status == OutageStatus.ANNOUNCED  # bad time: refused
    client.post(f"/outages/{b.outage_no}/start/", {"expected_version": b.version})
    assert Outage.objects.get(pk=b.pk).status == OutageStatus.IN_PROGRESS


def test_role_without_manage_sees_no_buttons_and_is_refused(world, dispatcher):
    outage = _fault(dispatcher, [world.area_a])
    agent = _page(world.staff(Role.HOTLINE_AGENT, world.county_a))
    html = agent.get(f"/outages/{outage.outage_no}/").content.decode()
    assert "/start/" not in html and "/restore/" not in html and "/cancel/" not in html
    assert "/outages/new/" not in html
    for verb in ("start", "restore", "cancel"):
        assert agent.post(f"/outages/{outage.outage_no}/{verb}/").status_code == 403
    assert agent.get("/outages/new/").status_code == 403
    assert Outage.objects.get(pk=outage.pk).status == OutageStatus.IN_PROGRESS
    planner = _page(world.staff(Role.PLANNER, world.county_a))
    assert planner.get("/outages/").status_code == 403


def test_new_outage_form(world, dispatcher):
    client = _page(dispatcher)
    assert client.get("/outages/new/").status_code == 200
    r = client.post("/outages/new/", {"kind": "fault", "areas": "NO-SUCH", "cause": "x"})
    assert r.status_code == 200
    assert "NO-SUCH" in str(r.context["form"].errors["areas"])
    r = client.post(
        "/outages/new/",
        {
            "kind": "planned",
            "areas": world.area_a.code,
            "planned_start": "2030-03-10T10:00",
            "planned_end": "2030-03-10T08:00",
        },
    )
    assert "planned_end" in r.context["form"].errors
    feeder, (a1, a2) = feeder_with_areas(world.station_a, [1, 1])
    r = client.post(
        "/outages/new/",
        {"kind": "planned", "feeders": feeder.code, "planned_start": "2030-03-10T08:00", "cause": "检修"},
    )
    assert r.status_code == 302
    outage = Outage.objects.get(cause="检修")
    assert r["Location"] == f"/outages/{outage.outage_no}/"
    assert outage.areas.count() == 2


def test_reliability_page(world, dispatcher):
    CustomerFactory(area=world.area_a)
    CustomerFactory(area=world.area_b)
    outage = _fault(dispatcher, [world.area_a])
    outage_restore(actor=dispatcher, outage=outage)
    client = _page(dispatcher)
    today = timezone.localdate().isoformat()
    html = client.get(f"/outages/reliability/?start={today}&end={today}&level=area").content.decode()
    assert world.area_a.code in html and world.area_b.code not in html  # scoped rows
    first = client.get("/outages/reliability/")
    assert first.status_code == 200
    # The year so far by default, in the ISO form a browser's date input reads.
    year_start = timezone.localdate().replace(month=1, day=1).isoformat()
    assert f'value="{year_start}"' in first.content.decode()
    r = client.get(f"/outages/reliability/?start={today}&end=2000-01-01&level=area")
    assert r.status_code == 200 and r.context["form"].errors
