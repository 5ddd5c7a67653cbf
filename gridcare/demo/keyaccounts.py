"""Key accounts for the demo, through keyaccounts' and rectification's services.

- **Packages**: per county a handful of large or important customers (10 kV and above, or
  flagged important), alternately on the value-added package (inspection every 6 months)
  and the basic one (every 12 months), subscribed 13–30 months ago.
- **Inspections**: every inspection due so far was done a few days after its due date,
  except for the first customer of each county, whose latest one is left overdue. About
  one inspection in three found something; a finding that needs work opened a
  rectification item, and most of those were fixed by the station's customer manager and
  verified by a supervisor; a few wait for verification, one was sent back, and one is
  still open past its due date.
- **Emergency plans** for the important customers among them (a small PDF each), reviewed
  within the year; in each county one plan is expiring (review in 15 days) and one expired
  (10 days ago); each plan had a drill, and some have the next one scheduled.
- The expiry warnings job runs once (the managers hear of those plans).

Deterministic from ``seed``; does nothing when subscriptions exist.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.customers.models import Customer
from gridcare.keyaccounts.choices import InspectionStatus
from gridcare.keyaccounts.models import SafetyInspection, ServicePackage, Subscription
from gridcare.keyaccounts.services import (
    add_months,
    drill_record,
    drill_schedule,
    inspection_record,
    inspections_schedule,
    plan_create,
    plans_warn,
    subscription_start,
)
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.rectification.services import rectification_fix, rectification_reopen, rectification_verify

PER_COUNTY = 5
FINDINGS = [
    ("配电室防小动物挡板缺失", "minor", True),
    ("高压柜带电显示器故障", "major", True),
    ("自备发电机未装设防倒送电闭锁装置", "serious", True),
    ("安全工器具超期未试验", "major", True),
    ("电缆沟积水", "minor", False),
    ("变压器油位偏低", "minor", True),
    ("值班记录不全", "minor", False),
]
NOTES = ["配电室运行正常，设备标识齐全", "双电源切换装置试验正常", "现场检查后向客户电气负责人反馈"]
PARTICIPANTS = [
    "客户电气班组4人，供电所2人",
    "客户值班电工3人，客户经理1人",
    "客户安保、电工共6人，供电所抢修班2人",
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=local_tz())


def _pdf(title: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% "
        + title.encode("utf-8")
        + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _staff(role: str, path: str):
    """An active member of staff of ``role`` at ``path`` or above it (nearest first)."""
    rows = list(
        StaffProfile.objects.filter(role=role, user__is_active=True)
        .select_related("user", "unit")
        .order_by("pk")
    )
    best = None
    for p in rows:
        if path.startswith(p.unit.path) and (best is None or len(p.unit.path) > len(best.unit.path)):
            best = p
    return best.user if best else None


def seed_keyaccounts(*, seed: int, stdout=None, now: dt.datetime | None = None) -> dict:
    say = (lambda m: stdout.write(m + "\n")) if stdout is not None else (lambda m: None)
    if Subscription.objects.exists():
        say("大客户服务：已存在，跳过")
        return {"subscriptions": 0, "skipped": True}
    admin = (
        StaffProfile.objects.filter(role=Role.ADMIN, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    admin = admin.user if admin else None
    if admin is None:
        return {"subscriptions": 0}
    rnd = random.Random(seed + 1414)
    now = now or timezone.now()
    today = timezone.localdate(now)
    packages = {p.code: p for p in ServicePackage.objects.all()}
    counts = {"subscriptions": 0, "inspections": 0, "rectifications": 0, "plans": 0, "drills": 0}
    with transaction.atomic():
        for county in OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code"):
            customers = list(
                Customer.objects.filter(station__path__startswith=county.path)
                .filter(Q(voltage_kv__gte=10) | Q(important=True))
                .select_related("station")
                .order_by("-important", "pk")[:PER_COUNTY]
            )
            supervisor = _staff(Role.SUPERVISOR, county.path) or admin
            counts["county_items"] = 0
            plans_made = 0
            for n, customer in enumerate(customers):
                fixer = _staff(Role.CUSTOMER_MANAGER, customer.station.path) or admin
                if fixer == supervisor:
                    fixer = admin
                package = packages["PLUS" if n % 2 == 0 else "BASIC"]
                start = today - dt.timedelta(days=rnd.randint(400, 900))
                if n == 0:  # its latest inspection fell due about two months ago (left overdue)
                    start = add_months(today - dt.timedelta(days=60), -package.inspection_interval_months * 2)
                sub = subscription_start(
                    actor=admin, customer=customer, package=package, start_date=start, now=now
                )
                counts["subscriptions"] += 1
                counts["inspections"] += _inspect(
                    rnd, sub, customer, admin, fixer, supervisor, today, leave_overdue=n == 0, counts=counts
                )
                if customer.important:
                    state = ("expired", "expiring")[plans_made] if plans_made < 2 else "current"
                    counts["drills"] += _plan(rnd, customer, admin, today, state)
                    counts["plans"] += 1
                    plans_made += 1
        warned = plans_warn(now=now)
    counts.pop("county_items", None)
    say(
        f"大客户服务：服务包 {counts['subscriptions']} 户，安全检查 {counts['inspections']} 次，"
        f"整改事项 {counts['rectifications']} 项，应急预案 {counts['plans']} 份，演练 {counts['drills']} 次，"
        f"到期提醒 {warned['warned']} 条"
    )
    return counts


def _inspect(rnd, sub, customer, admin, fixer, supervisor, today, *, leave_overdue: bool, counts) -> int:
    """Do every inspection due so far (a few days late), leaving the latest overdue when asked."""
    done = 0
    for _ in range(20):  # at most 20 rounds: 30 months of 6-monthly inspections is 5
        inspections_schedule(today=today, subscription_ids=[sub.pk])
        nxt = SafetyInspection.objects.filter(subscription=sub, status=InspectionStatus.SCHEDULED).first()
        if nxt is None or nxt.due_date >= today:
            break
        day = min(nxt.due_date + dt.timedelta(days=rnd.randint(0, 12)), today)
        if leave_overdue and nxt.due_date > today - dt.timedelta(days=100):
            break  # the latest stays overdue
        findings = []
        if rnd.random() < 0.4:
            findings = [
                dict(zip(("description", "severity", "needs_work"), f, strict=True))
                for f in rnd.sample(FINDINGS, rnd.randint(1, 2))
            ]
        inspection_record(
            actor=admin,
            inspection=nxt,
            done_on=day,
            notes=rnd.choice(NOTES),
            findings=findings,
            inspector=fixer,
            now=_at(day),
        )
        done += 1
        for finding in nxt.findings.filter(rectification__isnull=False).select_related("rectification"):
            counts["rectifications"] += 1
            counts["county_items"] = counts.get("county_items", 0) + 1
            _follow_up(rnd, finding.rectification, fixer, supervisor, day, today, nth=counts["county_items"])
    return done


def _follow_up(rnd, item, fixer, supervisor, opened: dt.date, today: dt.date, *, nth: int) -> None:
    """In each county the first item stays open (overdue), the second waits for its
    verification, the third was sent back; the rest were mostly fixed and verified
    (recent ones may wait; one in ten sent back once)."""
    age = (today - opened).days
    r = rnd.random()
    if nth == 1 or (age < 20 and r < 0.5):
        return  # still open (overdue when its due date has passed)
    if nth == 2:
        age, r = 0, 0.0  # waits for verification
    elif nth == 3:
        age, r = 0, 0.95  # sent back, not fixed again yet
    fixed_on = min(opened + dt.timedelta(days=rnd.randint(2, 12)), today)
    item = rectification_fix(
        actor=fixer, item=item, evidence="已按要求整改，现场复查合格", now=_at(fixed_on, 15)
    )
    if age < 40 and r < 0.8:
        return  # waiting for verification
    check = min(fixed_on + dt.timedelta(days=rnd.randint(1, 5)), today)
    if r > 0.9:
        item = rectification_reopen(
            actor=supervisor,
            item=item,
            reason="复查发现整改不彻底",
            due_in_working_days=10,
            now=_at(check, 11),
        )
        if age < 60:
            return
        again = min(check + dt.timedelta(days=5), today)
        item = rectification_fix(actor=fixer, item=item, evidence="已重新整改", now=_at(again, 15))
        check = min(again + dt.timedelta(days=2), today)
    rectification_verify(actor=supervisor, item=item, note="复查合格", now=_at(check, 16))


def _plan(rnd, customer, admin, today, state: str) -> int:
    """A plan filed about a year ago; its review date past (expired), near (expiring) or later."""
    filed = today - dt.timedelta(days=rnd.randint(300, 360))
    review = {
        "expired": today - dt.timedelta(days=10),
        "expiring": today + dt.timedelta(days=15),
        "current": today + dt.timedelta(days=rnd.randint(90, 300)),
    }[state]
    plan = plan_create(
        actor=admin,
        customer=customer,
        title=f"{customer.name}突发停电应急预案",
        review_date=review,
        document_content=_pdf(customer.customer_no),
        document_name=f"{customer.customer_no}-应急预案.pdf",
        contacts=[
            {"name": "王工", "role": "电气负责人", "phone": f"139{rnd.randint(10000000, 99999999)}"},
            {"name": "值班室", "role": "24小时值班", "phone": f"025-{rnd.randint(50000000, 59999999)}"},
        ],
        backup_power=rnd.choice(["柴油发电机组", "UPS不间断电源+柴油发电机", "双电源自动切换"]),
        backup_capacity_kw=rnd.choice([200, 400, 630, 1000]),
        now=_at(filed),
    )
    held = filed + dt.timedelta(days=rnd.randint(30, 120))
    drill = drill_schedule(actor=admin, plan=plan, scheduled_for=held, now=_at(filed))
    drill_record(
        actor=admin,
        drill=drill,
        held_on=held,
        result=rnd.choice(["passed", "passed", "improve"]),
        participants=rnd.choice(PARTICIPANTS),
        notes="演练按预案完成，自备电源切换正常",
        now=_at(held, 17),
    )
    if state == "current":
        drill_schedule(
            actor=admin,
            plan=plan,
            scheduled_for=today + dt.timedelta(days=rnd.randint(10, 60)),
            now=_at(today),
        )
        return 2
    return 1
