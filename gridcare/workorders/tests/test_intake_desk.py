"""Intake fits the role: the channel from the role, intake only for roles that take
requests, the customer page's order history and "new request", a picked customer filling
the contact fields (phone masked, the record's phone stored), order numbers of one length."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest
from django.test import Client

from gridcare.core.authz import has_perm, roles_with
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role, UnitKind
from gridcare.org.tests.factories import OrgUnitFactory
from gridcare.workorders import services as wo
from gridcare.workorders.choices import INTAKE_CHANNEL_BY_ROLE, Channel, Status
from gridcare.workorders.models import OrderNumberCounter, WorkOrder
from gridcare.workorders.rules import ORDER_NO_LENGTH, order_no_scope
from gridcare.workorders.tests.factories import at, make_order

pytestmark = pytest.mark.django_db

INTAKE = "/work-orders/intake/"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _selected_channel(html: str) -> str:
    select = re.search(r'<select name="channel"[^>]*>(.*?)</select>', html, re.S).group(1)
    chosen = re.findall(r'<option value="([^"]*)" selected>', select)
    return chosen[0] if chosen else ""


# ------------------------------------------------------------------------------ channel


def test_the_channel_table_names_roles_that_take_requests():
    assert set(INTAKE_CHANNEL_BY_ROLE) <= set(Role.values)
    assert set(INTAKE_CHANNEL_BY_ROLE.values()) <= set(Channel.values)
    assert set(INTAKE_CHANNEL_BY_ROLE) <= roles_with("workorders.create")
    assert INTAKE_CHANNEL_BY_ROLE[Role.COUNTER_CLERK] == Channel.COUNTER
    assert INTAKE_CHANNEL_BY_ROLE[Role.HOTLINE_AGENT] == Channel.HOTLINE
    assert INTAKE_CHANNEL_BY_ROLE[Role.REPAIR_CREW] == Channel.FIELD


@pytest.mark.parametrize("role", sorted(roles_with("workorders.create")))
def test_intake_channel_starts_from_the_role(world, role):
    user = world.staff(role, world.county_a)
    html = _client(user).get(INTAKE).content.decode()
    assert _selected_channel(html) == INTAKE_CHANNEL_BY_ROLE.get(role, "")
    # A link may still name the channel (?channel=…); a bad one is ignored.
    assert _selected_channel(_client(user).get(INTAKE, {"channel": "wechat"}).content.decode()) == "wechat"
    assert _selected_channel(_client(user).get(INTAKE, {"channel": "x"}).content.decode()) == (
        INTAKE_CHANNEL_BY_ROLE.get(role, "")
    )


def test_a_role_without_a_default_must_choose_the_channel(world):
    admin = world.staff(Role.ADMIN, world.county_a)
    response = _client(admin).post(
        INTAKE,
        {
            "request_type": "fault_repair",
            "dimension": "supply_reliability",
            "description": "停电",
            "area": "TA-A1",
        },
    )
    assert response.status_code == 200 and not WorkOrder.objects.exists()
    assert "channel" in response.context["form"].errors


# ---------------------------------------------------------------- who sees intake at all


@pytest.mark.parametrize("role", sorted(Role.values))
def test_only_roles_that_take_requests_see_intake(world, role):
    user = world.staff(role, world.county_a)
    customer = CustomerFactory(area=world.area_a)
    order = make_order(world.staff(Role.HOTLINE_AGENT, world.city), customer=customer.customer_no)
    c = _client(user)
    takes_requests = has_perm(user, "workorders.create")
    assert takes_requests == (
        role in (Role.HOTLINE_AGENT, Role.COUNTER_CLERK, Role.CUSTOMER_MANAGER, Role.REPAIR_CREW, Role.ADMIN)
    )
    for url in (
        "/",
        "/work-orders/",
        f"/work-orders/{order.order_no}/",
        f"/customers/{customer.customer_no}/",
    ):
        html = c.get(url).content.decode()
        assert (INTAKE in html) == takes_requests, (role, url)
    assert c.get(INTAKE).status_code == (200 if takes_requests else 403)


# ------------------------------------------------------------------- the customer page


def test_customer_page_shows_order_history_and_a_new_request_button(world):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    customer = CustomerFactory(area=world.area_a, name="张伟")
    old = make_order(agent, customer=customer.customer_no, now=at(2026, 1, 5, 9, 0))
    wo.work_order_cancel(actor=agent, order=old, reason="客户撤回")
    current = make_order(agent, customer=customer.customer_no, description="电压低，灯一闪一闪")
    other = make_order(agent, customer=CustomerFactory(area=world.area_a).customer_no)
    c = _client(world.staff(Role.COUNTER_CLERK, world.county_a))
    page = c.get(f"/customers/{customer.customer_no}/").content.decode()
    fragment_url = f"/work-orders/customer/{customer.customer_no}/"
    assert f'hx-get="{fragment_url}"' in page
    assert f'href="{INTAKE}?customer={customer.customer_no}"' in page
    fragment = c.get(fragment_url, headers={"HX-Request": "true"}).content.decode()
    assert current.order_no in fragment and "电压低" in fragment and old.order_no in fragment
    assert other.order_no not in fragment
    assert fragment.index(current.order_no) < fragment.index("历史工单") < fragment.index(old.order_no)
    # Another county's customer is not found, like their page.
    customer_b = CustomerFactory(area=world.area_b)
    assert c.get(f"/work-orders/customer/{customer_b.customer_no}/").status_code == 404
    assert c.get(f"/customers/{customer_b.customer_no}/").status_code == 404


# --------------------------------------------------------------- picking a customer


def test_new_request_from_the_customer_page_fills_the_contact_fields(world):
    clerk = world.staff(Role.COUNTER_CLERK, world.county_a)
    customer = CustomerFactory(area=world.area_a, name="张伟", phone="13912345678", address="东山街道18号")
    c = _client(clerk)
    html = c.get(INTAKE, {"customer": customer.customer_no}).content.decode()
    assert f'name="customer" value="{customer.customer_no}"' in html
    assert 'name="contact_name" value="张伟"' in html and 'value="东山街道18号"' in html
    assert 'placeholder="139****5678"' in html and "13912345678" not in html  # masked
    assert _selected_channel(html) == Channel.COUNTER
    # Left blank, the contact phone is the customer's recorded one (stored server-side).
    response = c.post(
        INTAKE,
        {
            "channel": "counter",
            "request_type": "consultation",
            "dimension": "billing_payment",
            "description": "咨询阶梯电价",
            "customer": customer.customer_no,
            "contact_name": "张伟",
            "contact_phone": "",
            "address": "东山街道18号",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    order = WorkOrder.objects.get()
    assert order.contact_phone == "13912345678" and order.contact_name == "张伟"
    assert order.channel == Channel.COUNTER and order.status == Status.ACCEPTED
    # A masked number is no number to call back: refused, naming the field.
    response = c.post(
        INTAKE,
        {
            "channel": "counter",
            "request_type": "consultation",
            "dimension": "billing_payment",
            "description": "再问一次",
            "customer": customer.customer_no,
            "contact_phone": "139****5678",
        },
    )
    assert response.status_code == 200 and "contact_phone" in response.context["form"].errors
    # A customer outside the clerk's reach is not filled in.
    outsider = CustomerFactory(area=world.area_b)
    html = c.get(INTAKE, {"customer": outsider.customer_no}).content.decode()
    assert outsider.name not in html and f'value="{outsider.customer_no}"' not in html


def test_the_lookups_pick_button_carries_the_contact_fields(world):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    customer = CustomerFactory(area=world.area_a, name='张"伟', phone="13912345678", address="东山街道18号")
    html = _client(agent).get("/work-orders/intake/lookup/", {"q": "13912345678"}).content.decode()
    raw = re.search(r"data-gc-pick='([^']*)'", html).group(1)
    assert json.loads(unescape(raw)) == {
        "id_customer": customer.customer_no,
        "id_contact_name": '张"伟',
        "id_address": "东山街道18号",
        "id_contact_phone": {"placeholder": "139****5678"},
    }


# ---------------------------------------------------------------------- order numbers


def test_order_numbers_have_one_length_whatever_the_unit(world):
    agent = world.staff(Role.HOTLINE_AGENT, world.city)  # city NJ (2 characters)
    county_clerk = world.staff(Role.COUNTER_CLERK, world.county_a)  # county NJ01 (4)
    crew = world.staff(Role.REPAIR_CREW, world.team_a)  # team NJ010101 (8)
    long_unit = OrgUnitFactory(
        code="NJ0101X0009", name="东山营业厅", kind=UnitKind.TEAM, parent=world.station_a
    )
    clerk = world.staff(Role.COUNTER_CLERK, long_unit)  # 11 characters
    now = at(2026, 3, 2, 9, 0)
    # Today's counter of the station before the change (unpadded key) and one of its numbers.
    OrderNumberCounter.objects.create(day=now.date(), scope="NJ0101", last=7)
    orders = [
        make_order(agent, area=world.area_a.code, now=now),  # station NJ0101 (6)
        make_order(
            agent, description="咨询", request_type="consultation", dimension="billing_payment", now=now
        ),
        make_order(
            county_clerk,
            description="咨询",
            request_type="consultation",
            dimension="billing_payment",
            now=now,
        ),
        make_order(
            crew, description="咨询", request_type="consultation", dimension="billing_payment", now=now
        ),
        make_order(
            clerk, description="咨询", request_type="consultation", dimension="billing_payment", now=now
        ),
        make_order(
            clerk, description="再咨询", request_type="consultation", dimension="billing_payment", now=now
        ),
    ]
    numbers = [o.order_no for o in orders]
    assert {o.unit.code for o in orders} == {"NJ0101", "NJ", "NJ01", "NJ010101", "NJ0101X0009"}
    assert {len(n) for n in numbers} == {ORDER_NO_LENGTH} == {23}
    assert len(set(numbers)) == len(numbers)
    # Readable: GD, the day, the unit's code padded with zeros, the day's sequence.
    assert numbers[:4] == [
        "GD20260302NJ01010000001",
        "GD20260302NJ00000000001",
        "GD20260302NJ01000000001",
        "GD20260302NJ01010100001",
    ]
    assert numbers[4:] == ["GD20260302NJ0101X000001", "GD20260302NJ0101X000002"]
    assert order_no_scope("NJ0101X0009") == "NJ0101X0"
    # The next day starts again at 1; numbers of every unit keep their one length.
    tomorrow = make_order(agent, area=world.area_a.code, now=now + dt.timedelta(days=1))
    assert tomorrow.order_no == "GD20260303NJ01010000001"
