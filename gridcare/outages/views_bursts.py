"""The dispatcher's side of bursts of fault reports (``bursts.py``): the suggestions shown on
the outage board and the button that confirms one as a fault outage."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcare.core.authz import has_perm, requires
from gridcare.core.errors import ApplicationError

from . import bursts


def burst_panel_context(user) -> dict:
    """What the board's suggestion panel needs: only for those who may confirm."""
    if not has_perm(user, "outages.manage"):
        return {"can_confirm_bursts": False, "bursts": []}
    return {"can_confirm_bursts": True, "bursts": bursts.fault_bursts(user=user)}


@requires("outages.manage")
@require_POST
def confirm(request):
    code = (request.POST.get("feeder") or "").strip()[:64]
    if not code:
        messages.error(request, _("请选择线路"))
        return redirect("outages:board")
    try:
        outage = bursts.outage_confirm_burst(actor=request.user, feeder=code)
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect("outages:board")
    messages.success(
        request,
        _("已确认为故障停电 %(no)s，相关报修已并入主工单") % {"no": outage.outage_no},
    )
    return redirect("outages:detail", outage_no=outage.outage_no)
