"""Periodic jobs: declared in the apps' tasks.py, each slot run by one worker only."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from gridcare.core import scheduling
from gridcare.core.models import PeriodicRun


def test_every_job_is_declared_in_a_tasks_module():
    jobs = scheduling.discover()
    assert {
        "core.db_optimize",
        "analytics.publish_reports",
        "escalation.sla_sweep",
        "escalation.outbox",
    } <= set(jobs)
    for job in jobs.values():
        assert job.func.__module__.endswith(".tasks"), job.name


def test_a_slot_is_claimed_once(db):
    job = scheduling.PeriodicJob("test.job", 60, lambda: "ran")
    now = timezone.now()
    assert scheduling.claim(job, now=now) is True
    assert scheduling.claim(job, now=now) is False  # a second worker, same moment
    assert scheduling.claim(job, now=now + dt.timedelta(seconds=30)) is False
    assert scheduling.claim(job, now=now + dt.timedelta(seconds=61)) is True
    row = PeriodicRun.objects.get(name="test.job")
    assert row.next_run_at == now + dt.timedelta(seconds=121)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_workers_run_a_due_job_once():
    """Several threads (own connections, like several worker processes) race for one slot."""
    job = scheduling.PeriodicJob("test.race", 3600, lambda: None)
    PeriodicRun.objects.create(name=job.name, next_run_at=timezone.now() - dt.timedelta(seconds=1))
    won = []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            for _ in range(20):  # SQLite may answer "locked": retry like a worker's next poll
                try:
                    won.append(scheduling.claim(job))
                    break
                except Exception:  # noqa: BLE001
                    if connection.vendor != "sqlite":
                        raise
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert won.count(True) == 1 and len(won) == 4


def test_a_failing_job_is_recorded_not_raised(db):
    def boom():
        raise RuntimeError("no")

    job = scheduling.PeriodicJob("test.boom", 60, boom)
    scheduling.claim(job)
    assert scheduling.run(job) is None
    assert PeriodicRun.objects.get(name="test.boom").last_outcome.startswith("failed: RuntimeError")
