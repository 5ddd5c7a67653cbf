"""Pure rules of the work order, shared by the services, the selectors and bulk history
(the demo utility): no database writes, no request — the same answer everywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gridcare.core.calendar import add_working_days

from .choices import ClockBasis


def clock_due(basis: str, amount: int, start: dt.datetime) -> dt.datetime:
    """When a clock started at ``start`` is due: working days on the calendar, or minutes."""
    if basis == ClockBasis.WORKING_DAYS:
        return add_working_days(start, amount)
    return start + dt.timedelta(minutes=amount)


def winning_rules(
    rules: Iterable,
    *,
    request_type: str,
    subtype: str = "",
    area_class: str = "",
    customer_category: str = "",
) -> dict:
    """The most specific commitment rule per clock kind for an order with these attributes
    (a blank attribute in a rule matches anything)."""
    best: dict = {}
    for rule in rules:
        if (
            rule.request_type != request_type
            or rule.subtype not in ("", subtype)
            or rule.area_class not in ("", area_class)
            or rule.customer_category not in ("", customer_category)
        ):
            continue
        current = best.get(rule.kind)
        if current is None or rule.specificity > current.specificity:
            best[rule.kind] = rule
    return best
