"""`gridcare reliability --start D --end D --level L`: supply reliability figures (RS-1, with
ASAI RS-3 and the figures without major event days; definitions in ``outages.reliability``).

The output is a list of row objects (JSON) or a table (CSV); the major event days of the
period are per-row fields (``med_days``, ``t_med_minutes``, ``saifi_excl_med``,
``saidi_minutes_excl_med``), null/empty when there are not five years of history."""

from __future__ import annotations

import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridcare.outages.reliability import LEVELS, major_event_days, reliability, short_interruption_minutes


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "供电可靠性指标（SAIFI、SAIDI、CAIDI、ASAI），按台区/线路/供电所/县公司/公司统计"

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD (local)")
        parser.add_argument("--end", required=True, help="last day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--level", choices=LEVELS, default="station")
        parser.add_argument("--format", choices=("json", "csv"), default="json", dest="fmt")
        parser.add_argument(
            "--threshold-minutes",
            type=float,
            default=None,
            dest="threshold",
            help="interruptions shorter than this are excluded (default: the setting in force)",
        )

    def handle(self, *args, start, end, level, fmt, threshold, **options):
        first, last = _date(start), _date(end)
        if last < first:
            raise CommandError("--end is before --start")
        if threshold is None:
            threshold = short_interruption_minutes()
        now = timezone.now()
        med = major_event_days(start=first, end=last, threshold_minutes=threshold, now=now)
        rows = [
            r.as_dict()
            for r in reliability(
                start=first, end=last, level=level, threshold_minutes=threshold, now=now, major_events=med
            )
        ]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        fields = list(rows[0]) if rows else ["level", "code", "name"]
        writer = csv.DictWriter(self.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
