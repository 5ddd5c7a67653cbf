"""Writing key-account service: subscriptions to packages, the inspection schedule,
inspection records (findings that need work open rectification items owned by the
customer's station), emergency plans (document checked by content and size), drills, and
the plans' expiry warnings. Keyword-only, atomic, permission checked, row locked, audited.

``inspections_schedule`` and ``plans_warn`` are the periodic jobs' services: idempotent
(unique constraints keep a rerun or a second worker from doing anything twice).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import NAME_MAX, TEXT_MAX, check_length
from gridcare.core.messages import msg
from gridcare.core.uploads import DOCUMENTS, check_document
from gridcare.customers.models import Customer
from gridcare.customers.selectors import responsible_manager
from gridcare.escalation.choices import NotificationKind
from gridcare.escalation.services import notification_create_many
from gridcare.rectification.services import owner_fits, rectification_open

from .choices import DrillResult, DrillStatus, InspectionStatus, PlanWarningKind, Severity
from .models import (
    Drill,
    EmergencyPlan,
    InspectionFinding,
    KeyAccountSetting,
    PlanWarning,
    SafetyInspection,
    ServicePackage,
    Subscription,
)
from .selectors import expiring_days, is_key_customer

FINDING_SOURCE = "inspection_finding"
FINDINGS_MAX = 30
CONTACTS_MAX = 10
CAPACITY_MAX = Decimal("1000000")
PHONE = re.compile(r"^[0-9+\-() ]{3,20}$")


# ----------------------------------------------------------------------- pure helpers


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_inspection_due(*, start: dt.date, interval_months: int, last: dt.date | None) -> dt.date:
    """Every ``interval_months`` from the last inspection (done, or cancelled at its due
    date), the first one that long after the subscription's start."""
    return add_months(last or start, interval_months)


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now or timezone.now())


def _text(value, *, field: str, required: bool = False, max_length: int = TEXT_MAX, label=None) -> str:
    value = (value or "").strip()
    check_length(value, field=field, max_length=max_length)
    if required and not value:
        raise ApplicationError(label or _("请填写内容"), field=field, code="required")
    return value


def _date_between(value, *, field: str, lo: dt.date, hi: dt.date, label=None) -> dt.date:
    if not isinstance(value, dt.date):
        raise ApplicationError(label or _("请填写日期"), field=field, code="required")
    if isinstance(value, dt.datetime):
        value = value.date()
    if not lo <= value <= hi:
        raise ApplicationError(
            _("日期须在 %(lo)s 至 %(hi)s 之间") % {"lo": lo.isoformat(), "hi": hi.isoformat()},
            field=field,
            code="out_of_range",
        )
    return value


def _visible_customer(actor, perm: str, customer: Customer) -> Customer:
    require(actor, perm, customer)
    return customer


def _bump(obj, fields: list[str]) -> None:
    obj.version += 1
    obj.save(update_fields=[*fields, "version", "updated_at"])


def _locked(model, actor, perm: str, obj, expected_version: int | None):
    pk = obj.pk if hasattr(obj, "pk") else obj
    locked = model.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise ApplicationError(_("对象不存在"), code="not_found", status=404)
    require(actor, perm, locked)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("已被他人修改，请刷新后重试"))
    return locked


# ----------------------------------------------------------------------- subscriptions


def subscription_start(
    *,
    actor,
    customer: Customer,
    package: ServicePackage,
    start_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Subscription:
    """Put a large or important customer on a service package from ``start_date`` (today
    by default). A current subscription to another package ends the day before; its
    inspection still scheduled is cancelled (the new package's schedule takes over)."""
    _visible_customer(actor, "keyaccounts.manage", customer)
    if not is_key_customer(customer):
        raise ApplicationError(
            _("只有10千伏及以上或重要客户可订购服务包"), field="customer", code="not_key_account"
        )
    if package is None or not package.active:
        raise ApplicationError(_("服务包不存在或已停止订购"), field="package", code="invalid")
    today = _today(now)
    start = _date_between(
        start_date or today,
        field="start_date",
        lo=today - dt.timedelta(days=5 * 366),
        hi=today + dt.timedelta(days=366),
    )
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()  # serialise per customer
        current = (
            Subscription.objects.select_for_update().filter(customer=customer, ended_on__isnull=True).first()
        )
        if current is not None:
            if current.package_id == package.pk:
                raise ApplicationError(_("客户已订购此服务包"), field="package", code="already", status=409)
            if start <= current.start_date:
                raise ApplicationError(
                    _("新服务包的开始日期须晚于现有服务包的开始日期"), field="start_date", code="invalid"
                )
            _end(actor, current, start - dt.timedelta(days=1), reason="package_change")
        sub = Subscription.objects.create(
            customer=customer, package=package, start_date=start, created_by=actor
        )
        audit_record(
            actor=actor,
            action="keyaccount.subscribe",
            obj=sub,
            changes={
                "package": package.code,
                "start_date": start.isoformat(),
                "customer": customer.customer_no,
            },
            unit_path=customer.station.path,
        )
    inspections_schedule(today=today, subscription_ids=[sub.pk])
    return sub


def _end(actor, sub: Subscription, ended_on: dt.date, *, reason: str = "") -> None:
    sub.ended_on = ended_on
    _bump(sub, ["ended_on"])
    cancelled = SafetyInspection.objects.filter(subscription=sub, status=InspectionStatus.SCHEDULED).update(
        status=InspectionStatus.CANCELLED, cancel_reason=reason, version=F("version") + 1
    )
    audit_record(
        actor=actor,
        action="keyaccount.unsubscribe",
        obj=sub,
        changes={"ended_on": ended_on.isoformat(), "cancelled_inspections": cancelled},
        unit_path=sub.customer.station.path,
    )


def subscription_end(
    *,
    actor,
    subscription: Subscription | int,
    ended_on: dt.date | None = None,
    expected_version=None,
    now=None,
) -> Subscription:
    """End a customer's service package (today by default); its scheduled inspection is cancelled."""
    require(actor, "keyaccounts.manage")
    today = _today(now)
    with transaction.atomic():
        sub = _locked(Subscription, actor, "keyaccounts.manage", subscription, expected_version)
        if sub.ended_on is not None:
            raise ApplicationError(_("服务包已结束"), field="ended_on", code="already", status=409)
        end = _date_between(
            ended_on or today, field="ended_on", lo=sub.start_date, hi=today + dt.timedelta(days=366)
        )
        _end(actor, sub, end)
    return sub


# ---------------------------------------------------------------------- inspections


def inspections_schedule(*, today: dt.date | None = None, subscription_ids=None) -> dict:
    """The schedule (the periodic job, and after each subscription or inspection): every
    current subscription with no inspection scheduled gets its next one — due every N
    months of its package from the last inspection (or the start) — once that due date is
    within the lead days. Idempotent: one scheduled inspection per subscription and one
    number per inspection are database constraints, so a rerun or a second worker adds
    nothing."""
    today = today or timezone.localdate()
    lead = KeyAccountSetting.get(KeyAccountSetting.INSPECTION_LEAD_DAYS)
    scheduled = SafetyInspection.objects.filter(
        subscription_id=OuterRef("pk"), status=InspectionStatus.SCHEDULED
    )
    subs = (
        Subscription.objects.filter(ended_on__isnull=True, package__isnull=False)
        .filter(~Exists(scheduled))
        .select_related("package")
        .annotate(
            last_seq=Max("inspections__seq"),
            last_done=Max("inspections__done_on", filter=Q(inspections__status=InspectionStatus.DONE)),
            last_cancelled=Max(
                "inspections__due_date", filter=Q(inspections__status=InspectionStatus.CANCELLED)
            ),
        )
        .order_by("pk")
    )
    if subscription_ids is not None:
        subs = subs.filter(pk__in=list(subscription_ids))
    rows = []
    subs = list(subs)
    for sub in subs:
        last = max([d for d in (sub.last_done, sub.last_cancelled) if d is not None], default=None)
        due = next_inspection_due(
            start=sub.start_date, interval_months=sub.package.inspection_interval_months, last=last
        )
        if due > today + dt.timedelta(days=lead):
            continue
        rows.append(
            SafetyInspection(
                subscription=sub, customer_id=sub.customer_id, seq=(sub.last_seq or 0) + 1, due_date=due
            )
        )
    if rows:
        SafetyInspection.objects.bulk_create(rows, ignore_conflicts=True)
    return {"examined": len(subs), "scheduled": len(rows)}


def inspection_schedule(
    *, actor, subscription: Subscription | int, due_date: dt.date, now: dt.datetime | None = None
) -> SafetyInspection:
    """Schedule an inspection by hand (a customer asks, or after an incident) when none is
    scheduled; the periodic schedule continues from it once it is done."""
    require(actor, "keyaccounts.manage")
    today = _today(now)
    due = _date_between(due_date, field="due_date", lo=today, hi=today + dt.timedelta(days=2 * 366))
    with transaction.atomic():
        sub = _locked(Subscription, actor, "keyaccounts.manage", subscription, None)
        if sub.ended_on is not None:
            raise ApplicationError(_("服务包已结束"), field="subscription", code="ended", status=409)
        if SafetyInspection.objects.filter(subscription=sub, status=InspectionStatus.SCHEDULED).exists():
            raise ApplicationError(_("已有待检查的安全检查"), field="due_date", code="already", status=409)
        seq = (SafetyInspection.objects.filter(subscription=sub).aggregate(m=Max("seq"))["m"] or 0) + 1
        inspection = SafetyInspection.objects.create(
            subscription=sub, customer_id=sub.customer_id, seq=seq, due_date=due
        )
        audit_record(
            actor=actor,
            action="keyaccount.inspection_schedule",
            obj=inspection,
            changes={"due_date": due.isoformat()},
            unit_path=sub.customer.station.path,
        )
    return inspection


def _clean_findings(findings) -> list[dict]:
    findings = list(findings or [])
    if len(findings) > FINDINGS_MAX:
        raise ApplicationError(
            _("一次最多记录 %(n)s 个问题") % {"n": FINDINGS_MAX}, field="findings", code="too_many"
        )
    out = []
    for f in findings:
        description = _text(f.get("description"), field="findings", max_length=500)
        if not description:
            continue
        severity = f.get("severity") or Severity.MINOR
        if severity not in Severity.values:
            raise ApplicationError(_("严重程度无效"), field="findings", code="invalid")
        out.append(
            {"description": description, "severity": severity, "needs_work": bool(f.get("needs_work"))}
        )
    return out


def inspection_record(
    *,
    actor,
    inspection: SafetyInspection | int,
    done_on: dt.date,
    notes: str = "",
    findings=(),
    inspector=None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SafetyInspection:
    """Record a scheduled inspection as done: the day, who inspected (the actor by
    default), what was seen, and the findings with their severity. Each finding that
    needs work opens a rectification item owned by the customer's station — the
    customer's manager as its owner where they may own it — due in the working days the
    severity gives. The next inspection is scheduled from this one."""
    require(actor, "keyaccounts.inspect")
    notes = _text(notes, field="notes")
    rows = _clean_findings(findings)
    now = now or timezone.now()
    today = _today(now)
    with transaction.atomic():
        locked = _locked(SafetyInspection, actor, "keyaccounts.inspect", inspection, expected_version)
        if locked.status != InspectionStatus.SCHEDULED:
            raise ApplicationError(
                _("安全检查处于“%(status)s”状态，不能记录") % {"status": locked.get_status_display()},
                field="status",
                code="invalid_transition",
                status=409,
            )
        sub = locked.subscription
        done = _date_between(done_on, field="done_on", lo=sub.start_date, hi=today, label=_("请填写检查日期"))
        customer = Customer.objects.select_related("station").get(pk=locked.customer_id)
        locked.status = InspectionStatus.DONE
        locked.done_on = done
        locked.inspector = inspector or actor
        locked.notes = notes
        locked.recorded_at = now
        _bump(locked, ["status", "done_on", "inspector", "notes", "recorded_at"])
        manager = responsible_manager(customer) if any(r["needs_work"] for r in rows) else None
        owner = manager if manager is not None and owner_fits(manager, customer.station) else None
        opened = []
        for r in rows:
            finding = InspectionFinding.objects.create(inspection=locked, **r)
            if r["needs_work"]:
                item = rectification_open(
                    actor=actor,
                    source_kind=FINDING_SOURCE,
                    source_ref=str(finding.pk),
                    title=f"{customer.name}：{r['description']}"[:200],
                    detail=_("安全检查（%(date)s）发现，严重程度：%(severity)s")
                    % {"date": done.isoformat(), "severity": Severity(r["severity"]).label},
                    unit=customer.station,
                    owner=owner,
                    due_in_working_days=KeyAccountSetting.get(KeyAccountSetting.BY_SEVERITY[r["severity"]]),
                    now=now,
                )
                finding.rectification = item
                finding.save(update_fields=["rectification"])
                opened.append(item.pk)
        audit_record(
            actor=actor,
            action="keyaccount.inspection_record",
            obj=locked,
            changes={
                "status": [InspectionStatus.SCHEDULED, InspectionStatus.DONE],
                "done_on": done.isoformat(),
                "findings": len(rows),
                "rectifications": opened,
            },
            unit_path=customer.station.path,
        )
    inspections_schedule(today=today, subscription_ids=[locked.subscription_id])
    return locked


def inspection_cancel(
    *, actor, inspection: SafetyInspection | int, reason: str, expected_version: int | None = None
) -> SafetyInspection:
    """Cancel a scheduled inspection, with the reason; the next is due an interval after
    this one's due date."""
    require(actor, "keyaccounts.manage")
    reason = _text(reason, field="reason", required=True, label=_("请填写取消原因"))
    with transaction.atomic():
        locked = _locked(SafetyInspection, actor, "keyaccounts.manage", inspection, expected_version)
        if locked.status != InspectionStatus.SCHEDULED:
            raise ApplicationError(
                _("只能取消待检查的安全检查"), field="status", code="invalid_transition", status=409
            )
        locked.status = InspectionStatus.CANCELLED
        locked.cancel_reason = reason
        _bump(locked, ["status", "cancel_reason"])
        audit_record(
            actor=actor,
            action="keyaccount.inspection_cancel",
            obj=locked,
            changes={"status": [InspectionStatus.SCHEDULED, InspectionStatus.CANCELLED], "reason": reason},
            unit_path=locked.customer.station.path,
        )
    return locked


# ------------------------------------------------------------------------------ plans


def _clean_contacts(contacts) -> list[dict]:
    contacts = list(contacts or [])
    if len(contacts) > CONTACTS_MAX:
        raise ApplicationError(
            _("联系人最多 %(n)s 位") % {"n": CONTACTS_MAX}, field="contacts", code="too_many"
        )
    out = []
    for c in contacts:
        name = _text(c.get("name"), field="contacts", max_length=NAME_MAX)
        role = _text(c.get("role"), field="contacts", max_length=NAME_MAX)
        phone = _text(c.get("phone"), field="contacts", max_length=20)
        if not name and not phone:
            continue
        if not name:
            raise ApplicationError(_("联系人须有姓名"), field="contacts", code="required")
        if phone and not PHONE.match(phone):
            raise ApplicationError(
                _("联系电话格式无效：%(phone)s") % {"phone": phone}, field="contacts", code="invalid"
            )
        out.append({"name": name, "role": role, "phone": phone})
    return out


def _capacity(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("容量须为数字"), field="backup_capacity_kw", code="invalid") from None
    if not Decimal("0") <= number <= CAPACITY_MAX:
        raise ApplicationError(
            _("容量须在 0～%(max)s kW 之间") % {"max": CAPACITY_MAX},
            field="backup_capacity_kw",
            code="out_of_range",
        )
    return number


def _attach_document(plan: EmergencyPlan, content: bytes, name: str) -> None:
    kind = check_document(content, field="document", allowed=DOCUMENTS)
    plan.token = secrets.token_hex(16)
    plan.extension = kind.extension
    plan.content_type = kind.content_type
    plan.size = len(content)
    plan.filename = (name or "").strip()[-200:] or f"plan.{kind.extension}"
    plan.document.save(f"{plan.token}.{kind.extension}", ContentFile(content), save=False)


def plan_create(
    *,
    actor,
    customer: Customer,
    title: str,
    review_date: dt.date,
    document_content: bytes,
    document_name: str = "",
    contacts=(),
    backup_power: str = "",
    backup_capacity_kw=None,
    now: dt.datetime | None = None,
) -> EmergencyPlan:
    """File an important customer's emergency plan: its document (PDF, Word or an image,
    checked by content, at most 10 MB), contacts, backup power and the date it must be
    reviewed by. It becomes the customer's current plan; the previous one is retired."""
    _visible_customer(actor, "keyaccounts.manage", customer)
    if not is_key_customer(customer):
        raise ApplicationError(
            _("只有10千伏及以上或重要客户建立应急预案"), field="customer", code="not_key_account"
        )
    title = _text(title, field="title", required=True, max_length=200, label=_("请填写预案名称"))
    today = _today(now)
    review = _date_between(
        review_date,
        field="review_date",
        lo=today + dt.timedelta(days=1),
        hi=today + dt.timedelta(days=5 * 366),
        label=_("请填写复审日期"),
    )
    contacts = _clean_contacts(contacts)
    backup_power = _text(backup_power, field="backup_power")
    capacity = _capacity(backup_capacity_kw)
    plan = EmergencyPlan(
        customer=customer,
        title=title,
        contacts=contacts,
        backup_power=backup_power,
        backup_capacity_kw=capacity,
        review_date=review,
        created_by=actor,
    )
    _attach_document(plan, document_content, document_name)
    try:
        with transaction.atomic():
            Customer.objects.select_for_update().filter(pk=customer.pk).first()
            retired = list(
                EmergencyPlan.objects.filter(customer=customer, active=True).values_list("pk", flat=True)
            )
            EmergencyPlan.objects.filter(pk__in=retired).update(active=False, version=F("version") + 1)
            plan.save()
            audit_record(
                actor=actor,
                action="keyaccount.plan_create",
                obj=plan,
                changes={
                    "review_date": review.isoformat(),
                    "document": plan.content_type,
                    "retired": retired,
                    "customer": customer.customer_no,
                },
                unit_path=customer.station.path,
            )
    except Exception:
        plan.document.delete(save=False)
        raise
    return plan


def plan_update(
    *,
    actor,
    plan: EmergencyPlan | int,
    title: str | None = None,
    review_date: dt.date | None = None,
    contacts=None,
    backup_power: str | None = None,
    backup_capacity_kw=None,
    document_content: bytes | None = None,
    document_name: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> EmergencyPlan:
    """Change the current plan after a review: a new review date, contacts, backup power,
    a revised document (checked as on filing). What is not given stays."""
    require(actor, "keyaccounts.manage")
    today = _today(now)
    changes: dict = {}
    with transaction.atomic():
        locked = _locked(EmergencyPlan, actor, "keyaccounts.manage", plan, expected_version)
        if not locked.active:
            raise ApplicationError(_("只能修改现行预案"), field="plan", code="retired", status=409)
        fields = []
        if title is not None:
            new = _text(title, field="title", required=True, max_length=200, label=_("请填写预案名称"))
            changes["title"], locked.title = [locked.title, new], new
            fields.append("title")
        if review_date is not None:
            new = _date_between(
                review_date, field="review_date", lo=today, hi=today + dt.timedelta(days=5 * 366)
            )
            changes["review_date"] = [locked.review_date.isoformat(), new.isoformat()]
            locked.review_date = new
            fields.append("review_date")
        if contacts is not None:
            locked.contacts = _clean_contacts(contacts)
            changes["contacts"] = len(locked.contacts)
            fields.append("contacts")
        if backup_power is not None:
            locked.backup_power = _text(backup_power, field="backup_power")
            fields.append("backup_power")
        if backup_capacity_kw is not None:
            new = _capacity(backup_capacity_kw)
            changes["backup_capacity_kw"] = [str(locked.backup_capacity_kw), str(new)]
            locked.backup_capacity_kw = new
            fields.append("backup_capacity_kw")
        old_file = None
        if document_content:
            old_file = locked.document.name if locked.document else None
            _attach_document(locked, document_content, document_name)
            fields += ["document", "token", "extension", "content_type", "size", "filename"]
            changes["document"] = locked.content_type
        try:
            _bump(locked, fields)
            audit_record(
                actor=actor,
                action="keyaccount.plan_update",
                obj=locked,
                changes=changes,
                unit_path=locked.customer.station.path,
            )
        except Exception:
            if document_content:
                locked.document.delete(save=False)
            raise
    if old_file:
        locked.document.storage.delete(old_file)
    return locked


# ------------------------------------------------------------------------------ drills


def drill_schedule(
    *, actor, plan: EmergencyPlan | int, scheduled_for: dt.date, now: dt.datetime | None = None
) -> Drill:
    """Plan a drill of the customer's current emergency plan."""
    require(actor, "keyaccounts.manage")
    today = _today(now)
    day = _date_between(
        scheduled_for,
        field="scheduled_for",
        lo=today - dt.timedelta(days=366),
        hi=today + dt.timedelta(days=2 * 366),
        label=_("请填写计划日期"),
    )
    with transaction.atomic():
        locked = _locked(EmergencyPlan, actor, "keyaccounts.manage", plan, None)
        if not locked.active:
            raise ApplicationError(_("只能为现行预案安排演练"), field="plan", code="retired", status=409)
        drill = Drill.objects.create(plan=locked, scheduled_for=day)
        audit_record(
            actor=actor,
            action="keyaccount.drill_schedule",
            obj=drill,
            changes={"scheduled_for": day.isoformat()},
            unit_path=locked.customer.station.path,
        )
    return drill


def drill_record(
    *,
    actor,
    drill: Drill | int,
    held_on: dt.date,
    result: str,
    participants: str = "",
    notes: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Drill:
    """Record a scheduled drill as held: the day, who took part, the result, notes."""
    require(actor, "keyaccounts.manage")
    if result not in DrillResult.values:
        raise ApplicationError(_("请选择演练结果"), field="result", code="required")
    participants = _text(participants, field="participants", required=True, label=_("请填写参加人员"))
    notes = _text(notes, field="notes")
    today = _today(now)
    with transaction.atomic():
        locked = _locked(Drill, actor, "keyaccounts.manage", drill, expected_version)
        if locked.status != DrillStatus.SCHEDULED:
            raise ApplicationError(
                _("只能记录已计划的演练"), field="status", code="invalid_transition", status=409
            )
        held = _date_between(
            held_on,
            field="held_on",
            lo=today - dt.timedelta(days=2 * 366),
            hi=today,
            label=_("请填写演练日期"),
        )
        locked.status = DrillStatus.DONE
        locked.held_on = held
        locked.result = result
        locked.participants = participants
        locked.notes = notes
        _bump(locked, ["status", "held_on", "result", "participants", "notes"])
        audit_record(
            actor=actor,
            action="keyaccount.drill_record",
            obj=locked,
            changes={
                "status": [DrillStatus.SCHEDULED, DrillStatus.DONE],
                "held_on": held.isoformat(),
                "result": result,
            },
            unit_path=locked.plan.customer.station.path,
        )
    return locked


def drill_cancel(*, actor, drill: Drill | int, expected_version: int | None = None) -> Drill:
    require(actor, "keyaccounts.manage")
    with transaction.atomic():
        locked = _locked(Drill, actor, "keyaccounts.manage", drill, expected_version)
        if locked.status != DrillStatus.SCHEDULED:
            raise ApplicationError(
                _("只能取消已计划的演练"), field="status", code="invalid_transition", status=409
            )
        locked.status = DrillStatus.CANCELLED
        _bump(locked, ["status"])
        audit_record(
            actor=actor,
            action="keyaccount.drill_cancel",
            obj=locked,
            changes={"status": [DrillStatus.SCHEDULED, DrillStatus.CANCELLED]},
            unit_path=locked.plan.customer.station.path,
        )
    return locked


# ------------------------------------------------------------------------ plan warnings


def plans_warn(*, now: dt.datetime | None = None) -> dict:
    """The periodic job: each current plan whose review date is within the warning days
    (expiring) or past (expired) is warned once per state and review date — its customer's
    manager told in-app. Idempotent: the warning row is unique per plan, review date and
    state, and written before anyone is told, in one transaction per plan."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=expiring_days())
    plans = (
        EmergencyPlan.objects.filter(active=True, review_date__lte=horizon)
        .select_related("customer")
        .order_by("pk")
    )
    seen = set(PlanWarning.objects.filter(plan__in=plans).values_list("plan_id", "review_date", "kind"))
    warned = told = 0
    for plan in plans:
        kind = PlanWarningKind.EXPIRED if plan.review_date < today else PlanWarningKind.EXPIRING
        if (plan.pk, plan.review_date, kind) in seen:
            continue
        try:
            with transaction.atomic():
                row = PlanWarning.objects.create(plan=plan, review_date=plan.review_date, kind=kind, at=now)
                manager = responsible_manager(plan.customer)
                code = (
                    "keyaccounts.plan_expired"
                    if kind == PlanWarningKind.EXPIRED
                    else "keyaccounts.plan_expiring"
                )
                n = notification_create_many(
                    recipients=[manager.pk] if manager is not None else [],
                    kind=NotificationKind.CARE_REMINDER,
                    text=msg(
                        code, customer=plan.customer.name, no=plan.customer.customer_no, date=plan.review_date
                    ),
                    now=now,
                )
                if n:
                    row.notified = n
                    row.save(update_fields=["notified"])
        except IntegrityError:  # another worker warned it first
            continue
        warned += 1
        told += n
    return {"warned": warned, "notified": told}
