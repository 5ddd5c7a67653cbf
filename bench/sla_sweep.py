"""The time-limit monitor's sweep at a million orders, and the supervision pages.

    python bench/sla_sweep.py [--orders 1000000] [--open 100000] [--lag 5]

On a fresh PostgreSQL database ``gridcare_bench_sla`` (127.0.0.1:5432, dropped at the end):

1. migrate, seed the demo utility and a month of realistic history, grow it to
   ``--orders`` orders with ``--open`` open (``bench/_bulk_orders.py``);
2. write the monitor's state as if it had been running until ``--lag`` minutes ago: a
   watch per order, the warnings (50 %/80 %) and breach escalations every open clock
   has passed by then, a history of escalations on closed orders, done callbacks for
   closed orders and ``--replied`` replied orders waiting for their callback;
3. time ``sla_sweep`` at now (it must pick up exactly the levels reached during the
   lag, and nothing else), again at once (nothing due), and one minute later; time
   ``sla_reconcile`` with every watch current, then with ``--stale`` watches removed;
   prints seconds, rows examined and what the SQL read;
4. start ``gridcare serve`` and time the callback worklist (``/escalation/callbacks/``,
   as the city hotline agent) and the escalation board (``/escalation/board/``, as the
   city supervisor): p50/p95.

Goals (issue 4): the sweep < 30 s touching only orders whose state changes; the pages
p95 < 200 ms. 127.0.0.1 only; each phase stops by itself; server and database removed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

PG_DB = "gridcare_bench_sla"


# ---------------------------------------------------------------- inside the Django process


def setup(out: str, base_days: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from gridcare.core.calendar import calendar_seed_from_package
    from gridcare.demo.seed import seed_utility
    from gridcare.demo.workorders import seed_work_orders
    from gridcare.org.models import OrgUnit

    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.exists():  # --reuse keeps a seeded database
        calendar_seed_from_package()
        seed_utility(size="default")
        seed_work_orders(seed=7, days=base_days, orders_per_day=150)
    sessions = {}
    for username in ("agent", "supervisor"):
        user = get_user_model().objects.get(username=username)
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend (axes only guards)
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        sessions[username] = f"{settings.SESSION_COOKIE_NAME}={s.session_key}"
    Path(out).write_text(json.dumps({"sessions": sessions}))


def grow(orders: int, open_orders: int, lag_min: int, replied: int) -> None:
    import django

    django.setup()
    from _bulk_orders import grow_orders
    from django.db import connection, transaction

    def say(m):
        print(m, file=sys.stderr, flush=True)

    grow_orders(target=orders, open_target=open_orders, say=say)
    t = time.perf_counter()
    with connection.cursor() as cur, transaction.atomic():
        cur.execute("SELECT now()")
        # Replied orders waiting for their callback: recent copies, replied in the last days.
        cur.execute(
            """
            CREATE TEMP TABLE bench_replied ON COMMIT DROP AS
            SELECT id FROM workorders_workorder
            WHERE status = 'archived' AND request_type IN ('complaint', 'fault_repair', 'service_application')
              AND master_id IS NULL AND children_count = 0
            ORDER BY id DESC LIMIT %s
            """,
            [replied],
        )
        cur.execute(
            """
            UPDATE workorders_workorder w SET status = 'replied', due_at = NULL, closed_at = NULL,
                replied_at = now() - random() * interval '4 days', satisfied = NULL
            FROM bench_replied r WHERE w.id = r.id
            """
        )
        cur.execute(
            "UPDATE workorders_workorder SET created_at = replied_at - interval '1 day' "
            "WHERE id IN (SELECT id FROM bench_replied)"
        )
        # Callbacks: pending for the replied orders, done for a third of the closed ones.
        cur.execute(
            """
            INSERT INTO escalation_callbacktask (order_id, kind, failure_id, cycle_at, due_at, status,
                result, words, attempts, last_attempt_at, done_at, done_by_id, unit_path,
                accepted_path, created_at)
            SELECT w.id, 'order', NULL, w.replied_at, w.replied_at + interval '3 days', 'pending',
                   '', '', 0, NULL, NULL, NULL, w.unit_path, w.accepted_path, w.replied_at
            FROM workorders_workorder w WHERE w.status IN ('replied', 'callback') AND w.replied_at IS NOT NULL
            """
        )
        cur.execute(
            """
            INSERT INTO escalation_callbacktask (order_id, kind, failure_id, cycle_at, due_at, status,
                result, words, attempts, last_attempt_at, done_at, done_by_id, unit_path,
                accepted_path, created_at)
            SELECT w.id, 'order', NULL, w.replied_at, w.replied_at + interval '3 days', 'done',
                   CASE WHEN w.id % 20 = 0 THEN 'basically_satisfied' ELSE 'satisfied' END, '', 1,
                   w.closed_at, w.closed_at, NULL, w.unit_path, w.accepted_path, w.replied_at
            FROM workorders_workorder w
            WHERE w.status = 'archived' AND w.replied_at IS NOT NULL AND w.id % 3 = 0
            """
        )
        say(f"    callbacks written ({time.perf_counter() - t:.0f} s)")
        # The monitor's past: levels every running clock reached before now - lag.
        lag = f"now() - interval '{int(lag_min)} minutes'"
        threshold = (
            "c.due_at - make_interval(secs => greatest(extract(epoch FROM c.due_at - c.started_at)"
            " - c.paused_seconds, 0) * (100 - l.percent) / 100.0)"
        )
        cur.execute(
            f"""
            CREATE TEMP TABLE bench_reached ON COMMIT DROP AS
            SELECT c.id AS clock_id, c.order_id, c.kind, c.started_at, c.due_at, l.id AS level_id,
                   l.percent, l.escalate, {threshold} AS threshold_at
            FROM workorders_workorderclock c
            JOIN workorders_workorder w ON w.id = c.order_id
            CROSS JOIN escalation_warninglevel l
            WHERE w.status IN ('accepted', 'dispatched', 'in_progress') AND c.met_at IS NULL
              AND c.paused_since IS NULL AND l.active
            """
        )
        cur.execute(
            f"""
            INSERT INTO escalation_slawarning (order_id, clock_id, clock_kind, clock_started_at,
                clock_due_at, level_id, percent, threshold_at, at, unit_id, unit_path)
            SELECT r.order_id, r.clock_id, r.kind, r.started_at, r.due_at, r.level_id, r.percent,
                   r.threshold_at, r.threshold_at + interval '30 seconds', w.unit_id, w.unit_path
            FROM bench_reached r JOIN workorders_workorder w ON w.id = r.order_id
            WHERE r.threshold_at <= {lag}
            """
        )
        cur.execute(
            """
            INSERT INTO escalation_escalation (order_id, reason, from_unit_id, to_unit_id, to_path,
                level, warning_id, actor_id, note, at, acknowledged_at, acknowledged_by_id)
            SELECT s.order_id, 'breach', w.unit_id, p.id, p.path, 1, s.id, NULL, '时限已到期', s.at,
                   NULL, NULL
            FROM escalation_slawarning s JOIN workorders_workorder w ON w.id = s.order_id
            JOIN org_orgunit u ON u.id = w.unit_id JOIN org_orgunit p ON p.id = u.parent_id
            WHERE s.percent = 100
            """
        )
        # Closed orders: one breach escalation for one in 25 (the history of the board).
        cur.execute(
            """
            INSERT INTO escalation_escalation (order_id, reason, from_unit_id, to_unit_id, to_path,
                level, warning_id, actor_id, note, at, acknowledged_at, acknowledged_by_id)
            SELECT w.id, CASE WHEN w.id % 7 = 0 THEN 'urge' ELSE 'breach' END, w.unit_id, p.id,
                   p.path, 1, NULL, NULL, '时限已到期', w.created_at + interval '1 day',
                   w.created_at + interval '2 days', NULL
            FROM workorders_workorder w JOIN org_orgunit u ON u.id = w.unit_id
            JOIN org_orgunit p ON p.id = u.parent_id
            WHERE w.status IN ('archived', 'cancelled') AND w.id % 25 = 0
            """
        )
        cur.execute(
            """
            INSERT INTO escalation_orderescalation (order_id, unit_id, level, updated_at)
            SELECT DISTINCT ON (order_id) order_id, to_unit_id, level, at
            FROM escalation_escalation ORDER BY order_id, at DESC
            ON CONFLICT (order_id) DO NOTHING
            """
        )
        say(f"    warnings and escalations written ({time.perf_counter() - t:.0f} s)")
        # A watch per order: the earliest level not reached yet (none for closed orders).
        cur.execute("DELETE FROM escalation_slawatch")
        cur.execute(
            f"""
            INSERT INTO escalation_slawatch (order_id, next_at, order_version)
            SELECT w.id, n.next_at, w.version
            FROM workorders_workorder w LEFT JOIN (
                SELECT order_id, min(threshold_at) AS next_at FROM bench_reached
                WHERE threshold_at > {lag} GROUP BY order_id
            ) n ON n.order_id = w.id
            """
        )
        say(f"    watches written ({time.perf_counter() - t:.0f} s)")
    with connection.cursor() as cur:
        for table in (
            "escalation_slawatch",
            "escalation_slawarning",
            "escalation_escalation",
            "escalation_callbacktask",
            "workorders_workorder",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")
        counts = {}
        for name, sql in {
            "orders": "SELECT count(*) FROM workorders_workorder",
            "open": "SELECT count(*) FROM workorders_workorder WHERE status IN ('accepted','dispatched','in_progress')",
            "watches_pending": "SELECT count(*) FROM escalation_slawatch WHERE next_at IS NOT NULL",
            "warnings": "SELECT count(*) FROM escalation_slawarning",
            "escalations": "SELECT count(*) FROM escalation_escalation",
            "callbacks": "SELECT count(*) FROM escalation_callbacktask",
            "callbacks_pending": "SELECT count(*) FROM escalation_callbacktask WHERE status = 'pending'",
        }.items():
            cur.execute(sql)
            counts[name] = cur.fetchone()[0]
    print(json.dumps(counts))


def sweep(stale: int) -> None:
    import datetime as dt

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from gridcare.escalation.models import SlaWatch
    from gridcare.escalation.services import monitor

    def due_count(at):
        return SlaWatch.objects.filter(next_at__lte=at).count()

    def timed(fn, **kw):
        queries = []

        def wrapper(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            t = time.perf_counter()
            out = fn(**kw)
            seconds = time.perf_counter() - t
        return out, seconds, len(queries)

    now = timezone.now()
    rows = []
    for label, at in (
        ("catch-up of the lag", now),
        ("again at once", now),
        ("one minute later", now + dt.timedelta(minutes=1)),
    ):
        expected = due_count(at)
        with connection.cursor() as cur:
            cur.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) SELECT w.id FROM workorders_workorder w "
                "JOIN escalation_slawatch s ON s.order_id = w.id WHERE s.next_at <= %s ORDER BY w.id LIMIT 500",
                [at],
            )
            plan = cur.fetchone()[0][0]
        stats, seconds, nq = timed(monitor.sla_sweep, now=at)
        rows.append(
            {
                "run": f"sla_sweep: {label}",
                "due": expected,
                "seconds": seconds,
                "queries": nq,
                "first_batch_sql_ms": plan["Execution Time"],
                **stats,
            }
        )
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    n, seconds, nq = timed(monitor.sla_reconcile, limit=200_000)
    rows.append(
        {"run": "sla_reconcile: all watches current", "examined": n, "seconds": seconds, "queries": nq}
    )
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM escalation_slawatch WHERE order_id IN (SELECT order_id FROM escalation_slawatch s "
            "JOIN workorders_workorder w ON w.id = s.order_id WHERE w.status IN ('accepted','dispatched','in_progress') "
            "ORDER BY s.order_id DESC LIMIT %s)",
            [stale],
        )
    n, seconds, nq = timed(monitor.sla_reconcile, limit=200_000)
    rows.append(
        {"run": f"sla_reconcile: {stale} watches missing", "examined": n, "seconds": seconds, "queries": nq}
    )
    print(json.dumps(rows))


# ---------------------------------------------------------------- the client side


def main() -> None:
    from intake import Server, django_step, list_latency, psql

    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--open", type=int, default=100_000)
    ap.add_argument("--replied", type=int, default=15_000, help="replied orders waiting for a callback")
    ap.add_argument("--lag", type=int, default=5, help="minutes since the monitor last ran")
    ap.add_argument("--stale", type=int, default=2000, help="watches removed before the timed reconcile")
    ap.add_argument("--base-days", type=int, default=30)
    ap.add_argument("--page-requests", type=int, default=100)
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/")
    ap.add_argument("--reuse", action="store_true", help="keep an existing bench database (development)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
            "GRIDCARE_DATA_DIR": str(tmp / "data"),
            "DATABASE_URL": args.pg + PG_DB,
        }
        if not args.reuse:
            psql(args.pg, f"DROP DATABASE IF EXISTS {PG_DB}")
            psql(args.pg, f"CREATE DATABASE {PG_DB}")
        try:
            t = time.perf_counter()
            django_step(
                env, "_setup", str(tmp / "info.json"), str(args.base_days), timeout=900, script=__file__
            )
            info = json.loads((tmp / "info.json").read_text())
            if not args.reuse:
                out = django_step(
                    env,
                    "_grow",
                    str(args.orders),
                    str(args.open),
                    str(args.lag),
                    str(args.replied),
                    timeout=2400,
                    script=__file__,
                )
                counts = json.loads(out.splitlines()[-1])
            else:
                counts = {}
            print(f"data ready in {time.perf_counter() - t:.0f} s: {counts}")
            load_before = os.getloadavg()[0]
            sweeps = json.loads(
                django_step(env, "_sweep", str(args.stale), timeout=1800, script=__file__).splitlines()[-1]
            )
            server = Server(env, tmp / "server.log")
            pages = []
            try:
                for path, user in (
                    ("/escalation/callbacks/", "agent"),
                    ("/escalation/callbacks/?overdue=1", "agent"),
                    ("/escalation/board/", "supervisor"),
                    ("/escalation/board/?all=1", "supervisor"),
                ):
                    r = list_latency(
                        server.port, {"Cookie": info["sessions"][user]}, path, args.page_requests, 60
                    )
                    r["user"], r["load"] = user, os.getloadavg()[0]
                    pages.append(r)
            finally:
                server.stop()
        finally:
            if not args.reuse:
                psql(args.pg, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", check=False)

    print()
    print(
        f"Monitor at {counts.get('orders', 0):,} orders, {counts.get('open', 0):,} open "
        f"(lag {args.lag} min; load1 before {load_before:.2f}; {os.cpu_count()} CPUs)"
    )
    print(
        f"{'run':<42}{'due':>7}{'examined':>9}{'warn':>6}{'escal':>6}{'queries':>8}{'seconds':>9}{'sql ms':>8}"
    )
    for r in sweeps:
        print(
            f"{r['run']:<42}{r.get('due', ''):>7}{r['examined']:>9}{r.get('warnings', ''):>6}"
            f"{r.get('escalations', ''):>6}{r['queries']:>8}{r['seconds']:>9.2f}"
            f"{r.get('first_batch_sql_ms', float('nan')):>8.1f}"
        )
    print(
        "(due: watches with next_at <= the sweep's time; sql ms: EXPLAIN ANALYZE of the first batch's read)"
    )
    print()
    print("Supervision pages (one client, sequential)")
    print(f"{'path':<40}{'user':<12}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'load1':>7}")
    for r in pages:
        print(f"{r['path']:<40}{r['user']:<12}{r['n']:>5}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['load']:>7.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_grow":
        grow(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_sweep":
        sweep(int(sys.argv[2]))
    else:
        main()
