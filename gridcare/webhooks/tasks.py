"""The worker's job: deliver the due outbox rows."""

from gridcare.core.scheduling import periodic

from . import services


@periodic("webhooks.deliver", every_seconds=10)
def deliver_job():
    return services.deliver_due()
