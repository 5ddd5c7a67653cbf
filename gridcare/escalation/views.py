"""Pages: notifications, escalation board, callback worklist, recovery, dashboard, supervisors.

Views read through selectors and write only through services; an ``ApplicationError``
becomes a message on the page.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import has_perm, requires
from gridcare.core.calendar import local_tz
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import date_param, id_list_param, id_param
from gridcare.core.textutil import mask_phone
from gridcare.org.choices import UnitKind
from gridcare.org.selectors import units_visible_to
from gridcare.workorders import selectors as wo_selectors
from gridcare.workorders.choices import Dimension, RequestType, Status
from gridcare.workorders.models import WorkOrder

from . import selectors, services
from .choices import (
    CallbackKind,
    CallbackResult,
    CallbackStatus,
    CompensationKind,
    EscalationReason,
    FailureCause,
    FailureOrigin,
    FailureSource,
    RecoveryKind,
    UrgeChannel,
)


def _order(request, key) -> WorkOrder:
    try:
        return wo_selectors.work_order_get(request.user, key)
    except WorkOrder.DoesNotExist:
        raise Http404


def _back(request, default: str):
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else default)


def _try(request, fn, ok: str) -> bool:
    try:
        fn()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, ok)
    return True


# ------------------------------------------------------------------------ notifications


@requires("escalation.notifications")
def notifications(request):
    """The user's notifications; ``?digest=ID`` lists what one daily digest bundled."""
    digest_id = id_param(request.GET.get("digest"))
    if digest_id is not None:
        ctx = paginate(request, selectors.digest_items_for(request.user, digest_id))
        ctx["digest_id"] = digest_id
    else:
        qs = selectors.notifications_for(request.user, unread_only=request.GET.get("unread") == "1")
        ctx = paginate(request, qs)
        ctx["digest_id"] = None
    ctx["unread"] = selectors.unread_count(request.user)
    return render(request, "escalation/notifications.html", ctx)


@requires("escalation.notifications")
@require_POST
def notifications_read(request):
    """Mark notifications read: those named by ``id``, or every unread one with ``all=1``
    (the "全部标为已读" button). Ids that are no id are dropped; nothing named: nothing marked."""
    if request.POST.get("all") == "1":
        marked = services.notification_mark_read(actor=request.user, ids=None)
        messages.success(request, _("已将 %(n)d 条通知标为已读") % {"n": marked})
    else:
        ids = id_list_param(request.POST.getlist("id"))
        if ids:
            services.notification_mark_read(actor=request.user, ids=ids)
    return _back(request, "/escalation/notifications/")


# ------------------------------------------------------------------------------ board


@requires("escalation.view_board")
def board(request):
    """Supervisor's escalation board: escalations to their units, warnings, urges, repeats."""
    reason = request.GET.get("reason") or None
    open_only = request.GET.get("all") != "1"
    qs = selectors.escalations_for(request.user, open_only=open_only, reason=reason)
    ctx = paginate(request, qs)
    ctx.update(
        {
            "reasons": EscalationReason.choices,
            "reason": reason,
            "open_only": open_only,
            "warnings": selectors.warnings_for(request.user)[:20],
            "urges": selectors.urges_for(request.user)[:10],
            "repeats": selectors.repeats_for(request.user)[:10],
        }
    )
    return render(request, "escalation/board.html", ctx)


@requires("workorders.urge")
@require_POST
def urge(request, key):
    """Record a customer's urge (催办) on an order; the work-order page can post here."""
    order = _order(request, key)
    result = {}

    def run():
        result["urge"] = services.urge_record(
            actor=request.user,
            order=order,
            channel=request.POST.get("channel") or UrgeChannel.HOTLINE,
            words=request.POST.get("words") or request.POST.get("note", ""),
        )

    if _try(request, run, _("已记录催办")):
        follow_up = result["urge"].follow_up
        if follow_up is not None:
            messages.info(request, _("原工单已关闭，已新建工单 %(no)s") % {"no": follow_up.order_no})
            return redirect("workorders:detail", key=follow_up.order_no)
    return redirect("workorders:detail", key=order.order_no)


@requires("escalation.escalate_manual")
@require_POST
def order_escalate_manual(request, key):
    """人工提级: raise the order one unit up, with the reason typed in the panel's form."""
    order = _order(request, key)
    _try(
        request,
        lambda: services.order_escalate_by_hand(
            actor=request.user, order=order, reason=request.POST.get("reason", "")
        ),
        _("已提级督办"),
    )
    return redirect("workorders:detail", key=order.order_no)


@requires("workorders.view")
def order_panel(request, key):
    """HTMX fragment for the work-order page: urges, warnings, escalations, repeats, callbacks."""
    order = _order(request, key)
    return render(request, "escalation/_order_panel.html", _panel_context(request.user, order))


def _panel_context(user, order: WorkOrder) -> dict:
    from gridcare.core.authz import has_perm

    failure = selectors.failures_for(user).filter(order=order).first()
    return {
        "failure": failure,
        # Any order may carry a failure now (found by the monitor, an inspection, a callback…).
        "can_record_failure": failure is None and has_perm(user, "escalation.record_failure"),
        "order": order,
        "urges": order.urges.all()[:20],
        "warnings": order.sla_warnings.select_related("level")[:20],
        "escalations": order.escalations.select_related("from_unit", "to_unit")[:20],
        "repeat": getattr(order, "repeat_of", None) if hasattr(order, "repeat_of") else None,
        "callbacks": order.callback_tasks.all()[:10],
        "urge_channels": UrgeChannel.choices,
        # A closed order cannot be chased (the service refuses it): no form to offer.
        "can_urge": order.status not in (Status.ARCHIVED, Status.CANCELLED)
        and has_perm(user, "workorders.urge"),
        # 人工提级: only for who may, on an open order whose supervision is not at the top.
        "can_escalate": order.status not in (Status.ARCHIVED, Status.CANCELLED)
        and has_perm(user, "escalation.escalate_manual")
        and selectors.order_can_go_up(order),
    }


# -------------------------------------------------------------------------- callbacks


CALLBACKS_URL = "/escalation/callbacks/"
CALLBACK_FILTERS = ("q", "due", "request_type", "kind", "unit")
# What a call that reached the customer can end with (no answer is its own one-click button).
REACHED_CHOICES = [(v, label) for v, label in CallbackResult.choices if v != CallbackResult.UNREACHABLE]


def _list_url(query: str) -> str:
    """The workbench with ``query`` (a query string), without the open panel or the page."""
    params = QueryDict(query, mutable=True)
    params.pop("open", None)
    return CALLBACKS_URL + (f"?{params.urlencode()}" if params else "")


def _with_open(url: str, pk: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}open={pk}#cb-{pk}"


def _callback_panel_context(request, task, list_url: str) -> dict:
    """The call panel of one task: the customer's phone (masked, revealed on request), the
    order's story, the calls so far, "no answer" in one click and the reached outcome as an
    explicit choice."""
    from .models import EscalationSetting

    now = timezone.now()
    gap = dt.timedelta(minutes=EscalationSetting.get(EscalationSetting.CALLBACK_ATTEMPT_GAP_MINUTES))
    next_call_at = task.last_attempt_at + gap if task.last_attempt_at else None
    customer = task.order.customer
    customer_phone = customer.phone if customer is not None else ""
    return {
        "t": task,
        "story": selectors.callback_story(request.user, task),
        "list_url": list_url,
        "too_soon": next_call_at is not None and next_call_at > now,
        "next_call_at": next_call_at,
        "max_attempts": EscalationSetting.get(EscalationSetting.CALLBACK_MAX_ATTEMPTS),
        "reached": REACHED_CHOICES,
        "contact_masked": mask_phone(task.order.contact_phone),
        "customer_masked": mask_phone(customer_phone) if customer_phone != task.order.contact_phone else "",
        "can_reveal": has_perm(request.user, "escalation.reveal_callback_phone"),
    }


@requires("escalation.callbacks")
def callbacks(request):
    """The callback workbench (回访工作台): pending callbacks, nearest deadline first (each
    shows its task's own deadline, the order's callback clock); search by order number,
    customer number, phone or name; filters by deadline, type, kind and unit. "呼叫" opens
    a task's call panel in its row (htmx, or ``?open=<id>`` without script)."""
    from .filters import CallbackDue, CallbackTaskFilterSet

    data = {k: request.GET.get(k, "").strip() for k in CALLBACK_FILTERS if request.GET.get(k, "").strip()}
    if request.GET.get("overdue") == "1" and "due" not in data:  # the old "已超回访时限" link
        data["due"] = CallbackDue.OVERDUE
    worklist = selectors.callback_worklist(request.user).select_related("order__unit")
    fs = CallbackTaskFilterSet(data or None, queryset=worklist)
    status = 200
    if fs.is_bound and not fs.is_valid():  # a value no select offers: say which field
        status, qs = 400, worklist.none()
    else:
        qs = fs.qs if fs.is_bound else worklist
    ctx = paginate(request, qs)
    rows = list(ctx["page_obj"])
    list_url = _list_url(request.GET.urlencode())
    open_pk = id_param(request.GET.get("open"))
    for task in rows:
        task.panel = _callback_panel_context(request, task, list_url) if task.pk == open_pk else None
    units = units_visible_to(request.user).exclude(kind=UnitKind.TEAM).order_by("path")
    ctx.update(
        {
            "rows": rows,
            "filter": fs,
            "f": {k: data.get(k, "") for k in CALLBACK_FILTERS},
            "due_choices": CallbackDue.CHOICES,
            "request_types": RequestType.choices,
            "kinds": CallbackKind.choices,
            "units": units,
            "list_url": list_url,
            "now": timezone.now(),
        }
    )
    return render(request, "escalation/callbacks.html", ctx, status=status)


def _callback_task(request, pk):
    task = selectors.callback_tasks_for(request.user).select_related("order__unit").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


@requires("escalation.callbacks")
def callback_panel(request, pk):
    """HTMX: the call panel of one callback task, as the row under the task's own row."""
    task = _callback_task(request, pk)
    page = urlsplit(request.htmx.current_url or "") if request.htmx else None
    query = page.query if page is not None and page.path == CALLBACKS_URL else ""
    if request.GET.get("close") == "1":
        return render(request, "escalation/_callback_panel.html", {"t": task, "closed": True})
    return render(
        request, "escalation/_callback_panel.html", _callback_panel_context(request, task, _list_url(query))
    )


@requires("escalation.reveal_callback_phone")
@require_POST
def callback_reveal(request, pk):
    """HTMX: the numbers to call, in clear (audited by the service)."""
    task = _callback_task(request, pk)
    try:
        phones = services.callback_phone_reveal(
            actor=request.user, task=task, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        return render(request, "escalation/_callback_phone.html", {"error": exc.message}, status=exc.status)
    return render(request, "escalation/_callback_phone.html", {"t": task, "phones": phones})


@requires("escalation.callbacks")
@require_POST
def callback_record(request, pk):
    """Record one call: "未接通" (``outcome=unreachable``, one click) or the outcome the
    customer gave (an explicit choice: nothing is pre-selected). Back to the workbench,
    with the task's panel still open while it is pending."""
    task = _callback_task(request, pk)
    outcome = request.POST.get("outcome", "").strip()
    nxt = request.POST.get("next", "")
    back = _list_url(urlsplit(nxt).query) if nxt.startswith(CALLBACKS_URL) else CALLBACKS_URL
    if not outcome:
        messages.error(request, _("请选择回访结果"))
        return redirect(_with_open(back, task.pk))
    try:
        task = services.callback_record(
            actor=request.user, task=task, outcome=outcome, words=request.POST.get("words", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_with_open(back, task.pk))
    if task.status == CallbackStatus.PENDING:  # no answer, tries left
        messages.success(
            request,
            _("已记录未接通（第 %(n)s 次，最多 %(max)s 次），请稍后再拨")
            % {"n": task.attempts, "max": _max_attempts()},
        )
        return redirect(_with_open(back, task.pk))
    if task.result == CallbackResult.UNREACHABLE:
        messages.success(request, _("已拨打 %(n)s 次均未接通，回访结束：联系不上") % {"n": task.attempts})
    else:
        messages.success(
            request, _("已记录回访结果：%(result)s") % {"result": CallbackResult(task.result).label}
        )
    return redirect(back)


def _max_attempts() -> int:
    from .models import EscalationSetting

    return EscalationSetting.get(EscalationSetting.CALLBACK_MAX_ATTEMPTS)


# ---------------------------------------------------------------------------- recovery


@requires("escalation.view_failures")
def failures(request):
    qs = selectors.failures_for(request.user).select_related("order", "responsible_unit")
    source = request.GET.get("source", "")
    if source in FailureSource.values:
        qs = qs.filter(source=source)
    else:
        source = ""
    ctx = paginate(request, qs.order_by("-recorded_at", "-id"))
    ctx.update({"sources": FailureSource.choices, "source": source})
    pending = list(selectors.recovery_pending_approval(request.user)[:50])
    for a in pending:
        a.verbs = services.recovery_action_verbs(request.user, a)
    ctx["pending"] = pending
    return render(request, "escalation/failures.html", ctx)


@requires("escalation.record_failure")
def failure_new(request, key):
    """Record the failure of one order (the order page's button)."""
    return _failure_form(request, _order(request, key))


@requires("escalation.record_failure")
def failure_new_unlinked(request):
    """Record a failure found without an order (明查暗访, a supervisor's report…)."""
    return _failure_form(request, None)


def _failure_form(request, order: WorkOrder | None):
    units = units_visible_to(request.user).order_by("path")
    if request.method == "POST":
        result = {}

        def run():
            unit = units.filter(code=request.POST.get("responsible_unit", "")).first()
            if unit is None:
                raise ApplicationError(_("请选择责任单位"), field="responsible_unit")
            result["f"] = services.service_failure_record(
                actor=request.user,
                order=order,
                origin=request.POST.get("origin", ""),
                cause=request.POST.get("cause", ""),
                responsible_unit=unit,
                responsible_person=request.POST.get("responsible_person", ""),
                description=request.POST.get("description", ""),
                source=request.POST.get("source", "") or FailureSource.COMPLAINT,
            )

        if _try(request, run, _("已认定服务失误")):
            return redirect("escalation:failure", pk=result["f"].pk)
    if order is None:  # no order: it cannot be a substantiated complaint
        sources = [(v, label) for v, label in FailureSource.choices if v != FailureSource.COMPLAINT]
        default_source = FailureSource.INSPECTION
    else:  # a complaint order defaults to "投诉属实"; any other order to "超时限"
        sources = FailureSource.choices
        default_source = (
            FailureSource.COMPLAINT if order.request_type == RequestType.COMPLAINT else FailureSource.MONITOR
        )
    return render(
        request,
        "escalation/failure_new.html",
        {
            "order": order,
            "units": units,
            "unit_id": order.unit_id if order is not None else None,
            "origins": FailureOrigin.choices,
            "causes": FailureCause.choices,
            "sources": sources,
            "default_source": default_source,
        },
    )


@requires("escalation.view_failures")
def failure_detail(request, pk):
    failure = selectors.failures_for(request.user).filter(pk=pk).first()
    if failure is None:
        raise Http404
    actions = list(failure.actions.select_related("proposed_by__staff", "decided_by__staff", "done_by"))
    for a in actions:
        a.failure = failure
        a.verbs = services.recovery_action_verbs(request.user, a)
    return render(
        request,
        "escalation/failure_detail.html",
        {
            "failure": failure,
            "actions": actions,
            "kinds": RecoveryKind.choices,
            "compensation_kinds": CompensationKind.choices,
            "limit": services.authority_limit_for(request.user),
            "callbacks": failure.callbacks.all(),
        },
    )


@requires("escalation.propose_recovery")
@require_POST
def recovery_propose(request, pk):
    failure = selectors.failures_for(request.user).filter(pk=pk).first()
    if failure is None:
        raise Http404
    _try(
        request,
        lambda: services.recovery_action_propose(
            actor=request.user,
            failure=failure,
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            amount=request.POST.get("amount") or 0,
            compensation_kind=request.POST.get("compensation_kind", ""),
        ),
        _("已提出补救措施"),
    )
    return redirect("escalation:failure", pk=pk)


@requires("escalation.{verb}_recovery")
@require_POST
def recovery_act(request, pk, verb):
    action = selectors.recovery_actions_for(request.user).filter(pk=pk).first()
    if action is None or verb not in ("approve", "reject", "complete"):
        raise Http404
    note = request.POST.get("note", "")
    if verb == "complete":
        fn = lambda: services.recovery_action_complete(actor=request.user, action=action, note=note)  # noqa: E731
    else:
        fn = lambda: services.recovery_action_decide(  # noqa: E731
            actor=request.user, action=action, approve=verb == "approve", note=note
        )
    _try(request, fn, _("已完成"))
    return _back(request, f"/escalation/failures/{action.failure_id}/")


# --------------------------------------------------------------------------- dashboard


def _period(request) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    today = timezone.localdate()
    start = date_param(request.GET.get("since"), today - dt.timedelta(days=90), hi=today)
    end = date_param(request.GET.get("until"), today, lo=start, hi=today + dt.timedelta(days=366))
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
    )


DASHBOARD_UNITS_PER_PAGE = 25


@requires("escalation.view_dashboard")
def dashboard(request):
    since, until = _period(request)
    data = selectors.learning_dashboard(request.user, since=since, until=until)
    if request.GET.get("format") == "xlsx":
        return _dashboard_xlsx(data)
    labels = {
        "origin": dict(FailureOrigin.choices),
        "cause": dict(FailureCause.choices),
        "reason": dict(EscalationReason.choices),
    }
    for row in data["by_origin"]:
        row["label"] = labels["origin"].get(row["origin"], row["origin"])
    for row in data["by_cause"]:
        row["label"] = labels["cause"].get(row["cause"], row["cause"])
    for row in data["recurring"]:
        row["label"] = labels["cause"].get(row["cause"], row["cause"])
    for row in data["escalations"]:
        row["label"] = labels["reason"].get(row["reason"], row["reason"])
    top = max([r["n"] for r in data["by_cause"]] or [1])
    for row in data["by_cause"]:
        row["width"] = int(100 * row["n"] / top)
    # One row per unit (time limits, warnings, urges, repeats), busiest first, paged: a city
    # has a hundred units and more.
    per_unit = {r["unit"]: r for r in data["per_unit"]}
    unit_rows = [{**per_unit.get(r["unit"], {}), **r} for r in data["compliance"]]
    return render(
        request,
        "escalation/dashboard.html",
        {
            **paginate(request, unit_rows, DASHBOARD_UNITS_PER_PAGE),
            "d": data,
            "since": since.date(),
            "until": (until - dt.timedelta(days=1)).date(),
            "satisfaction_definition": selectors.SATISFACTION_DEFINITION,
        },
    )


def _dashboard_xlsx(d: dict) -> HttpResponse:
    from .exporters import recovery_dashboard_workbook

    resp = HttpResponse(
        recovery_dashboard_workbook(d),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = (
        f'attachment; filename="recovery-learning-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return resp


# ------------------------------------------------------------------------ supervisors


@requires("escalation.view_supervisors")
def supervisors(request):
    if request.method == "POST":

        def run():
            unit = units_visible_to(request.user).filter(code=request.POST.get("unit", "")).first()
            if unit is None:
                raise ApplicationError(_("请选择联系单位"), field="unit")
            services.social_supervisor_register(
                actor=request.user,
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
                area=request.POST.get("area", ""),
                unit=unit,
                organisation=request.POST.get("organisation", ""),
                email=request.POST.get("email", ""),
            )

        if _try(request, run, _("已登记社会监督员")):
            return redirect("escalation:supervisors")
    ctx = paginate(request, selectors.supervisors_for(request.user))
    ctx.update(
        {
            "units": units_visible_to(request.user).order_by("path"),
            "consultations": selectors.consultations_for(request.user)[:10],
            "candidates": selectors.supervisor_candidates(request.user)[:20],
            "types": RequestType.choices,
            "dimensions": Dimension.choices,
        }
    )
    return render(request, "escalation/supervisors.html", ctx)


@requires("escalation.supervisor_submission")
@require_POST
def supervisor_submit(request, pk):
    sup = selectors.supervisors_for(request.user).filter(pk=pk).first()
    if sup is None:
        raise Http404
    result = {}

    def run():
        result["o"] = services.supervisor_submission_create(
            actor=request.user,
            supervisor=sup,
            request_type=request.POST.get("request_type", ""),
            dimension=request.POST.get("dimension", ""),
            description=request.POST.get("description", ""),
            area=request.POST.get("area") or None,
            customer=request.POST.get("customer") or None,
        )

    if _try(request, run, _("已受理监督员反映的问题")):
        return redirect("workorders:detail", key=result["o"].order_no)
    return redirect("escalation:supervisors")


@requires("escalation.manage_supervisors")
@require_POST
def consultation_record(request):
    def run():
        unit = units_visible_to(request.user).filter(code=request.POST.get("unit", "")).first()
        if unit is None:
            raise ApplicationError(_("请选择组织单位"), field="unit")
        try:
            held_on = dt.date.fromisoformat(request.POST.get("held_on", ""))
        except ValueError:
            raise ApplicationError(_("请填写日期"), field="held_on")
        ids = id_list_param(request.POST.getlist("attendees"))
        services.supervisor_consultation_record(
            actor=request.user,
            unit=unit,
            held_on=held_on,
            topic=request.POST.get("topic", ""),
            minutes=request.POST.get("minutes", ""),
            attendees=list(selectors.supervisors_for(request.user).filter(pk__in=ids)),
        )

    _try(request, run, _("已记录座谈"))
    return redirect("escalation:supervisors")
