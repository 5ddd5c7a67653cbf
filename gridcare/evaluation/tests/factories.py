"""Helpers for evaluation tests: experts appointed and assessments recorded through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gridcare.evaluation import services
from gridcare.evaluation.models import ExpertChecklistItem


def all_scores(value: int = 80) -> dict[str, int]:
    return {
        code: value for code in ExpertChecklistItem.objects.filter(active=True).values_list("code", flat=True)
    }


def appoint(actor, user, unit, *, days_ago: int = 30, valid_to=None):
    return services.expert_appoint(
        actor=actor,
        user=user,
        unit=unit,
        valid_from=timezone.localdate() - dt.timedelta(days=days_ago),
        valid_to=valid_to,
    )


def assess(actor, *, hall=None, unit=None, value: int = 80, period=None, **kwargs):
    period = period or timezone.localdate().replace(day=1)
    return services.assessment_save(
        actor=actor, hall=hall, unit=unit, scores=all_scores(value), period=period, **kwargs
    )
