"""Business applications for the demo, through the applications' services (12 months).

- Per county a stream of applications over the last year (``PER_COUNTY`` by size) across
  kinds and categories: mostly new connections and capacity changes, some name changes,
  time-of-use tariffs, charging posts and rooftop PV; a third of residential and small
  business connections on the 易通电 one-visit plan where it exists; new applicants
  without a customer number among the new connections.
- Accepted by the county's front staff (the demo ``clerk`` in their county, the hall
  clerks where the hall app seeded them, else the hotline agents), at the counter or
  remotely (hotline, app, WeChat, web: a home visit booked within the working day).
- Stages walked with realistic working-day durations: most within their limit, about one
  in eight late; about one in ten paused a few working days for the customer; recent ones
  still in progress at their current stage.
- A few stalled now (accepted recently, not moved since) and a few terminated (customer
  withdrew, site not suppliable); most stalls recorded in the past and about half of the
  current ones answered by the clerk, so the clerk's list shows some still awaiting an answer.

Deterministic from ``seed``; does nothing when applications exist.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from gridcare.applications import services
from gridcare.applications.choices import ApplicationStatus, Channel
from gridcare.applications.models import Application, ApplicationStage, ProcessFollowUp, StagePlan
from gridcare.core.calendar import add_working_days, is_working_day, local_tz
from gridcare.core.errors import ApplicationError
from gridcare.customers.models import Customer
from gridcare.hall.models import Hall
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile

from .seed import Rand

PER_COUNTY = {"small": 18, "default": 60, "large": 120}
DAYS = 365
KIND_MIX = [
    ("new_connection", 0.48),
    ("capacity_change", 0.16),
    ("name_change", 0.12),
    ("tou_tariff", 0.08),
    ("ev_charger", 0.09),
    ("pv_connection", 0.07),
]
PAUSE_REASONS = [
    "客户补交房屋产权证明",
    "客户受电工程施工中",
    "客户要求推迟勘查时间",
    "等待客户确认供电方案",
    "客户补充用电设备清单",
]
TERMINATE_REASONS = [
    "客户撤回申请",
    "用电地址不具备供电条件，已向客户解释",
    "客户改为租用现有表计",
    "客户长期联系不上",
]
STALL_REASONS = [
    ("勘查人员外出抢修，未按时安排现场勘查", "已致电客户致歉，约定明日上午勘查"),
    ("供电方案需上级审核，流转延误", "已告知客户方案预计两个工作日内答复"),
    ("计量装置缺货，装表延后", "已向客户说明，表计到货后优先安排装表"),
]
TERMINATE_REPLIES = ["已电话回访客户，确认撤回原因并登记", "已向客户解释原因，客户表示理解"]
# The demo clerk's own recent processes (what their list shows).
CLERK_SCRIPT = ["stall", "stall", "stall_answered", "terminate", "terminate_answered", "pause", "", ""]
REMOTE = [Channel.HOTLINE, Channel.APP, Channel.WECHAT, Channel.WEB]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local_tz())


def _staff_by_role() -> dict[str, list[tuple[str, object]]]:
    out: dict[str, list[tuple[str, object]]] = {}
    for p in StaffProfile.objects.filter(user__is_active=True).select_related("user", "unit").order_by("pk"):
        out.setdefault(p.role, []).append((p.unit.path, p.user))
    return out


def _near(staff, roles, path: str):
    """Staff of ``roles`` whose unit is on ``path``'s chain (nearest first)."""
    found = []
    for role in roles:
        for unit_path, user in staff.get(role, []):
            if path.startswith(unit_path):
                found.append((len(unit_path), user))
    found.sort(key=lambda x: -x[0])
    return [u for _, u in found]


def _actor_for(stage: ApplicationStage, staff, path: str, admin):
    if stage.owner_role:
        near = _near(staff, [stage.owner_role], path)
        if near:
            return near[0]
    return admin


def seed_applications(*, seed: int, size: str = "small", stdout=None, now: dt.datetime | None = None) -> dict:
    say = (lambda m: stdout.write(m + "\n")) if stdout is not None else (lambda m: None)
    if Application.objects.exists():
        say("业扩报装：已存在，跳过")
        return {"applications": 0, "skipped": True}
    staff = _staff_by_role()
    admins = [u for _, u in staff.get(Role.ADMIN, [])]
    if not admins:
        return {"applications": 0}
    admin = admins[0]
    rnd = Rand(seed + 1515)
    now = now or timezone.now()
    today = timezone.localdate(now)
    plans = {(p.kind, p.category, p.variant) for p in StagePlan.objects.filter(active=True)}
    counts = {"applications": 0, "completed": 0, "terminated": 0, "stalled": 0, "paused": 0}
    counties = list(OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("path"))
    per_county = PER_COUNTY.get(size, PER_COUNTY["small"])
    demo_clerk = next((u for _, u in staff.get(Role.COUNTER_CLERK, []) if u.username == "clerk"), None)
    for county in counties:
        front = _near(staff, [Role.COUNTER_CLERK, Role.CUSTOMER_MANAGER], county.path) or []
        front = [u for u in front if _unit_path(u).startswith(county.path)] or front
        agents = _near(staff, [Role.HOTLINE_AGENT], county.path)
        if not front and not agents:
            continue
        stations = list(
            OrgUnit.objects.filter(kind=UnitKind.STATION, path__startswith=county.path).order_by("code")
        )
        customers = list(
            Customer.objects.filter(station__path__startswith=county.path)
            .filter(Q(phone__gt=""))
            .order_by("pk")
            .values_list("pk", flat=True)[:4000]
        )
        if not stations or not customers:
            continue
        halls = list(Hall.objects.filter(unit_path__startswith=county.path).order_by("pk"))
        # Spread over the year; the demo clerk's county also gets the clerk's own recent
        # processes, some stalled or terminated (answered or not), one waiting on the customer.
        jobs: list[tuple[int, str, object]] = [(rnd.randrange(0, DAYS), "", None) for _ in range(per_county)]
        if demo_clerk is not None and _unit_path(demo_clerk).startswith(county.path):
            jobs += [(rnd.randrange(8, 25), outcome, demo_clerk) for outcome in CLERK_SCRIPT]
            jobs += [(rnd.randrange(0, 3), "", demo_clerk) for _ in range(2)]
        for back, outcome, who in sorted(jobs, key=lambda j: -j[0]):
            day = today - dt.timedelta(days=back)
            while not is_working_day(day):
                day -= dt.timedelta(days=1)
            accepted_at = _at(day, rnd.choice([9, 9, 10, 10, 11, 14, 15, 16]), rnd.randrange(0, 60))
            if accepted_at >= now:
                accepted_at = now - dt.timedelta(hours=2)
            remote = who is None and (rnd.random() < 0.35 or not front)
            channel = rnd.choice(REMOTE) if remote else Channel.COUNTER
            clerk = who or (rnd.choice(agents) if remote and agents else rnd.choice(front or agents))
            clerk_path = _unit_path(clerk)
            kwargs = {}
            customer = None
            if rnd.random() < 0.3:
                station = rnd.choice([s for s in stations if s.path.startswith(clerk_path)] or stations)
                category = rnd.choices(
                    ["residential", "lv_non_residential", "hv_single", "hv_dual"], weights=[55, 30, 12, 3]
                )[0]
                name = (
                    rnd.person()
                    if category == "residential"
                    else rnd.choice(COMPANIES) % {"n": rnd.person()[0]}
                )
                kind = "new_connection"
                kwargs = {
                    "category": category,
                    "unit": station,
                    "applicant_name": name,
                    "applicant_phone": rnd.mobile(),
                    "applicant_address": f"{station.name.replace('供电所', '')}{rnd.choice(STREETS)}{rnd.randrange(1, 300)}号",
                }
            else:
                customer = Customer.objects.select_related("station").get(pk=rnd.choice(customers))
                category = customer.category
                mix = [(k, w) for k, w in KIND_MIX if (k, category, "standard") in plans]
                if not mix:
                    continue
                kind = rnd.choices([k for k, _ in mix], weights=[w for _, w in mix])[0]
            variant = (
                "one_visit" if (kind, category, "one_visit") in plans and rnd.random() < 0.35 else "standard"
            )
            if (kind, category, variant) not in plans:
                continue
            if channel == Channel.COUNTER and halls:
                kwargs["hall"] = rnd.choice(halls)
            try:
                app = services.application_accept(
                    actor=clerk,
                    kind=kind,
                    channel=channel,
                    variant=variant,
                    customer=customer,
                    now=accepted_at,
                    **kwargs,
                )
            except ApplicationError:
                continue
            counts["applications"] += 1
            _walk(app, rnd, staff, admin, clerk, now, counts, outcome=outcome)
    say(f"业扩报装：{counts['applications']} 件申请")
    return counts


COMPANIES = [
    "南京%(n)s氏餐饮管理有限公司",
    "江宁%(n)s记五金商行",
    "%(n)s氏精密机械有限公司",
    "南京新%(n)s物流有限公司",
]
STREETS = ["街道竹山路", "镇秣陵路", "街道天元东路", "镇湖熟大街", "街道双龙大道"]


def _unit_path(user) -> str:
    staff = getattr(user, "staff", None)
    return staff.unit.path if staff is not None else ""


def _walk(
    app: Application,
    rnd: random.Random,
    staff,
    admin,
    clerk,
    now: dt.datetime,
    counts: dict,
    outcome: str = "",
) -> None:
    """Walk the application's stages in simulated time until it completes, is terminated,
    stalls, or reaches now (``outcome`` forces a stall, a termination or a pause)."""
    t = app.accepted_at
    if app.home_visit_due_at is not None and ((now - t).days > 2 or rnd.random() < 0.7):
        visit_at = t + dt.timedelta(hours=rnd.choice([1, 2, 3, 20]))
        if visit_at < now:
            day = timezone.localtime(add_working_days(visit_at, 1)).date()
            services.home_visit_book(
                actor=clerk,
                application=app,
                date=day,
                window=rnd.choice(["morning", "afternoon"]),
                now=visit_at,
            )
    age_days = (now - t).days
    stall_now = outcome.startswith("stall") or (not outcome and 6 <= age_days <= 30 and rnd.random() < 0.25)
    answer = outcome.endswith("answered") or (not outcome and rnd.random() < 0.5)
    terminate = outcome.startswith("terminate") or (not outcome and rnd.random() < 0.05)
    pause_at = (
        2 if outcome == "pause" else (rnd.randrange(1, 4) if not outcome and rnd.random() < 0.1 else None)
    )
    step = 0
    while True:
        app.refresh_from_db()
        if app.status != ApplicationStatus.IN_PROGRESS or app.current_stage_id is None:
            break
        stage = ApplicationStage.objects.get(pk=app.current_stage_id)
        worker = _actor_for(stage, staff, app.unit_path, admin)
        step += 1
        if stall_now and step >= 2:
            if not services.is_stalled(app, now):
                return
            counts["stalled"] += 1
            if answer:
                reason, reply = rnd.choice(STALL_REASONS)
                services.process_follow_up_record(
                    actor=clerk, application=app, reason=reason, reply=reply, now=now
                )
            return
        if terminate and step >= 2:
            at = t + dt.timedelta(hours=rnd.randrange(2, 30))
            if at >= now:
                return
            why = rnd.choice(TERMINATE_REASONS)
            services.application_terminate(actor=worker, application=app, reason=why, now=at)
            counts["terminated"] += 1
            if outcome == "terminate_answered" or (
                not outcome and ((now - at).days > 3 or rnd.random() < 0.4)
            ):
                services.process_follow_up_record(
                    actor=clerk,
                    application=app,
                    reason=why,
                    reply=rnd.choice(TERMINATE_REPLIES),
                    now=at + dt.timedelta(hours=rnd.randrange(2, 40)),
                )
            return
        if pause_at == step:
            p_at = t + dt.timedelta(hours=1)
            resume = add_working_days(p_at, rnd.randrange(2, 7))
            if resume >= now or outcome == "pause":
                services.application_pause(
                    actor=worker, application=app, reason=rnd.choice(PAUSE_REASONS), now=p_at
                )
                counts["paused"] += 1
                return
            services.application_pause(
                actor=worker, application=app, reason=rnd.choice(PAUSE_REASONS), now=p_at
            )
            services.application_resume(actor=worker, application=app, now=resume)
            counts["paused"] += 1
            t = resume
            continue
        limit = stage.limit_days
        days = limit if rnd.random() < 0.12 and limit else rnd.randrange(0, max(1, limit))
        if rnd.random() < 0.12:
            days = limit + rnd.randrange(1, 3)
        done = add_working_days(t, days) + dt.timedelta(minutes=rnd.randrange(-90, 90))
        if done <= t:
            done = t + dt.timedelta(minutes=rnd.randrange(20, 120))
        if done >= now:
            return
        actor = _actor_for(stage, staff, app.unit_path, admin)
        for name in stage.documents:
            services.application_document_receive(actor=actor, application=app, name=name, now=t)
        services.application_stage_complete(actor=actor, application=app, stage=stage.seq, now=done)
        t = done
    app.refresh_from_db()
    if app.status == ApplicationStatus.COMPLETED:
        counts["completed"] += 1
        # Stalls recorded on the way were answered by the clerk at the time.
        opened = ProcessFollowUp.objects.filter(application=app, answered_at__isnull=True).order_by(
            "-opened_at"
        )
        latest = opened.values_list("opened_at", flat=True).first()
        if latest is not None:
            reason, reply = rnd.choice(STALL_REASONS)
            services.process_follow_up_record(
                actor=clerk, application=app, reason=reason, reply=reply, now=max(latest, app.completed_at)
            )
