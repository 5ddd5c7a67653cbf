"""Taking requests: creation, clocks from the commitment catalog, working days."""

import datetime as dt
import re

import pytest

from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.customers.choices import CustomerCategory
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.workorders import services as svc
from gridcare.workorders.choices import (
    ApplicationSubtype,
    ClockKind,
    Dimension,
    RequestType,
    Status,
)
from gridcare.workorders.models import (
    WorkOrder,
)

from .factories import at, clocks, make_order

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------ create


def test_create_fault_repair_sets_owner_unit_number_and_minute_clocks(world, people):
    now = at(2026, 3, 2, 9, 0)
    customer = CustomerFactory(area=world.area_a)
    order = make_order(people.agent, customer=customer.customer_no, now=now)
    assert re.fullmatch(r"GD20260302NJ010100\d{5}", order.order_no)  # station NJ0101, padded
    assert order.status == Status.ACCEPTED
    assert order.unit == world.station_a and order.accepted_unit == world.city
    assert order.accepted_by == people.agent
    assert order.area == world.area_a and order.feeder_id == world.area_a.feeder_id
    c = clocks(order)
    assert c[ClockKind.ARRIVAL].due_at == now + dt.timedelta(minutes=45)
    assert c[ClockKind.RESTORATION].due_at == now + dt.timedelta(minutes=45 + 180)
    assert order.due_at == now + dt.timedelta(minutes=45)
    event = order.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "create",
        "",
        "accepted",
        people.agent,
    )


def test_rural_area_gets_rural_limits(world, people):
    now = at(2026, 3, 2, 9, 0)
    order = make_order(people.agent, area=world.area_b.code, now=now)
    assert clocks(order)[ClockKind.ARRIVAL].due_at == now + dt.timedelta(minutes=90)
    assert order.unit == world.station_b


def test_order_numbers_are_sequential_per_unit_and_day(world, people):
    now = at(2026, 3, 2, 9, 0)
    a = make_order(people.agent, area=world.area_a, now=now)
    b = make_order(people.agent, area=world.area_a, now=now)
    assert a.order_no.endswith("00001") and b.order_no.endswith("00002")
    assert a.order_no < b.order_no


@pytest.mark.parametrize(
    "kwargs, field, code",
    [
        ({"customer": "9999999999"}, "customer", "unknown_customer"),
        ({"area": "NO-SUCH-AREA"}, "area", "unknown_area"),
        ({"description": "   "}, "description", "required"),
        (
            {"request_type": RequestType.COMPLAINT, "subtype": ApplicationSubtype.METER_TEST},
            "subtype",
            "subtype_mismatch",
        ),
        ({"request_type": RequestType.SERVICE_APPLICATION}, "subtype", "required"),
        ({"channel": "telegram"}, "channel", "invalid_choice"),
        ({"dimension": "weather"}, "dimension", "invalid_choice"),
        ({"answered": True, "reply": "已答复"}, "answered", "invalid"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(world, people, kwargs, field, code):
    kwargs.setdefault("area", world.area_a)
    with pytest.raises(ApplicationError) as exc:
        make_order(people.agent, **kwargs)
    assert exc.value.field == field and exc.value.code == code
    assert not WorkOrder.objects.exists()


def test_no_location_and_no_unit_is_refused(world, db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "r@example.com", "pw")
    with pytest.raises(ApplicationError) as exc:
        make_order(admin)
    assert exc.value.field == "area"


def test_planner_cannot_create(world):
    planner = world.staff(Role.PLANNER, world.city)
    with pytest.raises(PermissionDeniedError):
        make_order(planner, area=world.area_a)


def test_consultation_answered_at_first_contact_goes_to_replied_and_archives_without_callback(world, people):
    order = make_order(
        people.agent,
        request_type=RequestType.CONSULTATION,
        dimension=Dimension.INFORMATION_COMMUNICATION,
        description="峰谷电价怎么算",
        answered=True,
        reply="已告知峰谷时段与电价",
        area=world.area_a,
    )
    assert order.status == Status.REPLIED and order.reply
    assert order.due_at is None
    assert clocks(order)[ClockKind.REPLY].met_at is not None
    order = svc.work_order_archive(actor=people.agent, order=order)
    assert order.status == Status.ARCHIVED and order.closed_at is not None


# ---------------------------------------------------------------------- working days


def test_complaint_clocks_cross_national_day_and_makeup_saturday(world, people):
    # 2026: Oct 1-7 holiday; Sat Oct 10 is a make-up working day.
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        description="抢修人员态度恶劣",
        area=world.area_a,
        now=at(2026, 9, 30, 10, 0),
    )
    c = clocks(order)
    assert c[ClockKind.CONTACT].due_at == at(2026, 10, 8, 10, 0)
    # Oct 8, 9, 10 (Sat, make-up), 12, 13, 14, 15, 16, 19, 20
    assert c[ClockKind.REPLY].due_at == at(2026, 10, 20, 10, 0)


def test_request_on_a_rest_day_starts_counting_on_the_makeup_sunday(world, people):
    # Sat 2026-09-19 is a rest day; Sun 2026-09-20 is a make-up working day.
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        description="营业厅排队太久",
        area=world.area_a,
        now=at(2026, 9, 19, 15, 0),
    )
    assert clocks(order)[ClockKind.CONTACT].due_at == at(2026, 9, 21, 0, 0)


def test_year_the_calendar_does_not_know_falls_back_to_weekends(world, people):
    # 2027 holidays are unknown: Fri Oct 1 2027 counts as a working day, the weekend does not.
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        description="多次来电无人处理",
        area=world.area_a,
        now=at(2027, 10, 1, 10, 0),
    )
    assert clocks(order)[ClockKind.CONTACT].due_at == at(2027, 10, 4, 10, 0)


def test_application_limits_by_customer_category_and_subtype(world, people):
    from gridcare.care.models import Treatment

    # The published limits: high-voltage customers are large customers, whose orders take
    # the green channel by default (its tighter limits: test_green_channel_limits).
    key = Treatment.objects.get(target="key")
    key.green_channel = False
    key.save()
    now = at(2026, 3, 2, 9, 0)  # Monday
    hv = CustomerFactory(area=world.area_a, category=CustomerCategory.HV_DUAL)
    new = make_order(
        people.agent,
        request_type=RequestType.SERVICE_APPLICATION,
        subtype=ApplicationSubtype.NEW_CONNECTION,
        dimension=Dimension.BUSINESS_HANDLING,
        description="新建厂房申请双电源供电",
        customer=hv,
        now=now,
    )
    assert clocks(new)[ClockKind.COMPLETION].due_at == at(
        2026, 4, 16, 9, 0
    )  # 32 working days, Qingming Apr 6
    test = make_order(
        people.agent,
        request_type=RequestType.SERVICE_APPLICATION,
        subtype=ApplicationSubtype.METER_TEST,
        dimension=Dimension.BILLING_PAYMENT,
        description="申请校验电能表",
        customer=hv,
        now=now,
    )
    assert clocks(test)[ClockKind.COMPLETION].due_at == at(2026, 3, 9, 9, 0)


def test_green_channel_limits(world, people):
    """A large customer's order takes the green-channel limits (tighter), except where a
    business subtype has its own limit (a meter test stays 5 working days)."""
    now = at(2026, 3, 2, 9, 0)  # Monday
    hv = CustomerFactory(area=world.area_a, category=CustomerCategory.HV_DUAL)
    new = make_order(
        people.agent,
        request_type=RequestType.SERVICE_APPLICATION,
        subtype=ApplicationSubtype.NEW_CONNECTION,
        dimension=Dimension.BUSINESS_HANDLING,
        description="新建厂房申请双电源供电",
        customer=hv,
        now=now,
    )
    assert new.green_channel
    assert clocks(new)[ClockKind.COMPLETION].amount == 22  # green channel, high-voltage dual: 22 not 32
    test = make_order(
        people.agent,
        request_type=RequestType.SERVICE_APPLICATION,
        subtype=ApplicationSubtype.METER_TEST,
        dimension=Dimension.BILLING_PAYMENT,
        description="申请校验电能表",
        customer=hv,
        now=now,
    )
    assert clocks(test)[ClockKind.COMPLETION].due_at == at(2026, 3, 9, 9, 0)
