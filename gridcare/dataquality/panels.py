"""Open data-quality findings on the customer page (core's detail-panel registry)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.panels import register_detail_panel

from .selectors import customer_findings


def customer_findings_panel(user, customer) -> dict | None:
    facts = customer_findings(user, customer)
    if facts is None:
        return None
    return {"title": _("数据质量问题"), "template": "dataquality/_customer_panel.html", "context": facts}


register_detail_panel("customer", customer_findings_panel)
