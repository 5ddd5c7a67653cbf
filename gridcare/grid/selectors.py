"""Reads of grid assets, scoped through the supply station that owns each transformer area
(``TransformerArea.scope``; feeders and substations are visible through their areas)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import Feeder, Substation, TransformerArea


def areas_for(user) -> QuerySet[TransformerArea]:
    return TransformerArea.objects.visible_to(user)


def feeders_for(user) -> QuerySet[Feeder]:
    """Feeders serving at least one transformer area the user may see."""
    return Feeder.objects.visible_to(user)


def substations_for(user) -> QuerySet[Substation]:
    return Substation.objects.visible_to(user)


def area_list(user) -> QuerySet[TransformerArea]:
    return areas_for(user).select_related("feeder", "station").annotate(customer_count=Count("customers"))
