"""Credit and billing on the customer page (core's detail-panel registry: customers, a lower
floor, knows nothing of care). Shown to roles with ``care.view``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.panels import register_detail_panel

from .selectors import customer_care

TEMPLATE = "care/_customer_panel.html"


def customer_care_panel(user, customer) -> dict | None:
    facts = customer_care(user, customer)
    if facts is None:
        return None
    return {"title": _("信用等级与缴费"), "template": TEMPLATE, "context": facts}


register_detail_panel("customer", customer_care_panel)
