"""Reading outages: scoped to what the acting user may see."""

from __future__ import annotations

from gridcare.core.authz import require

from .models import Outage


def outage_list(*, actor):
    """The outages ``actor`` may see (``outages.view``), newest first."""
    require(actor, "outages.view")
    return Outage.objects.visible_to(actor).order_by("-started_at", "-id")
