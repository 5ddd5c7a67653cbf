"""Writing the hall queue: take a number, call the next one at a counter (race-free: one
ticket to one counter however many call at once), recall, start serving, finish, no-show,
transfer to another type or counter, link the work order taken for it, the customer's
rating, and closing/reopening a hall. Keyword-only, atomic, permission checked, rows
locked, transitions validated against ``choices.TRANSITIONS``, every state change timed in
``TicketEvent``; hall closures and ratings audited (ticket moves are too many for the
audit log: ``TicketEvent`` is their record)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.intake import customer_terms
from gridcare.core.scoping import is_visible

from .choices import ACTIVE, TRANSITIONS, PriorityClass, TicketEventKind, TicketStatus
from .models import (
    Counter,
    CounterRating,
    Hall,
    HallSetting,
    ServiceType,
    Ticket,
    TicketEvent,
    TicketSequence,
)

S = TicketStatus
CALL_ATTEMPTS = 8  # candidates tried when other counters take them first


# ----------------------------------------------------------------------- pure helpers


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def hall_is_open(hall: Hall, at: dt.datetime) -> bool:
    """Whether ``hall`` takes numbers at ``at`` (active, not closed now, within the day's hours)."""
    if not hall.active or hall.closed_now:
        return False
    local = timezone.localtime(at)
    hours = hall.hours_on(local.date())
    return hours is not None and hours[0] <= local.time() < hours[1]


def priority_lead(priority: str, settings: dict[str, int] | None = None) -> dt.timedelta:
    """How far ahead a class queues (the admin-edited rule)."""
    settings = settings or HallSetting.all_values()
    minutes = {
        PriorityClass.VIP: settings[HallSetting.VIP_LEAD],
        PriorityClass.CARE: settings[HallSetting.CARE_LEAD],
    }.get(priority, 0)
    return dt.timedelta(minutes=minutes)


def priority_for(customer, declared_care: bool) -> tuple[str, str]:
    """The priority class of a new ticket and why: care's hall priority for the customer
    (VIP, high credit — asked through ``core.intake`` without importing care), else the
    elderly/disabled declaration, else normal."""
    if customer is not None and customer_terms(customer, purpose="hall").get("hall_priority"):
        return PriorityClass.VIP, _("客户享有营业厅优先办理")
    if declared_care:
        return PriorityClass.CARE, _("老年人/残障人士")
    return PriorityClass.NORMAL, ""


def _event(ticket: Ticket, kind: str, at: dt.datetime, actor=None, counter=None, note: str = "") -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        counter=counter,
        note=note[:200],
    )


def _next_number(hall: Hall, day: dt.date, prefix: str) -> str:
    """The next number of ``prefix`` in ``hall`` on ``day`` (the sequence row stays locked
    until the caller's transaction ends, so two kiosks never print the same number)."""
    for _attempt in range(3):
        if TicketSequence.objects.filter(hall=hall, day=day, prefix=prefix).update(value=F("value") + 1):
            break
        try:
            with transaction.atomic():
                TicketSequence.objects.create(hall=hall, day=day, prefix=prefix, value=1)
            break
        except IntegrityError:
            continue
    value = TicketSequence.objects.filter(hall=hall, day=day, prefix=prefix).values_list("value", flat=True)[
        0
    ]
    return f"{prefix}{value:03d}"


def _check_transition(ticket: Ticket, target: str) -> None:
    if target not in TRANSITIONS[ticket.status]:
        raise ApplicationError(
            _("%(no)s 处于“%(status)s”状态，不能变为“%(target)s”")
            % {
                "no": ticket.number,
                "status": ticket.get_status_display(),
                "target": TicketStatus(target).label,
            },
            field="status",
            code="invalid_transition",
            status=409,
        )


def _counter_for(actor, counter: Counter | int, perm: str, *, lock: bool = False) -> Counter:
    pk = counter.pk if isinstance(counter, Counter) else counter
    qs = Counter.objects.select_related("hall")
    if lock:
        qs = (
            qs.select_for_update(of=("self",))
            if connection.features.has_select_for_update_of
            else qs.select_for_update()
        )
    found = qs.filter(pk=pk).first()
    if found is None or not is_visible(actor, found.hall):
        raise ApplicationError(_("窗口不存在"), field="counter", code="not_found", status=404)
    if not found.active or not found.hall.active:
        raise ApplicationError(_("窗口未启用"), field="counter", code="inactive", status=409)
    require(actor, perm, found.hall)
    return found


def _lock_ticket(actor, ticket: Ticket | int, perm: str, expected_version: int | None = None) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    locked = Ticket.objects.select_for_update().filter(pk=pk).first()
    if locked is None or not is_visible(actor, locked):
        raise ApplicationError(_("排队号不存在"), field="ticket", code="not_found", status=404)
    require(actor, perm, locked)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("排队号已被他人处理，请刷新后重试"))
    return locked


def _save(ticket: Ticket, fields: list[str]) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version"])


# ------------------------------------------------------------------------- services


def ticket_take(
    *,
    actor,
    hall: Hall | int,
    service_type: ServiceType | str,
    customer=None,
    declared_care: bool = False,
    now: dt.datetime | None = None,
    _settings: dict[str, int] | None = None,
) -> Ticket:
    """Take a number for ``service_type`` in ``hall`` (kiosk or counter): refused while the
    hall is closed. The priority class comes from care's hall priority for the customer,
    else the elderly/disabled declaration; it queues that many minutes ahead (frozen now)."""
    require(actor, "hall.issue_ticket")
    now = _now(now)
    hall_obj = (
        Hall.objects.select_related("unit").filter(pk=hall.pk if isinstance(hall, Hall) else hall).first()
    )
    if hall_obj is None or not is_visible(actor, hall_obj):
        raise ApplicationError(_("营业厅不存在"), field="hall", code="not_found", status=404)
    if not hall_is_open(hall_obj, now):
        raise ApplicationError(
            _("%(hall)s 当前不在营业时间，不能取号") % {"hall": hall_obj.name},
            field="hall",
            code="closed",
            status=409,
        )
    if isinstance(service_type, str):
        stype = ServiceType.objects.filter(code=service_type, active=True).first()
    else:
        stype = service_type if service_type is not None and service_type.active else None
    if stype is None:
        raise ApplicationError(_("请选择业务类型"), field="service_type", code="required")
    if customer is not None and not is_visible(actor, customer):
        raise ApplicationError(_("户号不存在"), field="customer", code="not_found")
    priority, reason = priority_for(customer, declared_care)
    settings = _settings or HallSetting.all_values()
    day = timezone.localdate(now)
    with transaction.atomic():
        ticket = Ticket(
            hall=hall_obj,
            unit_path=hall_obj.unit_path,
            service_type=stype,
            day=day,
            number=_next_number(hall_obj, day, stype.prefix),
            customer=customer,
            priority=priority,
            priority_reason=reason,
            issued_at=now,
            rank_at=now - priority_lead(priority, settings),
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        ticket.save()
        _event(ticket, TicketEventKind.ISSUED, now, actor)
    return ticket


def _eligible(counter: Counter) -> Q:
    codes = counter.codes
    served = Q(service_type__code__in=codes) if codes else Q()
    return (Q(target_counter__isnull=True) & served) | Q(target_counter=counter)


def ticket_call_next(*, actor, counter: Counter | int, now: dt.datetime | None = None) -> Ticket | None:
    """Call the next waiting ticket to ``counter`` (the order of ``selectors.queue_order``:
    a ticket waiting past the longest wait first, else the earliest ``rank_at``). None when
    nobody waits. Refused while the counter still has a ticket called or being served.

    One ticket goes to one counter however many call at once: the counter row is locked
    (one call per counter at a time), the candidate is read with ``SKIP LOCKED`` on
    PostgreSQL (others' candidates are skipped) and taken by a conditional UPDATE
    (``status='waiting'``) whose row count is checked on every database."""
    from .selectors import next_candidates

    now = _now(now)
    with transaction.atomic():
        locked_counter = _counter_for(actor, counter, "hall.serve", lock=True)
        if Ticket.objects.filter(counter=locked_counter, status__in=ACTIVE).exists():
            raise ApplicationError(
                _("本窗口还有未办结的号，请先办结或过号"), field="counter", code="busy", status=409
            )
        max_wait = HallSetting.get(HallSetting.MAX_WAIT)
        skip = connection.features.has_select_for_update_skip_locked
        tried: set[int] = set()
        for _attempt in range(CALL_ATTEMPTS):
            qs = next_candidates(locked_counter, now=now, max_wait_minutes=max_wait).exclude(pk__in=tried)
            if skip:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            pk = qs.values_list("pk", flat=True).first()
            if pk is None:
                return None
            tried.add(pk)
            taken = Ticket.objects.filter(pk=pk, status=S.WAITING).update(
                status=S.CALLED,
                called_at=now,
                counter=locked_counter,
                called_by=actor if getattr(actor, "pk", None) else None,
                version=F("version") + 1,
            )
            if taken:
                ticket = Ticket.objects.select_related("service_type", "customer", "hall").get(pk=pk)
                _event(ticket, TicketEventKind.CALLED, now, actor, locked_counter)
                return ticket
    return None


def _act(
    *,
    actor,
    ticket: Ticket | int,
    target: str,
    kind: str,
    stamp: str | None,
    now: dt.datetime | None,
    expected_version: int | None,
    note: str = "",
) -> Ticket:
    now = _now(now)
    with transaction.atomic():
        locked = _lock_ticket(actor, ticket, "hall.serve", expected_version)
        _check_transition(locked, target)
        fields = ["status"]
        locked.status = target
        if stamp:
            setattr(locked, stamp, now)
            fields.append(stamp)
        if kind == TicketEventKind.RECALLED:
            locked.recalls += 1
            fields.append("recalls")
        _save(locked, fields)
        _event(locked, kind, now, actor, locked.counter, note)
    return locked


def ticket_recall(*, actor, ticket: Ticket | int, now=None, expected_version: int | None = None) -> Ticket:
    """Call the same number again (the customer did not come up yet)."""
    return _act(
        actor=actor,
        ticket=ticket,
        target=S.CALLED,
        kind=TicketEventKind.RECALLED,
        stamp=None,
        now=now,
        expected_version=expected_version,
    )


def ticket_serve(*, actor, ticket: Ticket | int, now=None, expected_version: int | None = None) -> Ticket:
    """The customer is at the counter: service starts (its time runs from here)."""
    return _act(
        actor=actor,
        ticket=ticket,
        target=S.SERVING,
        kind=TicketEventKind.SERVING,
        stamp="serving_at",
        now=now,
        expected_version=expected_version,
    )


def ticket_finish(*, actor, ticket: Ticket | int, now=None, expected_version: int | None = None) -> Ticket:
    """Service done; the counter tablet then asks the customer to rate it."""
    return _act(
        actor=actor,
        ticket=ticket,
        target=S.DONE,
        kind=TicketEventKind.DONE,
        stamp="finished_at",
        now=now,
        expected_version=expected_version,
    )


def ticket_no_show(*, actor, ticket: Ticket | int, now=None, expected_version: int | None = None) -> Ticket:
    """Called, but the customer did not come: the number lapses (its wait still counts)."""
    return _act(
        actor=actor,
        ticket=ticket,
        target=S.NO_SHOW,
        kind=TicketEventKind.NO_SHOW,
        stamp="finished_at",
        now=now,
        expected_version=expected_version,
    )


def ticket_transfer(
    *,
    actor,
    ticket: Ticket | int,
    service_type: ServiceType | str | None = None,
    to_counter: Counter | int | None = None,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Send the customer being served to another service type and/or counter: this ticket
    ends as transferred and a new number (of the new type's letter) queues in its place —
    the customer keeps their place (``rank_at`` carried over). Returns the new ticket."""
    now = _now(now)
    if service_type is None and to_counter is None:
        raise ApplicationError(_("请选择转办的业务类型或窗口"), field="service_type", code="required")
    with transaction.atomic():
        locked = _lock_ticket(actor, ticket, "hall.serve", expected_version)
        _check_transition(locked, S.TRANSFERRED)
        stype = locked.service_type
        if service_type is not None:
            stype = (
                ServiceType.objects.filter(code=service_type, active=True).first()
                if isinstance(service_type, str)
                else service_type
            )
            if stype is None:
                raise ApplicationError(_("未知的业务类型"), field="service_type", code="invalid")
        target = None
        if to_counter is not None:
            target_pk = to_counter.pk if isinstance(to_counter, Counter) else to_counter
            target = Counter.objects.filter(pk=target_pk, hall_id=locked.hall_id, active=True).first()
            if target is None:
                raise ApplicationError(_("转办窗口须为本厅启用的窗口"), field="to_counter", code="invalid")
            if target.pk == locked.counter_id:
                raise ApplicationError(_("不能转给本窗口"), field="to_counter", code="same")
        elif stype.pk == locked.service_type_id:
            raise ApplicationError(_("请选择不同的业务类型"), field="service_type", code="same")
        locked.status = S.TRANSFERRED
        locked.finished_at = now
        _save(locked, ["status", "finished_at"])
        new = Ticket.objects.create(
            hall_id=locked.hall_id,
            unit_path=locked.unit_path,
            service_type=stype,
            day=locked.day,
            number=_next_number(locked.hall, locked.day, stype.prefix),
            customer_id=locked.customer_id,
            priority=locked.priority,
            priority_reason=locked.priority_reason,
            issued_at=now,
            rank_at=locked.rank_at,
            issued_by=actor,
            target_counter=target,
            transferred_from=locked,
        )
        note = _("转至 %(no)s") % {"no": new.number}
        _event(locked, TicketEventKind.TRANSFERRED, now, actor, locked.counter, note)
        _event(new, TicketEventKind.ISSUED, now, actor, None, _("由 %(no)s 转办") % {"no": locked.number})
    return new


def ticket_link_work_order(*, actor, ticket: Ticket | int, order) -> Ticket:
    """Record the work order taken at the counter for this ticket (intake's hook)."""
    with transaction.atomic():
        locked = _lock_ticket(actor, ticket, "hall.serve")
        if locked.work_order_id is not None:
            return locked
        locked.work_order = order
        _save(locked, ["work_order"])
        _event(locked, TicketEventKind.LINKED, timezone.now(), actor, locked.counter, order.order_no)
    return locked


def ticket_rate(
    *,
    actor,
    ticket: Ticket | int,
    score: int,
    comment: str = "",
    now: dt.datetime | None = None,
) -> CounterRating:
    """The customer rates the service on the counter tablet (1–5), once per ticket, within
    the setting's minutes after it was done."""
    now = _now(now)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ApplicationError(_("评分须为 1～5 分"), field="score", code="out_of_range")
    comment = (comment or "").strip()
    if len(comment) > 200:
        raise ApplicationError(_("意见最多 200 字"), field="comment", code="too_long")
    with transaction.atomic():
        locked = _lock_ticket(actor, ticket, "hall.rate")
        if locked.status != S.DONE:
            raise ApplicationError(_("只能评价已办结的号"), field="ticket", code="not_done", status=409)
        window = dt.timedelta(minutes=HallSetting.get(HallSetting.RATING_WINDOW))
        if locked.finished_at is None or now - locked.finished_at > window:
            raise ApplicationError(_("已超过评价时限"), field="ticket", code="too_late", status=409)
        if CounterRating.objects.filter(ticket=locked).exists():
            raise ApplicationError(_("该号已评价"), field="ticket", code="already_rated", status=409)
        rating = CounterRating.objects.create(
            ticket=locked,
            clerk_id=locked.called_by_id,
            counter_id=locked.counter_id,
            hall_id=locked.hall_id,
            unit_path=locked.unit_path,
            score=score,
            comment=comment,
            rated_at=now,
        )
        audit_record(
            actor=actor,
            action="hall.rate",
            obj=locked,
            changes={"score": score, "comment": comment},
            unit_path=locked.unit_path,
        )
    return rating


def hall_set_closed(*, actor, hall: Hall | int, closed: bool, note: str = "") -> Hall:
    """Close the hall now (an unplanned closure: no more numbers taken) or reopen it."""
    note = (note or "").strip()
    if len(note) > 200:
        raise ApplicationError(_("闭厅说明最多 200 字"), field="note", code="too_long")
    with transaction.atomic():
        pk = hall.pk if isinstance(hall, Hall) else hall
        locked = Hall.objects.select_for_update().filter(pk=pk).first()
        if locked is None or not is_visible(actor, locked):
            raise ApplicationError(_("营业厅不存在"), field="hall", code="not_found", status=404)
        require(actor, "hall.manage", locked)
        before = locked.closed_now
        locked.closed_now = bool(closed)
        locked.closed_note = note if closed else ""
        locked.save(update_fields=["closed_now", "closed_note", "updated_at"])
        audit_record(
            actor=actor,
            action="hall.close" if closed else "hall.reopen",
            obj=locked,
            changes={"closed_now": [before, locked.closed_now], "note": note},
            unit_path=locked.unit_path,
        )
    return locked


def tickets_close_day(*, now: dt.datetime | None = None, limit: int = 5000) -> dict:
    """The day-end job: every ticket still open after its hall's day ended (the day's
    closing hour passed, or the ticket is from an earlier day) is closed by the system as
    ``choices.END_OF_DAY`` says, timed at the closing hour (or now, if the hall had no
    hours that day), with an event of no actor. Row-locked and conditional: a clerk who
    acts on the ticket at the same moment wins, and a rerun closes nothing twice."""
    from .choices import END_OF_DAY

    now = _now(now)
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    closed = {target: 0 for target in set(END_OF_DAY.values())}
    open_rows = (
        Ticket.objects.filter(status__in=list(END_OF_DAY), day__lte=today)
        .select_related("hall")
        .order_by("day", "id")[:limit]
    )
    for ticket in open_rows:
        hours = ticket.hall.hours_on(ticket.day)
        end = dt.datetime.combine(ticket.day, hours[1], tzinfo=tz) if hours else None
        if ticket.day == today and (end is None or now < end):
            continue  # the hall's day is not over yet (or it has no hours today: leave it)
        at = min(end, now) if end is not None else now
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().filter(pk=ticket.pk, status=ticket.status).first()
            if locked is None:
                continue
            target = END_OF_DAY[locked.status]
            locked.status = target
            locked.finished_at = max(at, locked.serving_at or locked.called_at or locked.issued_at)
            _save(locked, ["status", "finished_at"])
            _event(
                locked,
                TicketEventKind.DONE if target == S.DONE else TicketEventKind.NO_SHOW,
                locked.finished_at,
                None,
                locked.counter,
                "",
            )
            closed[target] += 1
    return {"no_show": closed.get(S.NO_SHOW, 0), "done": closed.get(S.DONE, 0)}
