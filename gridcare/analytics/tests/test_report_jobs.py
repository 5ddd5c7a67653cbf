"""On-demand reports run as background jobs with progress; regenerating a period replaces its
files and never adds a second row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gridcare.analytics.choices import ReportJobStatus, ReportJobStep
from gridcare.analytics.models import PublishedReport, ReportJob
from gridcare.analytics.reports import parse_period, report_publish
from gridcare.analytics.reports import services as report_services
from gridcare.analytics.reports.services import report_job_request, report_job_run, report_jobs_expire
from gridcare.analytics.tasks import publish_reports_job
from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.workorders.models import WorkOrder

from .insight_data import make_orders

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def october(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 10, 30, tzinfo=dt.UTC)
    WorkOrder.objects.bulk_create(make_orders(world.area_a, 20, start=start, end=end))
    return parse_period("monthly", "2026-10")


@pytest.fixture
def manager(world):
    return world.staff("manager", unit=world.city)


def _files(report) -> list:
    from django.conf import settings

    return [settings.DATA_DIR / report.xlsx_file, settings.DATA_DIR / report.pdf_file]


# ------------------------------------------------------------------------------ regenerating


def test_regenerating_a_period_replaces_its_files_and_row(october, django_capture_on_commit_callbacks):
    first = report_publish(period=october)
    old = _files(first)
    assert all(f.is_file() for f in old)
    with django_capture_on_commit_callbacks(execute=True):
        again = report_publish(period=october)
    assert again.pk == first.pk and PublishedReport.objects.count() == 1
    again.refresh_from_db()
    new = _files(again)
    assert new != old and all(f.is_file() for f in new)
    assert not any(f.exists() for f in old), "the replaced files are deleted"
    assert sorted(p.name for p in new[0].parent.iterdir()) == sorted(p.name for p in new)


def test_old_files_stay_while_the_new_row_is_not_committed(october):
    first = report_publish(period=october)
    old = _files(first)
    with pytest.raises(RuntimeError), transaction.atomic():
        report_publish(period=october)
        raise RuntimeError("rolled back after publishing")
    first.refresh_from_db()
    assert _files(first) == old and all(f.is_file() for f in old)


def test_one_row_per_kind_period_and_scope(october):
    report = report_publish(period=october)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedReport.objects.create(
            kind=report.kind,
            period=report.period,
            scope_path=report.scope_path,
            period_start=report.period_start,
            period_end=report.period_end,
            generated_at=timezone.now(),
        )
    # Another scope of the same period is another report.
    PublishedReport.objects.create(
        kind=report.kind,
        period=report.period,
        scope_path="/x/",
        period_start=report.period_start,
        period_end=report.period_end,
        generated_at=timezone.now(),
    )


def test_publish_reports_its_progress_in_order(october):
    steps = []
    report_publish(period=october, progress=steps.append)
    assert steps == list(ReportJobStep.values)


# ----------------------------------------------------------------------------------- jobs


def test_generate_now_queues_a_job_and_the_page_polls_until_done(
    october, manager, client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS  # nothing runs the job until the "worker" below does
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("analytics:report-publish"), {"kind": "monthly", "period": "2026-10"})
    assert resp.status_code == 302 and resp["Location"] == reverse("analytics:reports")
    job = ReportJob.objects.get()
    assert (job.status, job.kind, job.period, job.unit, job.requested_by) == (
        ReportJobStatus.QUEUED,
        "monthly",
        "2026-10",
        manager.staff.unit,
        manager,
    )
    assert not PublishedReport.objects.exists()
    from gridcare.analytics.tasks import build_report_job

    assert [r.args for r in build_report_job.get_backend().results] == [[job.pk]]

    page = client.get(reverse("analytics:reports")).content.decode()
    assert 'hx-trigger="every 3s"' in page and "排队中" in page
    rows = client.get(reverse("analytics:report-jobs")).content.decode()
    assert 'data-job-status="queued"' in rows and "hx-trigger" in rows

    assert report_job_run(job_id=job.pk) == ReportJobStatus.DONE
    job.refresh_from_db()
    report = PublishedReport.objects.get()
    assert job.status == ReportJobStatus.DONE and job.report == report and job.finished_at
    assert report.scope_path == manager.staff.unit.path
    rows = client.get(reverse("analytics:report-jobs")).content.decode()
    assert 'data-job-status="done"' in rows and "hx-trigger" not in rows, "polling stops"
    assert reverse("analytics:report-detail", args=[report.pk]) in rows
    # Running the task again (a second delivery) changes nothing.
    assert report_job_run(job_id=job.pk) == ReportJobStatus.DONE
    assert PublishedReport.objects.count() == 1


def test_the_job_records_each_step_while_building(october, manager, settings, monkeypatch):
    settings.TASKS = DUMMY_TASKS
    job = report_job_request(actor=manager, period=october, unit=manager.staff.unit)
    seen = []
    real = report_services.render_pdf

    def render_pdf(data):
        seen.append(ReportJob.objects.values_list("status", "step").get(pk=job.pk))
        return real(data)

    monkeypatch.setattr(report_services, "render_pdf", render_pdf)
    report_job_run(job_id=job.pk)
    assert seen == [(ReportJobStatus.BUILDING, ReportJobStep.PDF)]
    job.refresh_from_db()
    assert job.progress == job.progress_max


def test_a_second_click_joins_the_unfinished_job(october, manager, settings):
    settings.TASKS = DUMMY_TASKS
    first = report_job_request(actor=manager, period=october, unit=manager.staff.unit)
    again = report_job_request(actor=manager, period=october, unit=manager.staff.unit)
    assert again.pk == first.pk and ReportJob.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(kind="monthly", period="2026-10", scope_path=first.scope_path)
    report_job_run(job_id=first.pk)
    # Once finished, the period can be generated again.
    assert report_job_request(actor=manager, period=october, unit=manager.staff.unit).pk != first.pk


def test_a_failed_build_is_reported_and_keeps_the_earlier_report(
    october, manager, client, settings, monkeypatch
):
    settings.TASKS = DUMMY_TASKS
    earlier = report_publish(period=october, unit=manager.staff.unit)
    job = report_job_request(actor=manager, period=october, unit=manager.staff.unit)

    def broken(*args, **kwargs):
        raise ValueError("figures exploded")

    monkeypatch.setattr(report_services, "build_report", broken)
    assert report_job_run(job_id=job.pk) == ReportJobStatus.FAILED
    job.refresh_from_db()
    assert job.status == ReportJobStatus.FAILED and "figures exploded" in job.error and job.report is None
    fresh = PublishedReport.objects.get()
    assert fresh.generated_at == earlier.generated_at and all(f.is_file() for f in _files(fresh))
    client.force_login(manager)
    rows = client.get(reverse("analytics:report-jobs")).content.decode()
    assert 'data-job-status="failed"' in rows and "hx-trigger" not in rows


def test_the_immediate_backend_builds_during_the_request(
    october, manager, client, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("analytics:report-publish"), {"kind": "monthly", "period": "2026-10"})
    job = ReportJob.objects.get()
    assert job.status == ReportJobStatus.DONE and job.report.period == "2026-10"


def test_who_may_request_and_bad_periods(october, manager, world, client, settings):
    settings.TASKS = DUMMY_TASKS
    with pytest.raises(PermissionDeniedError):
        report_job_request(actor=world.staff("planner"), period=october)
    future = parse_period("monthly", f"{timezone.localdate().year + 1}-01")
    with pytest.raises(ApplicationError) as exc:
        report_job_request(actor=manager, period=future)
    assert exc.value.field == "period"
    client.force_login(world.staff("planner", unit=world.city))
    resp = client.post(reverse("analytics:report-publish"), {"kind": "monthly", "period": "2026-10"})
    assert resp.status_code == 403
    assert client.get(reverse("analytics:report-jobs")).status_code == 200  # planners read reports
    client.force_login(manager)
    resp = client.post(reverse("analytics:report-publish"), {"kind": "monthly", "period": "2026-13"})
    assert resp.status_code == 302 and not ReportJob.objects.exists()
    client.force_login(world.staff("hotline_agent"))
    assert client.get(reverse("analytics:report-jobs")).status_code == 403


def test_jobs_no_worker_will_finish_are_closed(october, manager, settings):
    settings.TASKS = DUMMY_TASKS
    stuck = report_job_request(actor=manager, period=october, unit=manager.staff.unit)
    ReportJob.objects.filter(pk=stuck.pk).update(
        status=ReportJobStatus.BUILDING, started_at=timezone.now() - dt.timedelta(hours=2)
    )
    fresh = report_job_request(actor=manager, period=october, unit=None)
    assert report_jobs_expire() == 1
    assert ReportJob.objects.get(pk=stuck.pk).status == ReportJobStatus.FAILED
    assert ReportJob.objects.get(pk=fresh.pk).status == ReportJobStatus.QUEUED
    # The periodic job keeps publishing on schedule (and closes stale jobs on the way).
    publish_reports_job()
    assert PublishedReport.objects.filter(scope_path="", kind="monthly").exists()
