"""`gridcare worker`: runs queued background tasks (django-tasks, database backend) and the
periodic jobs declared in the apps' ``tasks.py``. `--once` runs every periodic job once,
drains the queue, exits. Several workers may run: each periodic slot is claimed by one."""

import logging
import signal
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from gridcare.core import scheduling

log = logging.getLogger("gridcare.worker")


def drain_queue(*, max_tasks: int | None = None, worker_id: str = "gridcare-worker") -> int:
    """Run queued tasks (database backend) until the queue is empty or ``max_tasks`` have
    run; returns how many were ready (at most ``max_tasks``). Runs django-tasks-db's own
    ``db_worker`` command in batch mode (its public interface)."""
    from django.conf import settings

    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if "django_tasks_db" not in backend:
        return 0
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.ready().count()
    if before == 0:
        return 0
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker",
            queue_name="*",
            interval=0,
            batch=True,
            reload=False,
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id,
            verbosity=0,
        )
    finally:  # db_worker installs its own signal handlers; the loop keeps ours
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return before if max_tasks is None else min(before, max_tasks)


class Command(BaseCommand):
    help = "后台任务进程：时限监控、通知发送等"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every periodic job once and exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between queue polls")

    def handle(self, *args, once=False, interval=5.0, **options):
        self.running = True
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        scheduling.discover()
        while self.running:
            close_old_connections()
            results = scheduling.run_due(force=once)
            if once:
                for name, result in results.items():
                    self.stdout.write(f"{name}: {result}")
            drained = drain_queue()
            if once:
                self.stdout.write(f"tasks run: {drained}")
                break
            time.sleep(interval)

    def _stop(self, *_):
        self.running = False
