"""Signals other apps listen to (webhooks).

``outage_changed`` is sent inside the outage action's own transaction, after its rows are
written: a receiver that writes rows of its own (an outbox) commits with the outage or not
at all. Receivers must not let an error reach the action (webhooks wraps its work in a
savepoint and logs)."""

from django.dispatch import Signal

# kwargs: outage, event ("announced", "started", "restored", "estimate_updated", "cancelled"),
# restored_areas (codes, for "restored"), at (when it happened)
outage_changed = Signal()

EVENTS = ("announced", "started", "restored", "estimate_updated", "cancelled")


def announce(outage, event: str, **extra) -> None:
    from .models import Outage

    assert event in EVENTS, event
    outage_changed.send(sender=Outage, outage=outage, event=event, **extra)
