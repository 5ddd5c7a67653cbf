"""Pages: the applications list, a new application (from a customer, a hall ticket or a
work order), one application (stages with due dates, documents checklist with uploads,
pause/resume, complete stage, terminate, home visit, follow-up answer, timeline), the
clerk's processes, the supervisor's view by clerk, the month-end report (page and Excel)
and the stage plans.

Views read through ``selectors`` and write only through the services; an
``ApplicationError`` becomes a message on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import has_perm, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.exporting import write_workbook
from gridcare.core.listing import paginate
from gridcare.core.messages import render_stored
from gridcare.core.params import form_date, id_param, int_param
from gridcare.core.uploads import read_upload, serve_document
from gridcare.customers.models import Customer
from gridcare.org.selectors import units_visible_to

from . import selectors, services
from .choices import ApplicationStatus, ApplicationSubtype, Channel, CustomerCategory, TimeWindow, Variant

UNIT_CHOICES_MAX = 500


def _app(request, pk):
    app = selectors.application_get(request.user, id_param(pk))
    if app is None:
        raise Http404
    return app


def _visible_unit(user, code: str):
    code = (code or "").strip()[:32]
    return units_visible_to(user).filter(code=code).first() if code else None


def _units(user):
    return units_visible_to(user).order_by("path").only("code", "name", "path")[:UNIT_CHOICES_MAX]


# ------------------------------------------------------------------------------- list


@requires("applications.view")
def application_list(request):
    """Applications the user may see: ``?status=`` (``open``: not closed), ``?kind=``,
    ``?unit=CODE`` (and below), ``?stalled=1``, ``?overdue=1``, ``?q=`` (YK number, name, 户号)."""
    status = request.GET.get("status", "open")
    if status not in {"", "open", *ApplicationStatus.values}:
        status = "open"
    kind = request.GET.get("kind", "")
    if kind not in ApplicationSubtype.values:
        kind = ""
    unit = _visible_unit(request.user, request.GET.get("unit", ""))
    stalled = request.GET.get("stalled") == "1"
    overdue = request.GET.get("overdue") == "1"
    q = (request.GET.get("q") or "").strip()[:40]
    qs = selectors.applications_for(
        request.user,
        status=status,
        kind=kind,
        unit_path=unit.path if unit else "",
        stalled=stalled,
        overdue=overdue,
        q=q,
    )
    ctx = paginate(request, qs)
    ctx.update(
        {
            "statuses": ApplicationStatus.choices,
            "status": status,
            "kinds": ApplicationSubtype.choices,
            "kind": kind,
            "units": _units(request.user),
            "unit_code": unit.code if unit else "",
            "stalled": stalled,
            "overdue": overdue,
            "q": q,
        }
    )
    return render(request, "applications/list.html", ctx)


# -------------------------------------------------------------------------------- new


def _ticket_prefill(user, raw):
    """The hall ticket's customer and hall (the hall app's selector), or None."""
    pk = id_param(raw)
    if pk is None:
        return None
    try:
        from gridcare.hall.selectors import ticket_for_application
    except ImportError:  # the hall app is not installed
        return None
    return ticket_for_application(user, pk)


def _order_prefill(user, raw):
    pk = id_param(raw)
    if pk is None:
        return None
    from gridcare.workorders.models import WorkOrder

    return (
        WorkOrder.objects.visible_to(user)
        .filter(pk=pk, request_type="service_application")
        .select_related("customer")
        .first()
    )


@requires("applications.accept")
def new(request):
    """Accept an application. ``?customer=户号`` names the customer; ``?ticket=`` a hall
    ticket (customer, channel counter); ``?order=`` a hotline service-application order to
    continue as a staged application."""
    src = request.POST if request.method == "POST" else request.GET
    values = {
        k: (src.get(k) or "").strip()[:200]
        for k in (
            "customer",
            "kind",
            "category",
            "variant",
            "channel",
            "applicant_name",
            "applicant_phone",
            "applicant_address",
            "unit",
            "ticket",
            "order",
        )
    }
    ticket = _ticket_prefill(request.user, values["ticket"])
    order = _order_prefill(request.user, values["order"])
    customer = None
    if values["customer"]:
        customer = (
            Customer.objects.visible_to(request.user).filter(customer_no=values["customer"][:20]).first()
        )
    if ticket is not None and customer is None and getattr(ticket, "customer", None) is not None:
        customer = ticket.customer
    if order is not None:
        customer = customer or order.customer
        values["kind"] = values["kind"] or order.subtype
        values["channel"] = values["channel"] or order.channel
        values["applicant_name"] = values["applicant_name"] or order.contact_name
        values["applicant_phone"] = values["applicant_phone"] or order.contact_phone
        values["applicant_address"] = values["applicant_address"] or order.address
    if ticket is not None:
        values["channel"] = values["channel"] or Channel.COUNTER
    if customer is not None:
        values["customer"] = customer.customer_no
    if request.method == "POST":
        try:
            if values["customer"] and customer is None:
                raise ApplicationError(_("户号不存在或不在本单位范围内"), field="customer", code="unknown")
            unit = _visible_unit(request.user, values["unit"]) if customer is None else None
            app = services.application_accept(
                actor=request.user,
                kind=values["kind"],
                category=values["category"],
                variant=values["variant"] or Variant.STANDARD,
                channel=values["channel"],
                customer=customer,
                applicant_name=values["applicant_name"],
                applicant_phone=values["applicant_phone"],
                applicant_address=values["applicant_address"],
                unit=unit,
                work_order=order,
                ticket=ticket,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已受理业务申请 %(no)s") % {"no": app.number})
            return redirect("applications:detail", pk=app.pk)
    return render(
        request,
        "applications/new.html",
        {
            "values": values,
            "customer": customer,
            "ticket": ticket,
            "order": order,
            "kinds": ApplicationSubtype.choices,
            "categories": CustomerCategory.choices,
            "variants": Variant.choices,
            "channels": Channel.choices,
            "units": _units(request.user) if customer is None else [],
        },
    )


# ----------------------------------------------------------------------------- detail


@requires("applications.view")
def detail(request, pk):
    app = _app(request, pk)
    now = timezone.now()
    events = selectors.application_events(app)
    for e in events:
        e.text = render_stored(e.message)
    return render(
        request,
        "applications/detail.html",
        {
            "app": app,
            "stages": selectors.application_stages(app),
            "pauses": selectors.application_pauses(app),
            "follow_ups": selectors.application_follow_ups(app),
            "events": events,
            "actions": selectors.allowed_actions(request.user, app, now=now),
            "stalled": services.is_stalled(app, now),
            "overdue": app.status == ApplicationStatus.IN_PROGRESS and app.due_at < now,
            "visit_late": bool(
                app.is_open
                and app.home_visit_due_at
                and not app.home_visit_booked_at
                and app.home_visit_due_at < now
            ),
            "windows": TimeWindow.choices,
            "today": timezone.localdate().isoformat(),
        },
    )


def _act(request, pk, run, ok: str):
    app = _app(request, pk)
    try:
        run(app, expected_version=id_param(request.POST.get("expected_version")))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("applications:detail", pk=app.pk)


@requires("applications.work")
@require_POST
def complete_stage(request, pk):
    def run(app, **kw):
        services.application_stage_complete(
            actor=request.user,
            application=app,
            stage=int_param(request.POST.get("stage"), 0, 0, 100),
            note=request.POST.get("note", ""),
            skip=request.POST.get("skip") == "1",
            **kw,
        )

    return _act(request, pk, run, _("环节已完成"))


@requires("applications.work")
@require_POST
def document(request, pk):
    def run(app, **kw):
        upload = request.FILES.get("file")
        content = read_upload(upload, field="file")
        services.application_document_receive(
            actor=request.user,
            application=app,
            name=request.POST.get("name", ""),
            file_content=content or None,
            file_name=upload.name if upload is not None else "",
        )

    return _act(request, pk, run, _("资料已收取"))


@requires("applications.work")
@require_POST
def pause(request, pk):
    def run(app, **kw):
        services.application_pause(
            actor=request.user, application=app, reason=request.POST.get("reason", ""), **kw
        )

    return _act(request, pk, run, _("已暂停计时，等待客户"))


@requires("applications.work")
@require_POST
def resume(request, pk):
    def run(app, **kw):
        services.application_resume(actor=request.user, application=app, **kw)

    return _act(request, pk, run, _("已恢复计时"))


@requires("applications.work")
@require_POST
def terminate(request, pk):
    def run(app, **kw):
        services.application_terminate(
            actor=request.user, application=app, reason=request.POST.get("reason", ""), **kw
        )

    return _act(request, pk, run, _("业务申请已终止"))


@requires("applications.accept")
@require_POST
def home_visit(request, pk):
    def run(app, **kw):
        services.home_visit_book(
            actor=request.user,
            application=app,
            date=form_date(request.POST.get("date"), "date"),
            window=request.POST.get("window", ""),
            **kw,
        )

    return _act(request, pk, run, _("已预约上门"))


@requires("applications.follow_up")
@require_POST
def follow_up(request, pk):
    def run(app, **kw):
        services.process_follow_up_record(
            actor=request.user,
            application=app,
            reason=request.POST.get("reason", ""),
            reply=request.POST.get("reply", ""),
        )

    return _act(request, pk, run, _("已记录原因和答复"))


@requires("applications.view")
def document_file(request, pk, token):
    row = selectors.document_get(request.user, id_param(pk), (token or "")[:32])
    if row is None:
        raise Http404
    return serve_document(row.file, content_type=row.content_type, filename=row.filename)


# --------------------------------------------------------------------------- tracking


@requires("applications.accept")
def mine(request):
    """The processes I accepted (流程跟踪责任制): awaiting an answer first, then open ones by
    due date; ``?all=1`` adds the closed and answered ones."""
    include_closed = request.GET.get("all") == "1"
    qs = selectors.my_processes(request.user, include_closed=include_closed)
    ctx = paginate(request, qs)
    ctx.update({"all": include_closed, "title": _("我受理的流程"), "clerk": None})
    return render(request, "applications/mine.html", ctx)


@requires("applications.supervise")
def clerks(request):
    """The supervisor's view: per clerk, open, overdue, stalled and unanswered processes;
    ``?clerk=<id>`` lists one clerk's processes as they see them."""
    clerk_id = id_param(request.GET.get("clerk"))
    if clerk_id is not None:
        qs = selectors.my_processes_of(request.user, clerk_id)
        ctx = paginate(request, qs)
        first = qs.select_related("accepted_by__staff").first()
        ctx.update({"all": False, "title": _("受理人的流程"), "clerk": first.accepted_by if first else None})
        return render(request, "applications/mine.html", ctx)
    return render(request, "applications/clerks.html", {"rows": selectors.clerk_summary(request.user)})


# ----------------------------------------------------------------------------- report


def _report_args(request):
    month = selectors.parse_month(request.GET.get("month")) or selectors.last_complete_month()
    by = request.GET.get("by", "clerk")
    if by not in selectors.report_available_by():
        by = "clerk"
    return month, by


def _by_label(by: str) -> str:
    return str({"clerk": _("受理人"), "hall": _("营业厅"), "unit": _("办理单位")}[by])


@requires("applications.report")
def report(request):
    month, by = _report_args(request)
    data = selectors.process_report(request.user, month, by)
    return render(
        request,
        "applications/report.html",
        {
            "data": data,
            "month": month.label,
            "by": by,
            "by_label": _by_label(by),
            "by_choices": [(b, _by_label(b)) for b in selectors.report_available_by()],
        },
    )


def report_headers(by: str) -> list[str]:
    return [
        _by_label(by),
        _("受理"),
        _("办结"),
        _("按期办结"),
        _("按期率%"),
        _("停滞"),
        _("终止"),
        _("已答复"),
        _("环节平均用时（工作日）"),
    ]


def report_rows(data: dict) -> list[list]:
    out = []
    for r in [*data["rows"], {**data["totals"], "label": _("合计")}]:
        out.append(
            [
                str(r["label"]),
                r["accepted"],
                r["completed"],
                r["on_time"],
                r["on_time_rate"] if r["on_time_rate"] is not None else "",
                r["stalled"],
                r["terminated"],
                r["answered"],
                r["avg_stage_days"] if r["avg_stage_days"] is not None else "",
            ]
        )
    return out


@requires("applications.report")
def report_xlsx(request):
    month, by = _report_args(request)
    data = selectors.process_report(request.user, month, by)
    stage_headers = [_("环节"), _("完成数"), _("平均用时（工作日）"), _("超时")]
    stage_rows = [
        [s["name"], s["count"], s["avg"] if s["avg"] is not None else "", s["late"]] for s in data["stages"]
    ]
    body = write_workbook(
        None,
        [
            (_("流程月报"), report_headers(by), report_rows(data)),
            (_("各环节用时"), stage_headers, stage_rows),
        ],
        constant_memory=False,
    )
    resp = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="process-report-{month.label}-{by}.xlsx"'
    return resp


@requires("applications.view")
def plans(request):
    return render(
        request,
        "applications/plans.html",
        {"plans": selectors.plans_overview(), "can_configure": has_perm(request.user, "core.configure")},
    )
