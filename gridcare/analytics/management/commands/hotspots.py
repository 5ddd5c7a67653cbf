"""`gridcare hotspots --days 90 --level area|feeder|station [--dimension CODE] --format json|csv|xlsx`.

json/csv: the significant hotspots, ranked, with their evidence (json: a list of objects),
the outage evidence included (``analytics.outage_evidence.OUTAGE_FIELDS``; csv: the last columns).
xlsx: the planning feed workbook (needs --output): the hotspots merged with the assets that
have frequent-outage customers. ``--all`` lists every tested asset.
"""

import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridcare.analytics.hotspots import JSON_FIELDS, LEVELS, compute_hotspots
from gridcare.analytics.outage_evidence import OUTAGE_FIELDS
from gridcare.core.exporting import write_csv
from gridcare.workorders.choices import Dimension
from gridcare.workorders.importers import parse_datetime


class Command(BaseCommand):
    help = "投诉/故障热点（台区、线路、供电所），统计显著性检验并按 q 值排序"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--level", choices=LEVELS, default="area")
        parser.add_argument("--dimension", choices=Dimension.values)
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output", help="file to write (default: standard output; required for xlsx)")
        parser.add_argument(
            "--as-of", help="end of the window (default: now), e.g. 2026-10-31 24:00 → 2026-11-01"
        )
        parser.add_argument("--fdr", type=float, default=0.05, help="false discovery rate (default 0.05)")
        parser.add_argument("--min-count", type=int, default=3)
        parser.add_argument("--all", action="store_true", help="every tested asset, not only hotspots")

    def handle(self, *args, days, level, dimension, format, output, as_of, fdr, min_count, all, **options):
        if days < 1:
            raise CommandError("--days must be positive")
        if not 0 < fdr < 1:
            raise CommandError("--fdr must be between 0 and 1")
        when = timezone.now()
        if as_of:
            when = parse_datetime(as_of)
            if when is None:
                raise CommandError(f"cannot read --as-of {as_of!r}")
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE")
        run = compute_hotspots(
            level=level,
            days=days,
            dimension=dimension,
            as_of=when,
            fdr=fdr,
            min_count=min_count,
            include_all=all,
            sample_limit=100 if format != "csv" else 0,
        )
        if format == "xlsx":
            from gridcare.analytics.planning import planning_workbook

            with open(output, "wb") as fh:
                fh.write(planning_workbook(run))
            self.stderr.write(f"{len(run.hotspots)} hotspots of {run.tested} tests → {output}")
            return
        stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            if format == "json":
                items = [{k: v for k, v in h.items() if k != "asset_id"} for h in run.hotspots]
                json.dump(items, stream, ensure_ascii=False, indent=1, default=_default)
                stream.write("\n")
            else:
                fields = [
                    *JSON_FIELDS,
                    "p_peer",
                    "p_history",
                    "expected_peer",
                    "load_ratio",
                    "high_load",
                    *OUTAGE_FIELDS,
                ]
                fields = list(dict.fromkeys(fields))
                write_csv(stream, fields, ([h.get(f) for f in fields] for h in run.hotspots))
        finally:
            if output:
                stream.close()
        self.stderr.write(
            f"{len(run.hotspots)} {'rows' if all else 'hotspots'} of {run.tested} tests "
            f"({level}, {days} days to {timezone.localtime(run.as_of):%Y-%m-%d %H:%M})"
        )


def _default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)
