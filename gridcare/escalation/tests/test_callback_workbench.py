"""The callback workbench (回访工作台): search, filters, the call panel with the order's
story, the audited phone reveal, "未接通" in one click, an outcome only by explicit choice
— and the order page's archive and the API's archive without a pre-set "satisfied"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.core.models import AuditEvent
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.escalation import services
from gridcare.escalation.models import CallbackAttempt, CallbackTask
from gridcare.workorders import services as wo
from gridcare.workorders.choices import ClockKind, Dimension, RequestType, Status
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

URL = "/escalation/callbacks/"


def _replied(world, people, *, customer=None, request_type=RequestType.COMPLAINT, **kwargs):
    if customer is None:
        customer = CustomerFactory(area=world.area_a)
    kwargs.setdefault("dimension", Dimension.SERVICE_ATTITUDE)
    kwargs.setdefault("description", "营业员态度生硬，希望给个说法")
    order = make_order(people.agent, request_type=request_type, customer=customer.customer_no, **kwargs)
    wo.work_order_reply(actor=people.city_sup, order=order, reply="已当面致歉并批评教育当事人")
    task = services.callback_task_ensure(order=order)
    assert task is not None
    return order, task


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _order_nos(html: str) -> set[str]:
    return set(re.findall(r'href="/work-orders/(GD\w+)/"', html))


# ------------------------------------------------------------------------- search, filters


def test_search_by_order_number_customer_number_phone_and_name(world, people):
    zhang = CustomerFactory(area=world.area_a, name="张伟", phone="13912345678", customer_no="3100000001")
    li = CustomerFactory(area=world.area_a, name="李娜", phone="13800001111", customer_no="3100000002")
    order_z, _t = _replied(world, people, customer=zhang)
    order_l, _t = _replied(world, people, customer=li, contact_phone="13700002222", contact_name="李娜的丈夫")
    c = _client(people.agent)

    def found(q):
        return _order_nos(c.get(URL, {"q": q}).content.decode())

    assert found("") == {order_z.order_no, order_l.order_no}
    assert found(order_z.order_no) == {order_z.order_no}
    assert found(order_z.order_no[:10]) == {order_z.order_no, order_l.order_no}  # GD + the day
    assert found("3100000002") == {order_l.order_no}  # customer number
    assert found("13912345678") == {order_z.order_no}  # the customer's phone
    assert found("139-1234-5678") == {order_z.order_no}
    assert found("13700002222") == {order_l.order_no}  # the phone given at intake
    assert found("1111") == {order_l.order_no}  # the last digits
    assert found("张伟") == {order_z.order_no}  # customer's name
    assert found("丈夫") == {order_l.order_no}  # contact's name
    assert found("王五") == set()


def test_filters_by_due_type_kind_and_unit(world, people):
    order_a, task_a = _replied(world, people)
    customer_b = CustomerFactory(area=world.area_b)
    order_b, task_b = _replied(
        world,
        people,
        customer=customer_b,
        request_type=RequestType.FAULT_REPAIR,
        dimension=Dimension.SUPPLY_RELIABILITY,
        description="停电",
    )
    now = timezone.now()
    CallbackTask.objects.filter(pk=task_a.pk).update(due_at=now - dt.timedelta(hours=2))  # overdue
    CallbackTask.objects.filter(pk=task_b.pk).update(due_at=now + dt.timedelta(days=3))
    c = _client(people.agent)

    def found(**params):
        response = c.get(URL, params)
        assert response.status_code == 200, params
        return _order_nos(response.content.decode())

    both = {order_a.order_no, order_b.order_no}
    assert found() == both
    assert found(due="overdue") == {order_a.order_no}
    assert found(overdue="1") == {order_a.order_no}  # the old link still works
    assert found(due="today") == {order_a.order_no}  # due by tonight, overdue ones included
    CallbackTask.objects.filter(pk=task_b.pk).update(due_at=now + dt.timedelta(minutes=1))
    assert found(due="today") == both
    assert found(request_type="complaint") == {order_a.order_no}
    assert found(request_type="fault_repair") == {order_b.order_no}
    assert found(kind="order") == both and found(kind="recovery") == set()
    assert found(unit=world.county_a.code) == {order_a.order_no}
    assert found(unit=world.station_b.code) == {order_b.order_no}
    assert found(unit="NOPE") == set()
    # A value no select offers is a 400 naming the field, not a 500.
    response = c.get(URL, {"due": "yesterday"})
    assert response.status_code == 400 and "due" in response.content.decode()
    # The API takes the same filters.
    api = APIClient()
    api.force_authenticate(people.agent)
    rows = api.get("/api/callback-tasks/", {"due": "overdue"}).json()["results"]
    assert [r["order_no"] for r in rows] == [order_a.order_no]
    rows = api.get("/api/callback-tasks/", {"q": order_b.order_no}).json()["results"]
    assert [r["order_no"] for r in rows] == [order_b.order_no]
    assert api.get("/api/callback-tasks/", {"due": "yesterday"}).status_code == 400


# ---------------------------------------------------------------------- the call panel


def test_call_panel_shows_the_story_and_no_preselected_outcome(world, people):
    order, task = _replied(world, people)
    wo.work_order_note(actor=people.supervisor, order=order, note="已电话联系客户说明情况")
    c = _client(people.agent)
    html = c.get(f"/escalation/callbacks/{task.pk}/panel/", headers={"HX-Request": "true"}).content.decode()
    assert html.startswith(f'<tr id="cb-panel-{task.pk}" class="cb-panel">')
    # The story: the customer's words, the reply, the latest timeline entries.
    assert "营业员态度生硬" in html and "已当面致歉" in html and "已电话联系客户说明情况" in html
    # "未接通" is one button; the reached outcome is a required select that starts empty.
    assert 'name="outcome" value="unreachable"' in html and "未接通" in html
    select = re.search(r'<select name="outcome" required>(.*?)</select>', html, re.S).group(1)
    assert re.match(r'<option value="" selected>', select)
    assert select.count("selected") == 1 and "unreachable" not in select
    # The phone is masked until revealed.
    assert "139****" in html and order.contact_phone not in html
    # The same panel without script: ?open=<id> renders it in its row.
    page = c.get(URL, {"open": task.pk}).content.decode()
    assert f'<tr id="cb-panel-{task.pk}" class="cb-panel">' in page and "营业员态度生硬" in page
    assert c.get(URL).content.decode().count(f'<tr id="cb-panel-{task.pk}" hidden></tr>') == 1


def test_unreachable_is_one_click_and_an_outcome_must_be_chosen(world, people):
    order, task = _replied(world, people)
    c = _client(people.agent)
    record = f"/escalation/callbacks/{task.pk}/record/"
    # One click on "未接通": an attempt, the task stays open, the panel stays open.
    response = c.post(record, {"outcome": "unreachable", "next": URL + "?q=x"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?q=x&open={task.pk}#cb-{task.pk}"
    task.refresh_from_db()
    assert task.attempts == 1 and task.status == "pending" and task.result == ""
    assert CallbackAttempt.objects.get(task=task).outcome == "unreachable"
    # Calling again: nothing chosen is refused, nothing recorded.
    CallbackTask.objects.filter(pk=task.pk).update(last_attempt_at=timezone.now() - dt.timedelta(hours=2))
    response = c.post(record, {"outcome": "", "words": ""}, follow=True)
    assert "请选择回访结果" in response.content.decode()
    task.refresh_from_db()
    assert task.attempts == 1 and task.status == "pending"
    # The explicit outcome closes the loop.
    c.post(record, {"outcome": "basically_satisfied", "words": "还行"})
    task.refresh_from_db()
    order.refresh_from_db()
    assert task.status == "done" and task.result == "basically_satisfied" and task.attempts == 2
    assert order.status == Status.ARCHIVED and order.satisfied is True


def test_phone_reveal_is_audited_and_follows_the_role(world, people):
    customer = CustomerFactory(area=world.area_a, phone="13912345678", phone2="02584001234")
    order, task = _replied(world, people, customer=customer, contact_phone="13700002222")
    url = f"/escalation/callbacks/{task.pk}/reveal/"
    html = _client(people.agent).post(url, {"reason": "回访"}).content.decode()
    assert 'href="tel:13700002222"' in html and 'href="tel:13912345678"' in html and "02584001234" in html
    # Audited twice: the customer's phones through the customers app, the other contact phone on the order.
    customer_rows = AuditEvent.objects.filter(
        action="customer.reveal_personal_data", object_id=str(customer.pk)
    )
    assert customer_rows.count() == 1 and order.order_no in customer_rows.get().note
    order_rows = AuditEvent.objects.filter(action="escalation.callback_reveal_phone", object_id=str(order.pk))
    assert order_rows.count() == 1 and order_rows.get().actor == people.agent
    # A quality inspector works the workbench but may not see numbers: no button, 403.
    inspector = _client(people.inspector)
    panel = inspector.get(f"/escalation/callbacks/{task.pk}/panel/").content.decode()
    assert "显示号码" not in panel and url not in panel
    assert inspector.post(url).status_code == 403
    # Another county's agent does not find the task at all.
    assert _client(people.agent_b).post(url).status_code == 404
    assert AuditEvent.objects.filter(action="customer.reveal_personal_data").count() == 1


def test_order_without_customer_reveals_the_contact_phone(world, people):
    order = make_order(
        people.agent,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
        area=world.area_a.code,
        contact_name="路人甲",
        contact_phone="13655556666",
        description="路灯下电缆外露",
    )
    wo.work_order_reply(actor=people.supervisor, order=order, reply="已处理")
    task = services.callback_task_ensure(order=order)
    html = _client(people.agent).post(f"/escalation/callbacks/{task.pk}/reveal/").content.decode()
    assert 'href="tel:13655556666"' in html
    assert AuditEvent.objects.filter(
        action="escalation.callback_reveal_phone", object_id=str(order.pk)
    ).exists()
    assert not AuditEvent.objects.filter(action="customer.reveal_personal_data").exists()


# ------------------------------------------------------------------------ the deadline


def test_workbench_shows_the_tasks_deadline_the_same_as_the_order_page(world, people):
    order, task = _replied(world, people)
    clock = order.clocks.get(kind=ClockKind.CALLBACK, met_at__isnull=True)
    assert task.due_at == clock.due_at  # the task's deadline is the order's callback clock
    shown = timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
    c = _client(people.agent)
    bench = c.get(URL).content.decode()
    row = re.search(rf'<tr id="cb-{task.pk}">(.*?)</tr>', bench, re.S).group(1)
    assert shown in row
    page = c.get(f"/work-orders/{order.order_no}/").content.decode()
    clocks = re.search(r'<table class="list" id="clocks">(.*?)</table>', page, re.S).group(1)
    callback_row = next(r for r in clocks.split("<tr>") if "回访" in r)
    assert shown in callback_row


# --------------------------------------------------------- archive: no pre-set "satisfied"


def _callback_order(world, people):
    order, _task = _replied(world, people)
    return wo.work_order_callback(actor=people.agent, order=order, note="")


def test_order_page_archive_needs_an_explicit_satisfaction(world, people):
    order = _callback_order(world, people)
    c = _client(people.agent)
    page = c.get(f"/work-orders/{order.order_no}/").content.decode()
    form = re.search(r'<select name="satisfied" required>(.*?)</select>', page, re.S).group(1)
    assert re.match(r'<option value="" selected>', form) and form.count("selected") == 1
    assert 'type="checkbox" name="satisfied"' not in page
    act = f"/work-orders/{order.order_no}/act/archive/"
    response = c.post(act, {"expected_version": order.version, "satisfied": ""}, follow=True)
    assert "请选择客户是否满意" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.CALLBACK
    c.post(act, {"expected_version": order.version, "satisfied": "unknown"})
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED and order.satisfied is None


@pytest.mark.parametrize("value, stored", [("satisfied", True), ("unsatisfied", False)])
def test_order_page_archive_records_the_choice(world, people, value, stored):
    order = _callback_order(world, people)
    _client(people.agent).post(
        f"/work-orders/{order.order_no}/act/archive/", {"expected_version": order.version, "satisfied": value}
    )
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED and order.satisfied is stored


def test_api_archive_satisfied_is_required_null_means_unknown(world, people):
    api = APIClient()
    api.force_authenticate(people.agent)
    order = _callback_order(world, people)
    url = f"/api/work-orders/{order.order_no}/archive/"
    response = api.post(url, {}, format="json")
    assert response.status_code == 400 and "satisfied" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.CALLBACK
    assert api.post(url, {"satisfied": None}, format="json").status_code == 200
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED and order.satisfied is None
    other = _callback_order(world, people)
    api.post(f"/api/work-orders/{other.order_no}/archive/", {"satisfied": False}, format="json")
    other.refresh_from_db()
    assert other.satisfied is False
