"""Background work of service intelligence: on-demand report builds and the periodic jobs
(see ``gridcare.core.scheduling``)."""

from django_tasks import task

from gridcare.core.scheduling import periodic


@task()
def build_report_job(job_id: int) -> str:
    """Build the report a user asked for (``ReportJob``), recording its progress."""
    from .reports.services import report_job_run

    return report_job_run(job_id=job_id)


@periodic("analytics.publish_reports", every_seconds=3600)
def publish_reports_job():
    """Last week's and last month's reports, published once (idempotent); on-demand jobs no
    worker will finish are closed."""
    from .reports.services import report_jobs_expire, reports_publish_due

    report_jobs_expire()
    return reports_publish_due()
