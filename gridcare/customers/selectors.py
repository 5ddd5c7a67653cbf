"""Reads of customers, always scoped to what the acting user may see."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet

from gridcare.core.textutil import normalize_query

from .models import Customer

_DIGITS = re.compile(r"^[0-9-]+$")


def customers_for(user) -> QuerySet[Customer]:
    """Customers of the user's unit and below (via the customer's supply station).

    The visible stations are resolved to a short id list first, so a search on a million
    customers is driven by its own indexes with the scope as a cheap filter.
    """
    return Customer.objects.visible_to(user)


def prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, written so that an ordinary index serves it.

    Digit prefixes (customer numbers) become a range on the plain unique index; SQLite's
    LIKE is case-insensitive and skips the index, so other ASCII prefixes become a range
    there too; elsewhere LIKE 'x%' (a scan on PostgreSQL without a pattern-ops index).
    """
    if prefix.isascii() and prefix.isdigit():
        # Digit strings sort the same in every collation: [310, 311) is "starts with 310",
        # [3109, 311) is "starts with 3109"; all nines has no upper bound among digit strings.
        head = prefix.rstrip("9")
        if not head:
            return Q(**{f"{field}__gte": prefix})
        upper = head[:-1] + chr(ord(head[-1]) + 1)
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    if connection.vendor == "sqlite" and prefix.isascii():
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\x7f"})
    return Q(**{f"{field}__startswith": prefix})


def customer_search_q(query: str) -> Q | None:
    """Search by number (prefix), phone (exact or last digits), name and address (partial).

    Digits match the customer number by prefix and phones exactly (index-friendly);
    11-digit mobiles and landlines match either phone column; 4+ trailing digits match
    the end of a phone. Chinese text matches name or address anywhere, after
    traditional→simplified and full-width→half-width normalisation.
    """
    q = normalize_query(query)
    if not q:
        return None
    compact = q.replace(" ", "")
    if _DIGITS.match(compact):
        digits = compact.replace("-", "")
        cond = prefix_q("customer_no", digits)
        for form in {digits, compact}:
            # ``phone2 <> ''`` repeats the partial index's condition so SQLite can use it
            # (it does not infer it from the equality); PostgreSQL is indifferent.
            cond |= Q(phone=form) | (Q(phone2=form) & ~Q(phone2=""))
        if 4 <= len(digits) <= 8:
            # The tail of a phone number ("the caller's last four digits"): a scan, so only for short input.
            cond |= Q(phone__endswith=digits)
        return cond
    cond = Q()
    for term in q.split(" "):
        cond &= Q(name__contains=term) | Q(address__contains=term) | Q(customer_no=term)
    return cond


def customer_search(user, query: str) -> QuerySet[Customer]:
    qs = customers_for(user)
    cond = customer_search_q(query)
    if cond is not None:
        qs = qs.filter(cond)
    return qs


def customer_list(user, *, filters: dict | None = None) -> QuerySet[Customer]:
    qs = customers_for(user).select_related("area", "station")
    return qs.order_by("customer_no")


def customer_get(user, customer_no: str) -> Customer | None:
    return (
        customers_for(user)
        .select_related("area__feeder__substation", "station")
        .filter(customer_no=customer_no)
        .first()
    )
