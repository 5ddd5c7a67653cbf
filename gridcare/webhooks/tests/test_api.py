"""The webhooks API: admins only; the secret is answered on creation and rotation only;
a stale update is a 409 naming nothing lost; field errors name the field; a private
address is refused; deliveries are listed with their attempts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gridcare.org.choices import Role
from gridcare.webhooks import services
from gridcare.webhooks.models import Subscription, WebhookEvent

pytestmark = pytest.mark.django_db

BASE = "/api/webhooks/subscriptions/"


def _client(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_admin_creates_updates_rotates_and_reads_deliveries(world, admin, allow_local, receiver):
    api = _client(admin)
    r = api.post(
        BASE,
        {
            "name": "调度系统",
            "url": receiver.url,
            "events": ["order.created", "outage.started"],
            "units": [world.county_a.code],
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["secret"].startswith("whsec_") and body["units"] == [world.county_a.code]
    sub_id, version = body["id"], body["version"]

    detail = api.get(f"{BASE}{sub_id}/").json()
    assert "secret" not in detail and detail["events"] == ["order.created", "outage.started"]
    assert [row["id"] for row in api.get(BASE).json()["results"]] == [sub_id]

    r = api.put(
        f"{BASE}{sub_id}/",
        {"name": "调度系统2", "url": receiver.url, "events": ["order.replied"], "expected_version": version},
        format="json",
    )
    assert r.status_code == 200 and r.json()["events"] == ["order.replied"] and r.json()["units"] == []
    stale = api.put(
        f"{BASE}{sub_id}/",
        {"name": "旧的", "url": receiver.url, "events": ["order.created"], "expected_version": version},
        format="json",
    )
    assert stale.status_code == 409
    assert Subscription.objects.get(pk=sub_id).name == "调度系统2"

    old_secret = Subscription.objects.get(pk=sub_id).secret
    rotated = api.post(f"{BASE}{sub_id}/rotate-secret/", {}, format="json")
    assert rotated.status_code == 200 and rotated.json()["secret"] != old_secret

    sent = api.post(f"{BASE}{sub_id}/test/", {}, format="json")
    assert sent.status_code == 202 and sent.json()["event_type"] == "webhook.test"
    services.deliver_due()
    rows = api.get(f"{BASE}{sub_id}/deliveries/").json()
    assert rows[0]["status"] == "delivered" and rows[0]["tries"][0]["status_code"] == 200

    off = api.post(f"{BASE}{sub_id}/disable/", {}, format="json")
    assert off.status_code == 200 and off.json()["active"] is False
    assert api.post(f"{BASE}{sub_id}/test/", {}, format="json").status_code == 400
    assert api.post(f"{BASE}{sub_id}/enable/", {}, format="json").json()["active"] is True


def test_bad_input_names_the_field(world, admin):
    api = _client(admin)
    r = api.post(
        BASE, {"name": "x", "url": "http://10.0.0.5/hook", "events": ["order.created"]}, format="json"
    )
    assert r.status_code == 400 and "url" in r.content.decode()
    r = api.post(
        BASE, {"name": "x", "url": "https://example.com/h", "events": ["order.deleted"]}, format="json"
    )
    assert r.status_code == 400 and "events" in r.content.decode()
    r = api.post(
        BASE,
        {"name": "x", "url": "https://example.com/h", "events": ["order.created"], "units": ["NO-SUCH"]},
        format="json",
    )
    assert r.status_code == 400 and "units" in r.content.decode()
    assert Subscription.objects.count() == 0 and WebhookEvent.objects.count() == 0


def test_only_admins(world, admin, allow_local, receiver):
    sub = services.subscription_create(actor=admin, name="s", url=receiver.url, events=["order.created"])
    for role, unit in [(Role.SUPERVISOR, world.company), (Role.HOTLINE_AGENT, world.city)]:
        api = _client(world.staff(role, unit))
        assert api.get(BASE).status_code == 403
        assert api.get(f"{BASE}{sub.pk}/deliveries/").status_code == 403
        assert api.post(f"{BASE}{sub.pk}/rotate-secret/", {}, format="json").status_code == 403
