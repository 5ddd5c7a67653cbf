"""Contact changes (the customer asks, staff of the customer's station review; approval
changes master data through customers' service and is audited) and anonymous reports (a
report order with no customer; the tracking code shown once and checked later)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gridcare.core.models import AuditEvent
from gridcare.escalation.models import OutboundMessage
from gridcare.org.choices import Role
from gridcare.portal import services
from gridcare.portal.choices import REPORT_LOOKUP_PER_IP, ChangeStatus
from gridcare.portal.models import AnonymousReport, ContactChange
from gridcare.workorders import services as wo
from gridcare.workorders.choices import Channel, Dimension, RequestType

pytestmark = pytest.mark.django_db


def _staff(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_contact_change_reviewed_then_applied(world, portal, customer):
    r = portal.post("/portal/contact/", {"phone": "13800138000", "address": "东山路2号", "note": "换号了"})
    assert r.status_code == 302
    change = ContactChange.objects.get()
    assert change.status == ChangeStatus.PENDING and change.unit_path == world.station_a.path
    customer.refresh_from_db()
    assert customer.phone == "13912345678"  # nothing changes before the review
    assert "变更申请审核中" in portal.get("/portal/contact/").content.decode()
    # A second request while one is pending.
    r = portal.post("/portal/contact/", {"address": "别处"})
    assert r.status_code == 409

    clerk = world.staff(Role.COUNTER_CLERK, world.station_a)
    page = _staff(clerk).get("/portal/review/").content.decode()
    assert "13800138000" in page and customer.customer_no in page
    r = _staff(clerk).post(
        f"/portal/review/{change.pk}/", {"decision": "approve", "expected_version": change.version}
    )
    assert r.status_code == 302
    customer.refresh_from_db()
    change.refresh_from_db()
    assert customer.phone == "13800138000" and customer.address == "东山路2号"
    assert change.status == ChangeStatus.APPROVED and change.reviewed_by == clerk
    assert AuditEvent.objects.filter(action="customer.update", object_id=str(customer.pk)).exists()
    assert AuditEvent.objects.filter(action="portal.contact_review").exists()
    assert OutboundMessage.objects.filter(key=f"portal:change:{change.pk}", recipient="13912345678").exists()
    # Reviewed once: a stale second click is refused.
    r = _staff(clerk).post(f"/portal/review/{change.pk}/", {"decision": "reject", "reason": "x"}, follow=True)
    assert "已被他人处理" in r.content.decode() or "该申请已审核" in r.content.decode()


def test_reject_needs_a_reason_and_keeps_master_data(world, customer):
    change = services.contact_change_request(customer=customer, address="新地址")
    clerk = world.staff(Role.CUSTOMER_MANAGER, world.station_a)
    r = _staff(clerk).post(f"/portal/review/{change.pk}/", {"decision": "reject"}, follow=True)
    assert "驳回须填写原因" in r.content.decode()
    _staff(clerk).post(f"/portal/review/{change.pk}/", {"decision": "reject", "reason": "地址与产权证明不符"})
    change.refresh_from_db()
    customer.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED and change.reason == "地址与产权证明不符"
    assert customer.address == "东山路1号"


def test_review_permissions_and_scope(world, customer):
    change = services.contact_change_request(customer=customer, phone="13800138000")
    assert _staff(world.staff(Role.HOTLINE_AGENT, world.station_a)).get("/portal/review/").status_code == 403
    assert Client().get("/portal/review/").status_code == 302
    other = _staff(world.staff(Role.COUNTER_CLERK, world.station_b))
    assert "13800138000" not in other.get("/portal/review/").content.decode()
    assert other.post(f"/portal/review/{change.pk}/", {"decision": "approve"}).status_code == 404
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING


def test_review_page_query_count(world, django_assert_max_num_queries):
    from gridcare.customers.tests.factories import CustomerFactory

    for i in range(6):
        services.contact_change_request(customer=CustomerFactory(area=world.area_a), address=f"新地址{i}号")
    clerk = _staff(world.staff(Role.COUNTER_CLERK, world.station_a))
    with django_assert_max_num_queries(12):
        page = clerk.get("/portal/review/").content.decode()
    assert len(re.findall(r"新地址\d号", page)) == 6


def test_contact_change_bad_input(portal, customer):
    assert portal.post("/portal/contact/", {"phone": "abc"}).status_code == 400
    assert portal.post("/portal/contact/", {}).status_code == 400
    assert portal.post("/portal/contact/", {"phone": customer.phone}).status_code == 400  # nothing new
    assert not ContactChange.objects.exists()


# --------------------------------------------------------------------- anonymous reports


def test_anonymous_report_and_its_tracking_code(world):
    c = Client(REMOTE_ADDR="10.9.0.1")
    r = c.post(
        "/portal/report/",
        {"topic": "theft", "description": "隔壁工厂私拉电线偷电", "address": "东山工业园"},
    )
    assert r.status_code == 200
    code = re.search(r'id="report-code">([A-Z0-9-]+)<', r.content.decode()).group(1)
    assert len(code.replace("-", "")) == 16
    report = AnonymousReport.objects.get()
    order = report.order
    assert order.request_type == RequestType.REPORT and order.customer is None
    assert order.channel == Channel.WEB and order.dimension == Dimension.BILLING_PAYMENT
    assert code.replace("-", "") not in report.code_hash  # kept hashed
    # Look up later, from any browser, with or without dashes and case.
    r = Client(REMOTE_ADDR="10.9.0.2").post(
        "/portal/report/status/", {"code": code.lower().replace("-", " ")}
    )
    assert r.status_code == 200 and 'id="report-result"' in r.content.decode()
    assert "已受理" in r.content.decode()
    # The reply's text is not shown to whoever holds the code; that it was handled is.
    assert order.unit == world.company  # no location: the portal account's (top) unit takes it
    wo.work_order_reply(
        actor=world.staff(Role.SUPERVISOR, world.company), order=order, reply="已查实，罚款处理张某"
    )
    page = Client().post("/portal/report/status/", {"code": code}).content.decode()
    assert "已处理完毕" in page and "张某" not in page
    # A wrong code.
    r = Client().post("/portal/report/status/", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert r.status_code == 404 and 'id="report-result"' not in r.content.decode()


def test_report_lookups_are_limited_per_ip():
    _window, most = REPORT_LOOKUP_PER_IP
    c = Client(REMOTE_ADDR="10.9.1.1")
    codes = [c.post("/portal/report/status/", {"code": f"X{i}"}).status_code for i in range(most + 1)]
    assert codes[:most] == [404] * most and codes[most] == 429


def test_report_bad_input(world):
    c = Client()
    assert c.post("/portal/report/", {"topic": "nope", "description": "x"}).status_code == 400
    assert c.post("/portal/report/", {"topic": "danger", "description": ""}).status_code == 400
    assert not AnonymousReport.objects.exists()


def test_staff_see_the_portal_card_and_attachments(world, customer):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "PNG")
    order = services.request_submit(
        customer=customer,
        request_type=RequestType.COMPLAINT,
        description="x",
        files=[(buf.getvalue(), "a.png")],
    )
    from gridcare.portal.models import PortalAttachment

    att = PortalAttachment.objects.get()
    clerk = _staff(world.staff(Role.SUPERVISOR, world.county_a))
    page = clerk.get(f"/work-orders/{order.order_no}/").content.decode()
    assert f"/portal/attachments/{att.token}/" in page
    r = clerk.get(f"/portal/attachments/{att.token}/")
    assert (
        r.status_code == 200 and r["Content-Type"] == "image/png" and r["X-Content-Type-Options"] == "nosniff"
    )
    outsider = _staff(world.staff(Role.SUPERVISOR, world.county_b))
    assert outsider.get(f"/portal/attachments/{att.token}/").status_code == 404
