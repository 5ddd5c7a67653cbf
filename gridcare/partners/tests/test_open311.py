"""Open311 GeoReport v2: keys (missing, wrong, revoked, expired, not allowed), scope by unit,
services and definitions, requests (filters, span, status mapping, no personal data), POST
(creates the mapped order on the configured channel; unknown code, missing location),
tokens, the rate limit, jurisdiction, XML as the spec says — and every call recorded."""

from __future__ import annotations

import base64
import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.partners import services
from gridcare.partners.choices import Endpoint
from gridcare.partners.models import Open311Config, PartnerCall, PartnerRequest, PartnerSetting
from gridcare.workorders.models import WorkOrder

from .factories import admin_of, make_key, make_partner, order_in

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.fixture
def setup(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    key, secret = make_key(admin, partner)
    return admin, partner, key, secret


def _get(path, secret=None, **params):
    if secret is not None:
        params["api_key"] = secret
    return Client().get(f"{BASE}/{path}", params)


def _post(secret, fmt="json", **data):
    data.setdefault("api_key", secret)
    return Client().post(f"{BASE}/requests.{fmt}", data)


def _errors(response) -> list[dict]:
    if response["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        return [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]
    return response.json()


# ------------------------------------------------------------------------------- keys


def test_every_endpoint_needs_a_key(setup):
    for path in (
        "services.json",
        "services/outage.xml",
        "requests.json",
        "requests/X.json",
        "tokens/abc.json",
    ):
        r = _get(path)
        assert r.status_code == 401, path
        assert _errors(r)[0]["code"] == 401


def test_wrong_revoked_expired_and_inactive_keys(setup, world):
    admin, partner, key, secret = setup
    assert _get("services.json", secret).status_code == 200
    assert _get("services.json", secret[:-2] + "xx").status_code == 401
    assert _get("services.json", "nonsense").status_code == 401
    # expired
    expiring, expiring_secret = make_key(admin, partner, expires_at=timezone.now() + dt.timedelta(days=1))
    assert _get("services.json", expiring_secret).status_code == 200
    type(expiring).objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = _get("services.xml", expiring_secret)
    assert r.status_code == 403 and _errors(r)[0]["code"] == 403
    # revoked
    services.api_key_revoke(actor=admin, key=key)
    assert _get("services.json", secret).status_code == 403
    # partner disabled
    other, other_secret = make_key(admin, partner)
    services.partner_update(actor=admin, partner=partner, active=False)
    assert _get("services.json", other_secret).status_code == 403


def test_basic_auth_and_header_carry_the_key(setup):
    *_, secret = setup
    auth = base64.b64encode(f"{secret}:".encode()).decode()
    assert Client().get(f"{BASE}/services.json", HTTP_AUTHORIZATION=f"Basic {auth}").status_code == 200
    auth = base64.b64encode(f"apikey:{secret}".encode()).decode()
    assert Client().get(f"{BASE}/services.json", HTTP_AUTHORIZATION=f"Basic {auth}").status_code == 200
    assert Client().get(f"{BASE}/services.json", HTTP_X_API_KEY=secret).status_code == 200
    assert Client().get(f"{BASE}/services.json", HTTP_AUTHORIZATION="Basic !!!").status_code == 401


def test_endpoint_scope_of_a_key(setup):
    admin, partner, _key, _secret = setup
    _read_key, read_only = make_key(admin, partner, endpoints=[Endpoint.OPEN311_READ])
    r = _post(read_only, service_code="outage", description="停电了", address_string="东山街道1号")
    assert r.status_code == 403
    assert not PartnerRequest.objects.exists()
    _post_key, post_only = make_key(admin, partner, endpoints=[Endpoint.OPEN311_POST])
    assert _get("services.json", post_only).status_code == 403
    r = _post(post_only, service_code="outage", description="停电了", address_string="东山街道1号")
    assert r.status_code == 201


def test_every_call_is_recorded(setup):
    _admin, _partner, key, secret = setup
    _get("services.json", secret)
    _get("requests.json")  # no key
    _get("services/nope.json", secret)
    calls = list(PartnerCall.objects.order_by("id"))
    assert [(c.key_id, c.method, c.path, c.status) for c in calls] == [
        (key.pk, "GET", f"{BASE}/services.json", 200),
        (None, "GET", f"{BASE}/requests.json", 401),
        (key.pk, "GET", f"{BASE}/services/nope.json", 404),
    ]
    assert calls[0].ip == "127.0.0.1" and calls[0].partner_id == key.partner_id
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_rate_limit_per_key_and_minute(setup):
    admin, partner, key, secret = setup
    PartnerSetting.objects.filter(key=PartnerSetting.RATE_PER_MINUTE).update(value=3)
    codes = [_get("services.json", secret).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _errors(_get("services.xml", secret))[0]["code"] == 429
    # another key has its own count
    _other, other_secret = make_key(admin, partner)
    assert _get("services.json", other_secret).status_code == 200
    # a new minute starts afresh
    later = timezone.now() + dt.timedelta(minutes=1)
    assert services.rate_take(key=key, now=later) is True


def test_key_guessing_from_one_address_is_stopped(setup):
    """After the setting's number of wrong keys from one IP within the window, that IP gets
    429 whatever it presents — a right key as well, so a lucky guess tells nothing — while
    other addresses go on; the window passing lets it in again."""
    _admin, _partner, _key, secret = setup
    PartnerSetting.objects.update_or_create(key=PartnerSetting.FAILED_KEYS_PER_IP, defaults={"value": 3})
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        guesser.get(f"{BASE}/services.json", {"api_key": f"gc_guess{i}_{'x' * 20}"}).status_code
        for i in range(3)
    ]
    assert codes == [401, 401, 401]
    assert guesser.get(f"{BASE}/services.json", {"api_key": secret}).status_code == 429
    r = guesser.post(f"{BASE}/requests.json", {"api_key": secret})
    assert r.status_code == 429 and _errors(r)[0]["code"] == 429
    assert (
        Client(REMOTE_ADDR="198.51.100.4").get(f"{BASE}/services.json", {"api_key": secret}).status_code
        == 200
    )
    later = timezone.now() + dt.timedelta(minutes=11)
    assert services.ip_blocked("203.0.113.9") is True
    assert services.ip_blocked("203.0.113.9", now=later) is False
    assert services.ip_blocked("198.51.100.4") is False


def test_behind_the_proxy_the_address_the_proxy_saw_is_recorded(setup, settings):
    _admin, _partner, _key, secret = setup
    settings.BEHIND_PROXY = True
    Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7").get(
        f"{BASE}/services.json", {"api_key": secret}
    )
    assert PartnerCall.objects.get().ip == "203.0.113.7"  # not the proxy's, not the forged first hop


def test_jurisdiction_is_honoured(setup):
    *_, secret = setup
    assert _get("services.json", secret, jurisdiction_id="gridcare.example").status_code == 200
    r = _get("services.json", secret, jurisdiction_id="elsewhere.example")
    assert r.status_code == 404
    Open311Config.objects.update(jurisdiction_id="nj.example")
    assert _get("services.json", secret, jurisdiction_id="nj.example").status_code == 200


# --------------------------------------------------------------------------- services


def test_services_in_xml_and_json_agree(setup):
    *_, secret = setup
    js = _get("services.json", secret).json()
    root = ET.fromstring(_get("services.xml", secret).content)
    assert root.tag == "services"
    xml_rows = [{c.tag: (c.text or "") for c in s} for s in root.findall("service")]
    assert [s["service_code"] for s in js] == [s["service_code"] for s in xml_rows]
    outage = next(s for s in js if s["service_code"] == "outage")
    assert (
        outage["service_name"] == "停电报修" and outage["metadata"] is False and outage["type"] == "realtime"
    )
    assert next(s for s in xml_rows if s["service_code"] == "outage")["metadata"] == "false"


def test_service_definition(setup):
    *_, secret = setup
    assert _get("services/outage.json", secret).json() == {"service_code": "outage", "attributes": []}
    root = ET.fromstring(_get("services/outage.xml", secret).content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "outage"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0
    assert _get("services/none-such.json", secret).status_code == 404


# --------------------------------------------------------------------------- requests


def test_post_creates_the_mapped_order_on_the_channel(setup, world):
    _admin, partner, key, secret = setup
    r = _post(
        secret,
        service_code="safety-hazard",
        description="路边电线断落在地上，有火花",
        address_string="江宁区东山街道金箔路18号",
        first_name="先生",
        last_name="王",
        phone="13800001111",
        **{"attribute[WHISPER]": "ignored"},
    )
    assert r.status_code == 201, r.content
    row = r.json()[0]
    order = WorkOrder.objects.get(order_no=row["service_request_id"])
    assert (order.request_type, order.dimension, order.channel) == ("fault_repair", "supply_safety", "web")
    assert order.unit == world.county_a and order.accepted_by == partner.user
    assert order.contact_name == "王先生" and order.contact_phone == "13800001111"
    assert order.address == "江宁区东山街道金箔路18号"
    pr = PartnerRequest.objects.get(order=order)
    assert row["token"] == pr.token and pr.key == key
    # the channel follows the settings, and a partner's own channel wins
    Open311Config.objects.update(channel="gov_hotline")
    r = _post(secret, service_code="outage", description="停电", lat="31.95", long="118.84")
    order = WorkOrder.objects.get(order_no=r.json()[0]["service_request_id"])
    assert order.channel == "gov_hotline" and order.address == "31.950000,118.840000"
    type(partner).objects.filter(pk=partner.pk).update(channel="app")
    r = _post(
        secret, service_code="meter-test", description="电表走得太快，申请校验", address_string="某小区"
    )
    order = WorkOrder.objects.get(order_no=r.json()[0]["service_request_id"])
    assert (order.channel, order.request_type, order.subtype) == ("app", "service_application", "meter_test")


def test_post_in_xml(setup):
    *_, secret = setup
    r = _post(secret, fmt="xml", service_code="outage", description="停电", address_string="东山1号")
    assert r.status_code == 201
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests"
    assert WorkOrder.objects.filter(order_no=root.find("request").findtext("service_request_id")).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"service_code": "nope", "description": "x", "address_string": "a"}, "service_code"),
        ({"service_code": "", "description": "x", "address_string": "a"}, "service_code"),
        ({"service_code": "outage", "description": "停电"}, "address_string"),
        ({"service_code": "outage", "description": "停电", "lat": "31.9"}, "long"),
        ({"service_code": "outage", "description": "停电", "lat": "931.9", "long": "1"}, "lat"),
        ({"service_code": "outage", "description": "停电", "lat": "abc", "long": "1"}, "lat"),
        ({"service_code": "outage", "description": "", "address_string": "a"}, "description"),
        ({"service_code": "outage", "description": "x" * 2001, "address_string": "a"}, "description"),
        ({"service_code": "outage", "description": "x", "address_string": "a", "phone": "1" * 30}, "phone"),
    ],
)
def test_bad_posts_answer_400_naming_the_field(setup, data, field):
    *_, secret = setup
    for fmt in ("json", "xml"):
        r = _post(secret, fmt=fmt, **data)
        assert r.status_code == 400, r.content
        error = _errors(r)[0]
        assert error["code"] == 400 and error["description"].startswith(field)
    assert not WorkOrder.objects.exists()


def test_idempotent_post(setup):
    *_, secret = setup
    data = {"api_key": secret, "service_code": "outage", "description": "停电", "address_string": "东山1号"}
    first = Client().post(f"{BASE}/requests.json", data, HTTP_IDEMPOTENCY_KEY="abc-1").json()[0]
    again = Client().post(f"{BASE}/requests.json", data, HTTP_IDEMPOTENCY_KEY="abc-1").json()[0]
    assert first == again and WorkOrder.objects.count() == 1


def test_requests_list_scope_filters_and_no_personal_data(setup, world):
    admin, partner, key, secret = setup
    mine = order_in(
        admin, world.area_a, contact_name="张三", contact_phone="13912345678", address="东山新村5栋"
    )
    theirs = order_in(admin, world.area_b, description="雄州村停电")
    rows = _get("requests.json", secret).json()
    assert [r["service_request_id"] for r in rows] == [mine.order_no]
    row = rows[0]
    assert row["status"] == "open" and row["service_code"] == "outage" and row["address"] == "东山新村5栋"
    text = json.dumps(rows, ensure_ascii=False)
    assert "张三" not in text and "13912345678" not in text
    assert _get(f"requests/{theirs.order_no}.json", secret).status_code == 404
    assert _get(f"requests/{mine.order_no}.json", secret).json()[0]["service_request_id"] == mine.order_no
    # a key for county B sees B's order, not A's
    _b_key, b_secret = make_key(admin, partner, units=[world.county_b], endpoints=[Endpoint.OPEN311_READ])
    assert [r["service_request_id"] for r in _get("requests.json", b_secret).json()] == [theirs.order_no]
    # filters: service code, status, ids
    assert _get("requests.json", secret, service_code="complaint-billing").json() == []
    assert len(_get("requests.json", secret, service_code="outage,praise").json()) == 1
    assert _get("requests.json", secret, status="closed").json() == []
    assert len(_get("requests.json", secret, status="open").json()) == 1
    assert _get("requests.json", secret, status="pending").status_code == 400
    assert _get("requests.json", secret, service_code="nope").status_code == 400
    ids = f"{mine.order_no},{theirs.order_no}"
    assert [
        r["service_request_id"] for r in _get("requests.json", secret, service_request_id=ids).json()
    ] == [mine.order_no]


def test_closed_status_mapping(setup, world):
    admin, *_rest, secret = setup
    from gridcare.workorders.services import work_order_cancel

    order = order_in(admin, world.area_a)
    work_order_cancel(actor=admin, order=order, reason="客户已自行恢复")
    assert _get(f"requests/{order.order_no}.json", secret).json()[0]["status"] == "closed"
    assert len(_get("requests.json", secret, status="closed").json()) == 1


def test_date_span(setup, world):
    admin, *_rest, secret = setup
    old = order_in(admin, world.area_a)
    WorkOrder.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))
    recent = order_in(admin, world.area_a)
    # default: the last 90 days
    assert [r["service_request_id"] for r in _get("requests.json", secret).json()] == [recent.order_no]
    start = (timezone.now() - dt.timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - dt.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = _get("requests.json", secret, start_date=start, end_date=end).json()
    assert [r["service_request_id"] for r in rows] == [old.order_no]
    r = _get("requests.json", secret, start_date="2024-01-01T00:00:00Z", end_date="2024-04-15T00:00:00Z")
    assert r.status_code == 400 and "90" in _errors(r)[0]["description"]
    assert _get("requests.json", secret, start_date="2024-03-01", end_date="2024-01-01").status_code == 400
    assert _get("requests.json", secret, start_date="yesterday").status_code == 400
    assert _get("requests.json", secret, start_date="2024-01-01").status_code == 200
    for edge in ("9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00", "2024-13-45", "2024-02-30T25:00"):
        assert _get("requests.json", secret, start_date=edge).status_code in (200, 400), edge
    assert _get("requests.json", secret, end_date="0001-01-01").status_code == 200


def test_result_count_is_capped(setup, world):
    admin, *_rest, secret = setup
    for _ in range(3):
        order_in(admin, world.area_a, auto_merge=False)
    PartnerSetting.objects.filter(key=PartnerSetting.MAX_RESULTS).update(value=2)
    assert len(_get("requests.xml", secret).content.split(b"<request>")) == 3


def test_tokens(setup, world):
    admin, partner, key, secret = setup
    row = _post(secret, service_code="outage", description="停电", address_string="东山1号").json()[0]
    r = _get(f"tokens/{row['token']}.json", secret)
    assert r.json() == [{"service_request_id": row["service_request_id"], "token": row["token"]}]
    root = ET.fromstring(_get(f"tokens/{row['token']}.xml", secret).content)
    assert root.find("request").findtext("service_request_id") == row["service_request_id"]
    assert _get("tokens/abcdef.json", secret).status_code == 404
    # another partner does not read this partner's tokens
    other = make_partner(admin, world.county_a, name="某合作App")
    _k, other_secret = make_key(admin, other)
    assert _get(f"tokens/{row['token']}.json", other_secret).status_code == 404


def test_xml_request_fields_follow_the_spec(setup, world):
    admin, *_rest, secret = setup
    order = order_in(admin, world.area_a)
    root = ET.fromstring(_get("requests.xml", secret).content)
    assert root.tag == "service_requests"
    req = root.find("request")
    for name in (
        "service_request_id",
        "status",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
        "address",
        "lat",
        "long",
    ):
        assert req.find(name) is not None, name
    assert req.findtext("service_request_id") == order.order_no
    assert dt.datetime.fromisoformat(req.findtext("requested_datetime")).tzinfo is not None


def test_unknown_format_and_method(setup):
    *_, secret = setup
    assert Client().get(f"{BASE}/services.csv", {"api_key": secret}).status_code == 404
    r = Client().delete(f"{BASE}/requests.json?api_key={secret}")
    assert r.status_code == 405
    r = Client().post(f"{BASE}/services.json", {"api_key": secret})
    assert r.status_code == 405
