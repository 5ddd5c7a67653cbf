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


def drop_tables(connection) -> list[str]:
    """Drop the tables of the installed models and the migration history; returns their names."""
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor, include_views=False))
    tables = sorted(
        existing
        & (set(connection.introspection.django_table_names(include_views=False)) | {"django_migrations"})
    )
    if tables:
        with connection.cursor() as cursor:
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"DROP TABLE {names} CASCADE")
    return tables


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
            from gridcare.demo.seed import seed_demo

            self.stdout.write(f"正在生成演示供电公司（规模 {size}，随机种子 {seed}）……")
            seed_demo(
                size=size,
                seed=seed,
                history_days=0 if no_history else 365,
                stdout=self.stdout,
                progress=lambda m: self.stdout.write("  " + m),
            )
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
            # A server database (keeps the database, its owner and grants): drop GridCare's
            # tables so that the migrate that follows builds them anew and its data migrations
            # seed the configuration (commitment rules, warning levels, callback rules, authority
            # limits, settings, calendar) as on a new database. `flush` would empty those too,
            # and time limits, warnings, callbacks and approvals would silently do nothing.
            drop_tables(connections["default"])

    def _print_logins(self, host, port):
        from gridcare.demo.users import DEMO_PASSWORD, demo_logins

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
