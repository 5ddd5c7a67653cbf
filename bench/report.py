"""The periodic report at scale: time per part (each section's figures, HTML, Excel, PDF).

    python bench/report.py time [--period 2026-11] [--scope PATH] [--repeat 1]
        the report of the database the environment selects (GRIDCARE_DATA_DIR, DATABASE_URL),
        e.g. the demo city:
            GRIDCARE_DATA_DIR=/tmp/dr .venv/bin/python manage.py demo --no-serve
            env -u DATABASE_URL GRIDCARE_DATA_DIR=/tmp/dr .venv/bin/python bench/report.py time

    python bench/report.py postgres [--orders 1000000] [--pg postgres://postgres@127.0.0.1:5432/]
        on a fresh PostgreSQL database ``gridcare_bench_report`` (dropped at the end): the demo
        utility (default size, 100,000 customers), ~70 days of realistic orders with their
        clocks and callbacks, then the last complete month grown in SQL to ``--orders`` orders
        (copies of that month's orders within the month, each with its clocks and callbacks),
        and the month's report timed as above.

Goals (issue 19): the demo city's monthly report < 10 s on SQLite; a month of 1,000,000
orders on PostgreSQL < 120 s, HTML, Excel and PDF included. The figures come from the same
code the worker runs (``report_publish``'s parts: ``build.SECTIONS``, then the renderers);
queries are counted per part. Times are wall-clock on a machine that may be shared: the
load average before the run is printed with them.
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
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PG_DB = "gridcare_bench_report"
WO = "workorders_workorder"
CLOCK = "workorders_workorderclock"
CALLBACK = "escalation_callbacktask"


# ---------------------------------------------------------------- inside the Django process


def time_report(period_label: str | None, scope: str, repeat: int) -> dict:
    """Build and render the report ``repeat`` times; the per-part times of the first run (what
    a fresh worker process takes: its imports, the segmentation dictionary and the fonts load
    on the way), the totals of the later (warm) ones."""
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.template.loader import render_to_string
    from django.utils import timezone

    from gridcare.analytics.reports.build import build_report, orders_in
    from gridcare.analytics.reports.periods import last_complete, parse_period
    from gridcare.analytics.reports.render import render_pdf, render_xlsx, report_context

    period = (
        parse_period("monthly" if "W" not in period_label.upper() else "weekly", period_label)
        if period_label
        else last_complete("monthly", timezone.localdate())
    )
    orders = orders_in(period, scope).count()
    connection.force_debug_cursor = True  # count queries per part
    runs = []
    for _ in range(repeat):
        parts: list[list] = []  # [name, seconds, cpu seconds of this process, queries]
        marks: list[tuple[str, float, float, int]] = []

        def mark(name: str, marks=marks) -> None:
            marks.append((name, time.perf_counter(), time.process_time(), len(connection.queries)))

        reset_queries()
        t0, c0 = time.perf_counter(), time.process_time()
        data = build_report(period, scope_path=scope, progress=mark)
        mark("_end")
        for (name, t, c, q), (_n, t2, c2, q2) in zip(marks, marks[1:], strict=False):
            parts.append([name, t2 - t, c2 - c, q2 - q])
        out = {}
        for name, render in (
            ("HTML", lambda d: render_to_string("analytics/_report_body.html", report_context(d))),
            ("Excel", render_xlsx),
            ("PDF", render_pdf),
        ):
            t, c = time.perf_counter(), time.process_time()
            out[name] = render(data)
            parts.append([name, time.perf_counter() - t, time.process_time() - c, 0])
        total = time.perf_counter() - t0
        runs.append(
            {
                "parts": parts,
                "total": total,
                "cpu": time.process_time() - c0,
                "sizes": [len(out["HTML"]), len(out["Excel"]), len(out["PDF"])],
            }
        )
    best = runs[0]
    return {
        "vendor": connection.vendor,
        "period": period.label,
        "scope": scope,
        "orders": orders,
        "figures_total": data["totals"]["count"],
        "queries": sum(p[3] for p in best["parts"]),
        **best,
        "all_totals": [r["total"] for r in runs],
    }


def print_result(r: dict, load: float) -> None:
    print()
    print(
        f"Report {r['period']} ({r['vendor']}, scope {r['scope'] or 'company'}): {r['orders']:,} orders "
        f"in the period; load1 before {load:.2f} on {os.cpu_count()} CPUs"
    )
    print(f"{'part':<16}{'seconds':>9}{'cpu s':>9}{'queries':>9}")
    for name, seconds, cpu, queries in r["parts"]:
        print(f"{name:<16}{seconds:>9.2f}{cpu:>9.2f}{queries:>9}")
    print(f"{'total':<16}{r['total']:>9.2f}{r['cpu']:>9.2f}{r['queries']:>9}")
    print(
        f"(seconds: wall clock; cpu s: this process's CPU time — the database server's is not in it; "
        f"load1 after {os.getloadavg()[0]:.2f})"
    )
    if len(r["all_totals"]) > 1:
        later = ", ".join(f"{t:.2f}" for t in r["all_totals"][1:])
        print(f"first run shown (a fresh process); later runs, warm: {later} s")
    print(f"HTML {r['sizes'][0]:,} B, Excel {r['sizes'][1]:,} B, PDF {r['sizes'][2]:,} B")


def setup(base_days: int, per_day: float) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from gridcare.core.calendar import calendar_seed_from_package
    from gridcare.org.models import OrgUnit

    call_command("migrate", verbosity=0)
    if OrgUnit.objects.exists():  # --reuse keeps a seeded database
        return
    from gridcare.demo.escalation import seed_escalation_history
    from gridcare.demo.seed import seed_utility
    from gridcare.demo.workorders import seed_work_orders

    calendar_seed_from_package()
    t = time.perf_counter()
    seed_utility(size="default")
    say(f"  utility seeded ({time.perf_counter() - t:.0f} s)")
    seed_work_orders(seed=7, days=base_days, orders_per_day=per_day)
    say(f"  {base_days} days of orders seeded ({time.perf_counter() - t:.0f} s)")
    seed_escalation_history(seed=7)
    say(f"  callbacks seeded ({time.perf_counter() - t:.0f} s)")
    # The other apps' report sections (their volume does not grow with the orders).
    from gridcare.demo.inspections import seed_inspections
    from gridcare.demo.knowledge import seed_knowledge
    from gridcare.demo.surveys import seed_surveys

    for name, fn in (
        ("knowledge", lambda: seed_knowledge(seed=7)),
        ("inspections", lambda: seed_inspections(seed=7, size="default")),
        ("surveys", lambda: seed_surveys(seed=7, size="default")),
    ):
        try:
            fn()
            say(f"  {name} seeded ({time.perf_counter() - t:.0f} s)")
        except Exception as exc:  # a section without data is still timed
            say(f"  {name} not seeded: {type(exc).__name__}: {exc}")


def grow(target: int, period_label: str | None) -> None:
    """Copy the period's orders (with their clocks and done callbacks) within the period until
    it holds ``target`` orders. Copy g of order b: id b.id + g*stride, created g mod 50
    minutes later (base orders of the period's last hour are not copied, so copies stay in
    the period), its master the copy of its master when that is copied too."""
    import django

    django.setup()
    from _bulk_orders import _columns
    from django.db import connection, transaction
    from django.utils import timezone

    from gridcare.analytics.reports.periods import last_complete, parse_period

    period = (
        parse_period("monthly", period_label)
        if period_label
        else last_complete("monthly", timezone.localdate())
    )
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM {WO} WHERE created_at >= %s AND created_at < %s",
            [period.since, period.until],
        )
        have = cur.fetchone()[0]
        cur.execute(f"SELECT max(id) FROM {WO}")
        stride = cur.fetchone()[0] + 1
        missing = target - have
        if missing <= 0:
            print(json.dumps({"orders": have}))
            return
        with transaction.atomic():
            cur.execute(
                f"CREATE TEMP TABLE bench_base ON COMMIT DROP AS SELECT * FROM {WO} "
                "WHERE created_at >= %s AND created_at < %s - interval '1 hour'",
                [period.since, period.until],
            )
            cur.execute("SELECT count(*) FROM bench_base")
            base = cur.fetchone()[0]
            copies = -(-missing // base)
            say(f"  growing {period.label} from {have:,} to {target:,} orders ({copies} copies of {base:,})…")
            shift = "((g % 50) * interval '1 minute')"
            cols = _columns(WO)
            overrides = {
                "id": f"b.id + g * {stride}",
                "order_no": "b.order_no || '-' || lpad(g::text, 4, '0')",
                "created_at": f"b.created_at + {shift}",
                "updated_at": f"b.updated_at + {shift}",
                "replied_at": f"b.replied_at + {shift}",
                "closed_at": f"b.closed_at + {shift}",
                "due_at": f"b.due_at + {shift}",
                "clock_paused_at": f"b.clock_paused_at + {shift}",
                "master_id": f"CASE WHEN m.id IS NULL THEN NULL ELSE b.master_id + g * {stride} END",
            }
            select = ", ".join(overrides.get(c, f"b.{c}") for c in cols)
            cur.execute(
                f"INSERT INTO {WO} ({', '.join(cols)}) SELECT {select} FROM bench_base b "
                f"LEFT JOIN bench_base m ON m.id = b.master_id "
                f"CROSS JOIN generate_series(1, {copies}) g ORDER BY g, b.id LIMIT {missing}"
            )
            cur.execute(
                f"DELETE FROM {WO} w WHERE w.id >= {stride} AND w.master_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {WO} m WHERE m.id = w.master_id)"
            )
            say(f"    orders copied ({time.perf_counter() - t0:.0f} s)")
            clock_cols = [c for c in _columns(CLOCK) if c != "id"]
            co = {
                "order_id": f"c.order_id + g * {stride}",
                "started_at": f"c.started_at + {shift}",
                "due_at": f"c.due_at + {shift}",
                "met_at": f"c.met_at + {shift}",
                "paused_since": f"c.paused_since + {shift}",
            }
            cur.execute(
                f"INSERT INTO {CLOCK} ({', '.join(clock_cols)}) SELECT "
                + ", ".join(co.get(c, f"c.{c}") for c in clock_cols)
                + f" FROM {CLOCK} c JOIN bench_base b ON b.id = c.order_id "
                f"CROSS JOIN generate_series(1, {copies}) g "
                f"JOIN {WO} w ON w.id = c.order_id + g * {stride}"
            )
            say(f"    clocks copied ({time.perf_counter() - t0:.0f} s)")
            cb_cols = [c for c in _columns(CALLBACK) if c != "id"]
            cbo = {
                "order_id": f"c.order_id + g * {stride}",
                "cycle_at": f"c.cycle_at + {shift}",
                "due_at": f"c.due_at + {shift}",
                "last_attempt_at": f"c.last_attempt_at + {shift}",
                "done_at": f"c.done_at + {shift}",
                "created_at": f"c.created_at + {shift}",
                "done_by_id": "NULL",
            }
            cur.execute(
                f"INSERT INTO {CALLBACK} ({', '.join(cb_cols)}) SELECT "
                + ", ".join(cbo.get(c, f"c.{c}") for c in cb_cols)
                + f" FROM {CALLBACK} c JOIN bench_base b ON b.id = c.order_id "
                f"CROSS JOIN generate_series(1, {copies}) g "
                f"JOIN {WO} w ON w.id = c.order_id + g * {stride} WHERE c.kind = 'order'"
            )
            say(f"    callbacks copied ({time.perf_counter() - t0:.0f} s)")
        for table in (WO, CLOCK, CALLBACK):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{WO}', 'id'), (SELECT max(id) FROM {WO}))")
        cur.execute(
            f"SELECT count(*) FROM {WO} WHERE created_at >= %s AND created_at < %s",
            [period.since, period.until],
        )
        in_period = cur.fetchone()[0]
        cur.execute(f"SELECT count(*) FROM {WO}")
        total = cur.fetchone()[0]
    say(f"    {in_period:,} orders in {period.label}, {total:,} in all ({time.perf_counter() - t0:.0f} s)")
    print(json.dumps({"orders": total, "in_period": in_period}))


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the client side


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("time", help="time the report of the database the environment selects")
    t.add_argument("--period", help="2026-11 or 2026-W44 (default: the last complete month)")
    t.add_argument("--scope", default="", help="a unit path ('' the company)")
    t.add_argument("--repeat", type=int, default=1)
    t.add_argument("--json", action="store_true", help="print the result as one JSON line too")
    p = sub.add_parser("postgres", help="a month of --orders orders on a fresh PostgreSQL database")
    p.add_argument(
        "--orders", type=int, default=1_000_000, help="orders in the month (100000 for a quick run)"
    )
    p.add_argument("--period", help="the month to fill (default: the last complete month)")
    p.add_argument("--base-days", type=int, default=70, help="days of seeded history")
    p.add_argument("--per-day", type=float, default=165.0)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/")
    p.add_argument("--reuse", action="store_true", help="keep an existing bench database (development)")
    p.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = ap.parse_args()

    if args.mode == "time":
        load = os.getloadavg()[0]
        r = time_report(args.period, args.scope, args.repeat)
        print_result(r, load)
        if args.json:
            print(json.dumps(r))
        return

    from intake import django_step, psql

    with tempfile.TemporaryDirectory() as tmp_name:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
            "GRIDCARE_DATA_DIR": str(Path(tmp_name) / "data"),
            "DATABASE_URL": args.pg + PG_DB,
        }
        if not args.reuse:
            psql(args.pg, f"DROP DATABASE IF EXISTS {PG_DB}")
            psql(args.pg, f"CREATE DATABASE {PG_DB}")
        try:
            t0 = time.perf_counter()
            django_step(env, "_setup", str(args.base_days), str(args.per_day), timeout=1800, script=__file__)
            out = django_step(
                env, "_grow", str(args.orders), args.period or "", timeout=3600, script=__file__
            )
            counts = json.loads(out.splitlines()[-1])
            say(f"data ready in {time.perf_counter() - t0:.0f} s: {counts}")
            load = os.getloadavg()[0]
            out = django_step(
                env, "_time", args.period or "", "", str(args.repeat), timeout=3600, script=__file__
            )
            r = json.loads(out.splitlines()[-1])
        finally:
            if not (args.reuse or args.keep):
                psql(args.pg, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", check=False)
    print_result(r, load)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup(int(sys.argv[2]), float(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_grow":
        grow(int(sys.argv[2]), sys.argv[3] or None)
    elif len(sys.argv) > 1 and sys.argv[1] == "_time":
        print(json.dumps(time_report(sys.argv[2] or None, sys.argv[3], int(sys.argv[4]))))
    else:
        main()
