"""The work-order page's card for an order that came in through the portal: the files the
customer attached (downloadable by staff who may see the order), the customer's rating, and
that a report was anonymous."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.panels import register_detail_panel

from .models import AnonymousReport, PortalAttachment, PortalRating


def order_portal_panel(user, order) -> dict | None:
    if getattr(order, "channel", "") != "web":
        return None  # no query for orders from other channels
    attachments = list(PortalAttachment.objects.filter(order_id=order.pk))
    rating = PortalRating.objects.filter(order_id=order.pk).first()
    anonymous = AnonymousReport.objects.filter(order_id=order.pk).exists()
    if not (attachments or rating or anonymous):
        return None
    return {
        "title": _("网上营业厅"),
        "template": "portal/_order_panel.html",
        "context": {"attachments": attachments, "rating": rating, "anonymous": anonymous},
    }


register_detail_panel("work_order", order_portal_panel)
