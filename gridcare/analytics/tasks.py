"""Periodic jobs of service intelligence (see ``gridcare.core.scheduling``)."""

from gridcare.core.scheduling import periodic


@periodic("analytics.publish_reports", every_seconds=3600)
def publish_reports_job():
    """Last week's and last month's reports, published once (idempotent)."""
    from .reports import reports_publish_due

    return reports_publish_due()
