"""Reactions of the work orders to other apps' signals."""

from __future__ import annotations


def on_calendar_changed(sender, *, years, previous, dates=None, actor=None, **kwargs) -> None:
    """A year's working-day calendar was entered or edited (``core.calendar.calendar_changed``,
    in the transaction of the change): the deadlines it moves move with it."""
    from .services import work_order_deadlines_recompute

    work_order_deadlines_recompute(
        actor=actor,
        years=years,
        dates=dates,
        previous=previous,
        note="calendar " + ", ".join(map(str, sorted(years))),
    )
