"""Writing business applications: accept (the plan copied into the application's stages),
receive a stage's documents, complete the current stage (only the current one, only with
its documents), pause for the customer and resume (the clock moves by the working days
paused), terminate with a reason, book the home visit of a remote application, and the
accepting clerk's answer to a stalled or terminated process (流程跟踪责任制).

Keyword-only, atomic, permission checked, row locked, transition validated against
``choices.TRANSITIONS``, audited; every stage change tells the customer (an SMS queued in
escalation's outbox, the timeline entry stored as a message code).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import can, has_perm, require, role_of
from gridcare.core.calendar import add_working_days, local_tz, working_days_between
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import NAME_MAX, TEXT_MAX, check_length
from gridcare.core.messages import Message, msg, render
from gridcare.core.scoping import is_visible
from gridcare.core.uploads import DOCUMENTS, check_document
from gridcare.org.choices import Role
from gridcare.org.models import OrgUnit

from .choices import (
    REMOTE_CHANNELS,
    TRANSITIONS,
    ApplicationStatus,
    ApplicationSubtype,
    Channel,
    CustomerCategory,
    FollowUpKind,
    StageStatus,
    TimeWindow,
    Variant,
)
from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationPause,
    ApplicationSetting,
    ApplicationStage,
    ProcessFollowUp,
    StagePlan,
    application_setting,
)

S = ApplicationStatus
SIGNATURE = "【供电公司】"
PHONE_RE = re.compile(r"^[0-9+\-]{7,20}$")
HOME_VISIT_MAX_DAYS = 30
# Roles that may complete any stage, whoever owns it.
STAGE_OVERRIDE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


# ----------------------------------------------------------------------- pure helpers


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _text(value, *, field: str, required: bool, max_length: int = TEXT_MAX, label=None) -> str:
    value = (value or "").strip()
    check_length(value, field=field, max_length=max_length)
    if required and not value:
        raise ApplicationError(label or _("请填写内容"), field=field, code="required")
    return value


def _choice(value, choices, *, field: str, label) -> str:
    if value not in choices.values:
        raise ApplicationError(label, field=field, code="invalid")
    return value


def local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at, local_tz()).date()


def paused_working_days(start: dt.datetime, end: dt.datetime) -> int:
    """Working days a pause covers: those in (start's day, end's day] — a pause ended the
    day it began covers none; one from the eve of a holiday to the first working day after
    it covers exactly that working day."""
    return working_days_between(local_date(start), local_date(end))


def stage_due(stage: ApplicationStage) -> dt.datetime | None:
    """A stage's deadline: its limit in working days from its start, plus the working days
    it was paused."""
    if stage.started_at is None:
        return None
    return add_working_days(stage.started_at, stage.limit_days + stage.paused_days)


def overall_due(app: Application) -> dt.datetime:
    """The application's deadline: the plan's overall limit from acceptance, plus the
    working days paused."""
    return add_working_days(app.accepted_at, app.overall_limit_days + app.paused_days)


def stage_working_days(stage: ApplicationStage, end: dt.datetime) -> int:
    """How long a stage took, in working days, its pauses left out."""
    return max(0, working_days_between(local_date(stage.started_at), local_date(end)) - stage.paused_days)


def plan_for(kind: str, category: str, variant: str) -> StagePlan:
    """The active plan of (kind, category, variant) with at least one step; an application
    kind without one is refused (bad input)."""
    plan = (
        StagePlan.objects.filter(kind=kind, category=category, variant=variant, active=True)
        .prefetch_related("steps")
        .first()
    )
    if plan is None or not plan.steps.all():
        raise ApplicationError(
            _("“%(kind)s / %(category)s / %(variant)s”没有启用的流程方案，不能受理，请联系管理员配置")
            % {
                "kind": ApplicationSubtype(kind).label,
                "category": CustomerCategory(category).label,
                "variant": Variant(variant).label,
            },
            field="kind",
            code="no_plan",
        )
    return plan


def owner_unit_for(unit: OrgUnit, kind: str) -> OrgUnit | None:
    """The unit of ``kind`` answering for a stage of an application of ``unit``: the unit
    itself or the one above it of that level; for a level below it (a team), its first
    team; empty when the chain has none."""
    if not kind:
        return unit
    if unit.kind == kind:
        return unit
    prefixes = []
    parts = [p for p in unit.path.strip("/").split("/") if p]
    for i in range(1, len(parts)):
        prefixes.append("/" + "/".join(parts[:i]) + "/")
    above = OrgUnit.objects.filter(path__in=prefixes, kind=kind).order_by("-path").first()
    if above is not None:
        return above
    return OrgUnit.objects.filter(path__startswith=unit.path, kind=kind).order_by("path").first()


def stage_actor_fits(user, stage: ApplicationStage) -> bool:
    """Whether ``user`` may complete ``stage``: its owner role (when the plan names one),
    or a supervisor or an administrator."""
    role = role_of(user)
    return not stage.owner_role or role == stage.owner_role or role in STAGE_OVERRIDE_ROLES


def is_stalled(app: Application, now: dt.datetime) -> bool:
    """Stalled: in progress (not waiting on the customer, not closed) with no stage
    movement for the setting's working days. ``selectors.stalled_q`` is the same rule in SQL."""
    from .selectors import stall_cutoff

    return app.status == S.IN_PROGRESS and app.last_moved_at < stall_cutoff(now)


def _notice_text(message: Message) -> str:
    with translation.override("zh-hans"):
        return SIGNATURE + render(message.code, message.params)


def _event(
    app: Application, actor, message: Message, at: dt.datetime, *, notify: bool = True
) -> ApplicationEvent:
    """The timeline entry, and the customer told (an SMS in escalation's outbox, once per entry)."""
    from gridcare.escalation.choices import OutboundChannel
    from gridcare.escalation.services.notifications import outbound_enqueue

    phone = app.applicant_phone if notify else ""
    event = ApplicationEvent.objects.create(
        application=app,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        message=message.as_json(),
        notified=bool(phone),
    )
    if phone:
        outbound_enqueue(
            channel=OutboundChannel.SMS,
            recipient=phone,
            body=_notice_text(message),
            key=f"application:{app.pk}:{event.pk}",
        )
    return event


def _lock(actor, perm: str, application, expected_version: int | None) -> Application:
    pk = application.pk if isinstance(application, Application) else application
    locked = Application.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise ApplicationError(_("业务申请不存在"), field="application", code="not_found", status=404)
    require(actor, perm, locked)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("业务申请已被他人修改，请刷新后重试"))
    return locked


def _check_transition(app: Application, target: str) -> None:
    if target not in TRANSITIONS[app.status]:
        raise ApplicationError(
            _("业务申请处于“%(status)s”状态，不能变为“%(target)s”")
            % {"status": app.get_status_display(), "target": ApplicationStatus(target).label},
            field="status",
            code="invalid_transition",
            status=409,
        )


def _save(app: Application, fields: list[str]) -> None:
    app.version += 1
    app.save(update_fields=[*fields, "version", "updated_at"])


def _record_stall(app: Application, now: dt.datetime) -> None:
    """Before a stalled process moves (or ends), its stall is recorded as a follow-up, so
    moving it does not make it disappear unanswered."""
    if is_stalled(app, now):
        ProcessFollowUp.objects.get_or_create(
            application=app,
            kind=FollowUpKind.STALLED,
            since=app.last_moved_at,
            defaults={"clerk_id": app.accepted_by_id, "unit_path": app.unit_path, "opened_at": now},
        )


def _start(stage: ApplicationStage, at: dt.datetime) -> None:
    stage.status = StageStatus.ACTIVE
    stage.started_at = at
    stage.paused_days = 0
    stage.due_at = stage_due(stage)
    stage.save(update_fields=["status", "started_at", "paused_days", "due_at"])


# ------------------------------------------------------------------------- services


def application_accept(
    *,
    actor,
    kind: str,
    channel: str,
    category: str = "",
    variant: str = Variant.STANDARD,
    customer=None,
    applicant_name: str = "",
    applicant_phone: str = "",
    applicant_address: str = "",
    unit: OrgUnit | None = None,
    work_order=None,
    hall=None,
    ticket=None,
    now: dt.datetime | None = None,
) -> Application:
    """Accept an application from any channel (一口对外): the plan of its kind, category and
    variant is copied into its stages (a later plan edit does not touch it), the first
    stage starts, the overall deadline is set and the customer told. A customer is named
    by ``customer`` (category, unit and contact from its record) — or, for a new
    connection only, an applicant without a customer number (name, phone, address, unit).
    ``work_order``: the hotline's service-application order this application continues;
    ``ticket``: the hall ticket it was taken for (its hall recorded, the channel the counter)."""
    require(actor, "applications.accept")
    now = _now(now)
    kind = _choice(kind, ApplicationSubtype, field="kind", label=_("请选择业务类型"))
    channel = _choice(channel, Channel, field="channel", label=_("请选择受理渠道"))
    variant = _choice(variant or Variant.STANDARD, Variant, field="variant", label=_("办理方式无效"))
    if customer is not None:
        if not is_visible(actor, customer):
            raise ApplicationError(_("客户不存在或不在本单位范围内"), field="customer", code="out_of_scope")
        category = category or customer.category
        unit = customer.station
        applicant_name = applicant_name or customer.name
        applicant_phone = applicant_phone or customer.phone
        applicant_address = applicant_address or customer.address
    else:
        if kind != ApplicationSubtype.NEW_CONNECTION:
            raise ApplicationError(_("除新装外，须选择已有客户（户号）"), field="customer", code="required")
        if unit is None:
            raise ApplicationError(_("请选择办理单位"), field="unit", code="required")
        if not is_visible(actor, unit):
            raise ApplicationError(_("办理单位不在本单位范围内"), field="unit", code="out_of_scope")
    category = _choice(category, CustomerCategory, field="category", label=_("请选择用户类别"))
    applicant_name = _text(
        applicant_name, field="applicant_name", required=True, max_length=NAME_MAX, label=_("请填写申请人")
    )
    applicant_phone = _text(
        applicant_phone,
        field="applicant_phone",
        required=customer is None,
        max_length=20,
        label=_("请填写联系电话"),
    )
    if applicant_phone and not PHONE_RE.match(applicant_phone):
        raise ApplicationError(_("联系电话格式无效"), field="applicant_phone", code="invalid")
    applicant_address = _text(
        applicant_address,
        field="applicant_address",
        required=customer is None,
        max_length=200,
        label=_("请填写用电地址"),
    )
    if work_order is not None:
        if not is_visible(actor, work_order):
            raise ApplicationError(_("工单不存在或不在本单位范围内"), field="work_order", code="out_of_scope")
        if work_order.request_type != "service_application":
            raise ApplicationError(
                _("只有业务申请类工单可以转为分环节办理"), field="work_order", code="invalid"
            )
        if Application.objects.filter(work_order=work_order).exists():
            raise ApplicationError(
                _("该工单已转为业务申请"), field="work_order", code="duplicate", status=409
            )
    if hall is not None and not is_visible(actor, hall):
        raise ApplicationError(_("营业厅不在本单位范围内"), field="hall", code="out_of_scope")
    if ticket is not None:
        if not is_visible(actor, ticket):
            raise ApplicationError(_("取号不存在或不在本单位范围内"), field="ticket", code="out_of_scope")
        hall = ticket.hall
    plan = plan_for(kind, category, variant)
    steps = list(plan.steps.all())
    with transaction.atomic():
        app = Application(
            customer=customer,
            applicant_name=applicant_name,
            applicant_phone=applicant_phone,
            applicant_address=applicant_address,
            kind=kind,
            category=category,
            variant=variant,
            channel=channel,
            plan_name=plan.name,
            unit=unit,
            unit_path=unit.path,
            work_order=work_order,
            hall=hall,
            ticket=ticket,
            accepted_by=actor,
            accepted_at=now,
            overall_limit_days=plan.overall_limit_days,
            due_at=add_working_days(now, plan.overall_limit_days),
            last_moved_at=now,
        )
        if channel in REMOTE_CHANNELS:
            days = application_setting(ApplicationSetting.HOME_VISIT_WORKING_DAYS)
            app.home_visit_due_at = add_working_days(now, days)
        app.save()
        owners: dict[str, OrgUnit | None] = {}
        stages = []
        for step in steps:
            if step.owner_unit_kind not in owners:
                owners[step.owner_unit_kind] = owner_unit_for(unit, step.owner_unit_kind)
            stages.append(
                ApplicationStage(
                    application=app,
                    seq=step.seq,
                    code=step.code,
                    name=step.name,
                    limit_days=step.limit_days,
                    owner_role=step.owner_role,
                    owner_unit=owners[step.owner_unit_kind],
                    documents=step.document_list(),
                    optional=step.optional,
                )
            )
        ApplicationStage.objects.bulk_create(stages)
        first = ApplicationStage.objects.filter(application=app).order_by("seq").first()
        _start(first, now)
        app.current_stage = first
        app.save(update_fields=["current_stage"])
        _event(
            app,
            actor,
            msg(
                "applications.accepted",
                kind=kind,
                no=app.number,
                channel=channel,
                days=plan.overall_limit_days,
                stage=first.name,
            ),
            now,
        )
        audit_record(
            actor=actor,
            action="applications.accept",
            obj=app,
            changes={"status": S.IN_PROGRESS, "stage": first.name, "due_at": app.due_at.isoformat()},
            unit_path=app.unit_path,
        )
    return app


def application_document_receive(
    *,
    actor,
    application: Application | int,
    name: str,
    file_content: bytes | None = None,
    file_name: str = "",
    now: dt.datetime | None = None,
) -> ApplicationDocument:
    """Tick one document of the current stage's checklist as received, optionally with the
    scanned file (photo, PDF or Word, checked by content). Receiving it again replaces the
    file."""
    require(actor, "applications.work")
    name = (name or "").strip()
    kind = check_document(file_content, field="file", allowed=DOCUMENTS) if file_content else None
    now = _now(now)
    with transaction.atomic():
        app = _lock(actor, "applications.work", application, None)
        if not app.is_open or app.current_stage_id is None:
            raise ApplicationError(
                _("业务申请已结束，不能再收取资料"), field="status", code="closed", status=409
            )
        stage = ApplicationStage.objects.get(pk=app.current_stage_id)
        if name not in stage.documents:
            raise ApplicationError(_("当前环节不需要该资料"), field="name", code="invalid")
        doc = ApplicationDocument.objects.filter(stage=stage, name=name).first() or ApplicationDocument(
            application=app, stage=stage, name=name, token=secrets.token_hex(16)
        )
        doc.by = actor
        doc.at = now
        if kind is not None:
            if doc.file:
                doc.file.delete(save=False)
            doc.extension = kind.extension
            doc.content_type = kind.content_type
            doc.size = len(file_content)
            doc.filename = ((file_name or "").strip()[-200:]) or f"{name}.{kind.extension}"
            doc.file.save(f"{doc.token}.{kind.extension}", ContentFile(file_content), save=False)
        doc.save()
        _save(app, [])
        _event(app, actor, msg("applications.document", name=name, stage=stage.name), now, notify=False)
        audit_record(
            actor=actor,
            action="applications.document",
            obj=app,
            changes={"name": name},
            unit_path=app.unit_path,
        )
    return doc


def application_stage_complete(
    *,
    actor,
    application: Application | int,
    stage: int,
    note: str = "",
    skip: bool = False,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Complete the current stage (``stage``: its number in the sequence) — refused for any
    other stage (out of order), while waiting on the customer, by someone who does not own
    it, or with a required document missing. ``skip``: an optional stage that does not
    apply. The next stage starts now; after the last one the application is completed."""
    require(actor, "applications.work")
    note = _text(note, field="note", required=False, max_length=500)
    now = _now(now)
    with transaction.atomic():
        app = _lock(actor, "applications.work", application, expected_version)
        if app.status != S.IN_PROGRESS:
            if app.status == S.WAITING_CUSTOMER:
                raise ApplicationError(
                    _("申请正在等待客户，须先恢复计时"), field="status", code="paused", status=409
                )
            _check_transition(app, S.COMPLETED)
        current = ApplicationStage.objects.select_for_update().get(pk=app.current_stage_id)
        if current.seq != stage:
            raise ApplicationError(
                _("只能办理当前环节“%(name)s”，不能跳过或重复办理其他环节") % {"name": current.name},
                field="stage",
                code="out_of_order",
                status=409,
            )
        if not stage_actor_fits(actor, current):
            raise ApplicationError(
                _("该环节由“%(role)s”办理") % {"role": Role(current.owner_role).label},
                field="stage",
                code="not_owner",
                status=403,
            )
        if skip and not current.optional:
            raise ApplicationError(_("该环节不可跳过"), field="skip", code="not_optional")
        if not skip:
            received = set(ApplicationDocument.objects.filter(stage=current).values_list("name", flat=True))
            missing = [d for d in current.documents if d not in received]
            if missing:
                raise ApplicationError(
                    _("尚缺资料：%(docs)s") % {"docs": "、".join(missing)}, field="documents", code="missing"
                )
        _record_stall(app, now)
        current.status = StageStatus.SKIPPED if skip else StageStatus.DONE
        current.completed_at = now
        current.completed_by = actor
        current.working_days = stage_working_days(current, now)
        current.note = note
        current.save(update_fields=["status", "completed_at", "completed_by", "working_days", "note"])
        nxt = (
            ApplicationStage.objects.filter(application=app, seq__gt=current.seq, status=StageStatus.PENDING)
            .order_by("seq")
            .first()
        )
        app.last_moved_at = now
        if nxt is not None:
            _start(nxt, now)
            app.current_stage = nxt
            _save(app, ["current_stage", "last_moved_at"])
            code = "applications.stage_skipped" if skip else "applications.stage_done"
            message = msg(
                code,
                done=current.name,
                stage=nxt.name,
                no=app.number,
                due=f"{timezone.localtime(nxt.due_at):%Y-%m-%d}",
            )
            changes = {"stage": [current.name, nxt.name]}
        else:
            app.status = S.COMPLETED
            app.completed_at = now
            app.current_stage = None
            _save(app, ["status", "completed_at", "current_stage", "last_moved_at"])
            message = msg("applications.completed", no=app.number)
            changes = {"stage": [current.name, None], "status": [S.IN_PROGRESS, S.COMPLETED]}
        _event(app, actor, message, now)
        audit_record(
            actor=actor,
            action="applications.stage_complete",
            obj=app,
            changes=changes,
            unit_path=app.unit_path,
        )
    return app


def application_pause(
    *,
    actor,
    application: Application | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Stop the clock while waiting on the customer (a document to bring, the customer's
    own works to finish), with the reason; the customer is told what is awaited."""
    require(actor, "applications.work")
    reason = _text(reason, field="reason", required=True, max_length=500, label=_("请填写暂停原因"))
    now = _now(now)
    with transaction.atomic():
        app = _lock(actor, "applications.work", application, expected_version)
        _check_transition(app, S.WAITING_CUSTOMER)
        _record_stall(app, now)
        ApplicationPause.objects.create(
            application=app, stage_id=app.current_stage_id, reason=reason, started_at=now, started_by=actor
        )
        app.status = S.WAITING_CUSTOMER
        app.last_moved_at = now
        _save(app, ["status", "last_moved_at"])
        _event(app, actor, msg("applications.paused", no=app.number, reason=reason), now)
        audit_record(
            actor=actor,
            action="applications.pause",
            obj=app,
            changes={"status": [S.IN_PROGRESS, S.WAITING_CUSTOMER], "reason": reason},
            unit_path=app.unit_path,
        )
    return app


def application_resume(
    *,
    actor,
    application: Application | int,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """The customer has done their part: the clock runs again, and the stage's and the
    application's deadlines move by the working days the pause covered
    (``paused_working_days``)."""
    require(actor, "applications.work")
    now = _now(now)
    with transaction.atomic():
        app = _lock(actor, "applications.work", application, expected_version)
        _check_transition(app, S.IN_PROGRESS)
        _close_pause(app, now)
        old_due = app.due_at
        app.status = S.IN_PROGRESS
        app.last_moved_at = now
        _save(app, ["status", "last_moved_at", "paused_days", "due_at"])
        _event(
            app,
            actor,
            msg("applications.resumed", no=app.number, due=f"{timezone.localtime(app.due_at):%Y-%m-%d}"),
            now,
        )
        audit_record(
            actor=actor,
            action="applications.resume",
            obj=app,
            changes={
                "status": [S.WAITING_CUSTOMER, S.IN_PROGRESS],
                "due_at": [old_due.isoformat(), app.due_at.isoformat()],
            },
            unit_path=app.unit_path,
        )
    return app


def _close_pause(app: Application, now: dt.datetime) -> None:
    pause = (
        ApplicationPause.objects.select_for_update().filter(application=app, ended_at__isnull=True).first()
    )
    if pause is None:
        return
    days = paused_working_days(pause.started_at, now)
    pause.ended_at = now
    pause.working_days = days
    pause.save(update_fields=["ended_at", "working_days"])
    stage = ApplicationStage.objects.select_for_update().get(pk=pause.stage_id)
    if stage.status == StageStatus.ACTIVE:
        stage.paused_days += days
        stage.due_at = stage_due(stage)
        stage.save(update_fields=["paused_days", "due_at"])
    app.paused_days += days
    app.due_at = overall_due(app)


def application_terminate(
    *,
    actor,
    application: Application | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """End an application without completing it (the customer withdrew, the site cannot be
    supplied…), with the reason; the customer is told, and the accepting clerk must
    investigate and answer it (a terminated follow-up on their list until answered)."""
    require(actor, "applications.work")
    reason = _text(reason, field="reason", required=True, max_length=500, label=_("请填写终止原因"))
    now = _now(now)
    with transaction.atomic():
        app = _lock(actor, "applications.work", application, expected_version)
        _check_transition(app, S.TERMINATED)
        _record_stall(app, now)
        old = app.status
        _close_pause(app, now)
        ApplicationStage.objects.filter(
            application=app, status__in=[StageStatus.PENDING, StageStatus.ACTIVE]
        ).update(status=StageStatus.CANCELLED)
        app.status = S.TERMINATED
        app.terminated_at = now
        app.terminate_reason = reason
        app.current_stage = None
        app.last_moved_at = now
        _save(
            app,
            [
                "status",
                "terminated_at",
                "terminate_reason",
                "current_stage",
                "last_moved_at",
                "paused_days",
                "due_at",
            ],
        )
        ProcessFollowUp.objects.create(
            application=app,
            kind=FollowUpKind.TERMINATED,
            since=now,
            clerk_id=app.accepted_by_id,
            unit_path=app.unit_path,
            opened_at=now,
        )
        _event(app, actor, msg("applications.terminated", no=app.number, reason=reason), now)
        audit_record(
            actor=actor,
            action="applications.terminate",
            obj=app,
            changes={"status": [old, S.TERMINATED], "reason": reason},
            unit_path=app.unit_path,
        )
    return app


def _home_visit_check(date, window: str, now: dt.datetime) -> str:
    today = local_date(now)
    if not isinstance(date, dt.date):
        raise ApplicationError(_("请选择上门日期"), field="date", code="required")
    if date < today or date > today + dt.timedelta(days=HOME_VISIT_MAX_DAYS):
        raise ApplicationError(
            _("上门日期须在今天起 %(n)s 天内") % {"n": HOME_VISIT_MAX_DAYS}, field="date", code="out_of_range"
        )
    return _choice(window, TimeWindow, field="window", label=_("请选择上门时段"))


def _home_visit_set(
    app: Application, actor, date: dt.date, window: str, now: dt.datetime, *, by: str
) -> None:
    if not app.is_open:
        raise ApplicationError(_("业务申请已结束，不能预约上门"), field="status", code="closed", status=409)
    app.home_visit_date = date
    app.home_visit_window = window
    app.home_visit_booked_at = now
    _save(app, ["home_visit_date", "home_visit_window", "home_visit_booked_at"])
    _event(
        app, actor, msg("applications.home_visit", no=app.number, date=date.isoformat(), window=window), now
    )
    audit_record(
        actor=actor,
        action="applications.home_visit",
        obj=app,
        changes={"date": date.isoformat(), "window": window, "by": by},
        unit_path=app.unit_path,
    )


def home_visit_book(
    *,
    actor,
    application: Application | int,
    date: dt.date,
    window: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Book (or move) the home visit (上门服务) of an open application: a day from today on
    (at most 30 days ahead) and a time window; the customer gets both by SMS. A remote
    application must have one booked within the setting's working days of acceptance
    (``home_visit_due_at``; an unbooked one past it shows on the clerk's list)."""
    require(actor, "applications.accept")
    now = _now(now)
    window = _home_visit_check(date, window, now)
    with transaction.atomic():
        app = _lock(actor, "applications.accept", application, expected_version)
        _home_visit_set(app, actor, date, window, now, by="staff")
    return app


def home_visit_book_by_customer(
    *,
    customer,
    application: Application | int,
    date: dt.date,
    window: str,
    actor=None,
    now: dt.datetime | None = None,
) -> Application:
    """The customer books (or moves) the home visit of their own open application that
    needs one (accepted remotely: ``home_visit_due_at`` set) — from the customer portal,
    which has verified who they are; ``actor`` is the portal's service account, on the
    timeline and in the audit. Same days and windows as staff bookings; the customer gets
    the confirmation by SMS. Another customer's application is not found."""
    now = _now(now)
    window = _home_visit_check(date, window, now)
    pk = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        app = Application.objects.select_for_update().filter(pk=pk, customer=customer).first()
        if app is None:
            raise ApplicationError(_("业务申请不存在"), field="application", code="not_found", status=404)
        if app.home_visit_due_at is None:
            raise ApplicationError(
                _("该业务申请无需预约上门服务"), field="application", code="no_home_visit", status=409
            )
        _home_visit_set(app, actor, date, window, now, by="customer")
    return app


def may_answer(user, app: Application) -> bool:
    """The accepting clerk answers their own processes; supervisors (and admins) any in scope."""
    if not can(user, "applications.follow_up", app):
        return False
    return app.accepted_by_id == getattr(user, "pk", None) or has_perm(user, "applications.supervise")


def process_follow_up_record(
    *,
    actor,
    application: Application | int,
    reason: str,
    reply: str,
    now: dt.datetime | None = None,
) -> list[ProcessFollowUp]:
    """The investigation of a stalled or terminated process: why it stalled or ended, and
    what the customer was told. Answers every open follow-up of the application (a stall
    seen now but not yet recorded is recorded first); refused when nothing awaits an answer."""
    require(actor, "applications.follow_up")
    reason = _text(reason, field="reason", required=True, label=_("请填写原因"))
    reply = _text(reply, field="reply", required=True, label=_("请填写答复客户的内容"))
    now = _now(now)
    with transaction.atomic():
        app = _lock(actor, "applications.follow_up", application, None)
        if not may_answer(actor, app):
            raise ApplicationError(
                _("只有受理人或督办人员可以答复该流程"), field="application", code="not_clerk", status=403
            )
        _record_stall(app, now)
        open_rows = list(
            ProcessFollowUp.objects.select_for_update().filter(application=app, answered_at__isnull=True)
        )
        if not open_rows:
            raise ApplicationError(
                _("该流程没有待答复的停滞或终止记录"),
                field="application",
                code="nothing_to_answer",
                status=409,
            )
        for row in open_rows:
            row.reason = reason
            row.reply = reply
            row.answered_at = now
            row.answered_by = actor
            row.save(update_fields=["reason", "reply", "answered_at", "answered_by"])
        _save(app, [])
        kinds = sorted({r.kind for r in open_rows})
        _event(
            app,
            actor,
            msg("applications.follow_up", kind=kinds[-1], reply=reply),
            now,
            notify=False,
        )
        audit_record(
            actor=actor,
            action="applications.follow_up",
            obj=app,
            changes={"reason": reason, "reply": reply},
            unit_path=app.unit_path,
        )
    return open_rows


def stalls_mark(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Record every process stalled now as a follow-up for its clerk (idempotent: one per
    stall episode, so two workers or a rerun record nothing twice)."""
    from .selectors import stalled_q

    now = _now(now)
    recorded = ProcessFollowUp.objects.filter(
        application=OuterRef("pk"), kind=FollowUpKind.STALLED, since=OuterRef("last_moved_at")
    )
    rows = list(
        Application.objects.filter(stalled_q(now))
        .filter(~Exists(recorded))
        .values_list("pk", "last_moved_at", "accepted_by_id", "unit_path")[:limit]
    )
    made = ProcessFollowUp.objects.bulk_create(
        [
            ProcessFollowUp(
                application_id=pk,
                kind=FollowUpKind.STALLED,
                since=since,
                clerk_id=clerk,
                unit_path=path,
                opened_at=now,
            )
            for pk, since, clerk, path in rows
        ],
        ignore_conflicts=True,
    )
    _tell_stalled([pk for pk, *_ in rows] if made else [], now=now)
    return len(rows)


def _tell_stalled(ids: list[int], *, now: dt.datetime) -> None:
    """The accepting clerk learns in-app that a process they accepted has stalled (the
    follow-up waits on their list; the notification links to the application)."""
    from django.urls import reverse

    from gridcare.core.messages import msg
    from gridcare.escalation.choices import NotificationKind
    from gridcare.escalation.services.notifications import notification_create_many

    days = application_setting("stall_working_days")
    for app in Application.objects.filter(pk__in=ids, accepted_by__isnull=False).select_related(
        "current_stage"
    ):
        stage = app.current_stage.name if getattr(app, "current_stage", None) else ""
        notification_create_many(
            recipients=[app.accepted_by_id],
            kind=NotificationKind.WARNING,
            text=msg("applications.stalled_notice", no=app.number, stage=stage, days=days),
            url=reverse("applications:detail", args=[app.pk]),
            now=now,
        )
