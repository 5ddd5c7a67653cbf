"""Pages: the list of items (open / overdue / by unit, with closing rates per unit), one
item with its actions (fix with evidence, verify, send back, cancel), an evidence file, and
registering an item by hand.

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
from gridcare.core.authz import has_perm, requires, usable_url
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import form_date, id_param, int_param
from gridcare.core.uploads import read_upload, serve_document
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import units_visible_to

from . import selectors, services
from .choices import RectificationStatus
from .models import RectificationSetting
from .sources import MANUAL, source_kinds, source_label, source_link

UNIT_CHOICES_MAX = 500


def _item(request, pk):
    item = selectors.item_get(request.user, id_param(pk))
    if item is None:
        raise Http404
    return item


def _visible_unit(user, code: str) -> OrgUnit | None:
    code = (code or "").strip()[:32]
    return units_visible_to(user).filter(code=code).first() if code else None


# ------------------------------------------------------------------------------- list


@requires("rectification.view")
def item_list(request):
    """Items the user may see: ``?status=`` (``active``: not closed), ``?overdue=1``,
    ``?unit=CODE`` (that unit and below), ``?source=``, ``?mine=1`` (owned by me); with the
    closing rate of each owning unit."""
    status = request.GET.get("status", "active")
    if status not in {"", "active", *RectificationStatus.values}:
        status = "active"
    overdue = request.GET.get("overdue") == "1"
    unit = _visible_unit(request.user, request.GET.get("unit", ""))
    source = request.GET.get("source", "")
    if source not in {k.code for k in source_kinds()}:
        source = ""
    mine = request.GET.get("mine") == "1"
    today = timezone.localdate()
    qs = selectors.items_for(
        request.user,
        status=status,
        overdue=overdue,
        unit_path=unit.path if unit else "",
        source_kind=source,
        owner=request.user if mine else None,
        today=today,
    )
    ctx = paginate(request, qs)
    for item in ctx["page_obj"]:
        item.overdue = item.is_overdue(today)
        item.source_label = source_label(item.source_kind)
    ctx.update(
        {
            "statuses": RectificationStatus.choices,
            "status": status,
            "overdue": overdue,
            "unit": unit,
            "unit_code": unit.code if unit else "",
            "units": units_visible_to(request.user)
            .order_by("path")
            .only("code", "name", "path")[:UNIT_CHOICES_MAX],
            "sources": [(k.code, str(k.label)) for k in source_kinds()],
            "source": source,
            "mine": mine,
            "rates": selectors.closing_rates(request.user, today=today),
        }
    )
    return render(request, "rectification/list.html", ctx)


# ----------------------------------------------------------------------------- detail


@requires("rectification.view")
def detail(request, pk):
    item = _item(request, pk)
    today = timezone.localdate()
    actions = selectors.allowed_actions(request.user, item)
    return render(
        request,
        "rectification/detail.html",
        {
            "item": item,
            "overdue": item.is_overdue(today),
            "source_label": source_label(item.source_kind),
            "source_url": usable_url(request.user, source_link(item.source_kind, item.source_ref)),
            "evidence": selectors.item_evidence(item),
            "warnings": list(selectors.item_warnings(item)),
            "events": audit_events_for(item)[:50],
            "actions": actions,
            "today": today.isoformat(),
            "default_days": RectificationSetting.get(RectificationSetting.DEFAULT_DUE_WORKING_DAYS),
        },
    )


def _act(request, pk, run, ok: str):
    item = _item(request, pk)
    try:
        run(item, expected_version=id_param(request.POST.get("expected_version")))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("rectification:detail", pk=item.pk)


@requires("rectification.fix")
@require_POST
def fix(request, pk):
    def run(item, **kw):
        upload = request.FILES.get("evidence_file")
        content = read_upload(upload, field="evidence_file")
        services.rectification_fix(
            actor=request.user,
            item=item,
            evidence=request.POST.get("evidence", ""),
            file_content=content or None,
            file_name=upload.name if upload is not None else "",
            **kw,
        )

    return _act(request, pk, run, _("已提交整改，等待验证"))


@requires("rectification.verify")
@require_POST
def verify(request, pk):
    def run(item, **kw):
        services.rectification_verify(actor=request.user, item=item, note=request.POST.get("note", ""), **kw)

    return _act(request, pk, run, _("整改已验证关闭"))


@requires("rectification.verify")
@require_POST
def reopen(request, pk):
    def run(item, **kw):
        services.rectification_reopen(
            actor=request.user,
            item=item,
            reason=request.POST.get("reason", ""),
            due_date=form_date(request.POST.get("due_date"), "due_date"),
            **kw,
        )

    return _act(request, pk, run, _("已退回重新整改"))


@requires("rectification.cancel")
@require_POST
def cancel(request, pk):
    def run(item, **kw):
        services.rectification_cancel(
            actor=request.user, item=item, reason=request.POST.get("reason", ""), **kw
        )

    return _act(request, pk, run, _("整改事项已撤销"))


@requires("rectification.view")
def evidence_file(request, pk, token):
    row = selectors.evidence_get(request.user, id_param(pk), (token or "")[:32])
    if row is None:
        raise Http404
    return serve_document(row.file, content_type=row.content_type, filename=row.filename)


# -------------------------------------------------------------------------------- new


@requires("rectification.open")
def new(request):
    """Register a problem found by hand (a supervisor's own finding)."""
    units = units_visible_to(request.user).order_by("path").only("code", "name", "path")[:UNIT_CHOICES_MAX]
    values = {"title": "", "detail": "", "unit": "", "due_date": "", "days": ""}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        try:
            unit = _visible_unit(request.user, values["unit"])
            if unit is None:
                raise ApplicationError(_("请选择责任单位"), field="unit", code="required")
            days = int_param(values["days"], 0, 0, 10_000) if values["days"] else None
            item = services.rectification_open(
                actor=request.user,
                source_kind=MANUAL,
                title=values["title"],
                detail=values["detail"],
                unit=unit,
                due_date=form_date(values["due_date"], "due_date"),
                due_in_working_days=days,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记整改事项 %(no)s") % {"no": item.number})
            return redirect("rectification:detail", pk=item.pk)
    return render(
        request,
        "rectification/new.html",
        {
            "units": units,
            "values": values,
            "default_days": RectificationSetting.get(RectificationSetting.DEFAULT_DUE_WORKING_DAYS),
            "can_view": has_perm(request.user, "rectification.view"),
        },
    )
