"""`gridcare import KIND FILE`: validate every row, then write all or nothing."""

import sys
from typing import NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from gridcare.core.errors import ApplicationError
from gridcare.core.middleware import busy_message, is_database_busy
from gridcare.core.tabular import IMPORTERS, ImportFailed

FAILED = "导入失败，未写入任何数据 / import failed, nothing written"


class Command(BaseCommand):
    help = "导入数据文件（CSV UTF-8/UTF-8 BOM/GBK 或 XLSX）：grid, customers, …"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what to import: " + ", ".join(sorted(IMPORTERS)))
        parser.add_argument("file")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, kind, file, user=None, no_progress=False, **options):
        if kind not in IMPORTERS:
            raise CommandError(f"unknown import kind {kind!r}; choose one of: {', '.join(sorted(IMPORTERS))}")
        importer, _help = IMPORTERS[kind]
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"no such user: {user}")
        bar = None
        progress = None
        if not no_progress and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(desc=f"import {kind}", unit=" rows", file=sys.stderr)
            progress = bar.update
        elif not no_progress:
            progress = _LineProgress(self.stderr, kind)
        try:
            report = importer(source=file, actor=actor, name=file, progress=progress)
        except ImportFailed as exc:
            self._fail(bar, exc.report.as_text())
        except ApplicationError as exc:
            self._fail(bar, f"{FAILED}: {exc.message}")
        except DatabaseError as exc:
            # The write transaction rolled back: nothing was written.
            if is_database_busy(exc):
                self._fail(bar, f"{FAILED}: {busy_message()}")
            self._fail(bar, f"{FAILED}: " + _("数据库拒绝写入（%(detail)s）") % {"detail": exc})
        if bar:
            bar.close()
        self.stdout.write(report.as_text())

    def _fail(self, bar, message: str) -> NoReturn:
        if bar:
            bar.close()
        self.stderr.write(message)
        sys.exit(1)


class _LineProgress:
    """Progress lines every 100,000 rows when stderr is not a terminal."""

    def __init__(self, stream, kind):
        self.stream, self.kind, self.n, self.next = stream, kind, 0, 100_000

    def __call__(self, k: int) -> None:
        self.n += k
        if self.n >= self.next:
            self.stream.write(f"import {self.kind}: {self.n} rows validated")
            self.next += 100_000
