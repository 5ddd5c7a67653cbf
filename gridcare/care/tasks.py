"""Periodic work of customer care (see ``gridcare.core.scheduling``)."""

from gridcare.core.scheduling import periodic

from .services import credit_ratings_review


@periodic("care.credit_review", every_seconds=24 * 3600)
def credit_review_job() -> dict:
    """Nightly: ratings whose demerits expired, vetoes ended or bills fell due since they
    were computed, and those computed under changed rules, recomputed (idempotent)."""
    return credit_ratings_review()
