"""Demo 95598 hotline volume: eight weeks of 5-minute contact counts for the demo city.

A city hotline runs 24 hours: quiet at night, a morning peak around 09:00–11:00, a
second one around 14:00–16:00, fewer calls at weekends and on statutory holidays, a
summer uplift, and storm days that double the afternoon. The history ends yesterday;
the cached forecast covers today and the next six days; today's actual calls are added
up to the current time so the page shows today's forecast against what came in.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from django.utils import timezone

from gridcare.core.calendar import is_working_day, local_tz
from gridcare.workforce.choices import Channel, VolumeSource
from gridcare.workforce.models import ContactVolume


def _profile() -> np.ndarray:
    """Relative 5-minute arrival intensity over one day (288 slots), mean 1."""
    t = np.arange(288) / 12.0  # hour of day
    base = 0.12 + 0.9 * np.exp(-((t - 10.0) ** 2) / 4.5) + 0.75 * np.exp(-((t - 15.0) ** 2) / 5.0)
    base += 0.35 * np.exp(-((t - 20.0) ** 2) / 3.0)
    return base / base.mean()


def seed_contact_volume(*, seed: int, days: int = 56, calls_per_day: float = 1800.0, now=None) -> int:
    """Write 5-minute hotline counts for ``days`` days before today plus today so far."""
    rng = np.random.default_rng(seed)
    tz = local_tz()
    now = timezone.localtime(now or timezone.now(), tz)
    today = now.date()
    profile = _profile()
    storm_days = set()
    if days > 6:
        storm_days = {
            today - dt.timedelta(days=int(d)) for d in rng.choice(np.arange(3, days), 3, replace=False)
        }
    rows = []
    for back in range(days, -1, -1):
        day = today - dt.timedelta(days=back)
        level = calls_per_day / 288.0
        if not is_working_day(day):
            level *= 0.72
        level *= 1.0 + 0.25 * math.sin((day.timetuple().tm_yday - 120) / 365.0 * 2 * math.pi)  # summer peak
        lam = level * profile
        if day in storm_days:
            lam = lam * np.where(np.arange(288) >= 14 * 12, 2.4, 1.15)
        counts = rng.negative_binomial(n=40, p=40 / (40 + lam))
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
        for i, c in enumerate(counts):
            ts = start + dt.timedelta(minutes=5 * i)
            if ts >= now:
                break
            rows.append(
                ContactVolume(
                    start=ts,
                    interval_minutes=5,
                    channel=Channel.HOTLINE,
                    count=int(c),
                    source=VolumeSource.IMPORTED,
                )
            )
    ContactVolume.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def seed_demo_forecast(*, seed: int, stdout=None) -> None:
    """History up to yesterday, a cached 7-day forecast from today, then today's calls so far."""
    from gridcare.workforce import forecasting as fc
    from gridcare.workforce.selectors import contact_volume_series
    from gridcare.workforce.services import forecast_run_save

    tz = local_tz()
    now = timezone.localtime(timezone.now(), tz)
    midnight = dt.datetime.combine(now.date(), dt.time(0, 0), tzinfo=tz)
    n = seed_contact_volume(seed=seed, now=midnight)
    series = contact_volume_series(interval_minutes=5)
    dm = fc.build_day_matrix(fc.load_counts(series), fc.parse_interval("30min"))
    forecast_run_save(forecast=fc.predict(dm, horizon_days=7, model="auto"))
    n += seed_contact_volume(seed=seed + 1, days=0, now=now)
    if stdout:
        stdout.write(f"  来话量：{n} 个5分钟时段，已生成未来7天预测")
