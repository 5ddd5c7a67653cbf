"""Rectification pages: the list (filters, closing rates, scope, query count), the item
page with the actions the role may take, the actions, the evidence file, registering by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gridcare.org.choices import Role
from gridcare.rectification import services
from gridcare.rectification.choices import RectificationStatus as S
from gridcare.rectification.models import RectificationItem

from .factories import open_item, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_list_filters_scope_and_rates(world, django_assert_max_num_queries):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    mine = open_item(sup, world.station_a, title="表箱锈蚀未处理")
    late = open_item(sup, world.station_a, title="工单回访超时")
    RectificationItem.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    theirs = open_item(None, world.station_b, title="别县的问题")
    for _ in range(5):
        open_item(sup, world.station_a)
    client = _page(sup)
    with django_assert_max_num_queries(14):
        html = client.get("/rectification/").content.decode()
    assert mine.title in html and late.title in html and theirs.title not in html
    assert 'id="closing-rates"' in html and world.station_a.name in html
    html = client.get("/rectification/?overdue=1").content.decode()
    assert late.title in html and mine.title not in html
    assert client.get(f"/rectification/{theirs.pk}/").status_code == 404
    assert client.post(f"/rectification/{theirs.pk}/cancel/", {"reason": "x"}).status_code == 404


def test_item_page_offers_only_usable_actions_and_acts(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    crew = world.staff(Role.REPAIR_CREW, world.station_a)
    item = open_item(sup, world.station_a)
    crew_html = _page(crew).get(f"/rectification/{item.pk}/").content.decode()
    assert f"/rectification/{item.pk}/fix/" in crew_html
    assert "/verify/" not in crew_html and "/cancel/" not in crew_html
    r = _page(crew).post(
        f"/rectification/{item.pk}/fix/",
        {"evidence": "已更换表箱", "expected_version": item.version, "evidence_file": _upload(png_bytes())},
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == S.FIXED
    sup_html = _page(sup).get(f"/rectification/{item.pk}/").content.decode()
    assert "/verify/" in sup_html and "/reopen/" in sup_html
    ev = item.evidence.get()
    file = _page(sup).get(f"/rectification/{item.pk}/evidence/{ev.token}/")
    assert file.status_code == 200 and file["Content-Type"] == "image/png"
    assert file["X-Content-Type-Options"] == "nosniff"
    assert _page(crew).post(f"/rectification/{item.pk}/verify/").status_code == 403
    _page(sup).post(f"/rectification/{item.pk}/verify/", {"note": "ok", "expected_version": item.version})
    item.refresh_from_db()
    assert item.status == S.VERIFIED


def test_wrong_file_is_refused_on_the_page(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    crew = world.staff(Role.REPAIR_CREW, world.station_a)
    item = open_item(sup, world.station_a)
    r = _page(crew).post(
        f"/rectification/{item.pk}/fix/",
        {"evidence": "x", "evidence_file": _upload(b"#!/bin/sh\nrm -rf /", "evil.pdf")},
        follow=True,
    )
    assert "不支持的文件类型" in r.content.decode()
    item.refresh_from_db()
    assert item.status == S.OPEN


def test_register_by_hand(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    client = _page(sup)
    assert client.get("/rectification/new/").status_code == 200
    r = client.post(
        "/rectification/new/", {"title": "营业厅无障碍通道堵塞", "unit": world.station_a.code, "days": "5"}
    )
    assert r.status_code == 302
    item = RectificationItem.objects.get(title="营业厅无障碍通道堵塞")
    assert item.source_kind == "manual" and item.unit == world.station_a
    # Another county's unit is not offered, and is refused.
    client.post("/rectification/new/", {"title": "越权", "unit": world.station_b.code})
    assert not RectificationItem.objects.filter(title="越权").exists()
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    assert _page(agent).get("/rectification/new/").status_code == 403
    assert _page(agent).get("/rectification/").status_code == 403


def _upload(content: bytes, name: str = "photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_verify_by_the_fixer_is_refused_on_the_page(world):
    sup = world.staff(Role.SUPERVISOR, world.county_a)
    item = open_item(sup, world.station_a)
    services.rectification_fix(actor=sup, item=item, evidence="自己整改")
    html = _page(sup).get(f"/rectification/{item.pk}/").content.decode()
    assert "/verify/" not in html
    r = _page(sup).post(f"/rectification/{item.pk}/verify/", follow=True)
    assert "整改须由整改人以外的人员验证" in r.content.decode()
