"""Reads of grid assets, scoped through the supply station that owns each transformer area."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet

from gridcare.org.selectors import scope_by_station_ids, user_scope_path

from .models import Feeder, Substation, TransformerArea


def areas_for(user) -> QuerySet[TransformerArea]:
    return scope_by_station_ids(TransformerArea.objects.all(), user, "station_id")


def feeders_for(user) -> QuerySet[Feeder]:
    """Feeders serving at least one transformer area the user may see."""
    path = user_scope_path(user)
    if path is None:
        return Feeder.objects.none()
    if path == "":
        return Feeder.objects.all()
    return Feeder.objects.filter(Exists(areas_for(user).filter(feeder=OuterRef("pk"))))


def substations_for(user) -> QuerySet[Substation]:
    path = user_scope_path(user)
    if path is None:
        return Substation.objects.none()
    if path == "":
        return Substation.objects.all()
    return Substation.objects.filter(Exists(feeders_for(user).filter(substation=OuterRef("pk"))))


def area_list(user) -> QuerySet[TransformerArea]:
    return areas_for(user).select_related("feeder", "station").annotate(customer_count=Count("customers"))
