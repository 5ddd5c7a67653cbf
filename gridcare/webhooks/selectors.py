"""Reading subscriptions and their deliveries (admins only: the pages require webhooks.manage)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from gridcare.core.errors import ApplicationError
from gridcare.org.selectors import units_visible_to

from .choices import DeliveryStatus
from .models import DeliveryAttempt, Subscription, WebhookEvent


def subscriptions():
    return Subscription.objects.select_related("owner").annotate(
        pending=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
        ),
        dead=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DEAD)),
    )


def subscription_get(pk: int | None) -> Subscription | None:
    if pk is None:
        return None
    return Subscription.objects.select_related("owner").prefetch_related("units").filter(pk=pk).first()


def recent_deliveries(sub: Subscription, *, limit: int = 50) -> list[WebhookEvent]:
    return list(
        WebhookEvent.objects.filter(subscription=sub)
        .prefetch_related(Prefetch("tries", queryset=DeliveryAttempt.objects.order_by("at", "id")))
        .order_by("-created_at", "-id")[:limit]
    )


def units_by_codes(user, codes: list[str]) -> list:
    """The units named by ``codes``, each visible to ``user`` (else a field error)."""
    if not codes:
        return []
    found = list(units_visible_to(user).filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ApplicationError(_("单位范围中有不存在或不可见的单位"), field="units", code="invalid")
    return found
