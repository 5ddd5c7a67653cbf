"""End to end in Debian Chromium: a fault call from intake to archive, four people acting."""

import os
import re

import pytest
from playwright.sync_api import expect

from gridcare.core.tests.browser import artifacts_dir, browser_page, login
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-123456"


def _as(page, base: str, username: str) -> None:
    # Leave the old page first: a request it still has in flight could otherwise answer after
    # the cookies are cleared and set a CSRF cookie that no longer matches the login form's.
    page.goto("about:blank")
    page.context.clear_cookies()
    login(page, base, username, PASSWORD)


def _act(page, action: str):
    """The form of one action on the order page (its <details> opened)."""
    form = page.locator(f"form[action$='/act/{action}/']")
    details = page.locator("details", has=form)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return form


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fault_call_from_intake_to_archive(world, live_server):
    from gridcare.org.tests.factories import StaffFactory, UserFactory
    from gridcare.workorders.models import WorkOrder

    def person(username, role, unit, name):
        StaffFactory(
            user=UserFactory(username=username, password=PASSWORD), unit=unit, role=role, display_name=name
        )

    person("zhou", Role.HOTLINE_AGENT, world.city, "周晓燕")
    person("chen", Role.DISPATCHER, world.county_a, "陈调度")
    person("wang", Role.REPAIR_CREW, world.team_a, "王师傅")
    CustomerFactory(
        customer_no="3100000001", name="张伟", phone="13912345678", address="东山街道18号", area=world.area_a
    )
    base = live_server.url
    with browser_page() as page:
        # 1. The agent takes the call: looks the caller up by phone, registers a fault.
        _as(page, base, "zhou")
        page.goto(f"{base}/work-orders/intake/")
        page.fill("#id_q", "13912345678")
        page.press("#id_q", "Enter")
        pick = page.locator("#lookup button", has_text="以此客户受理")
        expect(pick).to_have_count(1)
        page.wait_for_load_state("networkidle")  # the typed-in and the submitted lookup both settled
        pick.click()
        expect(page.locator("#id_customer")).to_have_value("3100000001")
        page.select_option("#id_request_type", "fault_repair")
        page.select_option("#id_dimension", "supply_reliability")
        page.fill("#id_description", "家里突然停电，邻居家也没电，请尽快派人")
        page.click("#intake-form button[type=submit]")
        expect(page).to_have_url(re.compile(r"/work-orders/GD\w+/$"))
        expect(page.locator("body")).to_contain_text("已受理工单")
        order = WorkOrder.objects.get()
        assert order.status == "accepted" and order.accepted_by.username == "zhou"
        detail = f"{base}/work-orders/{order.order_no}/"

        # 2. The dispatcher sends it to the repair crew.
        _as(page, base, "chen")
        page.goto(detail)
        form = _act(page, "dispatch")
        form.locator("select[name=unit]").select_option(world.team_a.code)
        handler = form.locator("select[name=handler]")
        expect(handler.locator("option[value=wang]")).to_have_count(1)  # the crew's people, by htmx
        handler.select_option("wang")
        form.locator("button[type=submit]").click()
        expect(page.locator("#timeline")).to_contain_text("派单")

        # 3. The crew arrives on site, repairs and replies.
        _as(page, base, "wang")
        page.goto(detail)
        _act(page, "start").locator("button[type=submit]").click()
        expect(page.locator("#timeline")).to_contain_text("开始处理")
        form = _act(page, "reply")
        form.locator("textarea[name=reply]").fill("更换跌落式熔断器熔丝，已恢复送电")
        form.locator("button[type=submit]").click()
        expect(page.locator("#timeline")).to_contain_text("回单")

        # 4. The agent calls the customer back from the callback worklist: satisfied → archived.
        _as(page, base, "zhou")
        page.goto(f"{base}/escalation/callbacks/")
        page.locator("tr", has_text=order.order_no).get_by_role("link", name="呼叫").click()
        panel = page.locator("tr.cb-panel")  # the call panel opens under the row (htmx)
        panel.locator("select[name=outcome]").select_option("satisfied")
        panel.locator("textarea[name=words]").fill("师傅来得很快，满意")
        panel.locator("button", has_text="保存回访结果").click()
        expect(page.locator("body")).to_contain_text("已记录回访结果")
        page.goto(detail)
        expect(page.locator("#timeline")).to_contain_text("归档")
        page.screenshot(path=str(artifacts_dir() / "work-order-intake-to-archive.png"), full_page=True)
    order.refresh_from_db()
    assert order.status == "archived" and order.satisfied is True
    actions = list(order.events.values_list("action", flat=True))
    assert actions == ["create", "dispatch", "start", "reply", "callback", "archive"]
