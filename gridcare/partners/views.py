"""Admin pages of partner access (``partners.manage``): partners (list, new, edit), their
keys (issue — the secret shown once —, re-scope, revoke) and the recent calls of each key.

Views read through ``selectors`` and write only through the services; an
``ApplicationError`` becomes a message on the page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gridcare.core.authz import requires
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.params import form_date, id_param
from gridcare.org.choices import UnitKind
from gridcare.org.selectors import units_visible_to
from gridcare.workorders.choices import Channel

from . import selectors, services
from .choices import Endpoint
from .models import Open311Config, PartnerCall

UNIT_CHOICES_MAX = 500
PERM = "partners.manage"


def _units(user):
    return (
        units_visible_to(user)
        .exclude(kind=UnitKind.TEAM)
        .order_by("path")
        .only("code", "name", "path", "kind")[:UNIT_CHOICES_MAX]
    )


def _units_posted(request, name: str) -> list:
    codes = [c.strip()[:32] for c in request.POST.getlist(name)[:UNIT_CHOICES_MAX] if c.strip()]
    return list(units_visible_to(request.user).filter(code__in=codes)) if codes else []


def _expiry(value) -> dt.datetime | None:
    day = form_date(value, "expires_at")
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _partner(request, pk):
    partner = selectors.partner_get(request.user, id_param(pk))
    if partner is None:
        raise Http404
    return partner


def _key(request, pk):
    key = selectors.key_get(request.user, id_param(pk))
    if key is None:
        raise Http404
    return key


# ------------------------------------------------------------------------------ partners


@requires(PERM)
def partner_list(request):
    ctx = paginate(request, selectors.partners_for(request.user).order_by("name"))
    ctx.update({"config": Open311Config.current()})
    return render(request, "partners/list.html", ctx)


@requires(PERM)
def partner_new(request):
    values = {"name": "", "contact": "", "unit": "", "channel": ""}
    if request.method == "POST":
        values.update({k: request.POST.get(k, "") for k in values})
        unit = units_visible_to(request.user).filter(code=request.POST.get("unit", "").strip()[:32]).first()
        try:
            partner = services.partner_create(
                actor=request.user,
                name=request.POST.get("name", ""),
                contact=request.POST.get("contact", ""),
                unit=unit,
                channel=request.POST.get("channel", ""),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已新增合作方"))
            return redirect("partners:detail", pk=partner.pk)
    return render(
        request,
        "partners/new.html",
        {"values": values, "units": _units(request.user), "channels": Channel.choices},
    )


@requires(PERM)
def partner_detail(request, pk):
    partner = _partner(request, pk)
    now = timezone.now()
    keys = list(partner.keys.prefetch_related("units").order_by("-issued_at", "-id"))
    for key in keys:
        key.state_now = key.state(now)
    return render(
        request,
        "partners/detail.html",
        {
            "partner": partner,
            "keys": keys,
            "units": _units(request.user),
            "channels": Channel.choices,
            "endpoints": Endpoint.choices,
            "calls": PartnerCall.objects.filter(partner=partner).select_related("key")[:20],
            "default_channel": Channel(Open311Config.current().channel).label,
            "new_key": {"name": "", "endpoints": [Endpoint.OPEN311_READ], "expires_at": None},
            "new_key_units": {partner.unit.code},
        },
    )


@requires(PERM)
@require_POST
def partner_edit(request, pk):
    partner = _partner(request, pk)
    try:
        services.partner_update(
            actor=request.user,
            partner=partner,
            expected_version=id_param(request.POST.get("expected_version")),
            contact=request.POST.get("contact", ""),
            channel=request.POST.get("channel", ""),
            active=request.POST.get("active") == "1",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存"))
    return redirect("partners:detail", pk=partner.pk)


# ---------------------------------------------------------------------------------- keys


@requires(PERM)
@require_POST
@never_cache
def key_issue(request, pk):
    """Issue a key and show its secret once (this response only; it is not stored)."""
    partner = _partner(request, pk)
    try:
        key, secret = services.api_key_issue(
            actor=request.user,
            partner=partner,
            name=request.POST.get("name", ""),
            units=_units_posted(request, "units"),
            endpoints=request.POST.getlist("endpoints")[:10],
            expires_at=_expiry(request.POST.get("expires_at")),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("partners:detail", pk=partner.pk)
    return render(request, "partners/key_issued.html", {"partner": partner, "key": key, "secret": secret})


@requires(PERM)
def key_detail(request, pk):
    """A key: its scope (editable while not revoked) and its recent calls."""
    key = _key(request, pk)
    if request.method == "POST":
        try:
            services.api_key_update(
                actor=request.user,
                key=key,
                expected_version=id_param(request.POST.get("expected_version")),
                name=request.POST.get("name", ""),
                units=_units_posted(request, "units"),
                endpoints=request.POST.getlist("endpoints")[:10],
                expires_at=_expiry(request.POST.get("expires_at")),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存密钥范围"))
            return redirect("partners:key", pk=key.pk)
    ctx = paginate(request, PartnerCall.objects.filter(key=key).order_by("-at", "-id"))
    ctx.update(
        {
            "key": key,
            "state": key.state(timezone.now()),
            "key_units": set(key.units.values_list("code", flat=True)),
            "units": _units(request.user),
            "endpoints": Endpoint.choices,
        }
    )
    return render(request, "partners/key.html", ctx)


@requires(PERM)
@require_POST
def key_revoke(request, pk):
    key = _key(request, pk)
    try:
        services.api_key_revoke(
            actor=request.user, key=key, expected_version=id_param(request.POST.get("expected_version"))
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("密钥已吊销"))
    return redirect("partners:key", pk=key.pk)
