"""Pages of key-account service: inspections due and overdue, plans expiring, the
supervisor's overdue report, one customer's key-account page (packages, inspections,
plans, drills), one inspection (record it), one plan (edit, drills, document).

Views read through ``selectors`` and write only through the services; an
``ApplicationError`` becomes a message on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import has_perm, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import form_date, id_param
from gridcare.core.uploads import read_upload, serve_document
from gridcare.customers.selectors import customer_get

from . import selectors, services
from .choices import DrillResult, Severity
from .models import ServicePackage

FINDING_ROWS = 5
CONTACT_ROWS = 5


def _blank_contacts(existing=()) -> list[dict]:
    """The contact rows of a form: those on file, then blank ones up to ``CONTACT_ROWS``."""
    blank = {"name": "", "role": "", "phone": ""}
    rows = [{**blank, **c} for c in existing][:CONTACT_ROWS]
    return rows + [dict(blank) for _ in range(CONTACT_ROWS - len(rows))]


def _try(request, run, ok: str) -> bool:
    try:
        run()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, ok)
    return True


def _customer(request, customer_no):
    customer = customer_get(request.user, (customer_no or "")[:20])
    if customer is None:
        raise Http404
    return customer


def _contacts(post) -> list[dict]:
    return [
        {
            "name": post.get(f"contact_name_{i}", ""),
            "role": post.get(f"contact_role_{i}", ""),
            "phone": post.get(f"contact_phone_{i}", ""),
        }
        for i in range(CONTACT_ROWS)
    ]


# ------------------------------------------------------------------------------ lists


@requires("keyaccounts.view")
def inspections(request):
    """Scheduled safety inspections due within the lead days, or (``?overdue=1``) overdue."""
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    ctx = paginate(request, selectors.inspections_due(request.user, today=today, overdue_only=overdue))
    for i in ctx["page_obj"]:
        i.overdue = i.due_date < today
    ctx.update({"overdue": overdue, "today": today})
    return render(request, "keyaccounts/inspections.html", ctx)


@requires("keyaccounts.view")
def plans(request):
    """Current emergency plans whose review date is near (within the setting's days) or past."""
    today = timezone.localdate()
    days = selectors.expiring_days()
    ctx = paginate(request, selectors.plans_expiring(request.user, today=today))
    for p in ctx["page_obj"]:
        p.state = selectors.plan_state(p.review_date, today, days)
    ctx.update({"days": days, "today": today})
    return render(request, "keyaccounts/plans.html", ctx)


@requires("keyaccounts.report")
def report(request):
    """The supervisor's report: overdue safety inspections per supply station, then the
    overdue inspections themselves, oldest first."""
    today = timezone.localdate()
    ctx = paginate(request, selectors.inspections_due(request.user, today=today, overdue_only=True))
    ctx.update({"rows": selectors.overdue_report(request.user, today=today), "today": today})
    return render(request, "keyaccounts/report.html", ctx)


# ---------------------------------------------------------------------- one customer


@requires("keyaccounts.view")
def customer_page(request, customer_no):
    customer = _customer(request, customer_no)
    ctx = selectors.customer_key_account(request.user, customer)
    manage = has_perm(request.user, "keyaccounts.manage") and ctx["is_key"]
    ctx.update(
        {
            "can_manage": manage,
            "packages": list(ServicePackage.objects.filter(active=True)) if manage else [],
        }
    )
    return render(request, "keyaccounts/customer.html", ctx)


@requires("keyaccounts.manage")
@require_POST
def subscribe(request, customer_no):
    customer = _customer(request, customer_no)

    def run():
        package = ServicePackage.objects.filter(pk=id_param(request.POST.get("package"))).first()
        services.subscription_start(
            actor=request.user,
            customer=customer,
            package=package,
            start_date=form_date(request.POST.get("start_date"), "start_date"),
        )

    _try(request, run, _("已订购服务包"))
    return redirect("keyaccounts:customer", customer_no=customer.customer_no)


@requires("keyaccounts.manage")
@require_POST
def subscription_end(request, pk):
    sub = selectors.subscription_get(request.user, id_param(pk))
    if sub is None:
        raise Http404

    def run():
        services.subscription_end(
            actor=request.user,
            subscription=sub,
            expected_version=id_param(request.POST.get("expected_version")),
        )

    _try(request, run, _("服务包已结束"))
    return redirect("keyaccounts:customer", customer_no=sub.customer.customer_no)


@requires("keyaccounts.manage")
def plan_new(request, customer_no):
    customer = _customer(request, customer_no)
    if request.method == "POST":
        result = {}

        def run():
            upload = request.FILES.get("document")
            result["plan"] = services.plan_create(
                actor=request.user,
                customer=customer,
                title=request.POST.get("title", ""),
                review_date=form_date(request.POST.get("review_date"), "review_date"),
                document_content=read_upload(upload, field="document"),
                document_name=upload.name if upload is not None else "",
                contacts=_contacts(request.POST),
                backup_power=request.POST.get("backup_power", ""),
                backup_capacity_kw=request.POST.get("backup_capacity_kw", ""),
            )

        if _try(request, run, _("已建立应急预案")):
            return redirect("keyaccounts:plan", pk=result["plan"].pk)
    return render(
        request,
        "keyaccounts/plan_new.html",
        {
            "customer": customer,
            "contact_rows": _blank_contacts(),
            "is_key": selectors.is_key_customer(customer),
        },
    )


# ------------------------------------------------------------------------ inspection


@requires("keyaccounts.view")
def inspection(request, pk):
    row = selectors.inspection_get(request.user, id_param(pk))
    if row is None:
        raise Http404
    today = timezone.localdate()
    row.overdue = row.status == "scheduled" and row.due_date < today
    return render(
        request,
        "keyaccounts/inspection.html",
        {
            "i": row,
            "findings": selectors.inspection_findings(row),
            "events": audit_events_for(row)[:30],
            "can_record": row.status == "scheduled" and has_perm(request.user, "keyaccounts.inspect"),
            "can_cancel": row.status == "scheduled" and has_perm(request.user, "keyaccounts.manage"),
            "severities": Severity.choices,
            "finding_rows": range(FINDING_ROWS),
            "today": today.isoformat(),
        },
    )


@requires("keyaccounts.inspect")
@require_POST
def inspection_record(request, pk):
    row = selectors.inspection_get(request.user, id_param(pk))
    if row is None:
        raise Http404

    def run():
        findings = [
            {
                "description": request.POST.get(f"finding_{n}", ""),
                "severity": request.POST.get(f"severity_{n}", ""),
                "needs_work": request.POST.get(f"needs_work_{n}") == "1",
            }
            for n in range(FINDING_ROWS)
        ]
        services.inspection_record(
            actor=request.user,
            inspection=row,
            done_on=form_date(request.POST.get("done_on"), "done_on"),
            notes=request.POST.get("notes", ""),
            findings=findings,
            expected_version=id_param(request.POST.get("expected_version")),
        )

    _try(request, run, _("已记录安全检查"))
    return redirect("keyaccounts:inspection", pk=row.pk)


@requires("keyaccounts.manage")
@require_POST
def inspection_cancel(request, pk):
    row = selectors.inspection_get(request.user, id_param(pk))
    if row is None:
        raise Http404

    def run():
        services.inspection_cancel(
            actor=request.user,
            inspection=row,
            reason=request.POST.get("reason", ""),
            expected_version=id_param(request.POST.get("expected_version")),
        )

    _try(request, run, _("已取消安全检查"))
    return redirect("keyaccounts:inspection", pk=row.pk)


# ------------------------------------------------------------------------------ plan


@requires("keyaccounts.view")
def plan(request, pk):
    row = selectors.plan_get(request.user, id_param(pk))
    if row is None:
        raise Http404
    today = timezone.localdate()
    row.state = selectors.plan_state(row.review_date, today, selectors.expiring_days()) if row.active else ""
    manage = has_perm(request.user, "keyaccounts.manage")
    return render(
        request,
        "keyaccounts/plan.html",
        {
            "plan": row,
            "drills": selectors.plan_drills(row),
            "events": audit_events_for(row)[:30],
            "can_manage": manage and row.active,
            "can_drill": manage,
            "results": DrillResult.choices,
            "contacts_padded": _blank_contacts(row.contacts),
            "today": today.isoformat(),
            "reveal": has_perm(request.user, "customers.reveal"),
        },
    )


@requires("keyaccounts.view")
def plan_document(request, pk):
    row = selectors.plan_get(request.user, id_param(pk))
    if row is None or not row.document:
        raise Http404
    return serve_document(row.document, content_type=row.content_type, filename=row.filename)


@requires("keyaccounts.manage")
@require_POST
def plan_edit(request, pk):
    row = selectors.plan_get(request.user, id_param(pk))
    if row is None:
        raise Http404

    def run():
        upload = request.FILES.get("document")
        services.plan_update(
            actor=request.user,
            plan=row,
            title=request.POST.get("title", ""),
            review_date=form_date(request.POST.get("review_date"), "review_date"),
            contacts=_contacts(request.POST),
            backup_power=request.POST.get("backup_power", ""),
            backup_capacity_kw=request.POST.get("backup_capacity_kw") or None,
            document_content=read_upload(upload, field="document") or None,
            document_name=upload.name if upload is not None else "",
            expected_version=id_param(request.POST.get("expected_version")),
        )

    _try(request, run, _("已修改应急预案"))
    return redirect("keyaccounts:plan", pk=row.pk)


@requires("keyaccounts.manage")
@require_POST
def drill_new(request, pk):
    row = selectors.plan_get(request.user, id_param(pk))
    if row is None:
        raise Http404

    def run():
        services.drill_schedule(
            actor=request.user,
            plan=row,
            scheduled_for=form_date(request.POST.get("scheduled_for"), "scheduled_for"),
        )

    _try(request, run, _("已安排应急演练"))
    return redirect("keyaccounts:plan", pk=row.pk)


@requires("keyaccounts.manage")
@require_POST
def drill_record(request, pk):
    drill = selectors.drill_get(request.user, id_param(pk))
    if drill is None:
        raise Http404

    def run():
        services.drill_record(
            actor=request.user,
            drill=drill,
            held_on=form_date(request.POST.get("held_on"), "held_on"),
            result=request.POST.get("result", ""),
            participants=request.POST.get("participants", ""),
            notes=request.POST.get("notes", ""),
            expected_version=id_param(request.POST.get("expected_version")),
        )

    _try(request, run, _("已记录应急演练"))
    return redirect("keyaccounts:plan", pk=drill.plan_id)


@requires("keyaccounts.manage")
@require_POST
def drill_cancel(request, pk):
    drill = selectors.drill_get(request.user, id_param(pk))
    if drill is None:
        raise Http404

    def run():
        services.drill_cancel(
            actor=request.user, drill=drill, expected_version=id_param(request.POST.get("expected_version"))
        )

    _try(request, run, _("已取消应急演练"))
    return redirect("keyaccounts:plan", pk=drill.plan_id)
