"""End to end in Debian Chromium on a phone-sized screen (390 × 844): a repair crew sets off,
arrives, restores supply with the cause found, adds a photo from the site and replies."""

import io
import os

import pytest
from playwright.sync_api import expect

from gridcare.core.tests.browser import artifacts_dir, browser_page, login
from gridcare.org.choices import Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-123456"
PHONE = (390, 844)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


def _act(page, action: str):
    form = page.locator(f"form[action$='/act/{action}/']")
    details = page.locator("details", has=form)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return form


def _fits(page) -> None:
    """Nothing sticks out sideways: the page needs no horizontal scrolling at phone width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"page is {width}px wide at {PHONE[0]}px"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_crew_works_an_order_on_a_phone(world, live_server, settings, tmp_path):
    from gridcare.org.tests.factories import StaffFactory, UserFactory
    from gridcare.workorders import services as svc
    from gridcare.workorders.models import WorkOrder

    settings.MEDIA_ROOT = tmp_path
    agent = world.staff(Role.HOTLINE_AGENT, world.city)
    dispatcher = world.staff(Role.DISPATCHER, world.county_a)
    crew = StaffFactory(
        user=UserFactory(username="wang", password=PASSWORD),
        unit=world.team_a,
        role=Role.REPAIR_CREW,
        display_name="王师傅",
    ).user
    from .factories import make_order

    order = make_order(agent, area=world.area_a, description="小区北门配电箱冒烟，整栋楼停电")
    svc.work_order_dispatch(actor=dispatcher, order=order, unit=world.team_a, handler=crew)
    base = live_server.url
    shots = artifacts_dir()
    with browser_page(viewport=PHONE) as page:
        login(page, base, "wang", PASSWORD)
        _fits(page)
        page.screenshot(path=str(shots / "crew-phone-home.png"), full_page=True)
        page.goto(f"{base}/work-orders/mine/")  # the crew's queue fits the phone too
        _fits(page)
        expect(page.locator("body")).to_contain_text(order.order_no)
        page.screenshot(path=str(shots / "crew-phone-mine.png"), full_page=True)
        page.goto(f"{base}/work-orders/{order.order_no}/")
        _fits(page)
        # What the crew does next comes first on a phone, not two screens down.
        top = page.locator(".order-actions").bounding_box()["y"]
        assert top < PHONE[1], top
        _act(page, "depart").locator("button[type=submit]").click()
        expect(page.locator("body")).to_contain_text("出发：已完成")
        _act(page, "start").locator("button[type=submit]").click()
        expect(page.locator("body")).to_contain_text("开始处理：已完成")
        form = _act(page, "restore")
        form.locator("select[name=fault_cause]").select_option("fuse")
        form.locator("button[type=submit]").click()
        expect(page.locator("body")).to_contain_text("恢复送电：已完成")
        page.set_input_files(
            "input[name=photo]", files=[{"name": "site.png", "mimeType": "image/png", "buffer": _png()}]
        )
        page.fill("input[name=caption]", "更换后的熔断器")
        page.click("form[action$='/photos/'] button[type=submit]")
        expect(page.locator(".photos img")).to_have_count(1)
        form = _act(page, "reply")
        form.locator("textarea[name=reply]").fill("熔断器熔断，已更换，恢复送电")
        form.locator("button[type=submit]").click()
        expect(page.locator("body")).to_contain_text("回单：已完成")
        _fits(page)
        page.screenshot(path=str(shots / "crew-phone-order.png"), full_page=True)
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == "replied" and order.fault_cause == "fuse"
    assert order.departed_at <= order.arrived_at <= order.restored_at <= order.replied_at
    assert order.photos.count() == 1
