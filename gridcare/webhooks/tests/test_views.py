"""Pages: admins only; the secret shown; create, edit (a stale form answers 409), rotate,
test event, disable and re-enable."""

from __future__ import annotations

import pytest
from django.test import Client

from gridcare.org.choices import Role
from gridcare.webhooks import services
from gridcare.webhooks.models import Subscription, WebhookEvent

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_are_for_admins_only(world, admin, allow_local):
    sub = services.subscription_create(
        actor=admin, name="合作方", url="http://127.0.0.1:9/hook", events=["order.created"]
    )
    for role in (Role.SUPERVISOR, Role.MANAGER, Role.DISPATCHER):
        client = _page(world.staff(role, world.county_a))
        for url in ("/webhooks/", "/webhooks/new/", f"/webhooks/{sub.pk}/"):
            assert client.get(url).status_code == 403
        assert client.post(f"/webhooks/{sub.pk}/rotate/").status_code == 403
        assert client.post(f"/webhooks/{sub.pk}/test/").status_code == 403
    client = _page(admin)
    assert sub.name in client.get("/webhooks/").content.decode()
    html = client.get(f"/webhooks/{sub.pk}/").content.decode()
    assert sub.secret in html and f"/webhooks/{sub.pk}/rotate/" in html
    assert client.get("/webhooks/999999/").status_code == 404
    assert client.get("/webhooks/abc/").status_code == 404


def test_create_edit_rotate_test_and_reenable(world, admin, allow_local):
    client = _page(admin)
    r = client.post(
        "/webhooks/new/",
        {
            "name": "抢修平台",
            "url": "http://127.0.0.1:9/hook",
            "events": ["order.created", "order.replied"],
            "units": [world.county_a.code],
        },
    )
    sub = Subscription.objects.get(name="抢修平台")
    assert r.status_code == 302 and r.url == f"/webhooks/{sub.pk}/"
    assert sub.events == ["order.created", "order.replied"] and [u.code for u in sub.units.all()] == ["NJ01"]

    r = client.post(
        "/webhooks/new/", {"name": "内网", "url": "http://169.254.169.254/", "events": ["order.created"]}
    )
    assert r.status_code == 400 and not Subscription.objects.filter(name="内网").exists()
    r = client.post(
        "/webhooks/new/",
        {"name": "x", "url": "http://127.0.0.1:9/", "events": ["order.created"], "units": ["NOPE"]},
    )
    assert r.status_code == 400

    form = {
        "name": "抢修平台2",
        "url": sub.url,
        "events": ["order.archived"],
        "expected_version": sub.version,
    }
    assert client.post(f"/webhooks/{sub.pk}/", form).status_code == 302
    r = client.post(f"/webhooks/{sub.pk}/", {**form, "name": "过期表单"})
    assert r.status_code == 409
    sub.refresh_from_db()
    assert sub.name == "抢修平台2" and sub.events == ["order.archived"] and not sub.units.exists()

    secret = sub.secret
    assert client.post(f"/webhooks/{sub.pk}/rotate/", {"expected_version": sub.version}).status_code == 302
    sub.refresh_from_db()
    assert sub.secret != secret

    client.post(f"/webhooks/{sub.pk}/test/")
    assert WebhookEvent.objects.filter(subscription=sub, event_type="webhook.test").count() == 1

    client.post(f"/webhooks/{sub.pk}/disable/", {"expected_version": sub.version})
    sub.refresh_from_db()
    assert not sub.active
    html = client.get(f"/webhooks/{sub.pk}/").content.decode()
    assert f"/webhooks/{sub.pk}/enable/" in html and f"/webhooks/{sub.pk}/test/" not in html
    client.post(f"/webhooks/{sub.pk}/enable/", {"expected_version": sub.version})
    sub.refresh_from_db()
    assert sub.active
