"""The business-hall queue under load: counters calling the next ticket while tickets are
taken, on PostgreSQL.

    python bench/hall.py [--counters 200] [--rate 20] [--seconds 600] [--workers 48]

On a fresh PostgreSQL database ``gridcare_bench_hall`` (127.0.0.1:5432, dropped at the end):
one hall with ``--counters`` counters (every type) and their clerks; a producer takes
``--rate`` tickets a second (``ticket_take``, a mix of types, a few elderly/VIP) for
``--seconds``; the counters call the next ticket (``ticket_call_next``), serve and finish
it, then call again after a service time drawn so the counters keep up with the rate (an
idle counter calls again after a second). The counters' calls are made by ``--workers``
threads (each its own database session, like an application server's workers; PostgreSQL
allows 100 connections here, so 200 counters cannot each hold one).

Prints call-next latency p50/p95/p99 (all calls, and calls that got a ticket), tickets
taken, called, and **the tickets handed to two counters** — counted twice: by the calls'
answers (a ticket id answered twice) and in the database (a ticket with two "called"
events). Goal (issue 15): p95 < 100 ms, double-handed = 0.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

PG_DB = "gridcare_bench_hall"


def _pct(values: list[float], pct: float) -> float | None:
    import math

    ordered = sorted(values)
    if not ordered:
        return None
    return round(ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1], 1)


def run(counters: int, rate: float, seconds: float, workers: int, processes: int = 1) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count

    from gridcare.hall.choices import TicketEventKind
    from gridcare.hall.models import Counter, Hall, Ticket, TicketEvent
    from gridcare.hall.services import ticket_call_next, ticket_finish, ticket_serve, ticket_take
    from gridcare.org.choices import Role, UnitKind
    from gridcare.org.models import OrgUnit, StaffProfile

    call_command("migrate", verbosity=0)
    company = OrgUnit.objects.create(code="JS", name="江苏省电力公司", kind=UnitKind.COMPANY)
    city = OrgUnit.objects.create(code="YZ", name="扬州供电公司", kind=UnitKind.CITY, parent=company)
    User = get_user_model()
    kiosk = User.objects.create(username="kiosk")
    StaffProfile.objects.create(user=kiosk, unit=city, role=Role.COUNTER_CLERK, display_name="取号机")
    clerks = []
    for i in range(counters):
        u = User.objects.create(username=f"clerk{i:03d}")
        StaffProfile.objects.create(user=u, unit=city, role=Role.COUNTER_CLERK, display_name=f"窗口{i}")
        clerks.append(u)
    hall = Hall.objects.create(
        code="BENCH",
        name="压测营业厅",
        unit=city,
        weekday_hours="00:00-23:59",
        weekend_hours="00:00-23:59",
        open_on_holidays=True,
    )
    Counter.objects.bulk_create([Counter(hall=hall, number=i + 1) for i in range(counters)])
    counter_ids = list(Counter.objects.filter(hall=hall).order_by("number").values_list("pk", flat=True))
    types = ["business", "payment", "consult", "invoice"]
    mean_service = counters / rate  # seconds: the counters just keep up with the rate

    stop = threading.Event()
    lock = threading.Lock()
    mine = [i for i in range(counters) if i % processes == 0]
    due: list[tuple[float, int]] = [(time.monotonic() + random.uniform(0, 1), i) for i in mine]
    heapq.heapify(due)
    lat_all: list[float] = []
    lat_hit: list[float] = []
    answered: list[int] = []
    errors: list[str] = []
    taken = [0]

    def producer():
        rnd = random.Random(1)
        start = time.monotonic()
        n = 0
        try:
            while not stop.is_set():
                target = start + n / rate
                delay = target - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                ticket_take(
                    actor=kiosk, hall=hall, service_type=rnd.choice(types), declared_care=rnd.random() < 0.05
                )
                n += 1
                taken[0] = n
        except Exception as exc:  # noqa: BLE001
            errors.append(f"producer: {exc!r}")
        finally:
            connections.close_all()

    def worker(w: int):
        rnd = random.Random(100 + w)
        try:
            while not stop.is_set():
                with lock:
                    at, i = heapq.heappop(due)
                wait = at - time.monotonic()
                if wait > 0:
                    if stop.wait(min(wait, 0.5)):
                        break
                    if time.monotonic() < at:
                        with lock:
                            heapq.heappush(due, (at, i))
                        continue
                t0 = time.perf_counter()
                ticket = ticket_call_next(actor=clerks[i], counter=counter_ids[i])
                ms = (time.perf_counter() - t0) * 1000
                next_at = time.monotonic() + 1.0
                with lock:
                    lat_all.append(ms)
                    if ticket is not None:
                        lat_hit.append(ms)
                        answered.append(ticket.pk)
                if ticket is not None:
                    ticket_serve(actor=clerks[i], ticket=ticket)
                    ticket_finish(actor=clerks[i], ticket=ticket)
                    next_at = time.monotonic() + rnd.expovariate(1.0 / mean_service)
                with lock:
                    heapq.heappush(due, (next_at, i))
        except Exception as exc:  # noqa: BLE001
            errors.append(f"worker {w}: {exc!r}")
        finally:
            connections.close_all()

    per_process = max(1, workers // processes)
    threads = [threading.Thread(target=producer)] + [
        threading.Thread(target=worker, args=(w,)) for w in range(per_process)
    ]
    children = []
    if processes > 1:  # the other counters' calls from other processes (no shared interpreter lock)
        import subprocess

        spec = {
            "hall": hall.pk,
            "counters": counter_ids,
            "clerks": [u.pk for u in clerks],
            "mean": mean_service,
        }
        for k in range(1, processes):
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "_counters",
                        json.dumps(spec),
                        str(k),
                        str(processes),
                        str(per_process),
                        str(seconds),
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
    t_start = time.monotonic()
    for th in threads:
        th.start()
    time.sleep(seconds)
    stop.set()
    for th in threads:
        th.join()
    for ch in children:
        out, _ = ch.communicate(timeout=120)
        if ch.returncode != 0 or not out.strip():
            errors.append(f"counter process failed ({ch.returncode})")
            continue
        got = json.loads(out.splitlines()[-1])
        lat_all.extend(got["all"])
        lat_hit.extend(got["hit"])
        answered.extend(got["answered"])
        errors.extend(got["errors"])
    elapsed = time.monotonic() - t_start
    doubled_db = (
        TicketEvent.objects.filter(kind=TicketEventKind.CALLED)
        .values("ticket")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(
        json.dumps(
            {
                "counters": counters,
                "workers": workers,
                "processes": processes,
                "rate": rate,
                "seconds": round(elapsed, 1),
                "tickets_taken": Ticket.objects.count(),
                "tickets_called": Ticket.objects.filter(called_at__isnull=False).count(),
                "still_waiting": Ticket.objects.filter(status="waiting").count(),
                "calls": len(lat_all),
                "calls_with_ticket": len(lat_hit),
                "call_next_ms_all": {
                    "p50": _pct(lat_all, 50),
                    "p95": _pct(lat_all, 95),
                    "p99": _pct(lat_all, 99),
                },
                "call_next_ms_hit": {
                    "p50": _pct(lat_hit, 50),
                    "p95": _pct(lat_hit, 95),
                    "p99": _pct(lat_hit, 99),
                },
                "double_handed_answers": len(answered) - len(set(answered)),
                "double_handed_db": doubled_db,
                "errors": errors[:5],
                "load1": os.getloadavg()[0],
                "cpus": os.cpu_count(),
            }
        )
    )


def counters_process(spec_json: str, k: int, processes: int, threads_n: int, seconds: float) -> None:
    """Another process calling for its share of the counters (``i % processes == k``)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from gridcare.hall.services import ticket_call_next, ticket_finish, ticket_serve

    spec = json.loads(spec_json)
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=spec["clerks"]).select_related("staff")}
    clerks = [users[pk] for pk in spec["clerks"]]
    for u in clerks:
        u.staff.unit  # noqa: B018 (load once: the role and scope checks read them)
    ids = spec["counters"]
    lock = threading.Lock()
    due = [(time.monotonic() + random.uniform(0, 1), i) for i in range(len(ids)) if i % processes == k]
    heapq.heapify(due)
    stop = threading.Event()
    res = {"all": [], "hit": [], "answered": [], "errors": []}

    def worker(w):
        rnd = random.Random(1000 * k + w)
        try:
            while not stop.is_set():
                with lock:
                    at, i = heapq.heappop(due)
                wait = at - time.monotonic()
                if wait > 0:
                    if stop.wait(min(wait, 0.5)):
                        break
                    if time.monotonic() < at:
                        with lock:
                            heapq.heappush(due, (at, i))
                        continue
                t0 = time.perf_counter()
                ticket = ticket_call_next(actor=clerks[i], counter=ids[i])
                ms = (time.perf_counter() - t0) * 1000
                next_at = time.monotonic() + 1.0
                with lock:
                    res["all"].append(ms)
                    if ticket is not None:
                        res["hit"].append(ms)
                        res["answered"].append(ticket.pk)
                if ticket is not None:
                    ticket_serve(actor=clerks[i], ticket=ticket)
                    ticket_finish(actor=clerks[i], ticket=ticket)
                    next_at = time.monotonic() + rnd.expovariate(1.0 / spec["mean"])
                with lock:
                    heapq.heappush(due, (next_at, i))
        except Exception as exc:  # noqa: BLE001
            res["errors"].append(f"process {k} worker {w}: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(threads_n)]
    for th in threads:
        th.start()
    time.sleep(seconds)
    stop.set()
    for th in threads:
        th.join()
    print(json.dumps(res))


def main() -> None:
    from intake import django_step, psql

    ap = argparse.ArgumentParser()
    ap.add_argument("--counters", type=int, default=200)
    ap.add_argument("--rate", type=float, default=20.0, help="tickets taken per second")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--workers", type=int, default=48, help="threads making the counters' calls (in all)")
    ap.add_argument("--processes", type=int, default=4, help="processes the worker threads are spread over")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
            "GRIDCARE_DATA_DIR": str(Path(tmp) / "data"),
            "DATABASE_URL": args.pg + PG_DB,
            "GRIDCARE_CONN_MAX_AGE": "0",
        }
        psql(args.pg, f"DROP DATABASE IF EXISTS {PG_DB}")
        psql(args.pg, f"CREATE DATABASE {PG_DB}")
        try:
            out = django_step(
                env,
                "_run",
                str(args.counters),
                str(args.rate),
                str(args.seconds),
                str(args.workers),
                str(args.processes),
                timeout=args.seconds + 900,
                script=__file__,
            )
        finally:
            psql(args.pg, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", check=False)
    r = json.loads(out.splitlines()[-1])
    print(json.dumps(r, ensure_ascii=False, indent=1))
    print(
        f"\nhall queue: {r['counters']} counters ({r['workers']} worker sessions in {r['processes']} processes), {r['rate']}/s for {r['seconds']} s: "
        f"{r['tickets_taken']} taken, {r['tickets_called']} called; call-next p50/p95/p99 "
        f"{r['call_next_ms_all']['p50']}/{r['call_next_ms_all']['p95']}/{r['call_next_ms_all']['p99']} ms "
        f"(with a ticket: p95 {r['call_next_ms_hit']['p95']} ms); handed to two counters: "
        f"{r['double_handed_answers']} (answers), {r['double_handed_db']} (database)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_run":
        run(int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_counters":
        counters_process(
            sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
        )
    else:
        main()
