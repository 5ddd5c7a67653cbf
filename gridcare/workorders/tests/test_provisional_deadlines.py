"""Deadlines counted into a year nobody has entered are provisional (暂定), and move when
the year's holidays are entered (issue: the calendar never silently runs out)."""

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridcare.core.calendar import calendar_year_replace
from gridcare.core.importers import import_holidays
from gridcare.core.models import AuditEvent, CalendarDay, CalendarYear
from gridcare.customers.choices import CustomerCategory
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.workorders import services as svc
from gridcare.workorders.choices import ApplicationSubtype, ClockKind, Dimension, RequestType
from gridcare.workorders.models import WorkOrder

from .factories import at, clocks, make_order

pytestmark = pytest.mark.django_db

HOLIDAYS_2027 = b"date,kind\n2027-01-01,holiday\n2027-02-06,holiday\n2027-02-08,holiday\n2027-02-14,workday\n"


@pytest.fixture(autouse=True)
def _published_limits(db):
    """These tests count the published 32 working days of a dual-supply connection across
    the year end: the customer's green channel (a large customer's tighter limits, care's
    default treatment) is switched off here."""
    from gridcare.care.models import Treatment

    for t in Treatment.objects.filter(green_channel=True):
        t.green_channel = False
        t.save()


def _dual_supply_application(world, people, now):
    customer = CustomerFactory(area=world.area_a, category=CustomerCategory.HV_DUAL)
    return make_order(
        people.agent,
        request_type=RequestType.SERVICE_APPLICATION,
        subtype=ApplicationSubtype.NEW_CONNECTION,
        dimension=Dimension.BUSINESS_HANDLING,
        description="新建厂房申请双电源供电",
        customer=customer,
        now=now,
    )


def _api_detail(user, order) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    res = api.get(f"/api/work-orders/{order.order_no}/")
    assert res.status_code == 200, res.content
    return res.json()


def _page(user, order) -> str:
    client = Client()
    client.force_login(user)
    res = client.get(f"/work-orders/{order.order_no}/")
    assert res.status_code == 200
    return res.content.decode()


def test_2027_deadline_is_provisional_until_2027_is_entered_then_recomputed(world, people):
    assert not CalendarYear.objects.filter(year=2027).exists()  # chinesecalendar ends with 2026
    order = _dual_supply_application(world, people, at(2026, 12, 3, 10, 0))
    completion = clocks(order)[ClockKind.COMPLETION]
    # 32 working days on plain weekends: New Year's Day 2027 counted as a working day.
    assert completion.due_at == at(2027, 1, 18, 10, 0)
    assert completion.provisional
    contact = clocks(order).get(ClockKind.CONTACT)
    assert contact is None or not contact.provisional or contact.due_at.year == 2027

    body = _api_detail(people.agent, order)
    by_kind = {c["kind"]: c for c in body["clocks"]}
    assert by_kind["completion"]["provisional"] is True
    assert body["due_at_provisional"] is (order.due_at == completion.due_at)
    assert "暂定" in _page(people.agent, order)
    version = WorkOrder.objects.get(pk=order.pk).version

    report = import_holidays(source=HOLIDAYS_2027, name="holidays-2027.csv")
    assert report.ok and report.created == 4

    completion.refresh_from_db()
    assert completion.due_at == at(2027, 1, 19, 10, 0)  # 1 January is a holiday now
    assert not completion.provisional
    order.refresh_from_db()
    assert order.version == version + 1  # the time-limit watch recomputes from the version
    body = _api_detail(people.agent, order)
    assert {c["kind"]: c["provisional"] for c in body["clocks"]}["completion"] is False
    assert body["due_at_provisional"] is False
    assert "暂定" not in _page(people.agent, order)
    # Audited: the order's clocks old → new, and the run as a whole.
    event = AuditEvent.objects.get(action="work_order.deadlines_recompute", object_id=str(order.pk))
    assert event.changes["due_at:completion"] == ["2027-01-18T10:00+08:00", "2027-01-19T10:00+08:00"]
    assert event.unit_path == order.unit_path
    assert AuditEvent.objects.filter(action="work_order.deadlines_recompute", object_id="*").exists()
    assert AuditEvent.objects.filter(action="calendar.year_replace", object_id="2027").exists()


def test_recompute_keeps_the_time_a_clock_was_paused(world, people):
    order = _dual_supply_application(world, people, at(2026, 12, 3, 10, 0))
    svc.work_order_pause_clock(
        actor=people.dispatcher, order=order, reason="等客户补资料", now=at(2026, 12, 4, 10, 0)
    )
    svc.work_order_resume_clock(actor=people.dispatcher, order=order, now=at(2026, 12, 5, 12, 0))
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 19, 12, 0)  # + 26 h paused
    calendar_year_replace(actor=None, year=2027, days={dt.date(2027, 1, 1): False})
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 20, 12, 0)


def test_deadlines_outside_the_year_and_minute_clocks_stay(world, people):
    fault = make_order(people.agent, area=world.area_a, now=at(2026, 12, 31, 23, 50))
    arrival = clocks(fault)[ClockKind.ARRIVAL]
    assert arrival.due_at == at(2027, 1, 1, 0, 35) and not arrival.provisional  # minutes, no calendar
    early = _dual_supply_application(world, people, at(2026, 3, 2, 9, 0))  # due in April 2026
    before = {k: c.due_at for k, c in clocks(early).items()}
    assert not any(c.provisional for c in clocks(early).values())
    calendar_year_replace(actor=None, year=2027, days={dt.date(2027, 1, 1): False})
    assert {k: c.due_at for k, c in clocks(early).items()} == before
    assert clocks(fault)[ClockKind.ARRIVAL].due_at == arrival.due_at


def test_an_admin_edit_of_a_day_moves_the_deadlines_too(world, people):
    admin = world.staff(Role.ADMIN, world.company)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    order = _dual_supply_application(world, people, at(2026, 12, 3, 10, 0))
    client = Client()
    client.force_login(admin)
    res = client.post(
        "/admin/core/calendarday/add/", {"date": "2027-01-01", "is_working": "", "name": "元旦"}
    )
    assert res.status_code == 302, res.content.decode()[:500]
    assert CalendarDay.objects.filter(date=dt.date(2027, 1, 1), is_working=False).exists()
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 19, 10, 0)
    assert clocks(order)[ClockKind.COMPLETION].provisional  # 2027 not confirmed yet
    res = client.post("/admin/core/calendaryear/add/", {"year": "2027", "source": "admin"})
    assert res.status_code == 302
    assert not clocks(order)[ClockKind.COMPLETION].provisional


def test_holidays_entered_on_gridcares_settings_pages_confirm_the_year(world, people):
    """What the warning asks admins to do, on GridCare's own pages: enter the days, then
    confirm the year; the deadlines move and stop being provisional."""
    admin = Client()
    admin.force_login(world.staff(Role.ADMIN, world.company))
    order = _dual_supply_application(world, people, at(2026, 12, 3, 10, 0))
    data = {"date": "2027-01-01", "is_working": "", "name": "元旦", "stamp": ""}
    assert admin.post("/settings/calendar/new/", data).status_code == 302
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 19, 10, 0)
    assert clocks(order)[ClockKind.COMPLETION].provisional
    settings_page = admin.get("/settings/").content.decode()
    assert "已确认的日历年份" in settings_page
    assert admin.post("/settings/calendar-years/new/", {"year": "2027", "stamp": ""}).status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
    assert not clocks(order)[ClockKind.COMPLETION].provisional
    assert "暂定" not in _page(people.agent, order)
    assert AuditEvent.objects.filter(action="calendaryear.create").exists()
    assert AuditEvent.objects.filter(
        action="work_order.deadlines_recompute", object_id=str(order.pk)
    ).exists()


def test_a_pending_callback_task_follows_its_moved_callback_clock(world, people):
    from gridcare.escalation.models import CallbackTask
    from gridcare.escalation.services import callback_task_ensure

    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        description="营业厅工作人员态度差",
        area=world.area_a,
        now=at(2026, 12, 28, 9, 0),
    )
    svc.work_order_dispatch(
        actor=people.dispatcher, order=order, unit=world.station_a, now=at(2026, 12, 28, 9, 5)
    )
    svc.work_order_start(actor=people.dispatcher, order=order, now=at(2026, 12, 28, 10, 0))
    svc.work_order_reply(
        actor=people.dispatcher, order=order, reply="已致歉并整改", now=at(2026, 12, 31, 9, 0)
    )
    task = callback_task_ensure(order=order.pk, now=at(2026, 12, 31, 9, 0))
    assert task is not None
    before = clocks(order)[ClockKind.CALLBACK]
    assert task.due_at == before.due_at and before.provisional
    calendar_year_replace(actor=None, year=2027, days={dt.date(2027, 1, 1): False})
    after = clocks(order)[ClockKind.CALLBACK]
    assert after.due_at > before.due_at  # 1 January no longer counts
    assert CallbackTask.objects.get(pk=task.pk).due_at == after.due_at


def test_rows_saved_or_deleted_one_by_one_or_together_move_deadlines_exactly(world, people):
    order = _dual_supply_application(world, people, at(2026, 12, 3, 10, 0))
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_working=False)
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 19, 10, 0)
    day = CalendarDay.objects.create(date=dt.date(2027, 1, 4), is_working=False)
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 20, 10, 0)
    day.date = dt.date(2027, 3, 1)  # moved after the deadline
    day.save()
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 19, 10, 0)
    CalendarDay.objects.create(date=dt.date(2027, 1, 5), is_working=False)
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 20, 10, 0)
    CalendarDay.objects.filter(date__year=2027).delete()  # three rows at once
    assert clocks(order)[ClockKind.COMPLETION].due_at == at(2027, 1, 18, 10, 0)
