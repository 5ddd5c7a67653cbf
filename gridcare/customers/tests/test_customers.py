import pytest
from rest_framework.test import APIClient

from gridcare.core.models import AuditEvent
from gridcare.customers.selectors import customer_search
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role


@pytest.fixture
def people(world):
    return [
        CustomerFactory(
            customer_no="3100000001",
            name="张伟",
            phone="13912345678",
            address="扬州市文昌西路18号",
            area=world.area_a,
        ),
        CustomerFactory(
            customer_no="3100000002",
            name="李秀英",
            phone="13800001111",
            phone2="0514-87654321",
            address="扬州市东关街5号",
            area=world.area_a,
        ),
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("3100000001", ["3100000001"]),
        ("310000", ["3100000001", "3100000002"]),
        ("13912345678", ["3100000001"]),
        ("１３９１２３４５６７８", ["3100000001"]),  # full-width digits
        ("0514-87654321", ["3100000002"]),
        ("5678", ["3100000001"]),  # last digits of a phone
        ("秀英", ["3100000002"]),
        ("東關街", ["3100000002"]),  # traditional characters
        ("文昌 18号", ["3100000001"]),
    ],
)
def test_search(world, people, query, expected):
    user = world.staff(Role.HOTLINE_AGENT, world.county_a)
    assert sorted(customer_search(user, query).values_list("customer_no", flat=True)) == expected


def test_list_masks_phones_and_reveal_is_audited(world, people, client):
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    client.force_login(agent)
    body = client.get("/customers/").content.decode()
    assert "13912345678" not in body and "139****5678" in body
    resp = client.post("/customers/3100000001/reveal/", {"reason": "回访客户"})
    assert "13912345678" in resp.content.decode()
    ev = AuditEvent.objects.get(action="customer.reveal_personal_data")
    assert ev.actor == agent and ev.note == "回访客户" and ev.object_id == str(people[0].pk)


def test_planner_cannot_reveal(world, people):
    api = APIClient()
    api.force_authenticate(world.staff(Role.PLANNER, world.city))
    resp = api.post("/api/customers/3100000001/reveal/", {}, format="json")
    assert resp.status_code == 403
    assert not AuditEvent.objects.filter(action="customer.reveal_personal_data").exists()


def test_api_update_is_audited_field_by_field(world, people):
    api = APIClient()
    user = world.staff(Role.CUSTOMER_MANAGER, world.station_a)
    api.force_authenticate(user)
    resp = api.patch(
        "/api/customers/3100000001/", {"address": "扬州市文昌西路20号", "important": True}, format="json"
    )
    assert resp.status_code == 200, resp.json()
    ev = AuditEvent.objects.get(action="customer.update")
    assert ev.changes == {"address": ["扬州市文昌西路18号", "扬州市文昌西路20号"], "important": [False, True]}
    assert ev.actor == user


def test_api_update_errors_name_the_field(world, people):
    api = APIClient()
    api.force_authenticate(world.staff(Role.CUSTOMER_MANAGER, world.county_a))
    resp = api.patch("/api/customers/3100000001/", {"area": "NOPE"}, format="json")
    assert resp.status_code == 400
    assert "area" in resp.json()["errors"]
    resp = api.patch("/api/customers/3100000001/", {"area": world.area_b.code}, format="json")
    assert resp.status_code == 400 and "area" in resp.json()["errors"]


def test_customer_list_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    for i in range(30):
        CustomerFactory(customer_no=f"31000100{i:02d}", area=world.area_a)
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    with django_assert_max_num_queries(8):
        assert client.get("/customers/").status_code == 200


def test_api_list_query_count(world, django_assert_num_queries):
    for i in range(30):
        CustomerFactory(customer_no=f"31000100{i:02d}", area=world.area_a)
    api = APIClient()
    user = world.staff(Role.HOTLINE_AGENT, world.county_a)
    api.force_authenticate(user)
    api.get("/api/customers/")  # warm the staff profile cache path
    with django_assert_num_queries(2):  # count + one page; an N+1 would add 30
        assert api.get("/api/customers/").json()["count"] == 30


def test_ui_edit_by_customer_manager_is_audited_and_validated(world, people, client):
    client.force_login(world.staff(Role.CUSTOMER_MANAGER, world.station_a))
    url = "/customers/3100000001/edit/"
    form = {
        "name": "张伟",
        "phone": "12345",
        "phone2": "",
        "address": "扬州市文昌西路18号",
        "category": "residential",
        "tariff": "居民生活用电",
        "voltage_kv": "0.22",
        "capacity_kva": "8",
        "area_code": world.area_a.code,
    }
    resp = client.post(url, form)
    assert resp.status_code == 200 and "电话号码无效" in resp.content.decode()
    resp = client.post(url, {**form, "area_code": world.area_b.code})
    assert "不在您的权限范围内" in resp.content.decode()
    resp = client.post(url, {**form, "phone": "13912340000", "capacity_kva": "12"})
    assert resp.status_code == 302
    ev = AuditEvent.objects.get(action="customer.update")
    assert ev.changes == {"phone": ["139****5678", "139****0000"], "capacity_kva": ["8.0", "12.0"]}


def test_ui_edit_refused_for_hotline_agent(world, people, client):
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    assert client.get("/customers/3100000001/edit/").status_code == 403


def test_number_prefix_ending_in_nines(world):
    for no in ("3199999999", "3200000000", "3190000000", "9999999999"):
        CustomerFactory(customer_no=no, area=world.area_a)
    user = world.staff(Role.HOTLINE_AGENT, world.county_a)
    assert list(customer_search(user, "3199").values_list("customer_no", flat=True)) == ["3199999999"]
    assert sorted(customer_search(user, "319").values_list("customer_no", flat=True)) == [
        "3190000000",
        "3199999999",
    ]
    assert list(customer_search(user, "99999").values_list("customer_no", flat=True)) == ["9999999999"]


def _plan(qs) -> str:
    """The database's query plan for ``qs`` as text (SQLite EXPLAIN QUERY PLAN / PostgreSQL EXPLAIN)."""
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(r[-1]) for r in cur.fetchall())
        # Tiny test tables make a scan the cheapest plan; forbid it to see whether an index plan exists.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in cur.fetchall())


def test_search_by_number_or_phone_is_served_by_indexes(world):
    """A million-customer search by number or caller phone must not read the whole table:
    every branch of the OR (number range, phone, partial phone2 index) needs an index."""
    from django.db import connection

    from gridcare.core.maintenance import refresh_statistics
    from gridcare.customers.models import Customer

    area = world.area_a
    Customer.objects.bulk_create(
        CustomerFactory.build(
            customer_no=f"31{i:08d}",
            phone=f"139{i:08d}",
            phone2=f"138{i:08d}" if i % 10 == 0 else "",
            area=area,
            station=area.station,
        )
        for i in range(3000)
    )
    refresh_statistics(Customer._meta.db_table)
    user = world.staff(Role.HOTLINE_AGENT, world.county_a)
    for query in ("3100001234", "13900001234", "13800001230"):
        qs = customer_search(user, query).order_by("customer_no")[:50]
        plan = _plan(qs)
        scans = [line for line in plan.splitlines() if line.strip().startswith("SCAN customers_customer")]
        assert not scans, plan  # SQLite: every OR branch searched by an index, none scanned
        assert "Seq Scan" not in plan and "BitmapOr" in plan or connection.vendor == "sqlite", plan
        assert len(qs) == 1
