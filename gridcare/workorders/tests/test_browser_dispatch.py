"""End to end in Debian Chromium: a dispatcher opens an order from the queue, picks the
crew's unit, picks a crew member from the handler list (seeing each one's open orders) and
dispatches; then reads the notifications the header counts and marks them all read."""

import os

import pytest
from playwright.sync_api import expect

from gridcare.core.tests.browser import artifacts_dir, browser_page, login
from gridcare.org.choices import Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-123456"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dispatcher_picks_a_crew_member_by_load(world, live_server):
    from gridcare.org.tests.factories import StaffFactory, UserFactory
    from gridcare.workorders import services as svc
    from gridcare.workorders.models import WorkOrder

    from .factories import make_order

    def person(username, role, unit, name):
        return StaffFactory(
            user=UserFactory(username=username, password=PASSWORD), unit=unit, role=role, display_name=name
        ).user

    agent = person("zhou", Role.HOTLINE_AGENT, world.city, "周晓燕")
    chen = person("chen", Role.DISPATCHER, world.county_a, "陈调度")
    wang = person("wang", Role.REPAIR_CREW, world.team_a, "王师傅")
    person("li", Role.REPAIR_CREW, world.team_a, "李师傅")
    # 王师傅 is busy with two open orders already; 李师傅 has none.
    for i in range(2):
        busy = make_order(agent, area=world.area_a, description=f"路灯线路故障{i}")
        svc.work_order_dispatch(actor=chen, order=busy, unit=world.team_a, handler=wang)
    order = make_order(agent, area=world.area_a, description="小区北门配电箱冒烟，整栋楼停电")
    base = live_server.url
    with browser_page() as page:
        login(page, base, "chen", PASSWORD)
        page.goto(f"{base}/work-orders/queue/")
        rows = page.locator("#order-results")
        assert rows.get_attribute("hx-trigger") == "every 30s"  # the queue refreshes itself
        rows.locator("a", has_text=order.order_no).click()
        expect(page.locator("h1")).to_contain_text(order.order_no)

        form = page.locator("form[action$='/act/dispatch/']")
        details = page.locator("details", has=form)
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        units = form.locator("select[name=unit]")
        # The unit list starts at the order's own station.
        expect(units.locator("option").first).to_have_attribute("value", world.station_a.code)
        units.select_option(world.team_a.code)
        handler = form.locator("select[name=handler]")
        expect(handler).to_have_attribute("data-unit", world.team_a.code)
        expect(handler.locator("option[value=wang]")).to_contain_text("在办 2 张")
        expect(handler.locator("option[value=li]")).to_contain_text("在办 0 张")
        handler.select_option("li")  # the one with nothing on hand
        page.screenshot(path=str(artifacts_dir() / "dispatch-pick-crew.png"), full_page=True)
        form.locator("button[type=submit]").click()
        expect(page.locator("#timeline")).to_contain_text("派单")
        expect(page.locator("body")).to_contain_text("李师傅")
        page.screenshot(path=str(artifacts_dir() / "dispatch-done.png"), full_page=True)

        # The header counts the dispatcher's unread notifications (new queue items …);
        # one button marks them all read.
        badge = page.locator("nav.mainnav a[href='/escalation/notifications/'] .nav-badge")
        expect(badge).to_be_visible()
        page.goto(f"{base}/escalation/notifications/")
        expect(page.locator("body")).to_contain_text(order.order_no)
        page.screenshot(path=str(artifacts_dir() / "notifications-unread.png"), full_page=True)
        page.locator("#mark-all-read button").click()
        expect(page.locator("#unread-count")).to_contain_text("0 条未读")
        expect(badge).to_have_count(0)
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == "dispatched" and order.unit == world.team_a and order.handler.username == "li"
