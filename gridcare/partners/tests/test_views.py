"""Admin pages: only ``partners.manage``; a partner made with its service account; a key
issued (secret shown once, only its hash kept), re-scoped (stale form refused), revoked;
the calls of a key listed."""

from __future__ import annotations

import pytest
from django.test import Client

from gridcare.core.models import AuditEvent
from gridcare.org.choices import Role
from gridcare.partners import services
from gridcare.partners.choices import Endpoint
from gridcare.partners.models import ApiKey, Partner
from gridcare.partners.services import hash_secret

from .factories import admin_of, make_key, make_partner

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_only_admins_open_the_pages(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    key, _secret = make_key(admin, partner)
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    for url in ("/partners/", "/partners/new/", f"/partners/{partner.pk}/", f"/partners/keys/{key.pk}/"):
        assert _page(sup).get(url).status_code == 403, url
        assert _page(admin).get(url).status_code == 200, url
    assert _page(sup).post(f"/partners/keys/{key.pk}/revoke/").status_code == 403
    assert _page(admin).get("/partners/999999/").status_code == 404


def test_new_partner_gets_a_service_account_that_cannot_sign_in(world):
    admin = admin_of(world)
    r = _page(admin).post(
        "/partners/new/",
        {
            "name": "市政务服务热线 12345",
            "contact": "李主任 025-12345",
            "unit": "NJ",
            "channel": "gov_hotline",
        },
    )
    partner = Partner.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/partners/{partner.pk}/"
    assert partner.unit == world.city and partner.channel == "gov_hotline"
    assert partner.user.staff.unit == world.city and not partner.user.has_usable_password()
    assert AuditEvent.objects.filter(action="partners.partner_create").exists()
    # a duplicate name is refused on the page
    r = _page(admin).post("/partners/new/", {"name": "市政务服务热线 12345", "unit": "NJ"}, follow=True)
    assert Partner.objects.count() == 1 and "已有同名合作方" in r.content.decode()


def test_issue_shows_the_secret_once_and_keeps_only_its_hash(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    r = _page(admin).post(
        f"/partners/{partner.pk}/keys/issue/",
        {"name": "工单对接", "units": ["NJ01"], "endpoints": ["open311_read", "open311_post"]},
    )
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    secret = r.context["secret"]
    assert secret in r.content.decode()
    key = ApiKey.objects.get()
    assert key.key_hash == hash_secret(secret) and secret not in str(ApiKey.objects.values().get())
    assert list(key.units.all()) == [world.county_a]
    # the partner's page shows only the prefix
    page = _page(admin).get(f"/partners/{partner.pk}/").content.decode()
    assert f"gc_{key.prefix}_" in page and secret not in page


def test_issue_refuses_bad_scopes(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    url = f"/partners/{partner.pk}/keys/issue/"
    for data, words in (
        ({"units": [], "endpoints": ["open311_read"]}, "数据范围"),
        ({"units": ["NJ01"], "endpoints": []}, "可调用接口"),
        ({"units": ["NJ01"], "endpoints": ["delete_all"]}, "未知的接口"),
        # a posting key must read back what lands at the partner's unit
        ({"units": ["NJ02"], "endpoints": ["open311_post"]}, "受理单位"),
        ({"units": ["NJ01"], "endpoints": ["open311_read"], "expires_at": "2001-01-01"}, "到期时间"),
    ):
        r = _page(admin).post(url, data, follow=True)
        assert words in r.content.decode(), data
    assert not ApiKey.objects.exists()


def test_rescope_with_version_and_revoke(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    key, _secret = make_key(admin, partner)
    url = f"/partners/keys/{key.pk}/"
    r = _page(admin).post(
        url,
        {
            "expected_version": key.version,
            "units": ["NJ01", "NJ02"],
            "endpoints": ["open311_read", "open311_post"],
        },
    )
    assert r.status_code == 302
    key.refresh_from_db()
    assert set(key.units.values_list("code", flat=True)) == {"NJ01", "NJ02"} and key.version == 2
    # a stale form is refused
    r = _page(admin).post(
        url, {"expected_version": 1, "units": ["NJ02"], "endpoints": ["open311_read"]}, follow=True
    )
    assert "已被他人修改" in r.content.decode()
    key.refresh_from_db()
    assert set(key.endpoints) == {Endpoint.OPEN311_POST, Endpoint.OPEN311_READ} and key.version == 2
    r = _page(admin).post(f"{url}revoke/", {"expected_version": key.version})
    key.refresh_from_db()
    assert r.status_code == 302 and key.revoked_at is not None
    page = _page(admin).get(url).content.decode()
    assert "已吊销" in page and "吊销密钥" not in page  # no revoke button on a revoked key
    with pytest.raises(services.ConflictError):
        services.api_key_revoke(actor=admin, key=key)
    assert AuditEvent.objects.filter(action="partners.key_revoke").count() == 1


def test_key_page_lists_its_calls(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    key, secret = make_key(admin, partner)
    Client().get("/open311/v2/services.json", {"api_key": secret})
    Client().get("/open311/v2/services/nope.json", {"api_key": secret})
    page = _page(admin).get(f"/partners/keys/{key.pk}/").content.decode()
    assert "/open311/v2/services.json" in page and "/open311/v2/services/nope.json" in page and "404" in page


def test_services_refuse_non_admins(world):
    admin = admin_of(world)
    partner = make_partner(admin, world.county_a)
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    with pytest.raises(services.ApplicationError):
        make_key(agent, partner)
    with pytest.raises(services.ApplicationError):
        make_partner(agent, world.county_a, name="别家")
