"""Pages of the hall queue: the halls, a hall (close/reopen), the board (refreshes itself),
the kiosk (take a number → the printed-looking slip), the clerk's counter (call next,
recall, serve, finish, no-show, transfer; the ticket's customer; a work order or an
application from the ticket without retyping), the counter tablet's rating page, a
ticket's timeline, and the figures (day or month, Excel).

Views read through ``selectors`` and write only through the services; an
``ApplicationError`` becomes a message on the page.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import has_perm, requires, usable_url
from gridcare.core.errors import ApplicationError
from gridcare.core.exporting import write_workbook
from gridcare.core.listing import paginate
from gridcare.core.params import id_param
from gridcare.customers.selectors import customer_get

from . import selectors, services
from .choices import TicketStatus
from .intake import ref_for
from .models import CounterRating, HallSetting

SESSION_COUNTER = "hall_counter"
MONTH_MIN = dt.date(2000, 1, 1)


def _hall(request, pk):
    hall = selectors.hall_get(request.user, id_param(pk))
    if hall is None:
        raise Http404
    return hall


def _counter(request, pk):
    counter = selectors.counter_get(request.user, id_param(pk))
    if counter is None:
        raise Http404
    return counter


def _usable(user, url_name: str, *args, query: dict | None = None) -> str | None:
    """The URL of ``url_name`` when it exists and the user may open it (a role never sees a
    link it cannot use); ``None`` otherwise — e.g. before the applications app is installed."""
    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch:
        return None
    if usable_url(user, url) is None:
        return None
    return f"{url}?{urlencode(query)}" if query else url


# ------------------------------------------------------------------------------ halls


@requires("hall.view")
def hall_list(request):
    """The halls in the user's scope with today's figures, and where to go from each."""
    today = timezone.localdate()
    figures = selectors.hall_figures(request.user, start=today, end=today)
    by_hall = {row["hall"].pk: row["figures"] for row in figures["halls"]}
    halls = list(selectors.halls_for(request.user)[: selectors.FIGURE_HALLS_MAX])
    now = timezone.now()
    for h in halls:
        h.today = by_hall.get(h.pk) or selectors.summarize([], figures["commitment"])
        h.is_open = services.hall_is_open(h, now)
    return render(
        request,
        "hall/hall_list.html",
        {
            "halls": halls,
            "commitment": figures["commitment"],
            "can_issue": has_perm(request.user, "hall.issue_ticket"),
            "can_serve": has_perm(request.user, "hall.serve"),
            "can_manage": has_perm(request.user, "hall.manage"),
        },
    )


@requires("hall.view")
def hall_detail(request, pk):
    hall = _hall(request, pk)
    today = timezone.localdate()
    qs = selectors.tickets_for(request.user, hall=hall, day=today)
    ctx = paginate(request, qs)
    ctx.update(
        {
            "hall": hall,
            "counters": list(selectors.counters_for(request.user, hall)),
            "is_open": services.hall_is_open(hall, timezone.now()),
            "can_manage": has_perm(request.user, "hall.manage"),
            "can_serve": has_perm(request.user, "hall.serve"),
            "can_issue": has_perm(request.user, "hall.issue_ticket"),
            "settings_url": _usable(request.user, "settings-list", "hall-halls"),
        }
    )
    return render(request, "hall/hall_detail.html", ctx)


@requires("hall.manage")
@require_POST
def hall_close(request, pk):
    hall = _hall(request, pk)
    closed = request.POST.get("closed") == "1"
    try:
        services.hall_set_closed(
            actor=request.user, hall=hall, closed=closed, note=request.POST.get("note", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已临时闭厅") if closed else _("已恢复营业"))
    return redirect("hall:detail", pk=hall.pk)


# ------------------------------------------------------------------------------ board


@requires("hall.view")
def board(request, pk):
    """The hall board: refreshes itself (``<meta refresh>``, the setting's seconds)."""
    hall = _hall(request, pk)
    ctx = selectors.board(request.user, hall)
    ctx["refresh"] = HallSetting.get(HallSetting.BOARD_REFRESH)
    return render(request, "hall/board.html", ctx)


# ------------------------------------------------------------------------------ kiosk


@requires("hall.issue_ticket")
def kiosk(request, pk):
    """Take a number: a service type, an optional customer number, elderly/disabled."""
    hall = _hall(request, pk)
    values = {"customer": "", "care": False}
    if request.method == "POST":
        values = {
            "customer": (request.POST.get("customer") or "").strip()[:32],
            "care": request.POST.get("care") == "1",
        }
        try:
            customer = None
            if values["customer"]:
                customer = customer_get(request.user, values["customer"])
                if customer is None:
                    raise ApplicationError(
                        _("户号 %(no)s 不存在") % {"no": values["customer"]}, field="customer"
                    )
            ticket = services.ticket_take(
                actor=request.user,
                hall=hall,
                service_type=(request.POST.get("service_type") or "")[:32],
                customer=customer,
                declared_care=values["care"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("hall:slip", pk=ticket.pk)
    return render(
        request,
        "hall/kiosk.html",
        {
            "hall": hall,
            "types": selectors.service_types(),
            "values": values,
            "is_open": services.hall_is_open(hall, timezone.now()),
        },
    )


@requires("hall.issue_ticket")
def slip(request, pk):
    """The printed-looking ticket: number, type, people ahead, the time taken."""
    ticket = selectors.ticket_get(request.user, id_param(pk))
    if ticket is None:
        raise Http404
    ahead = selectors.people_ahead(ticket) if ticket.status == TicketStatus.WAITING else 0
    return render(request, "hall/slip.html", {"ticket": ticket, "ahead": ahead})


# ---------------------------------------------------------------------------- counter


@requires("hall.serve")
def counter_pick(request):
    """Choose my counter (remembered in the session for the home widget)."""
    counters = list(selectors.counters_for(request.user))
    names = {t.code: t.name for t in selectors.service_types()}
    for c in counters:
        c.type_names = ", ".join(names.get(code, code) for code in c.codes)
    return render(
        request,
        "hall/counter_pick.html",
        {"counters": counters, "mine": request.session.get(SESSION_COUNTER)},
    )


def _counter_context(request, counter) -> dict:
    ticket = selectors.counter_current(counter)
    ctx = {
        "counter": counter,
        "ticket": ticket,
        "types": selectors.service_types(),
        "others": [c for c in selectors.counters_for(request.user, counter.hall) if c.pk != counter.pk],
        "waiting": selectors.next_candidates(
            counter, now=timezone.now(), max_wait_minutes=HallSetting.get(HallSetting.MAX_WAIT)
        ).count(),
        "can_rate": has_perm(request.user, "hall.rate"),
    }
    if ticket is not None and ticket.status == TicketStatus.SERVING:
        query = {"channel": "counter", "intake_ref": ref_for(ticket)}
        if ticket.customer_id:
            query["customer"] = ticket.customer.customer_no
        ctx["order_url"] = (
            None if ticket.work_order_id else _usable(request.user, "workorders:intake", query=query)
        )
        ctx["application_url"] = _usable(request.user, "applications:new", query={"ticket": ticket.pk})
    return ctx


@requires("hall.serve")
def counter_page(request, pk):
    """The clerk's counter: the ticket at it now with its customer, and the actions."""
    counter = _counter(request, pk)
    request.session[SESSION_COUNTER] = counter.pk
    return render(request, "hall/counter.html", _counter_context(request, counter))


@requires("hall.serve")
@require_POST
def call_next(request, pk):
    counter = _counter(request, pk)
    try:
        ticket = services.ticket_call_next(actor=request.user, counter=counter)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if ticket is None:
            messages.info(request, _("当前没有等候的号"))
        else:
            messages.success(
                request, _("请 %(no)s 号到 %(counter)s") % {"no": ticket.number, "counter": counter}
            )
    return redirect("hall:counter", pk=counter.pk)


ACTIONS = {
    "recall": services.ticket_recall,
    "serve": services.ticket_serve,
    "finish": services.ticket_finish,
    "no_show": services.ticket_no_show,
}


@requires("hall.serve")
@require_POST
def ticket_action(request, pk, action):
    ticket = selectors.ticket_get(request.user, id_param(pk))
    if ticket is None or action not in {*ACTIONS, "transfer"}:
        raise Http404
    version = id_param(request.POST.get("expected_version"))
    try:
        if action == "transfer":
            new = services.ticket_transfer(
                actor=request.user,
                ticket=ticket,
                service_type=(request.POST.get("service_type") or "")[:32] or None,
                to_counter=id_param(request.POST.get("to_counter")),
                expected_version=version,
            )
            messages.success(request, _("已转办，新号 %(no)s") % {"no": new.number})
        else:
            ACTIONS[action](actor=request.user, ticket=ticket, expected_version=version)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if ticket.counter_id:
        if action == "finish" and has_perm(request.user, "hall.rate"):
            messages.info(request, _("请客户在评价器上评价"))
        return redirect("hall:counter", pk=ticket.counter_id)
    return redirect("hall:ticket", pk=ticket.pk)


@requires("hall.view")
def ticket_detail(request, pk):
    """One ticket with its timeline (every state change, timed)."""
    ticket = selectors.ticket_get(request.user, id_param(pk))
    if ticket is None:
        raise Http404
    events = list(ticket.events.select_related("actor__staff", "counter").order_by("at", "id"))
    return render(
        request,
        "hall/ticket.html",
        {
            "ticket": ticket,
            "events": events,
            "rating": CounterRating.objects.filter(ticket=ticket).first(),
            "order_url": _usable(request.user, "workorders:detail", ticket.work_order.order_no)
            if ticket.work_order_id
            else None,
        },
    )


# ----------------------------------------------------------------------------- rating


@requires("hall.rate")
def rate(request, pk):
    """The counter tablet: after "done", the customer gives 1–5 stars (big touch targets)."""
    counter = _counter(request, pk)
    ticket = selectors.counter_to_rate(counter)
    if request.method == "POST":
        ticket_pk = id_param(request.POST.get("ticket"))
        raw = (request.POST.get("score") or "").strip()
        try:
            if ticket_pk is None or (ticket is not None and ticket.pk != ticket_pk) or ticket is None:
                raise ApplicationError(_("没有待评价的号"), field="ticket")
            score = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 3 else 0
            services.ticket_rate(
                actor=request.user, ticket=ticket, score=score, comment=request.POST.get("comment", "")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("感谢您的评价！"))
        return redirect("hall:rate", pk=counter.pk)
    return render(
        request, "hall/rate.html", {"counter": counter, "ticket": ticket, "scores": [1, 2, 3, 4, 5]}
    )


# ---------------------------------------------------------------------------- figures


def _period(request) -> tuple[dt.date, dt.date, str, str]:
    today = timezone.localdate()
    raw_month = (request.GET.get("month") or "").strip()[:7]
    raw_day = (request.GET.get("day") or "").strip()[:10]
    if raw_month:
        try:
            month = dt.date.fromisoformat(raw_month + "-01")
        except ValueError:
            month = None
        if month is not None and MONTH_MIN <= month <= today:
            start, end = selectors.period_bounds(month=month)
            return start, end, "", month.strftime("%Y-%m")
    try:
        day = dt.date.fromisoformat(raw_day) if raw_day else today
    except ValueError:
        day = today
    day = min(max(day, MONTH_MIN), today)
    return day, day, day.isoformat(), ""


def _hall_param(request):
    pk = id_param(request.GET.get("hall"))
    return selectors.hall_get(request.user, pk) if pk else None


@requires("hall.view")
def figures(request):
    """Per hall and counter: tickets, average and P90 wait against the commitment, the share
    within it, service time, no-shows, the average rating; a day or a month."""
    start, end, day, month = _period(request)
    hall = _hall_param(request)
    data = selectors.hall_figures(request.user, start=start, end=end, hall=hall)
    query = urlencode(
        {k: v for k, v in {"day": day, "month": month, "hall": hall.pk if hall else ""}.items() if v}
    )
    return render(
        request,
        "hall/figures.html",
        {
            "rows": data["halls"],
            "total": data["total"],
            "commitment": data["commitment"],
            "start": start,
            "end": end,
            "day": day,
            "month": month,
            "hall": hall,
            "hall_choices": list(selectors.halls_for(request.user)[: selectors.FIGURE_HALLS_MAX]),
            "query": query,
        },
    )


def figure_rows(data: dict) -> tuple[list, list]:
    """The figures as table rows (Excel and tests)."""
    headers = [
        _("营业厅"),
        _("窗口"),
        _("取号"),
        _("已叫号"),
        _("已办结"),
        _("过号"),
        _("转办"),
        _("平均等候（分钟）"),
        _("P90 等候（分钟）"),
        _("等候承诺（分钟）"),
        _("承诺内占比（%）"),
        _("平均办理（分钟）"),
        _("评价数"),
        _("平均评分"),
    ]
    rows = []

    def row(hall_name, counter_name, f):
        rows.append(
            [
                hall_name,
                counter_name,
                f["tickets"],
                f["called"],
                f["done"],
                f["no_shows"],
                f["transferred"],
                f["avg_wait"],
                f["p90_wait"],
                f["commitment"],
                f["within_share"],
                f["avg_service"],
                f["ratings"],
                f["avg_rating"],
            ]
        )

    for h in data["halls"]:
        row(h["hall"].name, _("全厅"), h["figures"])
        for c in h["counters"]:
            row(h["hall"].name, str(c["counter"]), c["figures"])
    row(_("合计"), "", data["total"])
    return headers, rows


@requires("hall.view")
def figures_xlsx(request):
    start, end, day, month = _period(request)
    data = selectors.hall_figures(request.user, start=start, end=end, hall=_hall_param(request))
    headers, rows = figure_rows(data)
    content = write_workbook(None, [(_("营业厅排队指标"), headers, rows)])
    resp = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="hall-figures-{month or day}.xlsx"'
    return resp
