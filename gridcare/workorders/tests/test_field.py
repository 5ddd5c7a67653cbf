"""A repair crew's progress: departure, arrival and restoration in the crew's own times (the
clocks stop on them), the cause found, and photos from the site (type- and size-checked)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.org.choices import Role
from gridcare.workorders import services as svc
from gridcare.workorders.choices import Action, ClockKind, RequestType
from gridcare.workorders.models import WorkOrderPhoto
from gridcare.workorders.selectors import work_order_allowed_actions

from .factories import at, clocks, make_order

pytestmark = pytest.mark.django_db

T0 = at(2026, 3, 2, 9, 0)  # a Monday


def _png(size=(32, 24)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def dispatched(world, people):
    order = make_order(people.agent, area=world.area_a, now=T0)
    return svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a, now=T0)


def test_depart_arrive_restore_stop_the_clocks_at_the_crews_times(world, people, dispatched):
    crew = people.crew
    assert work_order_allowed_actions(crew, dispatched)[0] == Action.DEPART
    order = svc.work_order_depart(
        actor=crew, order=dispatched, at=T0 + dt.timedelta(minutes=5), now=T0 + dt.timedelta(minutes=6)
    )
    assert order.departed_at == T0 + dt.timedelta(minutes=5)
    # The crew was on site at 9:40 but says so at 10:10: the arrival clock (45 min, urban) was met.
    order = svc.work_order_start(
        actor=crew, order=order, at="2026-03-02T09:40", now=T0 + dt.timedelta(minutes=70)
    )
    c = clocks(order)
    assert c[ClockKind.ARRIVAL].met_at == T0 + dt.timedelta(minutes=40) and not c[ClockKind.ARRIVAL].met_late
    assert order.arrived_at == T0 + dt.timedelta(minutes=40)
    # Restoration (3 h after arrival) at 11:30, recorded at 12:00, with the cause found.
    assert work_order_allowed_actions(crew, order)[0] == Action.RESTORE
    order = svc.work_order_restore(
        actor=crew,
        order=order,
        fault_cause="fuse",
        at=T0 + dt.timedelta(hours=2, minutes=30),
        now=T0 + dt.timedelta(hours=3),
    )
    c = clocks(order)
    assert c[ClockKind.RESTORATION].met_at == T0 + dt.timedelta(hours=2, minutes=30)
    assert order.fault_cause == "fuse" and order.restored_at == c[ClockKind.RESTORATION].met_at
    assert Action.RESTORE not in work_order_allowed_actions(crew, order)
    order = svc.work_order_reply(actor=crew, order=order, reply="更换熔断器", now=T0 + dt.timedelta(hours=3))
    assert clocks(order)[ClockKind.RESTORATION].met_at == T0 + dt.timedelta(hours=2, minutes=30)  # not moved
    actions = list(order.events.values_list("action", flat=True))
    assert actions == ["create", "dispatch", "depart", "start", "restore", "reply"]


def test_times_are_bounded_and_steps_in_order(world, people, dispatched):
    crew = people.crew
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_depart(actor=crew, order=dispatched, at=T0 + dt.timedelta(hours=5), now=T0)
    assert exc.value.field == "at" and exc.value.code == "in_future"
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_depart(actor=crew, order=dispatched, at=T0 - dt.timedelta(days=1), now=T0)
    assert exc.value.code == "too_early"
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_depart(actor=crew, order=dispatched, at="昨天下午", now=T0)
    assert exc.value.code == "invalid"
    with pytest.raises(ConflictError):  # not on site yet
        svc.work_order_restore(actor=crew, order=dispatched, fault_cause="fuse", now=T0)
    order = svc.work_order_depart(
        actor=crew, order=dispatched, at=T0 + dt.timedelta(minutes=10), now=T0 + dt.timedelta(minutes=10)
    )
    with pytest.raises(ConflictError):  # once
        svc.work_order_depart(actor=crew, order=order, now=T0 + dt.timedelta(minutes=11))
    with pytest.raises(ApplicationError) as exc:  # arrival before departure
        svc.work_order_start(
            actor=crew, order=order, at=T0 + dt.timedelta(minutes=5), now=T0 + dt.timedelta(minutes=30)
        )
    assert exc.value.code == "too_early"
    order = svc.work_order_start(actor=crew, order=order, now=T0 + dt.timedelta(minutes=30))
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_restore(actor=crew, order=order, fault_cause="", now=T0 + dt.timedelta(hours=1))
    assert exc.value.field == "fault_cause"


def test_field_steps_are_for_fault_repairs_only(world, people):
    order = make_order(
        people.agent, area=world.area_a, request_type=RequestType.COMPLAINT, dimension="service_attitude"
    )
    order = svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.station_a)
    assert Action.DEPART not in work_order_allowed_actions(people.dispatcher, order)
    with pytest.raises(ConflictError) as exc:
        svc.work_order_depart(actor=people.dispatcher, order=order)
    assert exc.value.code == "not_fault_repair"


def test_photos_are_checked_by_content_and_size(world, people, dispatched, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    crew = people.crew
    photo = svc.work_order_photo_add(
        actor=crew, order=dispatched, content=_png(), filename="a.png", caption="熔断器"
    )
    assert (photo.content_type, photo.width, photo.height) == ("image/png", 32, 24)
    assert (tmp_path / photo.file.name).read_bytes() == _png()
    for bad in (b"GIF89a not really", b"%PDF-1.4 pretending to be a jpg", b""):
        with pytest.raises(ApplicationError) as exc:
            svc.work_order_photo_add(actor=crew, order=dispatched, content=bad, filename="x.jpg")
        assert exc.value.field == "photo"
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_photo_add(actor=crew, order=dispatched, content=b"\xff" * (svc.PHOTO_MAX_BYTES + 1))
    assert exc.value.code == "too_large"
    with pytest.raises(ApplicationError):  # an agent does not attach site photos
        svc.work_order_photo_add(actor=people.agent, order=dispatched, content=_png())
    assert WorkOrderPhoto.objects.count() == 1


def test_photos_through_page_and_api_are_served_to_those_who_see_the_order(
    world, people, dispatched, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = Client()
    page.force_login(people.crew)
    upload = io.BytesIO(_png())
    upload.name = "site.png"
    response = page.post(f"/work-orders/{dispatched.order_no}/photos/", {"photo": upload, "caption": "现场"})
    assert response.status_code == 302
    photo = WorkOrderPhoto.objects.get()
    detail = page.get(f"/work-orders/{dispatched.order_no}/").content.decode()
    url = f"/api/work-orders/{dispatched.pk}/photos/{photo.token}/"
    assert url in detail
    served = page.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == _png()
    api = APIClient()
    api.force_authenticate(people.crew)
    upload = io.BytesIO(b"<svg onload=alert(1)>")
    upload.name = "x.png"
    bad = api.post(f"/api/work-orders/{dispatched.order_no}/photos/", {"photo": upload}, format="multipart")
    assert bad.status_code == 400 and "photo" in bad.json()["errors"]
    assert api.get(f"/api/work-orders/{dispatched.order_no}/").json()["photos"][0]["url"] == url
    other = APIClient()
    other.force_authenticate(world.staff(Role.DISPATCHER, world.county_b))
    assert other.get(url).status_code == 404
