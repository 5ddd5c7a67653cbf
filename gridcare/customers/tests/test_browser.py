"""End to end in Debian Chromium: an agent signs in and finds a customer by phone."""

import os

import pytest
from playwright.sync_api import expect

from gridcare.core.tests.browser import artifacts_dir, browser_page, login
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_signs_in_and_finds_customer_by_phone(world, live_server):
    from gridcare.org.tests.factories import StaffFactory, UserFactory

    StaffFactory(
        user=UserFactory(username="zhou", password="pw-123456"),
        unit=world.county_a,
        role=Role.HOTLINE_AGENT,
        display_name="周晓燕",
    )
    CustomerFactory(
        customer_no="3100000001",
        name="张伟",
        phone="13912345678",
        address="扬州市文昌西路18号",
        area=world.area_a,
    )
    CustomerFactory(customer_no="3100000002", name="李秀英", phone="13800001111", area=world.area_a)
    with browser_page() as page:
        login(page, live_server.url, "zhou", "pw-123456")
        assert "周晓燕" in page.content()
        page.goto(f"{live_server.url}/customers/")
        page.fill("#id_q", "13912345678")
        page.press("#id_q", "Enter")
        # The unfiltered list shows both customers; wait for the search result to replace it.
        expect(page.locator("#customer-table tr")).to_have_count(2)  # header + the one match
        assert "3100000001" in page.inner_text("#customer-table")
        assert "139****5678" in page.inner_text("#customer-table")
        assert "李秀英" not in page.inner_text("#customer-table")
        page.screenshot(path=str(artifacts_dir() / "customer-search-by-phone.png"), full_page=True)
        page.click("text=3100000001")
        page.wait_for_selector("h1 >> text=张伟")
