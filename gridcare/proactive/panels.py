"""Meter facts on the customer page (core's detail-panel registry), for ``proactive.view``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.panels import register_detail_panel

from .selectors import customer_meters


def customer_meter_panel(user, customer) -> dict | None:
    facts = customer_meters(user, customer)
    if facts is None:
        return None
    return {"title": _("电能表与表箱"), "template": "proactive/_customer_panel.html", "context": facts}


register_detail_panel("customer", customer_meter_panel)
