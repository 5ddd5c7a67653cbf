"""Periodic jobs: declared in one way, in each app's ``tasks.py``, run once per schedule.

::

    # gridcare/<app>/tasks.py
    @periodic("escalation.sla_sweep", every_seconds=60)
    def sla_sweep_job():
        return services.sla_sweep()

``gridcare worker`` imports every installed app's ``tasks`` module (``discover``) and runs
the jobs that are due. However many workers run, each due run is claimed by exactly one of
them: a conditional UPDATE on the job's row in ``PeriodicRun`` (``next_run_at <= now`` →
``now + every``) succeeds for one worker only, on SQLite and PostgreSQL alike. Jobs must
still be idempotent (safe to run twice: a crashed run is simply run again at the next slot).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("gridcare.worker")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    func: Callable[[], object]


PERIODIC: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every_seconds: int):
    """Declare a periodic job (in an app's ``tasks.py``)."""

    def deco(fn):
        PERIODIC[name] = PeriodicJob(name, every_seconds, fn)
        return fn

    return deco


def discover() -> dict[str, PeriodicJob]:
    """Import every installed app's ``tasks`` module, where periodic jobs are declared."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    return PERIODIC


def claim(job: PeriodicJob, *, now: dt.datetime | None = None) -> bool:
    """Take this slot of ``job`` for the calling worker; False if it is not due or another
    worker took it first."""
    from django.utils import timezone

    from .models import PeriodicRun

    now = now or timezone.now()
    PeriodicRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    taken = PeriodicRun.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=now + dt.timedelta(seconds=job.every_seconds), last_started_at=now
    )
    return taken == 1


def run(job: PeriodicJob) -> object:
    """Run ``job`` now and record how it ended (a failure is logged, never raised)."""
    from django.utils import timezone

    from .models import PeriodicRun

    try:
        result = job.func()
        outcome = str(result)[:500]
    except Exception as exc:  # one failing job must not stop the others
        log.exception("periodic job %s failed", job.name)
        result, outcome = None, f"failed: {type(exc).__name__}: {exc}"[:500]
    PeriodicRun.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_outcome=outcome)
    return result


def run_due(*, force: bool = False) -> dict[str, object]:
    """Run every job whose slot this worker claims (``force``: every job, now)."""
    from django.utils import timezone

    out = {}
    now = timezone.now()
    for job in discover().values():
        if force:
            claim(job, now=now + dt.timedelta(seconds=job.every_seconds + 1))
        elif not claim(job, now=now):
            continue
        out[job.name] = run(job)
    return out
