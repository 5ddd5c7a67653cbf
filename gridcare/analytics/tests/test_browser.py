"""End to end in Debian Chromium: a manager's home shows the KPIs; "generate now" returns at
once and the report list follows the job's progress by itself until the report opens."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from gridcare.core.tests.browser import artifacts_dir, browser_page, login
from gridcare.org.choices import Role

from .insight_data import make_orders

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-123456"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_manager_home_and_a_report_built_in_the_background(world, live_server, settings, tmp_path):
    from gridcare.analytics.models import ReportJob
    from gridcare.analytics.reports.services import report_job_run
    from gridcare.org.tests.factories import StaffFactory, UserFactory
    from gridcare.workorders.models import WorkOrder

    settings.DATA_DIR = tmp_path
    # No worker in this test: the job waits until the test runs it, as a busy worker would.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    StaffFactory(
        user=UserFactory(username="yang", password=PASSWORD),
        unit=world.city,
        role=Role.MANAGER,
        display_name="杨志成",
    )
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    WorkOrder.objects.bulk_create(
        make_orders(world.area_a, 30, start=start, end=start + dt.timedelta(days=29))
    )
    base = live_server.url
    with browser_page() as page:
        login(page, base, "yang", PASSWORD)
        expect(page.locator("[data-kpi=compliance]")).to_be_visible()
        expect(page.locator("[data-kpi=escalations]")).to_contain_text("升级督办")
        page.screenshot(path=str(artifacts_dir() / "manager-home-kpis.png"), full_page=True)

        page.goto(f"{base}/analytics/reports/")
        form = page.locator("form[action$='/analytics/reports/publish/']")
        form.locator("select[name=kind]").select_option("monthly")
        form.locator("input[name=period]").fill("2026-10")
        form.locator("button").click()
        queued = page.locator("#report-jobs [data-job-status=queued]")
        expect(queued).to_contain_text("排队中")
        page.screenshot(path=str(artifacts_dir() / "report-job-queued.png"), full_page=True)

        job = ReportJob.objects.get()
        assert report_job_run(job_id=job.pk) == "done"
        # No reload: the status row polls and turns into a link to the report.
        done = page.locator("#report-jobs [data-job-status=done]")
        expect(done).to_contain_text("已完成")
        page.screenshot(path=str(artifacts_dir() / "report-job-done.png"), full_page=True)
        done.get_by_role("link", name="查看报告").click()
        expect(page.locator("h1")).to_contain_text("2026-10")
