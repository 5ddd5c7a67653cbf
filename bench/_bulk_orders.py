"""Grow a PostgreSQL demo database to a million work orders, fast (shared by the benches).

The first few thousand orders come from ``gridcare.demo.workorders.seed_work_orders``
(realistic texts, customers, areas, lifecycles and timelines, by the services' rules).
``grow_orders`` then copies them in SQL (``INSERT … SELECT … generate_series``) until the
table holds ``target`` orders: each copy is the same order shifted back in time, closed
(archived, its clocks met), with its own id and order number. Finally ``open_target``
recent copies are turned back into open orders (accepted / dispatched / in progress) with
one running clock each, created within their allowed time so that about one in ten is
overdue — the shape of a live system: 1,000,000 orders of which 100,000 are open.
Copies get no timeline events (nothing here reads them). PostgreSQL only.
"""

from __future__ import annotations

import time

from django.db import connection, transaction

WO = "workorders_workorder"
CLOCK = "workorders_workorderclock"


def _columns(table: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        return [r[0] for r in cur.fetchall()]


def _copy_sql(table: str, overrides: dict[str, str], source: str) -> str:
    cols = _columns(table)
    select = ", ".join(overrides.get(c, f"b.{c}") for c in cols)
    return f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} {source}"


def grow_orders(*, target: int, open_target: int, say=print) -> dict:
    """Copy the existing orders until there are ``target``; make ``open_target`` of them open."""
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), max(id) FROM {WO}")
        base, max_id = cur.fetchone()
        missing = target - base
        if missing <= 0:
            return {"orders": base, "seconds": 0.0}
        copies = -(-missing // base)
        stride = max_id + 1
        say(f"  growing {base:,} orders to {target:,} ({copies} copies of each)…")
        # Copy g of order b: id b.id + g*stride, created g weeks earlier, closed.
        shift = "(g * interval '7 days')"
        closed = "b.status IN ('archived', 'cancelled')"
        overrides = {
            "id": f"b.id + g * {stride}",
            "order_no": "b.order_no || '-' || lpad(g::text, 3, '0')",
            "status": f"CASE WHEN {closed} THEN b.status ELSE 'archived' END",
            "due_at": "NULL",
            "clock_paused_at": "NULL",
            "created_at": f"b.created_at - {shift}",
            "updated_at": f"coalesce(b.closed_at, b.replied_at, b.created_at) - {shift} + interval '1 hour'",
            "replied_at": f"b.replied_at - {shift}",
            "closed_at": f"coalesce(b.closed_at, b.replied_at, b.created_at) - {shift} + interval '1 hour'",
            "master_id": f"b.master_id + g * {stride}",
            "children_count": "b.children_count",
        }
        with transaction.atomic():
            cur.execute("CREATE TEMP TABLE bench_base ON COMMIT DROP AS SELECT * FROM " + WO)
            cur.execute(
                _copy_sql(
                    WO,
                    overrides,
                    f"FROM bench_base b CROSS JOIN generate_series(1, {copies}) g "
                    f"ORDER BY g, b.id LIMIT {missing}",
                )
            )
            cur.execute(f"SELECT max(id) FROM {WO}")
            top = cur.fetchone()[0]
            # Children whose master fell beyond the limit.
            cur.execute(
                f"UPDATE {WO} w SET master_id = NULL WHERE master_id > {top} "
                f"OR (master_id IS NOT NULL AND id > {max_id} AND NOT EXISTS "
                f"(SELECT 1 FROM {WO} m WHERE m.id = w.master_id))"
            )
            say(f"    orders copied ({time.perf_counter() - t0:.0f} s)")
            # Clocks of the copies, all met.
            cur.execute(f"CREATE TEMP TABLE bench_clock ON COMMIT DROP AS SELECT * FROM {CLOCK}")
            clock_cols = [c for c in _columns(CLOCK) if c != "id"]
            co = {
                "order_id": f"b.order_id + g * {stride}",
                "started_at": f"b.started_at - {shift}",
                "due_at": f"b.due_at - {shift}",
                "met_at": f"coalesce(b.met_at, b.due_at) - {shift}",
                "paused_since": "NULL",
            }
            cur.execute(
                f"INSERT INTO {CLOCK} ({', '.join(clock_cols)}) SELECT "
                + ", ".join(co.get(c, f"b.{c}") for c in clock_cols)
                + f" FROM bench_clock b CROSS JOIN generate_series(1, {copies}) g "
                f"WHERE b.order_id + g * {stride} <= {top} "
                f"AND EXISTS (SELECT 1 FROM {WO} w WHERE w.id = b.order_id + g * {stride})"
            )
            say(f"    clocks copied ({time.perf_counter() - t0:.0f} s)")
            opened = _open_orders(cur, open_target=open_target, first_copy=max_id + 1)
            say(f"    {opened:,} copies reopened ({time.perf_counter() - t0:.0f} s)")
        for table in (WO, CLOCK):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{WO}', 'id'), (SELECT max(id) FROM {WO}))")
        cur.execute(f"SELECT count(*) FROM {WO}")
        total = cur.fetchone()[0]
    return {"orders": total, "seconds": time.perf_counter() - t0}


def _open_orders(cur, *, open_target: int, first_copy: int) -> int:
    """Turn the most recent copies into open orders, each with one running clock."""
    cur.execute(f"SELECT count(*) FROM {WO} WHERE status IN ('accepted', 'dispatched', 'in_progress')")
    need = open_target - cur.fetchone()[0]
    if need <= 0:
        return 0
    # Allowed time: fault repair 45–240 minutes, anything else 1–10 days; created within
    # 1.1 × the allowed time, so about 9 % are past their deadline.
    cur.execute(
        f"""
        CREATE TEMP TABLE bench_open ON COMMIT DROP AS
        SELECT id, request_type,
               CASE WHEN request_type = 'fault_repair' THEN 45 + floor(random() * 196)::int
                    ELSE (1 + floor(random() * 10)::int) * 1440 END AS allowed,
               random() AS r1, random() AS r2
        FROM {WO} WHERE id >= %s AND master_id IS NULL AND children_count = 0
        ORDER BY id LIMIT %s
        """,
        [first_copy, need],
    )
    cur.execute(
        f"""
        UPDATE {WO} w SET
            status = CASE WHEN o.r2 < 0.12 THEN 'accepted' WHEN o.r2 < 0.6 THEN 'dispatched'
                          ELSE 'in_progress' END,
            created_at = now() - make_interval(mins => (o.allowed * 1.1 * o.r1)::int),
            due_at = now() - make_interval(mins => (o.allowed * 1.1 * o.r1)::int)
                     + make_interval(mins => o.allowed),
            updated_at = now(), replied_at = NULL, closed_at = NULL, satisfied = NULL,
            reply = '', cancel_reason = '', version = 2
        FROM bench_open o WHERE w.id = o.id
        """
    )
    cur.execute(
        f"UPDATE {WO} w SET unit_id = dispatcher_unit_id, unit_path = u.path "
        f"FROM bench_open o, org_orgunit u "
        f"WHERE w.id = o.id AND w.status = 'accepted' AND w.dispatcher_unit_id = u.id"
    )
    cur.execute(f"DELETE FROM {CLOCK} c USING bench_open o WHERE c.order_id = o.id")
    clock_cols = [c for c in _columns(CLOCK) if c != "id"]
    values = {
        "order_id": "w.id",
        "kind": "CASE WHEN w.request_type = 'fault_repair' THEN 'restoration' ELSE 'reply' END",
        "basis": "'minutes'",
        "amount": "o.allowed",
        "after": "''",
        "started_at": "w.created_at",
        "due_at": "w.due_at",
        "met_at": "NULL",
        "paused_since": "NULL",
        "paused_seconds": "0",
    }
    cur.execute(
        f"INSERT INTO {CLOCK} ({', '.join(clock_cols)}) SELECT "
        + ", ".join(values[c] for c in clock_cols)
        + f" FROM bench_open o JOIN {WO} w ON w.id = o.id"
    )
    return need
