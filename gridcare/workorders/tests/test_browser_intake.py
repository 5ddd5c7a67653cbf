"""End to end in Debian Chromium: a counter clerk opens a customer's page (order history
loaded by htmx), starts a new request from it, and an agent picks a caller on the intake
page — the contact fields fill in visibly, the phone masked."""

import os

import pytest
from playwright.sync_api import expect

from gridcare.core.tests.browser import artifacts_dir, browser_page, login
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-123456"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_customer_page_to_intake_and_picking_a_caller(world, live_server):
    from gridcare.org.tests.factories import StaffFactory, UserFactory
    from gridcare.workorders.tests.factories import make_order

    for username, role, unit in (
        ("chen", Role.COUNTER_CLERK, world.county_a),
        ("zhou", Role.HOTLINE_AGENT, world.city),
    ):
        StaffFactory(user=UserFactory(username=username, password=PASSWORD), unit=unit, role=role)
    customer = CustomerFactory(
        customer_no="3109000002", name="张伟", phone="13912345678", address="东山街道18号", area=world.area_a
    )
    from django.contrib.auth import get_user_model

    order = make_order(get_user_model().objects.get(username="zhou"), customer=customer.customer_no)
    base = live_server.url
    with browser_page() as page:
        # 1. The clerk sees the customer's orders on the customer's page and starts a new request.
        login(page, base, "chen", PASSWORD)
        page.goto(f"{base}/customers/{customer.customer_no}/")
        expect(page.locator("#customer-orders")).to_contain_text(order.order_no)
        page.screenshot(path=str(artifacts_dir() / "customer-page-orders.png"), full_page=True)
        page.get_by_role("link", name="新建诉求").click()
        expect(page.locator("#id_customer")).to_have_value(customer.customer_no)
        expect(page.locator("#id_contact_name")).to_have_value("张伟")
        expect(page.locator("#id_address")).to_have_value("东山街道18号")
        expect(page.locator("#id_contact_phone")).to_have_attribute("placeholder", "139****5678")
        expect(page.locator("#id_channel")).to_have_value("counter")  # the clerk's channel

        # 2. The agent looks the caller up by phone and picks them: the fields fill in.
        page.goto("about:blank")
        page.context.clear_cookies()
        login(page, base, "zhou", PASSWORD)
        page.goto(f"{base}/work-orders/intake/")
        expect(page.locator("#id_channel")).to_have_value("hotline")
        page.fill("#id_q", "13912345678")
        page.press("#id_q", "Enter")
        pick = page.locator("#lookup button", has_text="以此客户受理")
        expect(pick).to_have_count(1)
        page.wait_for_load_state("networkidle")
        pick.click()
        expect(page.locator("#id_customer")).to_have_value(customer.customer_no)
        expect(page.locator("#id_contact_name")).to_have_value("张伟")
        expect(page.locator("#id_address")).to_have_value("东山街道18号")
        expect(page.locator("#id_contact_phone")).to_have_value("")
        expect(page.locator("#id_contact_phone")).to_have_attribute("placeholder", "139****5678")
        page.screenshot(path=str(artifacts_dir() / "intake-picked-customer.png"), full_page=True)
