"""The knowledge base for the demo, through knowledge's services.

- The starter articles (``knowledge/data/starter_articles.csv``, sample content to be
  reviewed by the utility) published and marked as sample content; their publication
  dates spread over the last two years (freshness counts in the ranking).
- The editors' work in progress: the inspector revised two articles (one submitted for
  review, one still a draft) and wrote a new one, submitted; a supervisor sent one back.
- The learning loop: agents' searches over the last weeks (some finding nothing: the
  gaps), article views, SMS sends and helpful / not helpful votes.

Deterministic from ``seed``; does nothing when articles exist.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

STARTER = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "starter_articles.csv"

AGENT_QUERIES = [
    "停电了怎么办",
    "峰谷电怎么办理",
    "电费怎么这么高",
    "电表走得快",
    "怎么交电费",
    "过户要什么材料",
    "充电桩报装",
    "光伏并网流程",
    "欠费停电怎么恢复",
    "电子发票",
    "投诉处理多久",
    "阶梯电价",
    "跳闸合不上",
    "新房通电",
    "营业厅几点下班",
    "电压低",
]
GAP_QUERIES = ["电动自行车充电收费", "抄表员上门时间", "电费补贴领取", "电梯停电困人", "路灯不亮找谁"]


def _read_rows():
    from gridcare.core.tabular import ImportReport, read_table
    from gridcare.knowledge.importers import parse_rows

    report = ImportReport(kind="knowledge")
    rows = parse_rows(read_table(STARTER.read_bytes(), name=STARTER.name), report)
    if not report.ok:  # the shipped file is checked by the tests; never half-load it
        raise ValueError(report.as_text())
    return rows


def seed_knowledge(*, seed: int = 20261122, stdout=None) -> dict:
    from gridcare.knowledge.models import Article
    from gridcare.knowledge.search import search
    from gridcare.knowledge.services import (
        article_create,
        article_data,
        article_feedback,
        article_revise,
        article_send_sms,
        article_viewed,
        search_log,
        version_review,
        version_submit,
    )

    if Article.objects.exists():
        return {"articles": Article.objects.count()}
    rng = random.Random(seed)
    now = timezone.now()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["agent", "agent_county", "clerk", "custmgr", "crew", "inspector", "supervisor"]
        )
    }
    with transaction.atomic():
        for _rowno, code, data in _read_rows():
            published = now - dt.timedelta(days=rng.randint(5, 720), minutes=rng.randint(0, 600))
            article_create(actor=None, code=code, data=data, publish=True, is_sample=True, now=published)
        inspector, supervisor = users.get("inspector"), users.get("supervisor")
        if inspector is not None and supervisor is not None:

            def revise(code, **changes):
                a = Article.objects.select_related("published", "published__category").get(code=code)
                v = a.published
                fields = dict(
                    title=v.title,
                    body=v.body,
                    category=v.category.path,
                    kind=v.kind,
                    keywords=v.keywords,
                    synonyms=v.synonyms,
                    valid_from=v.valid_from,
                    valid_to=v.valid_to,
                )
                fields.update(changes)
                return article_revise(actor=inspector, article=a, data=article_data(**fields), now=now)

            v1 = revise("P002", keywords="微信,支付宝,生活缴费,交电费,云闪付", change_note="补充云闪付渠道")
            version_submit(actor=inspector, version=v1, now=now)
            revise("O002", change_note="核对到达时限")
            v3 = revise("C011", change_note="夏季作息时间调整")
            version_submit(actor=inspector, version=v3, now=now)
            version_review(
                actor=supervisor, version=v3, approve=False, note="夏季时间以公告为准，请附公告", now=now
            )
            new = article_create(
                actor=inspector,
                code="P021",
                data=article_data(
                    title="云闪付交电费",
                    category="缴费服务/线上缴费",
                    body="打开云闪付 App，进入“生活缴费—电费”，选择供电公司并输入户号即可缴费。缴费后一般实时到账。",
                    keywords="云闪付,银联,交电费",
                ),
                now=now,
            )
            version_submit(actor=inspector, version=new.versions.get(), now=now)
        agents = [users[u] for u in ("agent", "agent_county", "clerk", "custmgr", "crew") if u in users]
        searches = 0
        for day in range(28, 0, -1):
            at = now - dt.timedelta(days=day, hours=rng.randint(1, 8))
            for _ in range(rng.randint(3, 8)):
                agent = rng.choice(agents) if agents else None
                q = rng.choice(GAP_QUERIES) if rng.random() < 0.2 else rng.choice(AGENT_QUERIES)
                hits = search(q, limit=5, now=at)
                search_log(actor=agent, query=q, source="page", hits=hits, now=at)
                searches += 1
                if hits and agent is not None:
                    article = Article.objects.get(pk=hits[0].article_id)
                    article_viewed(actor=agent, article=article, now=at)
                    if rng.random() < 0.3:
                        article_feedback(actor=agent, article=article, helpful=rng.random() < 0.8, now=at)
                    if rng.random() < 0.1 and agent.username != "crew":
                        article_send_sms(
                            actor=agent,
                            article=article,
                            phone=f"139{rng.randint(10000000, 99999999)}",
                            now=at,
                        )
    result = {"articles": Article.objects.count(), "searches": searches}
    if stdout is not None:
        stdout.write(f"知识库：{result['articles']} 条（示例内容），检索记录 {searches} 条")
    return result
