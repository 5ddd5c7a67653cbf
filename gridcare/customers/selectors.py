"""Reads of customers, always scoped to what the acting user may see."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from gridcare.core.textutil import normalize_query
from gridcare.org.selectors import scope_by_unit

from .models import Customer

_DIGITS = re.compile(r"^[0-9-]+$")


def customers_for(user) -> QuerySet[Customer]:
    """Customers of the user's unit and below (via the customer's supply station)."""
    return scope_by_unit(Customer.objects.all(), user, "station")


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
        cond = Q(customer_no__startswith=digits)
        for form in {digits, compact}:
            cond |= Q(phone=form) | Q(phone2=form)
        if 4 <= len(digits) < 11:
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
