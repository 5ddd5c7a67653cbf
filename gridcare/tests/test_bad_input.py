"""Bad input answers 4xx naming the field, never 500, on SQLite and PostgreSQL alike.

Findings of a security/fault review, one test each: NUL characters anywhere in a request
(PostgreSQL cannot store NUL in text), non-ASCII digits in ids (``"²".isdigit()`` is True
but ``int("²")`` raises), ids and numbers past 64 bits, dates at the ends of the calendar,
non-numeric ids on integer routes, free text without a length limit, and the page
parameters read by hand (bounded by ``gridcare.core.params``).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gridcare.core.limits import DESCRIPTION_MAX, EXCERPT_LENGTH, TEXT_MAX
from gridcare.org.choices import Role
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # > 2**63: OverflowError on SQLite, out of range on PostgreSQL
ODD_DIGITS = ["²", "٣", "１２"]  # str.isdigit() is True for each; int() fails on the first


@pytest.fixture
def admin(world):
    return world.staff(Role.ADMIN, world.company, username="bad_input_admin")


@pytest.fixture
def api(admin) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin)
    return client


@pytest.fixture
def web(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def order(world, admin):
    return make_order(admin, area=world.area_a)


def _assert_names_field(response, field: str):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert field in body["errors"], body
    assert body["detail"]


# --------------------------------------------------------------------------- NUL characters


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/work-orders/?q=a%00b", "q"),
        ("/api/work-orders/?customer=%00", "customer"),
        ("/api/customers/?q=%00", "q"),
        ("/api/work-orders/a%00b/", "path"),
        ("/api/org-units/%00/", "path"),
    ],
)
def test_nul_in_api_path_or_query_is_400_naming_it(api, url, field):
    _assert_names_field(api.get(url), field)


@pytest.mark.parametrize(
    "url",
    ["/work-orders/?q=%00", "/customers/?q=x%00", "/work-orders/a%00/", "/escalation/dashboard/?until=%00"],
)
def test_nul_in_a_page_url_is_400(web, url):
    response = web.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_in_json_body_is_400_naming_the_field(api, order):
    url = f"/api/work-orders/{order.order_no}/urge/"
    _assert_names_field(api.post(url, {"note": "还没来\x00"}, format="json"), "note")
    # The raw byte, and a NUL nested in a list, are refused alike.
    raw = api.post(url, data=b'{"note": "a\x00b"}', content_type="application/json")
    assert raw.status_code == 400
    nested = api.post("/api/notifications/mark-read/", {"ids": ["1\x00"]}, format="json")
    _assert_names_field(nested, "ids.0")
    order.refresh_from_db()
    assert order.urge_count == 0


def test_nul_in_form_body_and_header_is_400(web, api, order, world):
    response = web.post(f"/work-orders/{order.order_no}/act/urge/", {"note": "催\x00"})
    assert response.status_code == 400
    created = api.post(
        "/api/work-orders/",
        {
            "channel": "hotline",
            "request_type": "fault_repair",
            "dimension": "supply_reliability",
            "description": "停电",
            "area": world.area_a.code,
        },
        format="json",
        headers={"Idempotency-Key": "key\x00"},
    )
    _assert_names_field(created, "Idempotency-Key")


def test_serializer_char_fields_refuse_nul_without_the_middleware_too():
    from gridcare.workorders.api.serializers import WorkOrderNoteSerializer

    serializer = WorkOrderNoteSerializer(data={"note": "a\x00b"})
    assert not serializer.is_valid()
    assert "note" in serializer.errors


# ------------------------------------------------------------------- ids: odd digits, huge


@pytest.mark.parametrize("key", [*ODD_DIGITS, HUGE, "0", "-1"])
def test_order_keys_that_are_no_id_are_404(api, web, key):
    assert api.get(f"/api/work-orders/{key}/").status_code == 404
    assert web.get(f"/work-orders/{key}/").status_code == 404
    assert api.post(f"/api/work-orders/{key}/start/", {}, format="json").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/recovery-actions/abc/approve/",
        "/api/recovery-actions/false/complete/",
        "/api/callback-tasks/abc/record/",
        "/api/social-supervisors/abc/reveal/",
        "/api/service-failures/abc/actions/",
        "/api/recovery-actions/²/reject/",
        f"/api/recovery-actions/{HUGE}/approve/",
        f"/api/callback-tasks/{HUGE}/record/",
    ],
)
def test_non_numeric_and_huge_ids_on_integer_routes_are_json_404(api, url):
    response = api.post(url, {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/service-failures/abc/",
        "/api/substations/x/",
        "/api/analysis-reports/-1/",
        f"/api/substations/{HUGE}/",
    ],
)
def test_integer_detail_routes_are_404(api, url):
    assert api.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/escalation/failures/{HUGE}/",
        f"/analytics/reports/{HUGE}/",
        "/escalation/orders/²/panel/",
        "/escalation/failures/new/٣/",
    ],
)
def test_huge_or_odd_ids_on_pages_are_404(web, url):
    assert web.get(url).status_code == 404


def test_id_lists_drop_odd_and_huge_ids(web, api, admin):
    from gridcare.escalation import services as esc

    esc.notification_create_many(recipients=[admin.pk], kind="urge", text="催办")
    response = web.post("/escalation/notifications/read/", {"id": ["²", "٣", HUGE, "abc"]})
    assert response.status_code == 302
    for ids in ([2**70], [-1], [0]):
        _assert_names_field(api.post("/api/notifications/mark-read/", {"ids": ids}, format="json"), "ids")
    assert esc.notification_mark_read(actor=admin, ids=[2**70]) == 0


def test_huge_numbers_in_json_bodies_are_400(api, order):
    url = f"/api/work-orders/{order.order_no}/"
    _assert_names_field(
        api.post(url + "start/", {"expected_version": 2**70}, format="json"), "expected_version"
    )
    _assert_names_field(
        api.post(
            "/api/work-orders/",
            {
                "channel": "hotline",
                "request_type": "fault_repair",
                "dimension": "supply_reliability",
                "description": "停电",
                "priority": 2**70,
            },
            format="json",
        ),
        "priority",
    )


@pytest.mark.parametrize("amount", ["99999999999999999999", "1e30", "NaN", "-Infinity", "12345678901"])
def test_compensation_amounts_out_of_range_are_refused_by_the_service(world, amount):
    from gridcare.core.errors import ApplicationError
    from gridcare.escalation import services as esc
    from gridcare.workorders import services as wo
    from gridcare.workorders.choices import Dimension, RequestType

    supervisor = world.staff(Role.SUPERVISOR, world.county_a)
    complaint = make_order(
        world.staff(Role.HOTLINE_AGENT, world.county_a),
        area=world.area_a,
        request_type=RequestType.COMPLAINT,
        dimension=Dimension.SERVICE_ATTITUDE,
    )
    wo.work_order_reply(actor=supervisor, order=complaint, reply="已道歉")
    failure = esc.service_failure_record(
        actor=supervisor,
        order=complaint,
        origin="personnel",
        cause="communication",
        responsible_unit=world.station_a,
        description="沟通不畅",
    )
    with pytest.raises(ApplicationError) as exc:
        esc.recovery_action_propose(
            actor=supervisor, failure=failure, kind="compensation", amount=amount, compensation_kind="cash"
        )
    assert exc.value.field == "amount" and exc.value.status == 400


@pytest.mark.parametrize("page", [HUGE, "²", "-5", "abc", "1e9"])
def test_page_numbers_past_any_list(api, web, page):
    assert api.get(f"/api/work-orders/?page={page}").status_code == 404
    assert api.get(f"/api/customers/?page={page}").status_code == 404
    assert web.get(f"/work-orders/?page={page}").status_code == 200
    assert web.get(f"/audit/?page={page}").status_code == 200


def test_estimated_paginator_refuses_pages_past_any_offset():
    from django.core.paginator import EmptyPage

    from gridcare.core.listing import MAX_PAGE, EstimatedCountPaginator

    paginator = EstimatedCountPaginator([], 50)
    paginator._counted = (10**9, False)  # an estimated count, as on a huge PostgreSQL list
    with pytest.raises(EmptyPage):
        paginator.validate_number(MAX_PAGE + 1)
    assert paginator.validate_number(MAX_PAGE) == MAX_PAGE


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "query",
    [
        "created_after=0001-01-01",
        "created_after=0001-01-01T00:00:00",
        "created_before=9999-12-31T23:59:59",
        "created_before=9999-12-31T23:59:59-12:00",
        "due_before=0001-01-01T00:00:00%2B14:00",
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_clamped(api, web, order, query):
    response = api.get(f"/api/work-orders/?{query}")
    assert response.status_code == 200
    assert web.get(f"/work-orders/?{query}").status_code == 200


def test_clamped_dates_keep_their_meaning(api, order):
    assert api.get("/api/work-orders/?created_after=0001-01-01").json()["count"] == 1
    assert api.get("/api/work-orders/?created_before=0001-01-01").json()["count"] == 0
    assert api.get("/api/work-orders/?created_before=9999-12-31T23:59:59").json()["count"] == 1


@pytest.mark.parametrize("value", ["abc", "2024-02-30", "10000-01-01", "2024-13-01T00:00:00"])
def test_unreadable_dates_are_400_naming_the_filter(api, value):
    _assert_names_field(api.get(f"/api/work-orders/?created_after={value}"), "created_after")


def test_escalation_dashboard_until_end_of_calendar_is_clamped(web):
    """``?until=9999-12-31`` used to be a 500 (a date one day past the calendar's end)."""
    for query in ("until=9999-12-31", "since=0001-01-01&until=9999-12-31", "since=²&until=abc"):
        response = web.get(f"/escalation/dashboard/?{query}")
        assert response.status_code == 200, query
    export = web.get("/escalation/dashboard/?until=9999-12-31&format=xlsx")
    assert export.status_code == 200


def test_workforce_page_bounds_its_staffing_parameters(web):
    """``?aht=1e9&target=0.99`` used to ask Erlang for an unbounded agent count and pin a
    worker: the parameters are clamped to PARAM_BOUNDS before any computation."""
    from gridcare.workforce.models import ForecastRun
    from gridcare.workforce.views import PARAM_BOUNDS

    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0, tzinfo=None)
    rows = [
        {
            "start": (start + dt.timedelta(minutes=30 * i)).isoformat(),
            "forecast": 40.0,
            "lo80": 30.0,
            "hi80": 50.0,
        }
        for i in range(4)
    ]
    ForecastRun.objects.create(model_name="test", interval_minutes=30, result={"rows": rows})
    response = web.get("/workforce/?aht=1e9&target=0.99&answer_within=-5&patience=inf&shrinkage=nan")
    assert response.status_code == 200
    params = response.context["params"]
    assert params["aht"] == PARAM_BOUNDS["aht"][2]
    assert params["target"] == PARAM_BOUNDS["target"][2]
    assert params["answer_within"] == PARAM_BOUNDS["answer_within"][1]
    assert params["patience"] == 90  # unreadable (infinite): the default
    assert params["shrinkage"] == 0.3
    assert all(row["required"] < 10_000 for row in response.context["rows"])


# ------------------------------------------------------------------------- long text


def test_over_long_description_is_400_on_the_api(api, world):
    body = {
        "channel": "hotline",
        "request_type": "fault_repair",
        "dimension": "supply_reliability",
        "area": world.area_a.code,
    }
    too_long = api.post(
        "/api/work-orders/", {**body, "description": "停" * (DESCRIPTION_MAX + 1)}, format="json"
    )
    _assert_names_field(too_long, "description")
    huge = api.post("/api/work-orders/", {**body, "description": "x" * 2_400_000}, format="json")
    _assert_names_field(huge, "description")
    # Past the request size limit (2.5 MB: 2.4 million Chinese characters are 7 MB of JSON).
    too_big = api.post("/api/work-orders/", {**body, "description": "停" * 2_400_000}, format="json")
    assert too_big.status_code == 400 and too_big.json()["code"] == "too_large"
    assert (
        api.post(
            "/api/work-orders/", {**body, "description": "停" * DESCRIPTION_MAX}, format="json"
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    "action, field",
    [("reply", "reply"), ("return", "reason"), ("cancel", "reason"), ("urge", "note"), ("start", "note")],
)
def test_over_long_notes_reasons_and_replies_are_400(api, order, action, field):
    response = api.post(
        f"/api/work-orders/{order.order_no}/{action}/", {field: "x" * (TEXT_MAX + 1)}, format="json"
    )
    _assert_names_field(response, field)


def test_the_services_cap_free_text_for_every_caller(world, admin, order):
    """The web forms call the services directly: the cap lives there, as a field error."""
    from gridcare.core.errors import ApplicationError
    from gridcare.escalation import services as esc
    from gridcare.workorders import services as wo

    long_text = "x" * (TEXT_MAX + 1)
    calls = [
        (
            "description",
            lambda: make_order(admin, area=world.area_a, description="停" * (DESCRIPTION_MAX + 1)),
        ),
        ("contact_name", lambda: make_order(admin, area=world.area_a, contact_name="王" * 101)),
        ("note", lambda: wo.work_order_urge(actor=admin, order=order, note=long_text)),
        ("note", lambda: wo.work_order_note(actor=admin, order=order, note=long_text)),
        ("reason", lambda: wo.work_order_cancel(actor=admin, order=order, reason=long_text)),
        ("reply", lambda: wo.work_order_reply(actor=admin, order=order, reply=long_text)),
        ("words", lambda: esc.urge_record(actor=admin, order=order, words=long_text)),
        (
            "name",
            lambda: esc.social_supervisor_register(
                actor=admin, name="王" * 51, phone="13800001111", area="东山", unit=world.county_a
            ),
        ),
    ]
    for field, call in calls:
        with pytest.raises(ApplicationError) as exc:
            call()
        assert exc.value.field == field and exc.value.code == "max_length", field
    order.refresh_from_db()
    assert order.version == 1  # nothing was written


def test_over_long_text_in_a_web_form_is_a_message_not_a_500(web, order):
    response = web.post(
        f"/work-orders/{order.order_no}/act/cancel/", {"reason": "x" * (TEXT_MAX + 1)}, follow=True
    )
    assert response.status_code == 200
    assert "1000" in response.content.decode()
    order.refresh_from_db()
    assert order.status != "cancelled"


def test_lists_show_an_excerpt_and_the_detail_everything(api, world, admin):
    text = "整栋楼停电，" * 300  # 1800 characters
    created = make_order(admin, area=world.area_a, description=text)
    row = api.get("/api/work-orders/").json()["results"][0]
    assert len(row["description"]) == EXCERPT_LENGTH and row["description"].endswith("…")
    assert text.startswith(row["description"][:-1])
    assert api.get(f"/api/work-orders/{created.order_no}/").json()["description"] == text


# ------------------------------------------------------------------------- the schema


def test_schema_documents_nulls_blanks_and_error_answers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for component, field in [
        ("WorkOrderList", "customer"),
        ("WorkOrderList", "customer_name"),
        ("WorkOrderList", "area"),
        ("WorkOrderDetail", "handler"),
        ("WorkOrderDetail", "master_no"),
        ("WorkOrderDetail", "feeder"),
        ("WorkOrderEvent", "actor"),
        ("OrgUnit", "parent"),
        ("Urge", "follow_up"),
        ("Notification", "order_no"),
    ]:
        assert components[component]["properties"][field].get("nullable"), (component, field)
    for component, field in [("WorkOrderList", "subtype"), ("WorkOrderDetail", "area_class")]:
        refs = json.dumps(components[component]["properties"][field])
        assert "BlankEnum" in refs, (component, field)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status in ("400", "401", "403", "404"):
                assert status in operation["responses"], (method, path, status)
