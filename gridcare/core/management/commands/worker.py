"""`gridcare worker`: runs queued background tasks (django-tasks, database backend) and the
periodic jobs declared in code. `--once` runs every periodic job once, drains the queue, exits."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from gridcare.core.scheduling import PERIODIC

log = logging.getLogger("gridcare.worker")


def drain_queue(*, max_tasks: int | None = None, worker_id: str = "gridcare-worker") -> int:
    """Run queued tasks (database backend) until the queue is empty or ``max_tasks`` have
    run; returns how many were ready (at most ``max_tasks``)."""
    from django.conf import settings

    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if "django_tasks_db" not in backend:
        return 0
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.ready().count()
    if before == 0:
        return 0
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
    return before if max_tasks is None else min(before, max_tasks)


class Command(BaseCommand):
    help = "后台任务进程：时限监控、通知发送等"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every due job once and exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between queue polls")

    def handle(self, *args, once=False, interval=5.0, **options):
        self.running = True
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        last_run: dict[str, float] = {}
        while self.running:
            close_old_connections()
            now = time.monotonic()
            for job in PERIODIC.values():
                if once or now - last_run.get(job.name, -1e9) >= job.every_seconds:
                    last_run[job.name] = now
                    try:
                        result = job.func()
                        if once:
                            self.stdout.write(f"{job.name}: {result}")
                    except Exception:  # one failing job must not stop the others
                        log.exception("periodic job %s failed", job.name)
            drained = drain_queue()
            if once:
                self.stdout.write(f"tasks run: {drained}")
                break
            time.sleep(interval)

    def _stop(self, *_):
        self.running = False
