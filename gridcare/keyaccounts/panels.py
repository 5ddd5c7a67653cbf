"""Key-account service on the customer page (core's detail-panel registry): the package,
the next inspection, the emergency plan and the next drill, with a link to the customer's
key-account page. Shown to roles with ``keyaccounts.view`` for large and important
customers (others cost no query)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.authz import can
from gridcare.core.panels import register_detail_panel

from .selectors import is_key_customer, panel_summary

TEMPLATE = "keyaccounts/_customer_panel.html"


def customer_keyaccount_panel(user, customer) -> dict | None:
    if not is_key_customer(customer) or not can(user, "keyaccounts.view", customer):
        return None
    return {"title": _("大客户服务"), "template": TEMPLATE, "context": panel_summary(customer)}


register_detail_panel("customer", customer_keyaccount_panel)
