"""The demo's key accounts: packages, inspections (one overdue per county), rectification
items in several states, plans (one expiring and one expired per county) with drills."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_seed_keyaccounts(settings, tmp_path):
    from gridcare.demo.keyaccounts import seed_keyaccounts
    from gridcare.demo.seed import seed_utility
    from gridcare.keyaccounts.models import Drill, EmergencyPlan, SafetyInspection, Subscription
    from gridcare.rectification.models import RectificationItem

    settings.MEDIA_ROOT = tmp_path
    seed_utility(size="small", seed=7)
    counts = seed_keyaccounts(seed=7)
    assert counts["subscriptions"] >= 4 and counts["inspections"] >= 4
    today = timezone.localdate()
    assert SafetyInspection.objects.filter(status="scheduled", due_date__lt=today).count() >= 2
    assert Subscription.objects.filter(ended_on__isnull=True).count() == counts["subscriptions"]
    states = set(RectificationItem.objects.values_list("status", flat=True))
    assert "verified" in states and len(states) >= 2, states
    plans = EmergencyPlan.objects.filter(active=True)
    assert plans.filter(review_date__lt=today).exists()
    assert plans.filter(review_date__gte=today, review_date__lte=today + timezone.timedelta(days=30)).exists()
    assert Drill.objects.filter(status="done").exists()
    assert seed_keyaccounts(seed=7)["subscriptions"] == 0  # once only
