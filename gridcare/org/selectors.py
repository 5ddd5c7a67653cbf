"""Reads of the organisation, and the one place that decides what a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from .choices import ROLES_ADMINISTER, ROLES_REVEAL_PERSONAL_DATA, Role
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

    Superusers without a unit see everything. Staff see their unit and below.
    Anyone else (no profile) sees nothing.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    profile = staff_of(user)
    if profile is not None:
        return profile.unit.path
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


def user_can_reveal_personal_data(user) -> bool:
    return user_role(user) in ROLES_REVEAL_PERSONAL_DATA


def user_can_administer(user) -> bool:
    return user_role(user) in ROLES_ADMINISTER


def units_visible_to(user) -> QuerySet[OrgUnit]:
    path = user_scope_path(user)
    if path is None:
        return OrgUnit.objects.none()
    qs = OrgUnit.objects.all()
    if path:
        qs = qs.filter(path__startswith=path)
    return qs


def scope_by_unit(qs: QuerySet, user, unit_field: str = "unit") -> QuerySet:
    """Restrict ``qs`` to rows whose ``unit_field`` is the user's unit or below it.

    Every selector of a scoped model passes through here, so UI lists, API lists and
    exports cannot disagree about what a user may see.
    """
    path = user_scope_path(user)
    if path is None:
        return qs.none()
    if path == "":
        return qs
    return qs.filter(**{f"{unit_field}__path__startswith": path})


def unit_is_visible(user, unit: OrgUnit) -> bool:
    path = user_scope_path(user)
    return path is not None and unit.path.startswith(path)


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
        from .choices import UnitKind

        stations = list(OrgUnit.objects.filter(kind=UnitKind.STATION).values_list("id", "path"))
        mine = [pk for pk, p in stations if p.startswith(path)]
        result = None if len(mine) == len(stations) else mine
    try:
        user._gridcare_station_ids = result
    except AttributeError:  # AnonymousUser and the like
        pass
    return result


def scope_by_station_ids(qs: QuerySet, user, field: str = "station_id") -> QuerySet:
    """Restrict ``qs`` to rows whose station is visible to the user (see visible_station_ids)."""
    ids = visible_station_ids(user)
    if ids is None:
        return qs
    return qs.filter(**{f"{field}__in": ids})
