"""`gridcare export KIND --user USERNAME [--format csv|xlsx] [--output FILE]`: scoped to the user."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gridcare.core.errors import ApplicationError
from gridcare.core.exporting import EXPORTERS, render_table


class Command(BaseCommand):
    help = "导出数据（按用户权限范围，个人信息脱敏）"

    def add_arguments(self, parser):
        parser.add_argument("kind")
        parser.add_argument("--user", required=True, help="export what this user may see")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", "-o", help="file (default: standard output for csv)")
        parser.add_argument("--unmasked", action="store_true", help="admins only; audited")

    def handle(self, *args, kind, user, format, output=None, unmasked=False, **options):
        if kind not in EXPORTERS:
            raise CommandError(f"unknown export kind {kind!r}; choose one of: {', '.join(sorted(EXPORTERS))}")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no such user: {user}")
        try:
            headers, rows = EXPORTERS[kind](user=actor, unmasked=unmasked)
        except ApplicationError as exc:
            raise CommandError(exc.message)
        data = render_table(format, headers, rows)
        if output:
            with open(output, "wb") as fh:
                fh.write(data)
        elif format == "csv":
            sys.stdout.write(data.decode("utf-8-sig"))
        else:
            raise CommandError("--output is required for xlsx")
