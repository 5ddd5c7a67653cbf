"""Publishing periodic analysis reports: on demand and on schedule (idempotent)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridcare.core.audit import audit_record
from gridcare.org.models import OrgUnit

from ..models import PublishedReport
from .build import build_report
from .periods import Period, last_complete
from .render import render_pdf, render_xlsx

log = logging.getLogger("gridcare.analytics")


def reports_dir() -> Path:
    return Path(settings.DATA_DIR) / "reports"


def report_publish(
    *,
    period: Period,
    unit: OrgUnit | None = None,
    actor=None,
    trigger: str = "on_demand",
    replace: bool = True,
) -> PublishedReport:
    """Build, render (Excel + PDF) and store the report of ``period`` for ``unit`` (None: company).

    Files are written first under names unique to this run, then the row is created or
    updated in one transaction, so a reader never sees a row whose files are missing.
    With ``replace`` False an existing report is returned untouched (the scheduled path).
    """
    scope_path = unit.path if unit is not None else ""
    existing = PublishedReport.objects.filter(
        kind=period.kind, period=period.label, scope_path=scope_path
    ).first()
    if existing is not None and not replace:
        return existing
    data = build_report(period, scope_path=scope_path, scope_name=unit.name if unit else "")
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S%f")
    scope = unit.code if unit else "all"
    folder = reports_dir() / period.kind
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{period.label}-{scope}-{stamp}"
    xlsx = folder / f"{base}.xlsx"
    pdf = folder / f"{base}.pdf"
    xlsx.write_bytes(render_xlsx(data))
    pdf.write_bytes(render_pdf(data))
    rel = lambda p: str(p.relative_to(Path(settings.DATA_DIR)))  # noqa: E731
    old_files: list[str] = []
    try:
        with transaction.atomic():
            row = (
                PublishedReport.objects.select_for_update()
                .filter(kind=period.kind, period=period.label, scope_path=scope_path)
                .first()
            )
            if row is not None and not replace:
                xlsx.unlink(missing_ok=True)
                pdf.unlink(missing_ok=True)
                return row
            if row is None:
                row = PublishedReport(kind=period.kind, period=period.label, scope_path=scope_path)
            else:
                old_files = [row.xlsx_file, row.pdf_file]
            row.period_start, row.period_end = period.start, period.end
            row.unit = unit
            row.generated_at = timezone.now()
            row.trigger = trigger
            row.data = data
            row.xlsx_file, row.pdf_file = rel(xlsx), rel(pdf)
            row.save()
            audit_record(
                actor=actor,
                action="report.publish",
                obj=row,
                changes={"period": period.label, "kind": period.kind, "trigger": trigger},
                unit_path=scope_path,
            )
    except IntegrityError:
        # A concurrent run published the same report first: keep theirs.
        xlsx.unlink(missing_ok=True)
        pdf.unlink(missing_ok=True)
        return PublishedReport.objects.get(kind=period.kind, period=period.label, scope_path=scope_path)
    for f in old_files:
        if f:
            (Path(settings.DATA_DIR) / f).unlink(missing_ok=True)
    return row


def reports_publish_due(*, today=None) -> list[str]:
    """The scheduled job: last week's and last month's company reports, each generated once."""
    today = today or timezone.localdate()
    done = []
    for kind in ("weekly", "monthly"):
        period = last_complete(kind, today)
        if PublishedReport.objects.filter(kind=kind, period=period.label, scope_path="").exists():
            continue
        report_publish(period=period, trigger="scheduled", replace=False)
        done.append(f"{kind} {period.label}")
    return done
