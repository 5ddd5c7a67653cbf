"""End to end on a phone-sized screen in Debian Chromium: a customer signs in with the code
from the outbox, submits a request, finds it in their list with its timeline, staff reply
through the service layer, and the customer rates it — recorded as the order's callback."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gridcare.core.tests.browser import browser_page, login

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = (390, 844)
PASSWORD = "pw-123456"


def shots_dir() -> Path:
    path = Path(os.environ.get("GRIDCARE_PORTAL_SHOTS") or tempfile.gettempdir()) / "gridcare-portal-shots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def snap(page, path: Path) -> None:
    """The whole page as a phone shows it: the viewport stretched to the page's height so the
    sticky tab bar sits at the end instead of over the content, then back to the phone size."""
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": PHONE[0], "height": max(height, PHONE[1])})
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_customer_submits_tracks_and_rates_on_a_phone(world, live_server, settings, tmp_path):
    from gridcare.customers.tests.factories import CustomerFactory
    from gridcare.escalation.choices import CallbackResult
    from gridcare.escalation.models import CallbackTask, OutboundMessage
    from gridcare.org.choices import Role
    from gridcare.portal.models import PortalRating
    from gridcare.workorders import services as wo
    from gridcare.workorders.choices import Channel, Status
    from gridcare.workorders.models import WorkOrder

    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    customer = CustomerFactory(
        area=world.area_a, customer_no="3100056789", phone="13912340000", name="李秀英", address="东山路8号"
    )
    from gridcare.org.tests.factories import StaffFactory, UserFactory

    StaffFactory(
        user=UserFactory(username="clerk-portal", password=PASSWORD),
        unit=world.station_a,
        role=Role.COUNTER_CLERK,
    )
    shots = shots_dir()
    base = live_server.url
    with browser_page(viewport=PHONE) as page:
        page.goto(f"{base}/portal/")
        expect(page.locator("h2")).to_contain_text("登录网上营业厅")
        page.fill("input[name=customer_no]", customer.customer_no)
        page.fill("input[name=phone]", customer.phone)
        snap(page, shots / "01-signin.png")
        page.click("button:has-text('获取验证码')")
        page.wait_for_url(f"{base}/portal/signin/verify/")
        sms = OutboundMessage.objects.get(recipient=customer.phone, key__startswith="portal:code:")
        code = re.search(r"(\d{6})", sms.body).group(1)
        page.fill("input[name=code]", code)
        snap(page, shots / "02-verify.png")
        page.click("button:has-text('登录')")
        page.wait_for_url(f"{base}/portal/")
        expect(page.locator("main")).to_contain_text("3100056789")
        snap(page, shots / "03-home.png")

        page.click("nav.tabs >> text=我要办")
        page.select_option("select[name=request_type]", "complaint")
        page.fill("textarea[name=description]", "小区路灯旁的电表箱门坏了一个月，报过一次没人来修")
        snap(page, shots / "04-submit.png")
        page.click("form button:has-text('提交')")
        expect(page.locator(".messages")).to_contain_text("提交成功")
        order = WorkOrder.objects.get(customer=customer)
        assert order.channel == Channel.WEB
        expect(page.locator("#portal-timeline")).to_contain_text("您的诉求已受理")
        snap(page, shots / "05-order-accepted.png")

        page.click("nav.tabs >> text=我的工单")
        expect(page.locator("#portal-orders")).to_contain_text(order.order_no)
        snap(page, shots / "06-my-orders.png")

        # Staff handle and reply through the service layer.
        sup = world.staff(Role.SUPERVISOR, world.city)
        wo.work_order_reply(actor=sup, order=order, reply="已更换表箱门锁，感谢您的反映")

        page.click(f"#portal-orders >> text={order.order_no}")
        expect(page.locator("#portal-timeline")).to_contain_text("已更换表箱门锁")
        expect(page.locator("#portal-status")).to_contain_text("待您评价")
        snap(page, shots / "07-order-replied.png")
        page.check("#portal-rate input[name=score][value='5']")
        page.fill("#portal-rate textarea[name=words]", "修得很快，谢谢")
        page.click("#portal-rate button")
        expect(page.locator(".messages")).to_contain_text("感谢您的评价")
        expect(page.locator("#portal-rating")).to_contain_text("5")
        expect(page.locator("#portal-status")).to_contain_text("已办结")
        snap(page, shots / "08-rated.png")

        # A contact change, then an anonymous report after signing out.
        page.click("nav.tabs >> text=我的信息")
        page.fill("input[name=phone]", "13800001111")
        page.click("form button:has-text('提交变更申请')")
        expect(page.locator("#portal-pending")).to_contain_text("13800001111")
        snap(page, shots / "09-contact-pending.png")
        page.click("header >> text=退出")
        page.click("text=匿名举报")
        page.select_option("select[name=topic]", "danger")
        page.fill("textarea[name=description]", "河边高压线下有人钓鱼")
        page.click("form button:has-text('提交举报')")
        expect(page.locator("#report-code")).to_have_text(re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$"))
        snap(page, shots / "10-report-code.png")

        # The station's counter clerk approves the contact change on the staff page.
        page.set_viewport_size({"width": 1366, "height": 900})
        login(page, base, "clerk-portal", PASSWORD)
        page.goto(f"{base}/portal/review/")
        expect(page.locator("#portal-changes")).to_contain_text("13800001111")
        page.screenshot(path=str(shots / "11-staff-review.png"), full_page=True)
        page.click("#portal-changes button:has-text('通过')")
        expect(page.locator(".messages")).to_contain_text("已通过")

    rating = PortalRating.objects.get(order=order)
    task = CallbackTask.objects.get(order=order)
    assert rating.callback_id == task.pk and task.result == CallbackResult.SATISFIED
    order.refresh_from_db()
    assert order.status == Status.ARCHIVED
    customer.refresh_from_db()
    assert customer.phone == "13800001111"
