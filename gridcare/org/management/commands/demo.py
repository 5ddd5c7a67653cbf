"""`gridcare demo`: create the demo database, seed a realistic utility, print logins, serve.

gridcare demo                 fresh SQLite demo (default size), server on 127.0.0.1:8000
gridcare demo --reuse         keep an existing demo database (seed only if empty)
gridcare demo --size small    ~1,500 customers (large: ~1,000,000)
gridcare demo --no-serve      seed and exit
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from gridcare.demo.seed import SIZES


class Command(BaseCommand):
    help = "创建演示数据库（虚构的扬州供电公司）并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="default")
        parser.add_argument("--seed", type=int, default=20261122)
        parser.add_argument("--reuse", action="store_true", help="keep the existing demo database")
        parser.add_argument("--no-serve", action="store_true", help="seed and exit")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-history", action="store_true", help="skip the 12 months of work orders")

    def handle(self, *args, size, seed, reuse, no_serve, port, host, workers, no_history, **options):
        started = time.monotonic()
        db = settings.DATABASES["default"]
        if not reuse:
            self._fresh_database(db)
        call_command("migrate", interactive=False, verbosity=0)
        from gridcare.org.models import OrgUnit

        if not OrgUnit.objects.exists():
            from gridcare.demo.seed import seed_utility

            self.stdout.write(f"正在生成演示供电公司（规模 {size}，随机种子 {seed}）……")
            seed_utility(size=size, seed=seed, progress=lambda m: self.stdout.write("  " + m))
            if not no_history:
                self._seed_history(size=size, seed=seed)
                from gridcare.workforce.demo import seed_demo_forecast

                seed_demo_forecast(seed=seed, stdout=self.stdout)
            from gridcare.core.maintenance import refresh_statistics

            refresh_statistics()  # bulk-loaded tables: give the planner its statistics
            self.stdout.write(self.style.SUCCESS(f"演示数据就绪，用时 {time.monotonic() - started:.1f} 秒"))
        else:
            self.stdout.write("沿用已有的演示数据库 / reusing the existing demo database")
        self._print_logins(host, port)
        if not no_serve:
            os.environ["GRIDCARE_DEMO"] = "1"
            settings.DEMO_MODE = True  # gunicorn workers fork from this process and inherit it
            call_command("serve", host=host, port=port, workers=workers)

    def _fresh_database(self, db):
        if db["ENGINE"].endswith("sqlite3"):
            path = Path(db["NAME"])
            connections.close_all()
            for suffix in ("", "-wal", "-shm", "-journal"):
                p = Path(str(path) + suffix)
                if p.exists():
                    p.unlink()
        else:
            # A server database: empty it (keeps the database and its owner).
            call_command("migrate", interactive=False, verbosity=0)
            call_command("flush", interactive=False, verbosity=0)
            from gridcare.core.calendar import calendar_seed_from_package

            calendar_seed_from_package()

    def _seed_history(self, *, size, seed):
        try:
            from gridcare.workorders.demo import seed_work_orders
        except ImportError:
            return
        per_day = {"small": 20.0, "default": 150.0, "large": 1200.0}[size]
        self.stdout.write("正在生成 12 个月的工单历史……")
        seed_work_orders(seed=seed, days=365, orders_per_day=per_day, stdout=self.stdout)
        from gridcare.escalation.demo import seed_escalation_history

        seed_escalation_history(seed=seed, stdout=self.stdout)

    def _print_logins(self, host, port):
        from gridcare.org.demo import DEMO_PASSWORD, demo_logins

        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"GridCare 演示环境：http://{host}:{port}/   API：http://{host}:{port}/api/docs/"
            )
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for d in demo_logins():
            self.stdout.write(f"  {d['username']:<14} {d['role']:<10} {d['unit']}")
        self.stdout.write("")
