"""Open and mystery inspections for the demo: every hall, station and hotline team of the
city gets its quarterly inspections over the last four quarters through the inspections
service (so failed items open their rectification items), with a weaker station that
fails more often, one station that missed a quarter, and a few sites still owed an
inspection this quarter (the supervisor's home shows them). The rectification items that
the failed items opened are taken through every state: still open (some overdue), fixed
waiting for verification, sent back, verified. Most past inspections are published.
Deterministic from the seed."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from gridcare.core.calendar import local_tz
from gridcare.inspections import services
from gridcare.inspections.choices import KINDS_FOR_SITE, SiteKind
from gridcare.inspections.models import Checklist, InspectionSite
from gridcare.inspections.selectors import last_quarters
from gridcare.org.choices import Role
from gridcare.org.models import StaffProfile
from gridcare.rectification import services as rect
from gridcare.rectification.choices import RectificationStatus
from gridcare.rectification.models import RectificationItem

FINDINGS = {
    SiteKind.HALL: [
        "厅内整体有序，引导到位",
        "高峰时段等候人数较多",
        "自助终端一台故障未报修",
        "宣传资料摆放凌乱",
    ],
    SiteKind.STATION: ["值班记录完整", "抢修车辆备品不足", "停电公告张贴不及时", "现场作业着装规范"],
    SiteKind.HOTLINE: ["应答及时，解答准确", "个别坐席未复述客户信息", "工单分类有误一次", "语气亲切"],
}
NOTES = ["现场检查发现不符合要求", "未按规定执行", "资料不全，已口头提醒", "客户反映属实", "抽查两次均未做到"]
EVIDENCE = ["已整改完毕，附现场照片", "已组织班组学习规范并考试", "已补齐公示内容", "已更换故障设备"]


def _user(username: str, role: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        staff = StaffProfile.objects.filter(role=role).select_related("user").order_by("pk").first()
        user = staff.user if staff else None
    return user


def _fixer(site: InspectionSite, fallback):
    """Who puts a finding right: a handler posted at the site's unit or the nearest unit
    above it (they must see the item: scope runs downwards)."""
    parts = [p for p in site.unit_path.split("/") if p]
    chain = ["/" + "/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]
    staff = {
        s.unit.path: s
        for s in StaffProfile.objects.filter(
            role__in=[Role.DISPATCHER, Role.COUNTER_CLERK, Role.CUSTOMER_MANAGER, Role.REPAIR_CREW],
            unit__path__in=chain,
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("-pk")
    }
    for path in chain:
        if path in staff:
            return staff[path].user
    return fallback


def seed_inspections(*, seed: int, size: str = "default", stdout=None) -> dict:
    rng = random.Random(seed + 1616)
    services.sites_sync()
    inspector = _user("inspector", Role.QUALITY_INSPECTOR)
    supervisor = _user("supervisor", Role.SUPERVISOR)
    admin = _user("admin", Role.ADMIN)
    if inspector is None or supervisor is None:
        return {"inspections": 0}
    sites = list(
        InspectionSite.objects.filter(active=True).select_related("unit").order_by("unit_path", "kind", "pk")
    )
    limit = {"small": 24, "default": 60, "large": 120}.get(size, 60)
    sites = sites[:limit]
    checklists = {c.site_kind: c for c in Checklist.objects.filter(active=True).order_by("pk")}
    stations = [s for s in sites if s.kind == SiteKind.STATION]
    weak = stations[len(stations) // 2] if stations else None
    missed = stations[-1] if len(stations) > 1 else None
    now = timezone.now()
    tz = local_tz()
    quarters = last_quarters(4, timezone.localdate(now))
    owed_now = {s.pk for s in rng.sample(sites, k=min(3, len(sites)))}
    made = failed = 0
    for quarter in quarters:
        current = quarter == quarters[-1]
        for site in sites:
            if site is missed and quarter == quarters[1]:
                continue  # this station missed a quarter
            if current and site.pk in owed_now:
                continue  # still owed this quarter
            checklist = checklists.get(site.kind)
            if checklist is None:
                continue
            last_day = min(quarter.end - dt.timedelta(days=1), timezone.localdate(now) - dt.timedelta(days=1))
            span = max(1, (last_day - quarter.start).days)
            day = quarter.start + dt.timedelta(days=rng.randrange(span))
            at = dt.datetime.combine(
                day, dt.time(rng.choice([9, 10, 14, 15]), rng.choice([0, 15, 30, 45])), tzinfo=tz
            )
            if at >= now:
                continue
            fail_p = 0.25 if site is weak else 0.07
            results = {}
            for item in checklist.items.filter(active=True):
                p = fail_p / 6 if item.veto else fail_p
                ok = rng.random() >= p
                results[item.pk] = {"passed": ok, "note": "" if ok else rng.choice(NOTES)}
            kind = rng.choice(KINDS_FOR_SITE[site.kind])
            inspection = services.inspection_record(
                actor=inspector,
                site=site,
                kind=kind,
                checklist=checklist,
                at=at,
                results=results,
                findings=rng.choice(FINDINGS[site.kind]),
                now=at + dt.timedelta(hours=2),
            )
            made += 1
            failed += sum(1 for r in results.values() if not r["passed"])
            if not current or rng.random() < 0.5:
                services.inspection_publish(
                    actor=supervisor, inspection=inspection, now=at + dt.timedelta(days=2)
                )
            _progress_items(rng, inspection, site, supervisor, admin, at, now)
    states = dict(
        RectificationItem.objects.filter(source_kind=services.SOURCE_KIND)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    if stdout is not None:
        said = "、".join(f"{RectificationStatus(k).label} {n}" for k, n in sorted(states.items()))
        stdout.write(f"明查暗访：{made} 次，不合格项 {failed} 个（整改：{said}）")
    return {"inspections": made, "failed_items": failed, "rectification": states}


def _progress_items(rng, inspection, site, supervisor, admin, at, now) -> None:
    """Take the failed items' rectification items through their states by the time of
    the next weeks (older findings further along)."""
    ids = list(inspection.results.filter(passed=False).values_list("rectification_id", flat=True))
    age = (now - at).days
    fixer = _fixer(site, admin)
    for pk in ids:
        item = RectificationItem.objects.get(pk=pk)
        roll = rng.random()
        if age < 20 and roll < 0.6:
            continue  # fresh: still open
        if roll < 0.12:
            continue  # left open: overdue by now
        fixed_at = min(now - dt.timedelta(hours=3), at + dt.timedelta(days=rng.randint(3, 12)))
        item = rect.rectification_fix(actor=fixer, item=item, evidence=rng.choice(EVIDENCE), now=fixed_at)
        if roll < 0.3:
            continue  # fixed, waiting for verification
        verified_at = min(now - dt.timedelta(hours=1), fixed_at + dt.timedelta(days=2))
        if roll < 0.4:
            rect.rectification_reopen(
                actor=supervisor, item=item, reason="整改不彻底，复查仍有问题", now=verified_at
            )
            continue
        verifier = supervisor if fixer.pk != supervisor.pk else admin
        rect.rectification_verify(actor=verifier, item=item, note="复查通过", now=verified_at)
