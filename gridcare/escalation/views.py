"""Pages: notifications, escalation board, callback worklist, recovery, dashboard, supervisors.

Views read through selectors and write only through services; an ``ApplicationError``
becomes a message on the page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import requires
from gridcare.core.calendar import local_tz
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import date_param, id_list_param
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import units_visible_to
from gridcare.workorders import selectors as wo_selectors
from gridcare.workorders.choices import Dimension, RequestType, Status
from gridcare.workorders.models import WorkOrder

from . import selectors, services
from .choices import (
    CallbackResult,
    CompensationKind,
    EscalationReason,
    FailureCause,
    FailureOrigin,
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
    qs = selectors.notifications_for(request.user, unread_only=request.GET.get("unread") == "1")
    ctx = paginate(request, qs)
    ctx["unread"] = selectors.unread_count(request.user)
    return render(request, "escalation/notifications.html", ctx)


@requires("escalation.notifications")
@require_POST
def notifications_read(request):
    ids = id_list_param(request.POST.getlist("id")) or None
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
        "can_record_failure": failure is None
        and order.request_type == RequestType.COMPLAINT
        and has_perm(user, "escalation.record_failure"),
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
    }


# -------------------------------------------------------------------------- callbacks


@requires("escalation.callbacks")
def callbacks(request):
    overdue = request.GET.get("overdue") == "1"
    ctx = paginate(request, selectors.callback_worklist(request.user, overdue_only=overdue))
    ctx.update({"results": CallbackResult.choices, "overdue": overdue, "now": timezone.now()})
    return render(request, "escalation/callbacks.html", ctx)


@requires("escalation.callbacks")
@require_POST
def callback_record(request, pk):
    task = selectors.callback_tasks_for(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404
    _try(
        request,
        lambda: services.callback_record(
            actor=request.user,
            task=task,
            outcome=request.POST.get("outcome", ""),
            words=request.POST.get("words", ""),
        ),
        _("已记录回访结果"),
    )
    return _back(request, "/escalation/callbacks/")


# ---------------------------------------------------------------------------- recovery


@requires("escalation.view_failures")
def failures(request):
    ctx = paginate(request, selectors.failures_for(request.user).order_by("-recorded_at", "-id"))
    pending = list(selectors.recovery_pending_approval(request.user)[:50])
    for a in pending:
        a.verbs = services.recovery_action_verbs(request.user, a)
    ctx["pending"] = pending
    return render(request, "escalation/failures.html", ctx)


@requires("escalation.record_failure")
def failure_new(request, key):
    order = _order(request, key)
    units = units_visible_to(request.user).order_by("path")
    if request.method == "POST":
        result = {}

        def run():
            unit = OrgUnit.objects.filter(code=request.POST.get("responsible_unit", "")).first()
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
            )

        if _try(request, run, _("已认定服务失误")):
            return redirect("escalation:failure", pk=result["f"].pk)
    return render(
        request,
        "escalation/failure_new.html",
        {"order": order, "units": units, "origins": FailureOrigin.choices, "causes": FailureCause.choices},
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
    return render(
        request,
        "escalation/dashboard.html",
        {
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
