"""What the intake desk shows first about a caller, filled by higher apps at start-up.

Work-order intake (floor 4) looks up the caller; an app above it (outages, floor 6) may know
something the agent must see before anything else — the caller's area is out in a known
outage. It registers here, and workorders calls the registry without importing it:

    register_caller_notice(fn, after_create=hook)

``fn(user, customer, area) -> dict | None``: a notice for the caller (``ref``: what a
report about it refers to; ``title``, ``kind``, ``start``, ``estimated_restoration``,
``cause`` shown; ``report``: intake fields a one-click report is filed with).
``hook(actor, order, params)``: called after intake created ``order`` with the ``params``
the report posted (``notice_ref``), inside the same transaction — or with the
``intake_ref`` the page that opened intake passed along (the hall's counter sends
``hall-ticket:<id>`` so the ticket records its order); each hook ignores refs not its own.

Customer care (floor 7) decides what a customer's segment and credit grade earn them
(``register_customer_terms(fn)``, ``fn(customer) -> dict``): intake asks
``customer_terms(customer)`` when it takes a request — ``green_channel`` (the order gets
the highest priority and the commitment catalogue's green-channel time limits, and the
customer's manager hears of it) — and shows the rest to the agent. With
``purpose="hall"`` the business-hall queue asks the same way whether a customer taking a
number gets hall priority (``hall_priority``).
"""

from __future__ import annotations

from collections.abc import Callable

CallerNotice = Callable[[object, object, object], "dict | None"]
AfterCreate = Callable[[object, object, dict], None]

_NOTICES: list[CallerNotice] = []
_AFTER_CREATE: list[AfterCreate] = []


def register_caller_notice(fn: CallerNotice, *, after_create: AfterCreate | None = None) -> None:
    if fn not in _NOTICES:
        _NOTICES.append(fn)
    if after_create is not None and after_create not in _AFTER_CREATE:
        _AFTER_CREATE.append(after_create)


def caller_notices(user, customer, area=None) -> list[dict]:
    """Every registered notice for this caller (customer and/or transformer area)."""
    out = []
    for fn in _NOTICES:
        notice = fn(user, customer, area)
        if notice:
            out.append(notice)
    return out


def caller_report_created(actor, order, params: dict) -> None:
    """Intake created ``order`` from a one-click report on a notice: let its owner react."""
    for hook in _AFTER_CREATE:
        hook(actor, order, params)


CustomerTerms = Callable[[object], dict]
# purpose -> the registered functions ("intake": what a request gets; "hall": the hall queue).
_TERMS: dict[str, list[CustomerTerms]] = {}


def register_customer_terms(fn: CustomerTerms, *, purpose: str = "intake") -> None:
    fns = _TERMS.setdefault(purpose, [])
    if fn not in fns:
        fns.append(fn)


def customer_terms(customer, *, purpose: str = "intake") -> dict:
    """What the registered apps say this customer gets for ``purpose`` (``intake``:
    ``green_channel`` and any other keys they define; ``hall``: ``hall_priority``); empty
    without a customer."""
    out: dict = {}
    if customer is None:
        return out
    for fn in _TERMS.get(purpose, []):
        out.update(fn(customer) or {})
    return out
