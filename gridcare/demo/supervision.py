"""Supervision for the demo: a consultation plan per county with its social supervisors and
the consultations held over the year (one county overdue, one due soon), points raised at
them (older ones answered, recent ones open, one turned into a rectification item), two
rewards (one approved, one waiting), about twenty conduct violations over the year (one
withdrawn) and two orders escalated by hand (人工提级).

Everything goes through supervision's and escalation's services. Deterministic from the
seed (and today's date); a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from gridcare.core.errors import ApplicationError
from gridcare.escalation import services as esc
from gridcare.escalation.models import Escalation, SocialSupervisor
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.supervision import services
from gridcare.supervision.models import ConductNorm, ConsultationPlan
from gridcare.supervision.periods import add_months
from gridcare.workorders.choices import ACTIVE_STATUSES
from gridcare.workorders.models import WorkOrder

NAMES = [
    "王建国",
    "刘秀英",
    "陈志强",
    "杨桂芳",
    "黄德明",
    "周丽萍",
    "吴海涛",
    "徐春梅",
    "孙立新",
    "马玉珍",
    "朱永华",
    "胡晓燕",
]
ORGS = ["区人大代表", "区政协委员", "社区居委会", "个体工商户协会", "街道办事处", "退休教师"]
POINTS = [
    "营业厅高峰期只开两个窗口，排队超过半小时",
    "农村台区电压偏低，晚上空调带不动",
    "抢修人员到场后没有出示工作证",
    "停电通知只贴在小区门口，老人看不到",
    "电费账单看不懂，希望增加解释说明",
    "95598 电话高峰时段接通慢",
    "表箱锈蚀严重，存在安全隐患",
    "新装用电办理材料要求与网上公示不一致",
]
ANSWERS = [
    "已增开弹性窗口，高峰期开足五个",
    "已安排台区改造列入年度计划",
    "已组织抢修班组规范着装与亮证",
    "已增加短信和微信通知渠道",
]
DETAILS = ["暗访发现", "客户来电投诉", "监督员反映", "班组自查"]


def _user(username: str, role: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        staff = StaffProfile.objects.filter(role=role).select_related("user").order_by("pk").first()
        user = staff.user if staff else None
    return user


def seed_supervision(*, seed: int, size: str = "default", stdout=None) -> dict:
    """Seed supervision (every county alike at any ``size``: a plan and two supervisors each)."""
    rng = random.Random(seed + 5353)
    admin = _user("admin", Role.ADMIN)
    approver = _user("manager", Role.MANAGER) or _user("supervisor", Role.SUPERVISOR)
    if admin is None or ConsultationPlan.objects.exists():
        return {"plans": 0}
    today = timezone.localdate()
    counties = list(OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("path"))
    out = {"plans": 0, "supervisors": 0, "consultations": 0, "points": 0, "rewards": 0, "violations": 0}
    first_point = None
    names = iter(NAMES * 3)
    for i, county in enumerate(counties):
        every = rng.choice([3, 3, 6, 2])
        services.consultation_plan_save(
            actor=admin,
            unit=county,
            every_months=every,
            reminder_days=7,
            first_due_on=today - dt.timedelta(days=300),
        )
        out["plans"] += 1
        sups = []
        for _k in range(2):
            sups.append(
                esc.social_supervisor_register(
                    actor=admin,
                    name=next(names),
                    phone=f"139{rng.randrange(10**8):08d}",
                    area=f"{county.name.replace('供电公司', '')}城区",
                    unit=county,
                    organisation=rng.choice(ORGS),
                )
            )
        out["supervisors"] += 2
        # The last consultation: overdue in the first county, due within a week in the
        # second, comfortably ahead elsewhere.
        if i == 0:
            last = add_months(today, -every) - dt.timedelta(days=12)
        elif i == 1:
            last = add_months(today, -every) + dt.timedelta(days=4)
        else:
            last = add_months(today, -every) + dt.timedelta(days=rng.randrange(20, 50))
        held = [
            add_months(last, -every * k)
            for k in range(12 // every)
            if add_months(last, -every * k) > today - dt.timedelta(days=365)
        ]
        for day in sorted(held):
            c = esc.supervisor_consultation_record(
                actor=admin,
                unit=county,
                held_on=day,
                topic=f"{day.year}年第{(day.month - 1) // 3 + 1}季度社会监督员座谈会",
                minutes="通报近期供电服务情况，听取监督员意见建议。",
                attendees=sups,
            )
            out["consultations"] += 1
            point = services.point_raise(
                actor=admin,
                supervisor=rng.choice(sups),
                text=rng.choice(POINTS),
                raised_on=day,
                unit=county,
                consultation=c,
            )
            out["points"] += 1
            if day != last:  # the older ones were answered within a few weeks
                answered_at = timezone.make_aware(
                    dt.datetime.combine(day + dt.timedelta(days=rng.randrange(5, 20)), dt.time(15))
                )
                services.point_answer(actor=admin, point=point, answer=rng.choice(ANSWERS), now=answered_at)
        # raised since, by telephone, not yet answered
        recent = services.point_raise(
            actor=admin,
            supervisor=rng.choice(sups),
            text=rng.choice(POINTS),
            raised_on=today - dt.timedelta(days=rng.randrange(2, 25)),
            unit=county,
        )
        out["points"] += 1
        if first_point is None:
            first_point = recent
    if first_point is not None:
        services.point_rectify(actor=admin, point=first_point)
    sups = list(SocialSupervisor.objects.order_by("pk")[:2])
    if sups and approver is not None:
        r1 = services.reward_propose(
            actor=admin, supervisor=sups[0], kind="bonus", amount="500", reason="全年反映问题 6 条，均被采纳"
        )
        services.reward_decide(actor=approver, reward=r1, approve=True, note="同意")
        services.reward_propose(
            actor=admin, supervisor=sups[-1], kind="certificate", amount="0", reason="年度优秀社会监督员"
        )
        out["rewards"] = 2
    # ~20 conduct violations over the year, at the counties' own front-line staff
    norms = list(ConductNorm.objects.filter(active=True).order_by("sort"))
    weights = [5, 6, 3, 5, 4, 4, 1, 1][: len(norms)]
    staff = list(
        StaffProfile.objects.filter(
            unit__path__startswith=counties[0].path if counties else "-",
            role__in=[
                Role.COUNTER_CLERK,
                Role.REPAIR_CREW,
                Role.HOTLINE_AGENT,
                Role.CUSTOMER_MANAGER,
                Role.DISPATCHER,
            ],
        )
        .select_related("user")
        .order_by("pk")
    )
    for county in counties[1:]:
        staff += list(
            StaffProfile.objects.filter(
                unit__path__startswith=county.path, role__in=[Role.COUNTER_CLERK, Role.REPAIR_CREW]
            )
            .select_related("user")
            .order_by("pk")[:3]
        )
    made = []
    for _n in range(20 if staff and norms else 0):
        person = rng.choice(staff)
        norm = rng.choices(norms, weights=weights)[0]
        made.append(
            services.violation_record(
                actor=admin,
                staff=person.user,
                norm=norm,
                source=rng.choice(["inspection", "complaint", "supervisor", "other"]),
                found_on=today - dt.timedelta(days=rng.randrange(1, 360)),
                detail=rng.choice(DETAILS),
            )
        )
    if made:
        services.violation_withdraw(actor=admin, violation=made[0], reason="复核后查无实据")
    out["violations"] = len(made)
    # two orders raised by hand
    manual = 0
    orders = WorkOrder.objects.filter(status__in=list(ACTIVE_STATUSES)).order_by("pk")
    if counties:
        orders = orders.filter(unit_path__startswith=counties[0].path)
    for order in orders[:10]:
        if manual == 2:
            break
        if Escalation.objects.filter(order=order).exists():
            continue
        try:
            esc.order_escalate_by_hand(
                actor=admin,
                order=order,
                reason=rng.choice(["客户多次来电，影响较大", "涉及重要用户，提级关注"]),
            )
        except ApplicationError:  # closed meanwhile, or at the top of the tree: try the next
            continue
        manual += 1
    out["manual_escalations"] = manual
    out["recurring"] = _recurring_cause(rng, admin, today)
    if stdout is not None:
        stdout.write(
            f"社会监督：座谈计划 {out['plans']} 个，监督意见 {out['points']} 条，违规 {out['violations']} 条"
        )
    return out


RECURRING = [
    ("monitor", "抢修超时限未到达现场，客户再次来电催促"),
    ("inspection", "暗访发现抢修承诺到达时间与实际不符"),
    ("supervisor", "监督员反映抢修人员承诺当天恢复未兑现"),
    ("callback", "回访客户表示承诺的回复电话没有打来"),
]


def _recurring_cause(rng, admin, today: dt.date) -> int:
    """A cause that recurred at one station last month (failures found by the monitor, an
    inspection, a supervisor and a callback — not complaints), taken up as an improvement
    action: the recurring-causes page shows it flagged, with this month's count beside it."""
    from gridcare.escalation.choices import FailureCause, FailureOrigin
    from gridcare.supervision.choices import PeriodKind
    from gridcare.supervision.periods import period_of

    station = OrgUnit.objects.filter(kind=UnitKind.STATION).order_by("path").first()
    if station is None:
        return 0
    last_month = period_of(PeriodKind.MONTH, today).shift(-1)
    tz = timezone.get_current_timezone()
    for k, (source, text) in enumerate(RECURRING):
        day = last_month.start + dt.timedelta(days=3 + 7 * k)
        esc.service_failure_record(
            actor=admin,
            order=None,
            origin=FailureOrigin.PERSONNEL,
            cause=FailureCause.PROMISE_NOT_KEPT,
            responsible_unit=station,
            description=text,
            source=source,
            now=dt.datetime.combine(day, dt.time(10), tzinfo=tz),
        )
    services.improvement_open(
        actor=admin, unit=station, cause=FailureCause.PROMISE_NOT_KEPT, period=last_month
    )
    return len(RECURRING)
