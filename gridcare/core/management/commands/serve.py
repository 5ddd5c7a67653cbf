"""`gridcare serve`: the production server (gunicorn) with static files (whitenoise)."""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def control_socket_path(port: int) -> Path:
    """This instance's gunicorn control socket (gunicornc -s PATH): one per port, in the data directory.

    gunicorn's default is one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl): a second instance
    on the host would take it over, and stopping either would delete it.
    """
    return Path(settings.DATA_DIR) / "run" / f"gunicorn-{port}.ctl"


def gunicorn_argv(
    *, host: str, port: int, workers: int, threads: int, embedded: bool, control_socket: str | None = None
) -> list[str]:
    """gunicorn's command line for `gridcare serve`. control_socket: a path, or "off" for none."""
    argv = [
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    if control_socket == "off":
        argv += ["--no-control-socket"]
    else:
        path = Path(control_socket) if control_socket else control_socket_path(port)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        argv += ["--control-socket", str(path)]
    if embedded:
        # Background jobs (time-limit monitor, notifications) run beside the web workers.
        argv += ["--config", "python:gridcare.core.gunicorn_conf"]
    return argv


class Command(BaseCommand):
    help = "启动生产服务器（gunicorn）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GRIDCARE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GRIDCARE_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GRIDCARE_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GRIDCARE_THREADS", "1")))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background job worker in-process (production runs `gridcare worker`)",
        )
        parser.add_argument(
            "--control-socket",
            default=os.environ.get("GRIDCARE_CONTROL_SOCKET") or None,
            help="gunicorn control socket for gunicornc (default: $GRIDCARE_DATA_DIR/run/gunicorn-PORT.ctl; "
            '"off": none)',
        )

    def handle(self, *args, host, port, workers, threads, no_worker=False, control_socket=None, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if os.environ.get("GRIDCARE_COLLECTSTATIC") == "1":
            # Production: pre-compressed copies under STATIC_ROOT. Otherwise whitenoise serves
            # straight from the apps' static folders (WHITENOISE_USE_FINDERS), starting at once.
            call_command("collectstatic", interactive=False, verbosity=0)
        # gunicorn forks its workers from this process: a database connection left open
        # here (migrate; kept by CONN_MAX_AGE) would be one socket shared by every worker,
        # and two concurrent requests would read each other's replies.
        from django.db import connections

        connections.close_all()
        from gunicorn.app.wsgiapp import WSGIApplication

        embedded = not no_worker and os.environ.get("GRIDCARE_EMBEDDED_WORKER", "1") == "1"
        sys.argv = gunicorn_argv(
            host=host,
            port=port,
            workers=workers,
            threads=threads,
            embedded=embedded,
            control_socket=control_socket,
        )
        self.stdout.write(f"GridCare serving on http://{host}:{port}/ ({workers} workers)")
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
