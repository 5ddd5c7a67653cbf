"""Grids and customer managers (网格化): every customer has exactly one responsible manager
(own manager for key customers, else their area's grid, else the station's whole-station
grid; the deputy while the manager is away), the set a manager serves agrees with it, and
the pages refuse and scope as the permission table says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from gridcare.core.errors import ApplicationError
from gridcare.customers.models import ServiceGrid
from gridcare.customers.selectors import customers_managed_by, grid_of, responsible_manager
from gridcare.customers.services import customer_manager_set, managers_reassign, service_grid_save
from gridcare.grid.tests.factories import TransformerAreaFactory
from gridcare.org.choices import Role

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    sup = world.staff(Role.SUPERVISOR, unit=world.county_a)
    m1 = world.staff(Role.CUSTOMER_MANAGER, unit=world.station_a, username="m1")
    m2 = world.staff(Role.CUSTOMER_MANAGER, unit=world.station_a, username="m2")
    crew = world.staff(Role.REPAIR_CREW, unit=world.team_a, username="crew1")
    area2 = TransformerAreaFactory(code="TA-A2", station=world.station_a)
    area3 = TransformerAreaFactory(code="TA-A3", station=world.station_a)
    g1 = service_grid_save(
        actor=sup,
        code="G1",
        name="东山1号网格",
        station=world.station_a,
        manager=m1,
        deputy=m2,
        area_ids=[world.area_a.pk],
    )
    g2 = service_grid_save(
        actor=sup,
        code="G2",
        name="东山综合网格",
        station=world.station_a,
        whole_station=True,
        manager=crew,
        deputy=m1,
    )
    c1 = CustomerFactory(area=world.area_a)
    c2 = CustomerFactory(area=area2)
    big = CustomerFactory(
        area=area3, category="hv_single", voltage_kv=Decimal("10"), capacity_kva=Decimal("800")
    )
    return {
        "sup": sup,
        "m1": m1,
        "m2": m2,
        "crew": crew,
        "g1": g1,
        "g2": g2,
        "c1": c1,
        "c2": c2,
        "big": big,
        "area2": area2,
        "area3": area3,
    }


def _managed(user):
    return set(customers_managed_by(user).values_list("pk", flat=True))


def test_each_customer_has_one_manager_and_the_sets_agree(world, setup):
    s = setup
    assert grid_of(s["c1"]) == s["g1"] and responsible_manager(s["c1"]) == s["m1"]
    # area 2 is in no grid: the station's whole-station grid (served part-time by a crew member)
    assert grid_of(s["c2"]) == s["g2"] and responsible_manager(s["c2"]) == s["crew"]
    customer_manager_set(actor=s["sup"], customer=s["big"], manager=s["m2"])
    s["big"].refresh_from_db()
    assert responsible_manager(s["big"]) == s["m2"]
    everyone = [s["c1"], s["c2"], s["big"]]
    for user in (s["m1"], s["m2"], s["crew"]):
        expected = {c.pk for c in everyone if responsible_manager(c) == user}
        assert _managed(user) == expected
    assert _managed(s["m1"]) == {s["c1"].pk}
    assert _managed(s["m2"]) == {s["big"].pk}
    assert _managed(s["crew"]) == {s["c2"].pk}


def test_the_deputy_takes_over_while_the_manager_is_inactive(world, setup):
    s = setup
    s["m1"].is_active = False
    s["m1"].save()
    assert responsible_manager(s["c1"]) == s["m2"]
    assert s["c1"].pk in _managed(s["m2"])
    assert _managed(s["m1"]) == set()


def test_an_area_joins_one_grid_only_and_leaves_the_whole_station_grid(world, setup):
    s = setup
    g1 = ServiceGrid.objects.get(pk=s["g1"].pk)
    service_grid_save(
        actor=s["sup"],
        grid=g1,
        code="G1",
        name=g1.name,
        station=world.station_a,
        manager=s["m1"],
        deputy=s["m2"],
        area_ids=[world.area_a.pk, s["area2"].pk],
        version=g1.version,
    )
    assert responsible_manager(s["c2"]) == s["m1"]
    assert s["c2"].pk not in _managed(s["crew"])


def test_grid_rules_are_enforced_with_the_field_named(world, setup):
    s = setup
    g1 = ServiceGrid.objects.get(pk=s["g1"].pk)
    opened = g1.version
    service_grid_save(
        actor=s["sup"], grid=g1, code="G1", name="改名", station=world.station_a, version=opened
    )
    with pytest.raises(ApplicationError) as e:  # a second form opened before that save
        service_grid_save(
            actor=s["sup"], grid=g1, code="G1", name="x", station=world.station_a, version=opened
        )
    assert e.value.field == "version" and e.value.status == 409
    with pytest.raises(ApplicationError) as e:  # an area of another station
        service_grid_save(
            actor=s["sup"], code="G3", name="x", station=world.station_a, area_ids=[world.area_b.pk]
        )
    assert e.value.field == "areas"
    with pytest.raises(ApplicationError) as e:  # a second whole-station grid
        service_grid_save(actor=s["sup"], code="G3", name="x", station=world.station_a, whole_station=True)
    assert e.value.field == "whole_station"
    with pytest.raises(ApplicationError) as e:  # staff of another county cannot manage here
        stranger = world.staff(Role.CUSTOMER_MANAGER, unit=world.station_b)
        service_grid_save(actor=s["sup"], code="G3", name="x", station=world.station_a, manager=stranger)
    assert e.value.field == "manager"
    with pytest.raises(ApplicationError) as e:
        service_grid_save(
            actor=s["sup"], code="G3", name="x", station=world.station_a, manager=s["m1"], deputy=s["m1"]
        )
    assert e.value.field == "deputy"
    with pytest.raises(ApplicationError) as e:  # only key customers get their own manager
        customer_manager_set(actor=s["sup"], customer=s["c1"], manager=s["m2"])
    assert e.value.field == "manager"
    from gridcare.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        service_grid_save(actor=s["m1"], code="G9", name="x", station=world.station_a)


def test_a_leaver_hands_over_grids_and_own_customers(world, setup):
    s = setup
    customer_manager_set(actor=s["sup"], customer=s["big"], manager=s["m1"])
    m3 = world.staff(Role.CUSTOMER_MANAGER, unit=world.station_a, username="m3")
    counts = managers_reassign(actor=s["sup"], from_user=s["m1"], to_user=m3)
    assert counts == {"manager": 1, "deputy": 1, "customers": 1}
    g1, g2 = ServiceGrid.objects.get(pk=s["g1"].pk), ServiceGrid.objects.get(pk=s["g2"].pk)
    assert g1.manager == m3 and g2.deputy == m3
    assert _managed(m3) == {s["c1"].pk, s["big"].pk}
    assert _managed(s["m1"]) == set()


def _get(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


def test_pages_for_supervisor_manager_and_other_county(world, setup):
    s = setup
    html = _get(s["sup"], "/customers/grids/").content.decode()
    assert "东山1号网格" in html and "新建网格" in html
    html = _get(s["m1"], "/customers/grids/").content.decode()
    assert "东山1号网格" in html and "新建网格" not in html
    assert _get(s["m1"], "/customers/grids/G1/edit/").status_code == 403
    other = world.staff(Role.SUPERVISOR, unit=world.county_b)
    assert _get(other, "/customers/grids/G1/").status_code == 404
    assert _get(other, "/customers/worklist/m1/").status_code == 404
    assert _get(s["m2"], "/customers/worklist/m1/").status_code == 403  # not a supervisor
    # the customer page names the manager
    html = _get(s["sup"], f"/customers/{s['c1'].customer_no}/").content.decode()
    assert "东山1号网格" in html and "customer-manager" in html


def test_the_worklist_shows_the_managers_customers_open_orders(world, setup, django_assert_max_num_queries):
    from gridcare.workorders.services import work_order_create

    s = setup
    agent = world.staff(Role.HOTLINE_AGENT, unit=world.county_a)
    mine = work_order_create(
        actor=agent,
        channel="hotline",
        request_type="consultation",
        dimension="billing_payment",
        description="电费怎么这么高",
        customer=s["c1"],
    )
    other = work_order_create(
        actor=agent,
        channel="hotline",
        request_type="consultation",
        dimension="billing_payment",
        description="另一户的咨询",
        customer=s["c2"],
    )
    client = Client()
    client.force_login(s["m1"])
    client.get("/customers/worklist/")  # warm caches (calendar, settings)
    with django_assert_max_num_queries(40):
        response = client.get("/customers/worklist/")
    html = response.content.decode()
    assert mine.order_no in html and other.order_no not in html
    assert "负责客户的在途工单" in html
    # a supervisor opens the same worklist
    html = _get(s["sup"], "/customers/worklist/m1/").content.decode()
    assert mine.order_no in html
