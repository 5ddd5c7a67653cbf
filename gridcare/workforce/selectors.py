"""Reads of the workforce domain (contact volume is company-wide: no unit scoping)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from .choices import Channel
from .models import ContactVolume, ForecastRun

LOCAL = ZoneInfo("Asia/Shanghai")


def contact_volume_series(
    *,
    channel: str = Channel.HOTLINE,
    interval_minutes: int = 5,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> pd.Series:
    """Stored counts as a Series indexed by naive Asia/Shanghai interval starts (all sources summed)."""
    qs = ContactVolume.objects.filter(channel=channel, interval_minutes=interval_minutes)
    if since:
        qs = qs.filter(start__gte=since)
    if until:
        qs = qs.filter(start__lt=until)
    rows = list(qs.order_by("start").values_list("start", "count"))
    if not rows:
        return pd.Series(dtype=float, name="calls")
    idx = pd.DatetimeIndex([s.astimezone(LOCAL).replace(tzinfo=None) for s, _ in rows])
    s = pd.Series([c for _, c in rows], index=idx, dtype=float, name="calls")
    return s.groupby(level=0).sum()


def latest_forecast_run(*, channel: str = Channel.HOTLINE) -> ForecastRun | None:
    return ForecastRun.objects.filter(channel=channel).order_by("-created_at", "-id").first()
