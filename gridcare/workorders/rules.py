"""Pure rules of the work order, shared by the services, the selectors and bulk history
(the demo utility): no database writes, no request — the same answer everywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gridcare.core.calendar import CalendarData, add_working_days, years_confirmed

from .choices import ClockBasis


def clock_due(
    basis: str, amount: int, start: dt.datetime, *, calendar: CalendarData | None = None
) -> dt.datetime:
    """When a clock started at ``start`` is due: working days on the calendar (the current
    one, or ``calendar``: what it was before a change), or minutes."""
    if basis == ClockBasis.WORKING_DAYS:
        return add_working_days(start, amount, calendar=calendar)
    return start + dt.timedelta(minutes=amount)


def deadline_provisional(basis: str, started_at: dt.datetime | None, due_at: dt.datetime | None) -> bool:
    """A working-day deadline counted over a year whose holidays nobody has entered yet
    (暂定): it is recomputed when that year is entered. Minute clocks never are."""
    if basis != ClockBasis.WORKING_DAYS or started_at is None or due_at is None:
        return False
    return not years_confirmed(started_at, due_at)


def winning_rules(
    rules: Iterable,
    *,
    request_type: str,
    subtype: str = "",
    area_class: str = "",
    customer_category: str = "",
    green_channel: bool = False,
) -> dict:
    """The most specific commitment rule per clock kind for an order with these attributes
    (a blank attribute in a rule matches anything; a green-channel rule matches only a
    green-channel order, and wins over the ordinary rules)."""
    best: dict = {}
    for rule in rules:
        if (
            (getattr(rule, "green_channel", False) and not green_channel)
            or rule.request_type != request_type
            or rule.subtype not in ("", subtype)
            or rule.area_class not in ("", area_class)
            or rule.customer_category not in ("", customer_category)
        ):
            continue
        current = best.get(rule.kind)
        if current is None or rule.specificity > current.specificity:
            best[rule.kind] = rule
    return best


def due_at_provisional(due_at: dt.datetime | None, clocks: Iterable) -> bool:
    """Whether an order's deadline (``due_at``: its nearest running clock's) is provisional."""
    if due_at is None:
        return False
    return any(
        c.due_at == due_at and c.met_at is None and c.paused_since is None and c.provisional for c in clocks
    )


# Order numbers: ``GD`` + date + unit part + daily sequence, the same length for every unit.
ORDER_NO_UNIT_WIDTH = 8
ORDER_NO_SEQUENCE_DIGITS = 5
ORDER_NO_LENGTH = 2 + 8 + ORDER_NO_UNIT_WIDTH + ORDER_NO_SEQUENCE_DIGITS


def order_no_scope(unit_code: str) -> str:
    """The unit part of an order number: the unit's code right-padded with zeros to a fixed
    width (``YZ`` → ``YZ000000``, ``YZ0101`` → ``YZ010100``, ``YZ010101`` unchanged), the way
    hierarchical codes write a higher level; a longer code keeps its first characters.

    It is also the daily counter's key, so two units that read the same here share one
    sequence and their numbers stay unique.
    """
    return unit_code[:ORDER_NO_UNIT_WIDTH].ljust(ORDER_NO_UNIT_WIDTH, "0")


def order_no_format(day: dt.date, scope: str, sequence: int) -> str:
    """``GD20260302NJ01010000001``: 23 characters whatever the unit (a unit taking more than
    99,999 orders in a day would get longer numbers — no station comes near)."""
    return f"GD{day:%Y%m%d}{scope}{sequence:0{ORDER_NO_SEQUENCE_DIGITS}d}"
