"""The product's own error pages, in the user's language: 403, 404, 400 and 500 in Chinese by
default and entirely in English for an English user; the API keeps its JSON errors."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.utils import translation

from gridcare.core import errorpages
from gridcare.org.choices import Role

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _main(html: str) -> str:
    return html.split('<main class="content">', 1)[1].split("</main>", 1)[0]


def test_404_and_403_are_branded_and_in_chinese_by_default(world, client):
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    res = client.get("/no-such-page/")
    assert res.status_code == 404
    body = _main(res.content.decode())
    assert "页面不存在" in body and 'href="/"' in body
    res = client.get("/audit/")  # an agent may not read the audit log
    assert res.status_code == 403
    body = res.content.decode()
    assert "无权访问" in _main(body) and "GridCare" in body and "Forbidden" not in body


def test_error_pages_in_english_hold_no_chinese(world, client):
    client.force_login(world.staff(Role.HOTLINE_AGENT, world.county_a))
    client.cookies["django_language"] = "en"
    for url, status, words in (("/no-such-page/", 404, "Page not found"), ("/audit/", 403, "Access denied")):
        res = client.get(url)
        assert res.status_code == status
        body = _main(res.content.decode())
        assert words in body and not CJK.search(body), body


@pytest.mark.parametrize("lang,words", [("zh-hans", "系统出错"), ("en", "Something went wrong")])
def test_500_page_renders_without_a_request_context(lang, words):
    request = RequestFactory().get("/work-orders/")
    with translation.override(lang):
        res = errorpages.server_error(request)
    body = res.content.decode()
    assert res.status_code == 500 and words in body
    assert lang == "zh-hans" or not CJK.search(_main(body))


def test_api_errors_stay_json_in_the_users_language(world, client):
    client.cookies["django_language"] = "en"
    res = client.get("/api/no-such-endpoint/", HTTP_ACCEPT="application/json")
    assert res.status_code == 404
    assert res.json() == {"detail": "Not found", "code": "not_found"}
