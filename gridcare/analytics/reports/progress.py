"""Which part of a report a building job is on, for the report list's status rows.

The job row says the step (``ReportJob.step``: figures, Excel, PDF, saving); while the figures
are computed, the section being computed (``build.SECTIONS``) is kept in the shared cache
(the database cache every process sees: the worker writes, the web process reads), one
entry per building job, removed when the job ends. It is a hint for the page: a lost entry
only makes the row say "计算指标" without the section.
"""

from __future__ import annotations

import logging

from django.core.cache import caches

from ..choices import ReportJobStatus, ReportJobStep
from .build import SECTION_LABELS, SECTIONS

log = logging.getLogger("gridcare.analytics")
CACHE = "shared"
TTL_SECONDS = 3600  # a build older than that has lost its worker (services.STALE_BUILDING)
SECTION_KEYS = [key for key, _label, _fn in SECTIONS]
# Steps shown in the bar: each figure section, then Excel, PDF and saving.
LATER_STEPS = [ReportJobStep.XLSX, ReportJobStep.PDF, ReportJobStep.SAVE]
TOTAL = len(SECTION_KEYS) + len(LATER_STEPS)


def _key(job_id: int) -> str:
    return f"analytics:report-job:{job_id}:section"


def section_started(job_id: int, section: str) -> None:
    try:
        caches[CACHE].set(_key(job_id), section, TTL_SECONDS)
    except Exception:  # a hint for the page: never the reason a build fails
        log.warning("could not record the section of report job %s", job_id, exc_info=True)


def sections_clear(job_id: int) -> None:
    try:
        caches[CACHE].delete(_key(job_id))
    except Exception:
        log.warning("could not clear the section of report job %s", job_id, exc_info=True)


def jobs_progress(jobs) -> None:
    """Set ``part`` (what the job is doing, in words), ``done_parts`` and ``total_parts`` on
    each job (one cache read for all the building ones)."""
    building = [j for j in jobs if j.status == ReportJobStatus.BUILDING]
    sections = {}
    if building:
        try:
            sections = caches[CACHE].get_many([_key(j.pk) for j in building])
        except Exception:
            log.warning("could not read the sections of report jobs", exc_info=True)
    for job in jobs:
        job.total_parts = TOTAL
        job.part = ""
        if job.status == ReportJobStatus.DONE:
            job.done_parts = TOTAL
        elif job.status != ReportJobStatus.BUILDING or not job.step:
            job.done_parts = 0
        elif job.step == ReportJobStep.FIGURES:
            section = sections.get(_key(job.pk))
            if section in SECTION_LABELS:
                job.done_parts = SECTION_KEYS.index(section)
                job.part = f"{job.get_step_display()}：{SECTION_LABELS[section]}"
            else:
                job.done_parts = 0
                job.part = job.get_step_display()
        else:
            job.done_parts = len(SECTION_KEYS) + LATER_STEPS.index(job.step)
            job.part = job.get_step_display()
