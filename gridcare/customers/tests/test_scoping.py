"""A county agent cannot read another county's customers: not in the UI, the API, or an export."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role


@pytest.fixture
def two_customers(world):
    a = CustomerFactory(customer_no="3100000001", name="江宁客户", phone="13900000001", area=world.area_a)
    b = CustomerFactory(customer_no="3200000001", name="六合客户", phone="13900000002", area=world.area_b)
    return a, b


def test_ui_list_search_and_detail_are_scoped(world, two_customers, client):
    a, b = two_customers
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    body = client.get("/customers/").content.decode()
    assert a.customer_no in body and b.customer_no not in body
    assert b.customer_no not in client.get("/customers/", {"q": "13900000002"}).content.decode()
    assert client.get(f"/customers/{b.customer_no}/").status_code == 404
    assert client.get(f"/customers/{a.customer_no}/").status_code == 200


def test_api_is_scoped(world, two_customers):
    a, b = two_customers
    api = APIClient()
    api.force_authenticate(world.staff(Role.HOTLINE_AGENT, world.county_a))
    nos = [c["customer_no"] for c in api.get("/api/customers/").json()["results"]]
    assert nos == [a.customer_no]
    assert api.get(f"/api/customers/{b.customer_no}/").status_code == 404
    assert api.get("/api/customers/", {"q": b.phone}).json()["count"] == 0
    areas = [x["code"] for x in api.get("/api/transformer-areas/").json()["results"]]
    assert areas == [world.area_a.code]


def test_export_is_scoped_and_masked(world, two_customers, client, tmp_path):
    a, b = two_customers
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    assert client.get("/customers/export/?format=csv").status_code == 403  # agents do not bulk-export
    user = world.staff(Role.CUSTOMER_MANAGER, world.county_a, username="county_a_agent")
    client.force_login(user)
    body = client.get("/customers/export/?format=csv").content.decode("utf-8-sig")
    assert a.customer_no in body and b.customer_no not in body
    assert a.phone not in body and "139****0001" in body
    out = tmp_path / "c.csv"
    call_command("export", "customers", "--user", "county_a_agent", "--output", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert a.customer_no in text and b.customer_no not in text


def test_city_supervisor_sees_both_counties(world, two_customers):
    api = APIClient()
    api.force_authenticate(world.staff(Role.SUPERVISOR, world.city))
    assert api.get("/api/customers/").json()["count"] == 2


def test_user_without_staff_profile_sees_nothing(world, two_customers):
    from gridcare.org.tests.factories import UserFactory

    api = APIClient()
    api.force_authenticate(UserFactory())
    # No role, no permission: refused outright (and nothing would be in scope anyway).
    assert api.get("/api/customers/").status_code == 403
    from gridcare.customers.models import Customer

    assert not Customer.objects.visible_to(UserFactory()).exists()
