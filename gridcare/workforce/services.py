"""Writes of the workforce domain: storing imported volume and call records, caching forecasts."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction

from gridcare.core.audit import audit_record
from gridcare.core.tabular import ImportReport

from .choices import Channel, VolumeSource
from .models import CallRecord, ContactVolume, ForecastRun


def _bucket(ts: dt.datetime, minutes: int = 5) -> dt.datetime:
    return ts.replace(minute=ts.minute - ts.minute % minutes, second=0, microsecond=0)


@transaction.atomic
def contact_volume_store(
    *, rows: list[tuple[dt.datetime, int, int]], actor=None, report: ImportReport | None = None
) -> ImportReport:
    """Create or update hotline interval counts (start, count, interval minutes); one transaction."""
    report = report or ImportReport(kind="calls")
    if not rows:
        return report
    starts = [r[0] for r in rows]
    existing = {
        (cv.start, cv.interval_minutes): cv
        for cv in ContactVolume.objects.select_for_update().filter(
            channel=Channel.HOTLINE,
            source=VolumeSource.IMPORTED,
            start__gte=min(starts),
            start__lte=max(starts),
        )
    }
    new, changed = [], []
    for start, count, minutes in rows:
        cv = existing.get((start, minutes))
        if cv is None:
            new.append(
                ContactVolume(
                    start=start,
                    interval_minutes=minutes,
                    count=count,
                    channel=Channel.HOTLINE,
                    source=VolumeSource.IMPORTED,
                )
            )
        elif cv.count != count:
            cv.count = count
            changed.append(cv)
        else:
            report.unchanged += 1
    ContactVolume.objects.bulk_create(new, batch_size=2000)
    ContactVolume.objects.bulk_update(changed, ["count"], batch_size=2000)
    report.created += len(new)
    report.updated += len(changed)
    audit_record(
        actor=actor,
        action="workforce.contact_volume_import",
        object_type="workforce.contactvolume",
        object_id="*",
        object_repr=f"{min(starts):%Y-%m-%d %H:%M} … {max(starts):%Y-%m-%d %H:%M}",
        changes={"created": len(new), "updated": len(changed)},
    )
    return report


@transaction.atomic
def call_records_store(*, calls: list[dict], actor=None, report: ImportReport | None = None) -> ImportReport:
    """Store new call records and recompute the 5-minute hotline counts they touch."""
    report = report or ImportReport(kind="calls")
    if not calls:
        return report
    lo = min(c["arrived_at"] for c in calls)
    hi = max(c["arrived_at"] for c in calls)
    have = set(
        CallRecord.objects.filter(
            arrived_at__gte=lo, arrived_at__lte=hi, channel=Channel.HOTLINE
        ).values_list("arrived_at", "answered_at", "ended_at")
    )
    new = []
    for c in calls:
        key = (c["arrived_at"], c["answered_at"], c["ended_at"])
        if key in have:
            report.unchanged += 1
            continue
        have.add(key)
        new.append(CallRecord(channel=Channel.HOTLINE, **c))
    CallRecord.objects.bulk_create(new, batch_size=2000)
    report.created += len(new)
    # recompute every touched 5-minute bucket from all stored records
    buckets = {_bucket(c["arrived_at"]) for c in calls}
    first, last = min(buckets), max(buckets) + dt.timedelta(minutes=5)
    counts = Counter(
        _bucket(a)
        for a in CallRecord.objects.filter(
            channel=Channel.HOTLINE, arrived_at__gte=first, arrived_at__lt=last
        ).values_list("arrived_at", flat=True)
    )
    rows = [(b, counts.get(b, 0), 5) for b in sorted(buckets)]
    volume = contact_volume_store(rows=rows, actor=actor, report=ImportReport(kind="calls"))
    audit_record(
        actor=actor,
        action="workforce.call_records_import",
        object_type="workforce.callrecord",
        object_id="*",
        object_repr=f"{lo:%Y-%m-%d %H:%M} … {hi:%Y-%m-%d %H:%M}",
        changes={
            "created": len(new),
            "volume_rows_created": volume.created,
            "volume_rows_updated": volume.updated,
        },
    )
    return report


def forecast_run_save(
    *, forecast, channel: str = Channel.HOTLINE, backtest: dict | None = None
) -> ForecastRun:
    """Cache a computed forecast so pages read it instead of refitting per request."""
    first = forecast.starts[0] if forecast.starts else None
    return ForecastRun.objects.create(
        channel=channel,
        model_name=forecast.model,
        interval_minutes=forecast.interval_minutes,
        horizon_days=len({s.date() for s in forecast.starts}) or 1,
        first_start=first.replace(tzinfo=_local()) if first and first.tzinfo is None else first,
        result=forecast.as_dict(),
        backtest=backtest or {},
    )


def _local():
    from .importers import LOCAL

    return LOCAL
