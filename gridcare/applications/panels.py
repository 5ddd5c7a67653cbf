"""The work-order page's card for a service-application request (业扩报装 taken by the
hotline as a work order): the staged application it was continued as, or — for who may
accept applications — the link to continue it as one, prefilled from the order."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.authz import has_perm
from gridcare.core.panels import register_detail_panel

from .models import Application


def order_application_panel(user, order) -> dict | None:
    if getattr(order, "request_type", "") != "service_application":
        return None  # no query for every other order
    may_view = has_perm(user, "applications.view")
    may_accept = has_perm(user, "applications.accept")
    if not (may_view or may_accept):
        return None
    app = Application.objects.visible_to(user).filter(work_order_id=order.pk).first() if may_view else None
    if app is None and not may_accept:
        return None
    return {
        "title": _("业务申请"),
        "template": "applications/_order_panel.html",
        "context": {"application": app, "order": order, "may_accept": may_accept},
    }


register_detail_panel("work_order", order_application_panel)
