"""Reads of customers, always scoped to what the acting user may see."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet

from gridcare.core.textutil import normalize_query

from .models import Customer, ServiceGrid, ServiceGridArea

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
        .select_related("area__feeder__substation", "station", "manager__staff")
        .filter(customer_no=customer_no)
        .first()
    )


# ----------------------------------------------------------------- grids and managers


def is_key_customer(customer: Customer) -> bool:
    """Large and important customers: the ones whose manager may be set by hand (high
    voltage supply, or the important flag)."""
    return customer.important or customer.category in ("hv_single", "hv_dual")


def _acting(user):
    """The manager who actually serves: a grid's manager while their account is active."""
    return user if user is not None and user.is_active else None


def grid_of(customer: Customer) -> ServiceGrid | None:
    """The grid a customer's transformer area belongs to, else their station's whole-station grid."""
    member = (
        ServiceGridArea.objects.filter(area_id=customer.area_id)
        .select_related("grid__manager", "grid__deputy")
        .first()
    )
    if member is not None:
        return member.grid
    return (
        ServiceGrid.objects.filter(station_id=customer.station_id, whole_station=True)
        .select_related("manager", "deputy")
        .first()
    )


def responsible_manager(customer: Customer, *, grid: ServiceGrid | None | bool = False):
    """The one customer manager (a user) responsible for ``customer``, or None where no grid
    covers them: the manager set on the customer (while active), else their grid's manager,
    else (manager inactive or missing) the grid's deputy. ``grid``: the customer's grid
    when the caller already has it (``grid_of``)."""
    if customer.manager_id:
        manager = customer.manager
        if manager.is_active:
            return manager
    if grid is False:
        grid = grid_of(customer)
    if grid is None:
        return None
    return _acting(grid.manager) or _acting(grid.deputy)


def grids_served_by(user) -> QuerySet[ServiceGrid]:
    """The grids ``user`` serves: as active manager, or as deputy while the manager is
    missing or inactive."""
    return ServiceGrid.objects.filter(
        Q(manager=user) | (Q(deputy=user) & (Q(manager__isnull=True) | Q(manager__is_active=False)))
    )


def customers_managed_by(user) -> QuerySet[Customer]:
    """Every customer ``user`` is the responsible manager of (``responsible_manager`` as a
    set, in three subqueries, whatever the number of customers): the customers set on
    them, and those without an active manager of their own in the grids they serve — by
    area, or by station for a whole-station grid (areas in no other grid)."""
    if not user.is_active:  # someone who left serves nobody: their deputies and grids do
        return Customer.objects.none()
    grids = grids_served_by(user)
    in_areas = ServiceGridArea.objects.filter(grid__in=grids).values("area_id")
    whole = grids.filter(whole_station=True).values("station_id")
    gridded = ServiceGridArea.objects.values("area_id")
    no_own = Q(manager__isnull=True) | Q(manager__is_active=False)
    return Customer.objects.filter(
        Q(manager=user)
        | (no_own & Q(area_id__in=in_areas))
        | (no_own & Q(station_id__in=whole) & ~Q(area_id__in=gridded))
    )


def grids_for(user) -> QuerySet[ServiceGrid]:
    return ServiceGrid.objects.visible_to(user).select_related("station", "manager__staff", "deputy__staff")


def grid_get(user, code: str) -> ServiceGrid | None:
    return grids_for(user).filter(code=code).first()


def grid_customer_counts(grids) -> dict[int, int]:
    """Customers per grid (area members; a whole-station grid: its station's customers in no
    other grid), two grouped queries."""
    from django.db.models import Count

    ids = [g.pk for g in grids]
    counts = dict(
        Customer.objects.filter(area__service_grid__grid_id__in=ids)
        .values_list("area__service_grid__grid_id")
        .annotate(n=Count("id"))
        .values_list("area__service_grid__grid_id", "n")
    )
    whole = {g.station_id: g.pk for g in grids if g.whole_station}
    if whole:
        rows = (
            Customer.objects.filter(station_id__in=list(whole), area__service_grid__isnull=True)
            .values_list("station_id")
            .annotate(n=Count("id"))
            .values_list("station_id", "n")
        )
        for station_id, n in rows:
            counts[whole[station_id]] = counts.get(whole[station_id], 0) + n
    return counts


def manager_candidates(station) -> QuerySet:
    """Who may manage a grid of ``station``: active staff of the station and its teams
    (customer managers first; anyone else serves part-time) and of the county above it."""
    from django.contrib.auth import get_user_model

    county_path = station.parent.path if station.parent_id else station.path
    return (
        get_user_model()
        .objects.filter(is_active=True, staff__isnull=False)
        .filter(Q(staff__unit__path__startswith=station.path) | Q(staff__unit__path=county_path))
        .select_related("staff")
        .order_by("staff__role", "username")
    )
