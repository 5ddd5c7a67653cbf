"""Reads of the analytics domain."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ClassifierModel


def classifier_versions() -> QuerySet[ClassifierModel]:
    """All trained classifier versions, newest first (model management is staff-only)."""
    return ClassifierModel.objects.order_by("-created_at", "-id")
