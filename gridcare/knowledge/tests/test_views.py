"""Knowledge pages and API: search for agents, the intake suggestions, an article (SMS,
answered, feedback), the editor's pages and the review queue, the learning loop; bad input
never a 500; query counts pinned."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from gridcare.knowledge.models import Article, ArticleVersion, SearchLog
from gridcare.org.choices import Role

from .factories import load_starter, make_article

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_search_page_finds_logs_and_handles_bad_input(world, django_assert_max_num_queries):
    load_starter()
    agent = _page(world.staff(Role.HOTLINE_AGENT))
    with django_assert_max_num_queries(12):
        r = agent.get("/knowledge/", {"q": "峰谷电怎么办理"})
    assert r.status_code == 200 and "居民峰谷分时电价办理" in r.content.decode()
    assert SearchLog.objects.get().hits > 0
    for q in ["", "电", "x" * 5000, "<script>alert(1)</script>", "\"' OR 1=1 --"]:
        r = agent.get("/knowledge/", {"q": q, "limit": "abc"})
        assert r.status_code == 200
        assert "<script>alert(1)</script>" not in r.content.decode()
    r = agent.get("/knowledge/", {"q": "量子纠缠"})
    assert "没有找到相关条目" in r.content.decode()
    assert SearchLog.objects.filter(hits=0, query="量子纠缠").exists()


def test_api_search(world, django_assert_max_num_queries):
    load_starter()
    agent = _page(world.staff(Role.HOTLINE_AGENT))
    with django_assert_max_num_queries(10):
        r = agent.get("/api/knowledge/search/", {"q": "电表走得快", "limit": 3})
    assert r.status_code == 200
    body = r.json()
    assert body[0]["code"] == "M001" and {"code", "title", "score"} <= set(body[0])
    assert [h["score"] for h in body] == sorted((h["score"] for h in body), reverse=True)
    assert agent.get("/api/knowledge/search/", {"q": "x" * 2001}).status_code == 400
    assert agent.get("/api/knowledge/search/", {"q": "电费", "limit": 0}).status_code == 400
    assert agent.get("/api/knowledge/search/", {"q": "电"}).json() == []
    planner = _page(world.staff(Role.PLANNER))
    assert planner.get("/api/knowledge/search/", {"q": "电费"}).status_code == 403


def test_cli_search_json(world, capsys):
    load_starter()
    call_command("knowledge", "search", "峰谷电怎么办理", "--limit", "3", "--format", "json")
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["code"] == "T003" and len(hits) <= 3


def test_intake_suggestions_and_answer_recorded_on_the_new_order(world):
    make_article("T003", title="居民峰谷分时电价办理", body="网上国网申请。")
    agent_user = world.staff(Role.HOTLINE_AGENT)
    agent = _page(agent_user)
    page = agent.get("/work-orders/intake/").content.decode()
    assert 'id="kb-suggestions"' in page and "keyup changed delay:300ms from:#id_description" in page
    r = agent.get("/knowledge/suggest/", {"description": "客户问峰谷电怎么办理"})
    assert "居民峰谷分时电价办理" in r.content.decode() and 'name="kb_article"' in r.content.decode()
    assert "暂无相关条目" in agent.get("/knowledge/suggest/", {"description": "量子纠缠"}).content.decode()
    # Reading only (no knowledge.send): suggestions without the tick.
    planner = _page(world.staff(Role.MANAGER))
    assert 'name="kb_article"' not in planner.get("/knowledge/suggest/", {"q": "峰谷电"}).content.decode()
    # Saving the intake form with the tick records the answer on the new order.
    from gridcare.workorders.models import WorkOrder

    customer = None
    from gridcare.customers.tests.factories import CustomerFactory

    customer = CustomerFactory(area=world.area_a)
    r = agent.post(
        "/work-orders/intake/",
        {
            "channel": "hotline",
            "request_type": "consultation",
            "dimension": "billing_payment",
            "customer": customer.customer_no,
            "area": world.area_a.code,
            "contact_name": "张三",
            "contact_phone": "13912345678",
            "address": "东山新村",
            "description": "峰谷电怎么办理",
            "kb_article": "T003",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    order = WorkOrder.objects.order_by("-id").first()
    assert order.events.filter(data__knowledge_article="T003").exists()


def test_article_page_actions(world):
    from gridcare.escalation.models import OutboundMessage

    article = make_article(
        "T003", title="居民峰谷分时电价办理", body="<p>网上国网申请。</p><script>x()</script>"
    )
    agent = _page(world.staff(Role.HOTLINE_AGENT))
    page = agent.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "短信发送" in page and "<script>x()" not in page and "版本与维护" not in page
    r = agent.post(f"/knowledge/articles/{article.pk}/sms/", {"phone": "abc"}, follow=True)
    assert "11 位手机号码" in r.content.decode()
    agent.post(f"/knowledge/articles/{article.pk}/sms/", {"phone": "13912345678"})
    assert OutboundMessage.objects.count() == 1
    agent.post(f"/knowledge/articles/{article.pk}/feedback/", {"helpful": "1"})
    assert Article.objects.get(pk=article.pk).helpful_count == 1
    r = agent.post(f"/knowledge/articles/{article.pk}/answered/", {"order_no": "NOPE"}, follow=True)
    assert "不存在" in r.content.decode()
    manager = _page(world.staff(Role.MANAGER))
    page = manager.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "短信发送" not in page
    assert manager.post(f"/knowledge/articles/{article.pk}/sms/", {"phone": "13912345678"}).status_code == 403
    assert agent.get("/knowledge/articles/999999/").status_code == 404
    assert agent.get("/knowledge/articles/abc/").status_code == 404


def test_expired_article_is_hidden_from_agents_not_editors(world):
    import datetime as dt

    from django.utils import timezone

    article = make_article(valid_to=timezone.localdate() - dt.timedelta(days=1))
    assert _page(world.staff(Role.HOTLINE_AGENT)).get(f"/knowledge/articles/{article.pk}/").status_code == 404
    page = _page(world.staff(Role.QUALITY_INSPECTOR, world.city)).get(f"/knowledge/articles/{article.pk}/")
    assert page.status_code == 200 and "不在有效期内" in page.content.decode()


def test_editor_and_reviewer_pages(world, django_assert_max_num_queries):
    editor_user = world.staff(Role.QUALITY_INSPECTOR, world.city)
    editor = _page(editor_user)
    reviewer = _page(world.staff(Role.SUPERVISOR, world.city))
    for i in range(15):
        make_article(f"L-{i}")
    with django_assert_max_num_queries(12):
        assert editor.get("/knowledge/manage/").status_code == 200
    form = {
        "code": "NEW-1",
        "kind": "article",
        "category": "电费电价/分时电价",
        "title": "峰谷新规",
        "body": "<p>新规正文</p><script>bad()</script>",
        "keywords": "峰谷",
        "valid_from": "",
        "valid_to": "",
    }
    r = editor.post("/knowledge/manage/new/", {**form, "valid_to": "2020-01-01", "valid_from": "2021-01-01"})
    assert r.status_code == 200 and "失效日期不能早于生效日期" in r.content.decode()
    r = editor.post("/knowledge/manage/new/", {**form, "code": "坏 编号"})
    assert r.status_code == 200 and "编号只能由" in r.content.decode()
    r = editor.post("/knowledge/manage/new/", form)
    article = Article.objects.get(code="NEW-1")
    assert r.status_code == 302 and "<script" not in article.versions.get().body
    version = article.versions.get()
    editor.post(f"/knowledge/versions/{version.pk}/submit/")
    assert ArticleVersion.objects.get(pk=version.pk).state == "submitted"
    assert editor.get("/knowledge/review/").status_code == 403
    with django_assert_max_num_queries(10):
        assert "峰谷新规" in reviewer.get("/knowledge/review/").content.decode()
    reviewer.post(f"/knowledge/review/{version.pk}/", {"decision": "reject", "note": ""})
    assert ArticleVersion.objects.get(pk=version.pk).state == "submitted"
    reviewer.post(f"/knowledge/review/{version.pk}/", {"decision": "approve"})
    assert Article.objects.get(code="NEW-1").published_id == version.pk
    # editing keeps the stale-form check
    r = editor.post(f"/knowledge/manage/{article.pk}/edit/", {**form, "expected_version": 1})
    assert "已被他人修改" in r.content.decode()
    agent = _page(world.staff(Role.HOTLINE_AGENT))
    assert agent.get("/knowledge/manage/").status_code == 403
    assert "知识维护" not in agent.get("/knowledge/").content.decode()


def test_insight_page(world):
    load_starter()
    agent = _page(world.staff(Role.HOTLINE_AGENT))
    agent.get("/knowledge/", {"q": "量子纠缠"})
    page = _page(world.staff(Role.QUALITY_INSPECTOR, world.city)).get(
        "/knowledge/insight/", {"days": "99999"}
    )
    assert page.status_code == 200 and "量子纠缠" in page.content.decode()
    assert agent.get("/knowledge/insight/").status_code == 403


def test_report_section_on_knowledge_gaps(world):
    """The periodic report's section: the period's searches that found nothing, and the
    scope's frequent consultation topics that no article answers."""
    import datetime as dt

    from django.utils import timezone

    from gridcare.analytics.reports.build import _knowledge
    from gridcare.analytics.reports.periods import Period
    from gridcare.knowledge.models import SearchLog
    from gridcare.knowledge.selectors import report_section
    from gridcare.workorders.choices import Dimension, RequestType
    from gridcare.workorders.tests.factories import make_order

    # An empty knowledge base: no article answers anything.
    now = timezone.now()
    for q in ("量子纠缠", "量子纠缠", "电费"):
        SearchLog.objects.create(
            at=now - dt.timedelta(hours=1), query=q, source="page", hits=0 if "量子" in q else 3
        )
    SearchLog.objects.create(at=now - dt.timedelta(days=40), query="很久以前", source="page", hits=0)
    agent = world.staff(Role.HOTLINE_AGENT)
    for _ in range(3):
        make_order(
            agent,
            area=world.area_a,
            request_type=RequestType.CONSULTATION,
            dimension=Dimension.BUSINESS_HANDLING,
            description="喵星人宇宙飞船",
        )
    section = report_section(since=now - dt.timedelta(days=1), until=now + dt.timedelta(minutes=1))
    assert section["searches"] == 3 and section["empty_searches"] == 2
    assert section["gaps"] == [{"query": "量子纠缠", "count": 2}]
    assert [t["count"] for t in section["topics"]] == [3]
    # Another county's scope has none of those consultations.
    other = report_section(
        since=now - dt.timedelta(days=1), until=now + dt.timedelta(minutes=1), scope_path=world.county_b.path
    )
    assert other["topics"] == []
    period = Period("monthly", "x", timezone.localdate(now), timezone.localdate(now))
    assert _knowledge(period, "")["empty_searches"] == 2


def test_topic_gaps_check_only_the_most_frequent_groups(world, monkeypatch):
    """One search per group checked, at most top × CANDIDATES_PER_TOPIC of them, the most
    frequent first: the report's cost does not grow with how varied the questions are."""
    import datetime as dt

    from django.utils import timezone

    from gridcare.knowledge import selectors
    from gridcare.workorders.choices import Dimension, RequestType
    from gridcare.workorders.models import WorkOrder
    from gridcare.workorders.tests.factories import make_order

    agent = world.staff(Role.HOTLINE_AGENT)
    words = ["光伏并网", "峰谷电价", "电表校验", "更名过户", "充电桩报装", "暂停用电", "增容申请", "阶梯电价"]
    for i, word in enumerate(words):
        for _ in range(2 + (i == 3)):  # 更名过户 asked three times: the most frequent
            make_order(
                agent,
                area=world.area_a,
                request_type=RequestType.CONSULTATION,
                dimension=Dimension.BUSINESS_HANDLING,
                description=f"{word}怎么办理",
            )
    assert WorkOrder.objects.count() == 17
    searched = []

    def answered(text, **kwargs):  # every group has an article: nothing is a gap
        searched.append(text)
        return [object()]

    monkeypatch.setattr(selectors._search, "search", answered)
    now = timezone.now()
    gaps = selectors.topics_without_articles(
        since=now - dt.timedelta(days=1), now=now + dt.timedelta(minutes=1), top=2
    )
    assert gaps == []
    assert len(searched) == 2 * selectors.CANDIDATES_PER_TOPIC
    assert "更名过户" in searched[0]
