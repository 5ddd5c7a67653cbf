"""Periodic work of customer care (see ``gridcare.core.scheduling``)."""

from gridcare.core.scheduling import periodic

from .services import credit_ratings_review, customer_profiles_recompute


@periodic("care.credit_review", every_seconds=24 * 3600)
def credit_review_job() -> dict:
    """Nightly: ratings whose demerits expired, vetoes ended or bills fell due since they
    were computed, and those computed under changed rules, recomputed (idempotent)."""
    return credit_ratings_review()


@periodic("care.profiles", every_seconds=24 * 3600)
def profiles_job() -> dict:
    """Nightly: every customer's segments and value, and this month's segment sizes
    (writes only what changed: idempotent)."""
    return customer_profiles_recompute()
