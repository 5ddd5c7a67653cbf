"""`gridcare report monthly --month 2026-10` / `gridcare report weekly --week 2026-W44`.

Builds and publishes the report (figures, Excel, PDF) and prints where its files are.
Without --month/--week: the last complete period. ``--unit CODE`` limits it to a unit.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridcare.analytics.reports import last_complete, parse_period, report_publish
from gridcare.core.errors import ApplicationError
from gridcare.org.models import OrgUnit


class Command(BaseCommand):
    help = "生成并发布周报/月报（网页、Excel、PDF）"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["weekly", "monthly"])
        parser.add_argument("--month", help="2026-10 (monthly)")
        parser.add_argument("--week", help="2026-W44 (weekly)")
        parser.add_argument(
            "--unit", help="unit code: a report for that unit and below (default: the company)"
        )
        parser.add_argument("--keep", action="store_true", help="do nothing if the report already exists")

    def handle(self, *args, kind, month, week, unit, keep, **options):
        text = month if kind == "monthly" else week
        if (kind == "monthly" and week) or (kind == "weekly" and month):
            raise CommandError("use --month with monthly and --week with weekly")
        try:
            period = parse_period(kind, text) if text else last_complete(kind, timezone.localdate())
        except ApplicationError as exc:
            raise CommandError(exc.message)
        org = None
        if unit:
            org = OrgUnit.objects.filter(code=unit).first()
            if org is None:
                raise CommandError(f"unknown unit {unit!r}")
        report = report_publish(period=period, unit=org, replace=not keep)
        t = report.data["totals"]
        self.stdout.write(
            f"{report.get_kind_display()} {report.period} ({report.period_start} – {report.period_end}): "
            f"{t['count']} orders; web /analytics/reports/{report.pk}/"
        )
        self.stdout.write(f"  xlsx: {settings.DATA_DIR / report.xlsx_file}")
        self.stdout.write(f"  pdf:  {settings.DATA_DIR / report.pdf_file}")
