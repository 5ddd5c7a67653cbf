from django.db import connection

from gridcare.core.maintenance import refresh_statistics
from gridcare.core.scheduling import discover


def test_optimize_is_a_periodic_job_and_runs(db):
    job = discover()["core.db_optimize"]
    assert job.every_seconds == 3600
    assert job.func() == ("optimized" if connection.vendor == "sqlite" else "autovacuum")


def test_refresh_statistics_of_the_whole_database(db):
    from gridcare.org.models import OrgUnit
    from gridcare.org.tests.factories import OrgUnitFactory

    OrgUnitFactory(code="JS", name="江苏省电力公司")
    refresh_statistics()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = %s", [OrgUnit._meta.db_table])
            assert cur.fetchone()[0] >= 1
        else:
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [OrgUnit._meta.db_table])
            assert cur.fetchone()[0] == 1
