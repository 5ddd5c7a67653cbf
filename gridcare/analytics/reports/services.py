"""Publishing periodic analysis reports: on demand and on schedule (idempotent)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError
from gridcare.org.models import OrgUnit

from ..choices import UNFINISHED_JOB_STATUSES, ReportJobStatus, ReportJobStep
from ..models import PublishedReport, ReportJob
from .build import build_report
from .periods import Period, last_complete, parse_period
from .progress import section_started, sections_clear
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
    progress: Callable[[str], None] | None = None,
    section: Callable[[str], None] | None = None,
) -> PublishedReport:
    """Build, render (Excel + PDF) and store the report of ``period`` for ``unit`` (None: company).

    Files are written first under names unique to this run, then the row is created or
    updated in one transaction, so a reader never sees a row whose files are missing; the
    files the row pointed to before are deleted once that transaction has committed, so
    regenerating a period replaces its files (one row per kind, period and scope: database
    constraint). With ``replace`` False an existing report is returned untouched (the
    scheduled path). ``progress`` is told each ``ReportJobStep`` as it starts, ``section`` each
    section of the figures (``build.SECTIONS``).
    """
    step = progress or (lambda _step: None)
    scope_path = unit.path if unit is not None else ""
    existing = PublishedReport.objects.filter(
        kind=period.kind, period=period.label, scope_path=scope_path
    ).first()
    if existing is not None and not replace:
        return existing
    step(ReportJobStep.FIGURES)
    data = build_report(period, scope_path=scope_path, scope_name=unit.name if unit else "", progress=section)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S%f")
    scope = unit.code if unit else "all"
    folder = reports_dir() / period.kind
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{period.label}-{scope}-{stamp}"
    xlsx = folder / f"{base}.xlsx"
    pdf = folder / f"{base}.pdf"
    step(ReportJobStep.XLSX)
    xlsx.write_bytes(render_xlsx(data))
    step(ReportJobStep.PDF)
    pdf.write_bytes(render_pdf(data))
    step(ReportJobStep.SAVE)
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
    except BaseException:
        xlsx.unlink(missing_ok=True)
        pdf.unlink(missing_ok=True)
        raise
    stale = [f for f in old_files if f and f not in (row.xlsx_file, row.pdf_file)]
    if stale:
        # Only once the row that points to the new files has committed (inside an outer
        # transaction that rolls back, the old files are still the ones in use).
        transaction.on_commit(lambda: _delete_files(stale))
    return row


def _delete_files(names: list[str]) -> None:
    for name in names:
        (Path(settings.DATA_DIR) / name).unlink(missing_ok=True)


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


# ------------------------------------------------------------------ on-demand report jobs

STALE_BUILDING = dt.timedelta(hours=1)  # a build this old has lost its worker
STALE_QUEUED = dt.timedelta(days=1)  # no worker took it


def report_job_request(*, actor, period: Period, unit: OrgUnit | None = None) -> ReportJob:
    """Queue the generation of ``period``'s report for ``unit`` (None: the company) and return
    at once; the worker builds it (``report_job_run``). A job already queued or building for the
    same report is returned instead of a second one (database constraint)."""
    require(actor, "analytics.publish_report")
    if period.start > timezone.localdate():
        raise ApplicationError(_("不能生成未来期间的报告"), field="period", code="invalid")
    scope_path = unit.path if unit is not None else ""
    key = {"kind": period.kind, "period": period.label, "scope_path": scope_path}
    with transaction.atomic():
        running = ReportJob.objects.filter(**key, status__in=UNFINISHED_JOB_STATUSES).first()
        if running is not None:
            return running
        try:
            with transaction.atomic():
                job = ReportJob.objects.create(**key, unit=unit, requested_by=actor)
        except IntegrityError:  # the same request from another click a moment ago
            return ReportJob.objects.get(**key, status__in=UNFINISHED_JOB_STATUSES)
        audit_record(
            actor=actor,
            action="report.request",
            obj=job,
            changes={"period": period.label, "kind": period.kind},
            unit_path=scope_path,
        )
        _enqueue_build(job.pk)
    return job


def _enqueue_build(job_id: int) -> None:
    """``build_report_job`` for the job, once the job's row is committed: with the database
    task backend the task row is written in the same transaction (it commits with the job or
    not at all); with another backend it is enqueued after the commit."""
    from django.db import connection
    from django_tasks_db import DatabaseBackend

    from ..tasks import build_report_job

    if connection.in_atomic_block and isinstance(build_report_job.get_backend(), DatabaseBackend):
        build_report_job.enqueue(job_id)
        return

    def enqueue() -> None:
        try:
            build_report_job.enqueue(job_id)
        except Exception:  # the job stays queued; report_jobs_expire closes it
            log.exception("could not enqueue report job %s", job_id)

    transaction.on_commit(enqueue)


def report_job_run(*, job_id: int) -> str:
    """Build a queued job's report, recording its progress on the row as it goes.

    Idempotent: a job that is not queued (already built, or taken by another worker) is
    left alone. A failure marks the job failed (the reason on the row and in the log) and leaves
    any earlier report of the period as it was.
    """
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=job_id).first()
        )
        if job is None or job.status != ReportJobStatus.QUEUED:
            return job.status if job is not None else "missing"
        job.status, job.step, job.started_at = ReportJobStatus.BUILDING, "", timezone.now()
        job.save(update_fields=["status", "step", "started_at"])
    rows = ReportJob.objects.filter(pk=job_id, status=ReportJobStatus.BUILDING)
    try:
        report = report_publish(
            period=parse_period(job.kind, job.period),
            unit=job.unit,
            actor=job.requested_by,
            progress=lambda step: rows.update(step=step),
            section=lambda key: section_started(job_id, key),
        )
    except Exception as exc:
        sections_clear(job_id)
        log.exception("report job %s failed", job_id)
        rows.update(
            status=ReportJobStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return ReportJobStatus.FAILED
    sections_clear(job_id)
    rows.update(status=ReportJobStatus.DONE, finished_at=timezone.now(), report=report)
    return ReportJobStatus.DONE


def report_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Close jobs no worker will finish (its worker died mid-build, or none ever took it), so
    the page stops waiting for them and the report can be requested again."""
    now = now or timezone.now()
    return ReportJob.objects.filter(
        (Q(status=ReportJobStatus.BUILDING) & Q(started_at__lt=now - STALE_BUILDING))
        | (Q(status=ReportJobStatus.QUEUED) & Q(created_at__lt=now - STALE_QUEUED))
    ).update(status=ReportJobStatus.FAILED, finished_at=now, error="expired")
