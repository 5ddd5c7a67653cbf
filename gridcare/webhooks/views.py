"""Pages (admins): subscriptions, one subscription (secret, edit, rotate, test, enable or
disable, recent deliveries with their attempts) and a new subscription.

Views read through ``selectors`` and write only through the services; an
``ApplicationError`` becomes a message on the page (a stale edit answers 409)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import requires
from gridcare.core.errors import ApplicationError
from gridcare.core.params import id_param
from gridcare.org.selectors import units_visible_to

from . import selectors, services
from .choices import EventType
from .models import WebhookSetting

UNIT_CHOICES_MAX = 500


def _sub(pk):
    sub = selectors.subscription_get(id_param(pk))
    if sub is None:
        raise Http404
    return sub


def _form_values(request) -> dict:
    return {
        "name": (request.POST.get("name") or "").strip(),
        "url": (request.POST.get("url") or "").strip(),
        "events": [e for e in request.POST.getlist("events") if e in EventType.values],
        "units": [(c or "").strip()[:32] for c in request.POST.getlist("units")][: services.UNITS_MAX + 1],
    }


def _form_ctx(request, values: dict, **extra) -> dict:
    return {
        "values": values,
        "event_choices": EventType.choices,
        "unit_choices": units_visible_to(request.user)
        .order_by("path")
        .only("code", "name", "path")[:UNIT_CHOICES_MAX],
        "allow_private": bool(WebhookSetting.get(WebhookSetting.ALLOW_PRIVATE_ADDRESSES)),
        **extra,
    }


@requires("webhooks.manage")
def subscription_list(request):
    return render(request, "webhooks/list.html", {"subscriptions": list(selectors.subscriptions())})


@requires("webhooks.manage")
def new(request):
    values = {"name": "", "url": "https://", "events": [], "units": []}
    status = 200
    if request.method == "POST":
        values = _form_values(request)
        try:
            sub = services.subscription_create(
                actor=request.user,
                name=values["name"],
                url=values["url"],
                events=values["events"],
                units=selectors.units_by_codes(request.user, values["units"]),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已新建推送订阅，请将签名密钥告知接收方"))
            return redirect("webhooks:detail", pk=sub.pk)
    return render(request, "webhooks/new.html", _form_ctx(request, values), status=status)


@requires("webhooks.manage")
def detail(request, pk):
    sub = _sub(pk)
    values = {
        "name": sub.name,
        "url": sub.url,
        "events": list(sub.events),
        "units": [u.code for u in sub.units.all()],
    }
    status = 200
    if request.method == "POST":
        values = _form_values(request)
        try:
            services.subscription_update(
                actor=request.user,
                subscription=sub,
                name=values["name"],
                url=values["url"],
                events=values["events"],
                units=selectors.units_by_codes(request.user, values["units"]),
                expected_version=id_param(request.POST.get("expected_version")),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已保存"))
            return redirect("webhooks:detail", pk=sub.pk)
    return render(
        request,
        "webhooks/detail.html",
        _form_ctx(
            request,
            values,
            sub=sub,
            deliveries=selectors.recent_deliveries(sub),
            events=audit_events_for(sub)[:30],
        ),
        status=status,
    )


def _act(request, pk, run, ok: str):
    sub = _sub(pk)
    try:
        run(sub, expected_version=id_param(request.POST.get("expected_version")))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("webhooks:detail", pk=sub.pk)


@requires("webhooks.manage")
@require_POST
def rotate(request, pk):
    def run(sub, **kw):
        services.subscription_rotate_secret(actor=request.user, subscription=sub, **kw)

    return _act(request, pk, run, _("已更换签名密钥，请将新密钥告知接收方"))


@requires("webhooks.manage")
@require_POST
def enable(request, pk):
    def run(sub, **kw):
        services.subscription_set_active(actor=request.user, subscription=sub, active=True, **kw)

    return _act(request, pk, run, _("已启用"))


@requires("webhooks.manage")
@require_POST
def disable(request, pk):
    def run(sub, **kw):
        services.subscription_set_active(actor=request.user, subscription=sub, active=False, **kw)

    return _act(request, pk, run, _("已停用"))


@requires("webhooks.manage")
@require_POST
def send_test(request, pk):
    def run(sub, **kw):
        services.subscription_send_test(actor=request.user, subscription=sub)

    return _act(request, pk, run, _("测试事件已排队，稍后由后台投递"))
