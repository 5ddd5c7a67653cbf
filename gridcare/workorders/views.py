"""Pages of the work order: agent intake, queues, lists and the order page with its actions.

Views read through selectors and write only through services; an ``ApplicationError``
becomes a form error or a message on the order page.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import has_perm, requires, role_of
from gridcare.core.errors import ApplicationError
from gridcare.core.intake import caller_notices, caller_report_created
from gridcare.core.listing import paginate
from gridcare.core.panels import intake_form_saved
from gridcare.core.textutil import mask_phone
from gridcare.customers.selectors import customer_get, customer_search
from gridcare.grid.models import TransformerArea
from gridcare.org.models import OrgUnit

from . import selectors, services
from .choices import (
    CLOSED_STATUSES,
    INTAKE_CHANNEL_BY_ROLE,
    OPEN_STATUSES,
    PAGE_ACTIONS,
    Action,
    ArchiveSatisfaction,
    Channel,
    FaultCause,
    Priority,
)
from .filters import WorkOrderFilterSet
from .forms import ActionForm, WorkOrderIntakeForm
from .models import WorkOrder
from .rules import due_at_provisional

PAGE_SIZE = 50
QUEUE_POLL_SECONDS = 30  # the dispatch queue reloads its rows this often
FILTER_PARAMS = ("q", "unit", "customer", "overdue", "created_after", "created_before")


def _page(request, qs):
    # Exact count up to 1,000 orders, an estimate above: no COUNT(*) over a million rows.
    return paginate(request, qs, PAGE_SIZE)


# ----------------------------------------------------------------------------- intake


@requires("workorders.create")
def intake(request):
    """One page to take a call: find the caller, see their orders, record the request.

    The channel starts from the role (``INTAKE_CHANNEL_BY_ROLE``); ``?customer=NO`` (the
    customer page's "new request") fills the customer and their contact details, the phone
    shown masked and taken from the customer record when left blank."""
    initial = {k: request.GET[k][:64] for k in ("customer", "area", "channel") if request.GET.get(k)}
    if initial.get("channel") not in Channel.values:
        initial.pop("channel", None)
        if role_of(request.user) in INTAKE_CHANNEL_BY_ROLE:
            initial["channel"] = INTAKE_CHANNEL_BY_ROLE[role_of(request.user)]
    phone_hint = ""
    customer_no = request.POST.get("customer", "") if request.method == "POST" else initial.get("customer")
    if customer_no:
        picked = customer_get(request.user, customer_no.strip()[:64])
        if picked is not None:
            initial.update(contact_name=picked.name, address=picked.address)
            phone_hint = mask_phone(picked.phone)
        elif request.method == "GET":
            messages.warning(request, _("户号 %(no)s 不存在") % {"no": initial.pop("customer")})
    form = WorkOrderIntakeForm(request.POST or None, initial=initial, phone_hint=phone_hint)
    if request.method == "POST" and form.is_valid():
        # A one-click report on a caller notice (a known outage): filed without the automatic
        # merge, then handed to the notice's owner, which joins it where it belongs.
        notice_ref = request.POST.get("notice_ref", "").strip()[:64]
        # ``intake_ref``: the page that sent the agent here (a hall ticket) wants the order back.
        intake_ref = request.POST.get("intake_ref", "").strip()[:64]
        try:
            with transaction.atomic():
                order = services.work_order_create(
                    actor=request.user, **form.cleaned_data, **({"auto_merge": False} if notice_ref else {})
                )
                if notice_ref or intake_ref:
                    caller_report_created(
                        request.user, order, {"notice_ref": notice_ref, "intake_ref": intake_ref}
                    )
                intake_form_saved(request.user, order, request.POST)
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("已受理工单 %(no)s") % {"no": order.order_no})
            return redirect("workorders:detail", key=order.order_no)
    intake_ref = (request.POST.get("intake_ref") or request.GET.get("intake_ref") or "").strip()[:64]
    return render(
        request,
        "workorders/intake.html",
        {"form": form, "q": request.GET.get("q", ""), "intake_ref": intake_ref},
    )


@requires("workorders.create")
def caller_lookup(request):
    """HTMX: customers matching a phone or customer number, each with open orders and history.

    What a higher app knows about the caller (a known outage of their area, through
    ``core.intake``) comes first, above everything, with a one-click report."""
    q = request.GET.get("q", "").strip()
    results = []
    if len(q) >= 4:
        for customer in customer_search(request.user, q).select_related("area", "station")[:5]:
            open_orders, history = selectors.customer_orders(request.user, customer, limit=5)
            results.append(
                {
                    "customer": customer,
                    "open_orders": open_orders,
                    "history": history,
                    "notices": caller_notices(request.user, customer, customer.area),
                }
            )
    channel = INTAKE_CHANNEL_BY_ROLE.get(role_of(request.user), Channel.HOTLINE)
    return render(request, "workorders/_lookup.html", {"q": q, "results": results, "channel": channel})


@requires("workorders.view")
def customer_orders(request, customer_no):
    """HTMX: a customer's open orders and order history, for the customer page (the
    customers app is a lower floor: it loads this fragment instead of importing orders)."""
    customer = customer_get(request.user, customer_no)
    if customer is None:
        raise Http404
    open_orders, history = selectors.customer_orders(request.user, customer, limit=20)
    return render(
        request,
        "workorders/_customer_orders.html",
        {"customer": customer, "open_orders": open_orders, "history": history},
    )


@requires("workorders.create")
def area_search(request):
    """HTMX: transformer areas by code or name, within the user's scope."""
    q = request.GET.get("area_q", "").strip()
    areas = []
    if q:
        qs = TransformerArea.objects.visible_to(request.user).select_related("station", "feeder")
        areas = list(qs.filter(Q(code__startswith=q) | Q(name__contains=q)).order_by("code")[:10])
    return render(request, "workorders/_areas.html", {"areas": areas, "q": q})


@requires("workorders.create")
def duplicates(request):
    """HTMX: still-open orders the request being typed probably repeats."""
    from gridcare.customers.models import Customer

    customer = (
        Customer.objects.visible_to(request.user)
        .filter(customer_no=request.GET.get("customer", "").strip())
        .first()
    )
    area = (
        TransformerArea.objects.visible_to(request.user)
        .filter(code=request.GET.get("area", "").strip())
        .first()
    )
    if area is None and customer is not None:
        area = customer.area
    found = selectors.likely_duplicates(
        request.user, customer=customer, area=area, request_type=request.GET.get("request_type") or None
    )
    return render(request, "workorders/_duplicates.html", {"orders": found})


# ------------------------------------------------------------------------------ lists


def _list(request, qs, *, title: str, subtitle: str = "", with_filters: bool = False, poll_seconds: int = 0):
    ctx = {
        "title": title,
        "subtitle": subtitle,
        # A queue refreshes itself: htmx asks for the rows again every ``poll_seconds``.
        "poll_seconds": poll_seconds,
        # The filter form shows what was asked (absent fields: empty).
        "params": {k: request.GET.get(k, "") for k in FILTER_PARAMS},
    }
    if with_filters:
        data = request.GET.copy()
        for key in [k for k, v in data.lists() if not any(x.strip() for x in v)]:
            del data[key]  # an empty select means "all"
        data.pop("page", None)
        f = WorkOrderFilterSet(data or None, queryset=qs)
        qs = f.qs if f.is_bound else qs
        ctx["filter"] = f
    ctx.update(_page(request, selectors.work_orders_sorted_by_due(qs)))
    template = "workorders/_order_rows.html" if request.htmx else "workorders/order_list.html"
    return render(request, template, ctx)


@requires("workorders.view")
def order_list(request):
    return _list(request, selectors.work_orders_for(request.user), title=_("工单"), with_filters=True)


@requires("workorders.queue")
def queue(request):
    unit = None
    if request.GET.get("unit"):
        unit = OrgUnit.objects.filter(code=request.GET["unit"]).first()
    return _list(
        request,
        selectors.dispatch_queue(request.user, unit=unit),
        title=_("待派单"),
        subtitle=_("已受理或被退回、等待派单的工单（子单随主单处理，不在此列）"),
        poll_seconds=QUEUE_POLL_SECONDS,
    )


@requires("workorders.mine")
def my_orders(request):
    # The crew's queue: newly dispatched orders appear without a reload, like the dispatch queue.
    return _list(
        request,
        selectors.work_orders_handled_by(request.user),
        title=_("我处理的工单"),
        poll_seconds=QUEUE_POLL_SECONDS,
    )


@requires("workorders.create")
def first_contact(request):
    return _list(
        request,
        selectors.work_orders_first_contact(request.user),
        title=_("我受理的工单（首问负责）"),
        subtitle=_("您受理的工单，无论由哪个单位处理，都由您跟踪到归档"),
        with_filters=True,
    )


# ------------------------------------------------------------------------------ detail


def _get(request, key) -> WorkOrder:
    try:
        return selectors.work_order_get(request.user, key)
    except WorkOrder.DoesNotExist:
        raise Http404


@requires("workorders.view")
def order_detail(request, key):
    order = _get(request, key)
    actions = selectors.work_order_allowed_actions(request.user, order)
    clocks = selectors.work_order_clocks(order)
    ctx = {
        "order": order,
        "clocks": clocks,
        "due_provisional": due_at_provisional(order.due_at, clocks),
        "events": selectors.work_order_timeline(order),
        "children": selectors.work_order_children(request.user, order),
        "actions": actions,
        "action_labels": dict(Action.choices),
        "priorities": Priority.choices,
        "archive_satisfaction": ArchiveSatisfaction.choices,
        "fault_causes": FaultCause.choices,
        "photos": list(selectors.work_order_photos(request.user, order)),
        "can_attach_photo": order.status not in CLOSED_STATUSES
        and has_perm(request.user, "workorders.attach_photo"),
        # The order's own station and teams first (the handler list follows the unit picked).
        "dispatch_units": selectors.dispatch_units_for(request.user, order)
        if Action.DISPATCH in actions
        else [],
        "transfer_units": selectors.dispatch_units_for(request.user, order, transfer=True)
        if Action.TRANSFER in actions
        else [],
        "duplicates": selectors.likely_duplicates(
            request.user,
            customer=order.customer,
            area=order.area,
            request_type=order.request_type,
            exclude_pk=order.pk,
            limit=5,
        )
        if order.status in OPEN_STATUSES
        else [],
    }
    return render(request, "workorders/order_detail.html", ctx)


@requires("workorders.{action}")
@require_POST
def order_action(request, key, action):
    if action not in PAGE_ACTIONS:
        raise Http404
    order = _get(request, key)
    form = ActionForm(request.POST)
    if not form.is_valid():  # a tampered field (a version that is not a number …): say which
        field, errors = next(iter(form.errors.items()))
        messages.error(
            request, f"{form.fields[field].label}：{errors[0]}" if field in form.fields else errors[0]
        )
        return redirect("workorders:detail", key=order.order_no)
    try:
        result = services.work_order_act(
            actor=request.user, key=order.pk, action=action, data=form.cleaned_data
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("workorders:detail", key=order.order_no)
    messages.success(request, _("%(action)s：已完成") % {"action": Action(action).label})
    if not selectors.work_order_is_visible(request.user, result.order):
        # The action handed it out of the user's reach (a transfer, a return): back to their list.
        return redirect("workorders:list")
    return redirect("workorders:detail", key=result.order.order_no)


@requires("workorders.attach_photo")
@require_POST
def photo_add(request, key):
    """A crew's photo from the site (multipart upload), checked by the service."""
    order = _get(request, key)
    upload = request.FILES.get("photo")
    try:
        if upload is None:
            raise ApplicationError(_("请选择照片"), field="photo", code="required")
        if upload.size > services.PHOTO_MAX_BYTES:
            raise ApplicationError(_("照片过大（最大 8 MB）"), field="photo", code="too_large")
        services.work_order_photo_add(
            actor=request.user,
            order=order,
            content=upload.read(),
            filename=upload.name,
            caption=request.POST.get("caption", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("照片已上传"))
    return redirect("workorders:detail", key=order.order_no)


@requires("workorders.dispatch")
def handler_options(request, key):
    """HTMX: the handler list of the dispatch and transfer forms — the people of the unit
    picked (``?unit=CODE``, default the order's unit) and below, with their open orders."""
    order = _get(request, key)
    code = request.GET.get("unit", "").strip()[:32]
    unit = OrgUnit.objects.filter(code=code).first() if code else order.unit
    if unit is None:
        return HttpResponse(_("目标单位：单位 %(code)s 不存在") % {"code": code}, status=400)
    staff = selectors.handler_candidates(request.user, unit)
    return render(request, "workorders/_handler_options.html", {"unit": unit, "staff": staff})
