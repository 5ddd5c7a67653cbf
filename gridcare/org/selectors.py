"""Reads of the organisation: a user's profile, role and reach (the unit path they see).

These functions are registered with ``gridcare.core.authz`` and ``gridcare.core.scoping``
at start-up (``OrgConfig.ready``); other apps ask ``can(user, perm, obj)`` and
``Model.objects.visible_to(user)`` rather than calling them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gridcare.core.authz import has_perm

from .choices import Role, UnitKind
from .models import OrgUnit, StaffProfile


def staff_of(user) -> StaffProfile | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except StaffProfile.DoesNotExist:
        return None


def user_scope_path(user) -> str | None:
    """The unit path prefix this user may see; '' for everything, None for nothing.

    Superusers without a unit see everything. Staff see their unit and below (a team: its supply station and below).
    Anyone else (no profile) sees nothing.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    profile = staff_of(user)
    if profile is not None:
        unit = profile.unit
        if unit.kind == UnitKind.TEAM and unit.parent_id:
            # A team (班组) works within its supply station: a crew sees the station's
            # customers, grid and orders, not only the orders already dispatched to the team.
            return unit.path.rsplit("/", 2)[0] + "/"
        return unit.path
    if user.is_superuser:
        return ""
    return None


def user_role(user) -> str | None:
    profile = staff_of(user)
    if profile is not None:
        return profile.role
    if user is not None and getattr(user, "is_superuser", False):
        return Role.ADMIN
    return None


def user_unit_kind(user) -> str | None:
    profile = staff_of(user)
    if profile is not None:
        return profile.unit.kind
    if user is not None and getattr(user, "is_superuser", False):
        return UnitKind.COMPANY
    return None


def user_can_reveal_personal_data(user) -> bool:
    return has_perm(user, "customers.reveal")


def units_visible_to(user) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user)


def unit_is_visible(user, unit: OrgUnit) -> bool:
    from gridcare.core.scoping import is_visible

    return is_visible(user, unit)


def staff_for(user, *, unit: OrgUnit | None = None, roles=None) -> QuerySet[StaffProfile]:
    """Staff the user may see (their unit and below), optionally of one unit (and below).
    System service accounts (partners', the portal's) are nobody: never listed."""
    qs = StaffProfile.objects.visible_to(user).filter(service_account=False).select_related("user", "unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return qs.filter(user__is_active=True)


def visible_station_ids(user) -> list[int] | None:
    """Ids of the supply stations the user may see; None when that is every station.

    One small query per user object (cached on it): a city has tens of stations and a
    province a few thousand, so the list is cheap to send and lets the database plan
    searches on large tables by their own indexes.
    """
    cached = getattr(user, "_gridcare_station_ids", False)
    if cached is not False:
        return cached
    path = user_scope_path(user)
    if path is None:
        result: list[int] | None = []
    elif path == "":
        result = None
    else:
        stations = list(OrgUnit.objects.filter(kind=UnitKind.STATION).values_list("id", "path"))
        mine = [pk for pk, p in stations if p.startswith(path)]
        result = None if len(mine) == len(stations) else mine
    try:
        user._gridcare_station_ids = result
    except AttributeError:  # AnonymousUser and the like
        pass
    return result
