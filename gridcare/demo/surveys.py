"""Satisfaction surveys for the demo: last quarter's campaign over the city (closed, about
60% answered) and this month's to the silent majority (open, a few answers so far). Scores
are mostly 4–5, with one weaker supply station (more 3s and below) for the CSI table to show.

Made through the surveys services (create, send, answer, close) with their ``now``, so the
sample, invitations, outbox messages and audit rows are the real ones; the demo then marks
the SMS as delivered. Deterministic from the seed (and today's date)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.customers.choices import CustomerCategory
from gridcare.escalation.choices import OutboundStatus
from gridcare.escalation.models import OutboundMessage
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.surveys import services
from gridcare.surveys.choices import Audience
from gridcare.surveys.models import SurveyCampaign, SurveyInvitation

SAMPLES = {"small": (80, 40), "default": (600, 300), "large": (2000, 800)}
# overall score -> weight
GOOD = {5: 56, 4: 30, 3: 9, 2: 3, 1: 2}
WEAK = {5: 24, 4: 30, 3: 26, 2: 12, 1: 8}
COMMENTS_GOOD = [
    "抢修人员来得很快，服务热情",
    "停电前有短信通知，很贴心",
    "营业厅办事效率高",
    "电压稳定，没什么意见",
    "客户经理主动上门，点赞",
    "",
]
COMMENTS_WEAK = [
    "夏天傍晚经常电压低，空调带不动",
    "停电没有提前通知",
    "报修后等了很久才有人来",
    "电话一直打不进去",
    "希望尽快改造老旧线路",
    "",
]


def _pick(rnd: random.Random, weights: dict[int, int]) -> int:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local_tz())


def _answer(rnd, inv: SurveyInvitation, weak: bool, when: dt.datetime) -> None:
    overall = _pick(rnd, WEAK if weak else GOOD)
    aspect = {}
    for name in ("reliability", "attitude", "efficiency"):
        if rnd.random() < 0.8:
            aspect[name] = max(1, min(5, overall + rnd.choice([-1, 0, 0, 0, 1])))
    comment = rnd.choice(COMMENTS_WEAK if overall <= 3 else COMMENTS_GOOD) if rnd.random() < 0.4 else ""
    services.answer_record(token=inv.token, overall=overall, comment=comment, now=when, **aspect)


def _mark_delivered(campaign: SurveyCampaign) -> None:
    OutboundMessage.objects.filter(key__startswith=f"survey:{campaign.pk}:").update(
        status=OutboundStatus.SENT, sent_at=campaign.sent_at, attempts=1
    )


def seed_surveys(*, seed: int, size: str = "default", stdout=None, now: dt.datetime | None = None) -> dict:
    say = (lambda m: stdout.write(m + "\n")) if stdout is not None else (lambda m: None)
    if SurveyCampaign.objects.exists():
        say("满意度调查：已存在，跳过")
        return {"campaigns": 0, "skipped": True}
    city = OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("code").first()
    staff = (
        StaffProfile.objects.filter(user__username="supervisor").select_related("user").first()
        or StaffProfile.objects.filter(role__in=[Role.SUPERVISOR, Role.ADMIN], unit__kind=UnitKind.CITY)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if city is None or staff is None:
        return {"campaigns": 0}
    actor = staff.user
    rnd = random.Random(seed + 1616)
    now = now or timezone.now()
    today = timezone.localdate(now)
    past_n, current_n = SAMPLES.get(size, SAMPLES["default"])
    stations = list(
        OrgUnit.objects.filter(kind=UnitKind.STATION, path__startswith=city.path).order_by("code")
    )
    weak = rnd.choice(stations).path if stations else ""
    answered = 0
    with transaction.atomic():
        # last quarter: everyone, closed, ~60% answered
        q_month = (today.month - 1) // 3 * 3 + 1
        q_start = dt.date(today.year, q_month, 1)
        prev = q_start - dt.timedelta(days=1)
        p_start = dt.date(prev.year, (prev.month - 1) // 3 * 3 + 1, 1) + dt.timedelta(days=9)
        p_end = p_start + dt.timedelta(days=30)
        past = services.campaign_create(
            actor=actor,
            title=f"{p_start.year}年第{(p_start.month - 1) // 3 + 1}季度供电服务满意度调查",
            unit=city,
            sample_size=past_n,
            opens_on=p_start,
            closes_on=p_end,
            audience=Audience.ALL,
            now=_at(p_start, 9),
        )
        past = services.campaign_send(actor=actor, campaign=past, now=_at(p_start, 10))
        for inv in SurveyInvitation.objects.filter(campaign=past).order_by("pk"):
            if rnd.random() < 0.6:
                day = p_start + dt.timedelta(days=min(int(rnd.expovariate(1 / 3)), 30))
                _answer(rnd, inv, inv.unit_path == weak, _at(day, rnd.randint(8, 21), rnd.randint(0, 59)))
                answered += 1
        services.campaign_close(actor=actor, campaign=past, now=_at(p_end, 23, 30))
        _mark_delivered(past)

        # this month: the silent majority of residential customers, open, a few answers
        m_start = today.replace(day=1)
        sent_at = _at(m_start, 10) if today > m_start else max(now - dt.timedelta(hours=2), _at(today, 0, 1))
        current = services.campaign_create(
            actor=actor,
            title=f"{today.year}年{today.month}月居民客户满意度调查（未来电客户）",
            unit=city,
            category=CustomerCategory.RESIDENTIAL,
            sample_size=current_n,
            opens_on=m_start if today > m_start else today,
            closes_on=today + dt.timedelta(days=14),
            audience=Audience.SILENT,
            now=sent_at,
        )
        current = services.campaign_send(actor=actor, campaign=current, now=sent_at)
        span = max((now - sent_at).total_seconds(), 60)
        for inv in SurveyInvitation.objects.filter(campaign=current).order_by("pk"):
            if rnd.random() < 0.15:
                when = sent_at + dt.timedelta(seconds=rnd.uniform(30, span - 10))
                _answer(rnd, inv, inv.unit_path == weak, min(when, now))
                answered += 1
        _mark_delivered(current)
    say(f"满意度调查：2 个，答复 {answered} 份")
    return {"campaigns": 2, "answers": answered}
