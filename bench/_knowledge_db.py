"""A scratch database for the knowledge benches: SQLite in a temporary directory, or (with
``--postgres``) a throw-away ``gridcare_kb_bench_<pid>`` database on the server DATABASE_URL
names (default postgres://postgres@127.0.0.1:5432/postgres), created and migrated, dropped
at the end."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(postgres: bool):
    if postgres:
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["GRIDCARE_DATA_DIR"] = tempfile.mkdtemp(prefix="gridcare-kb-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    # A name of its own: never the suite's test database (another run may be using it).
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"gridcare_kb_bench_{os.getpid()}"
        if postgres
        else os.path.join(os.environ["GRIDCARE_DATA_DIR"], "bench.sqlite3")
    )
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return connection, old_name


def teardown(connection, old_name) -> None:
    connection.creation.destroy_test_db(old_name, verbosity=0)
