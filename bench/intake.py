"""Work-order intake through the API, and list latency at a million orders.

    python bench/intake.py [--requests 3000] [--clients 8] [--orders 1000000]
                           [--skip-sqlite] [--skip-postgres]

For each database (a fresh SQLite file; a fresh PostgreSQL database
``gridcare_bench_intake`` on 127.0.0.1:5432, dropped afterwards):

1. migrate, seed the demo utility (default size: 48 stations, 100,000 customers) and
   ``--base-days`` of realistic order history (``seed_work_orders``);
2. start ``gridcare serve --workers 2 --no-worker`` on a free 127.0.0.1 port and POST
   ``--requests`` new orders to ``/api/work-orders/`` from ``--clients`` threads (each
   request with its own ``Idempotency-Key``, texts and types from the demo corpus),
   stopping after ``--seconds`` at most; prints orders/s and p50/p99 latency;
3. time one ``gridcare worker`` process running the background work the intake queued
   (each order's announcement: time-limit watch, notifications, repeat check, classification);
4. PostgreSQL only: grow the table to ``--orders`` orders (``--open`` of them open, see
   ``bench/_bulk_orders.py``), then time sequential GETs of the list API (first page,
   ``?status=dispatched``, ``?overdue=true``, page 20) as the city hotline agent and of
   the dispatch-queue page as the county dispatcher; prints p50/p95.

Goals (issue 3): ≥ 200 orders/s and p99 < 100 ms on PostgreSQL; list p95 < 150 ms at 1M.
Everything talks to 127.0.0.1 only; every phase stops by itself; the server and the
databases it starts are removed at the end. The load average is printed with the
figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GRIDCARE = str(Path(PY).parent / "gridcare")
PG_DB = "gridcare_bench_intake"


# ---------------------------------------------------------------- inside the Django process


def setup(base_days: float, per_day: float, out: str) -> None:
    """Fresh schema, demo utility, a little history; write tokens, a session and payloads."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from gridcare.core.calendar import calendar_seed_from_package
    from gridcare.customers.models import Customer
    from gridcare.demo.seed import seed_utility
    from gridcare.demo.workorders import TYPE_MIX, _load_corpus, _subtype_for, seed_work_orders
    from gridcare.workorders.choices import RequestType

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    calendar_seed_from_package()
    seed_utility(size="default")
    history = seed_work_orders(seed=7, days=int(base_days), orders_per_day=per_day)
    from gridcare.core.maintenance import refresh_statistics

    refresh_statistics()  # as `gridcare demo` does after seeding: bulk-loaded tables need statistics
    users = get_user_model().objects
    tokens = {u: Token.objects.get_or_create(user=users.get(username=u))[0].key for u in ("agent",)}
    dispatcher = users.get(username="dispatcher")
    session = SessionStore()
    session[SESSION_KEY] = str(dispatcher.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[
        -1
    ]  # the model backend (axes only guards)
    session[HASH_SESSION_KEY] = dispatcher.get_session_auth_hash()
    session.create()

    rnd = random.Random(11)
    corpus = _load_corpus(rnd)
    # Callers drawn from the whole customer base (a few repeat, as on a real hotline).
    customers = list(Customer.objects.order_by("?").values_list("customer_no", flat=True)[:50_000])
    types, weights = zip(*TYPE_MIX, strict=True)
    payloads = []
    for _ in range(5000):
        rtype = rnd.choices(types, weights=weights)[0]
        text, dimension = rnd.choice(corpus[rtype])
        text = text.replace("{n}", str(rnd.randint(2, 9)))
        payloads.append(
            {
                "channel": rnd.choice(["hotline", "hotline", "web", "app", "wechat"]),
                "request_type": str(rtype),
                "subtype": str(_subtype_for(text, rnd)) if rtype == RequestType.SERVICE_APPLICATION else "",
                "dimension": str(dimension),
                "description": text,
                "customer": rnd.choice(customers),
            }
        )
    from gridcare.workorders.models import WorkOrder

    Path(out).write_text(
        json.dumps(
            {
                "sample_order": WorkOrder.objects.filter(children_count=0)
                .order_by("-id")
                .values_list("order_no", flat=True)[0],
                "tokens": tokens,
                "session": [settings.SESSION_COOKIE_NAME, session.session_key],
                "payloads": payloads,
                "history": history["orders"],
                "setup_s": time.perf_counter() - t,
            },
            ensure_ascii=False,
        )
    )


def drain(limit: int) -> None:
    """Run the queued background work (the announcements of the orders just created: watch,
    notifications, repeat check, classification) the way ``gridcare worker`` does; time it."""
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from gridcare.core.management.commands.worker import drain_queue

    queued = DBTaskResult.objects.ready().count()
    t = time.perf_counter()
    drain_queue(max_tasks=limit or None, worker_id="bench")  # a sample of the queue, as one worker runs it
    elapsed = time.perf_counter() - t
    left = DBTaskResult.objects.ready().count()
    failed = DBTaskResult.objects.filter(status="FAILED").count()
    print(json.dumps({"tasks": queued - left, "left": left, "failed": failed, "seconds": elapsed}))


def grow(orders: int, open_orders: int) -> None:
    import django

    django.setup()
    sys.path.insert(0, str(ROOT / "bench"))
    from _bulk_orders import grow_orders

    result = grow_orders(target=orders, open_target=open_orders, say=lambda m: print(m, file=sys.stderr))
    print(json.dumps(result))


# ---------------------------------------------------------------- the client side


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``gridcare serve`` (gunicorn, 2 workers, no job worker) in its own process group."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [GRIDCARE, "serve", "--workers", "2", "--port", str(self.port), "--no-worker"],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited; see {log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/login/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit("server did not start within 120 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class Client:
    """One keep-alive connection; reconnects when the server closes it (gunicorn sync)."""

    def __init__(self, port: int, headers: dict):
        self.port, self.headers, self.conn = port, headers, None

    def request(self, method: str, path: str, body: bytes | None = None, extra: dict | None = None):
        headers = {**self.headers, **(extra or {})}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return resp.status, data
        raise AssertionError("unreachable")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def run_clients(clients: int, requests: int, seconds: float, headers: dict, port: int, send, ok: int) -> dict:
    """``clients`` threads, each on its own connection, call ``send(client, i)`` for request
    numbers ``i`` until ``requests`` are done or ``seconds`` have passed; latencies of the
    answers with status ``ok``, a count of the others by status."""
    lat: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + seconds

    def worker() -> None:
        client = Client(port, headers)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t = time.perf_counter()
            try:
                status = send(client, i)
            except OSError:
                status = 599
            ms = (time.perf_counter() - t) * 1000
            with lock:
                if status == ok:
                    lat.append(ms)
                else:
                    errors[status] = errors.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    return {
        "clients": clients,
        "done": len(lat),
        "errors": errors,
        "seconds": elapsed,
        "per_s": len(lat) / elapsed,
        "p50": pct(lat, 0.5),
        "p99": pct(lat, 0.99),
        "load": os.getloadavg()[0],
    }


def intake_load(port: int, token: str, payloads: list[dict], requests: int, clients: int, seconds: float):
    def send(client, i: int) -> int:
        body = json.dumps(payloads[i % len(payloads)]).encode()
        status, _data = client.request(
            "POST", "/api/work-orders/", body, {"Idempotency-Key": uuid.uuid4().hex}
        )
        return status

    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    result = run_clients(clients, requests, seconds, headers, port, send, ok=201)
    result["created"] = result.pop("done")
    return result


def get_load(port: int, headers: dict, path: str, requests: int, clients: int, seconds: float) -> dict:
    """Baseline in the same server: ``clients`` threads GET ``path`` as fast as it answers."""
    result = run_clients(
        clients, requests, seconds, headers, port, lambda c, i: c.request("GET", path)[0], ok=200
    )
    if result["errors"]:
        raise SystemExit(f"GET {path}: {result['errors']}")
    return {**result, "path": path}


def list_latency(port: int, headers: dict, path: str, n: int, seconds: float) -> dict:
    client = Client(port, headers)
    status, data = client.request("GET", path)  # warm up (and check)
    if status != 200:
        raise SystemExit(f"GET {path}: {status} {data[:300]!r}")
    count = None
    if path.startswith("/api/"):
        count = json.loads(data).get("count")
    lat = []
    deadline = time.monotonic() + seconds
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        t = time.perf_counter()
        status, _data = client.request("GET", path)
        lat.append((time.perf_counter() - t) * 1000)
        assert status == 200, (path, status)
    return {"path": path, "n": len(lat), "count": count, "p50": pct(lat, 0.5), "p95": pct(lat, 0.95)}


def django_step(env: dict, *args: str, timeout: float, script: str = __file__) -> str:
    """Run ``script`` with ``args`` in a fresh Python process (fresh Django settings)."""
    out = subprocess.run(
        [PY, script, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        print(out.stdout[-3000:], out.stderr[-5000:], file=sys.stderr)
        raise SystemExit(f"step {args[0]} failed")
    if out.stderr.strip():
        print(out.stderr.strip(), file=sys.stderr)
    return out.stdout


def run_db(label: str, env: dict, args, tmp: Path) -> dict:
    info_path = tmp / f"{label}.json"
    t = time.perf_counter()
    django_step(env, "_setup", str(args.base_days), str(args.per_day), str(info_path), timeout=900)
    info = json.loads(info_path.read_text())
    print(f"[{label}] seeded in {time.perf_counter() - t:.0f} s ({info['history']:,} history orders)")
    server = Server(env, tmp / f"{label}-server.log")
    result: dict = {"db": label, "intake": [], "lists": []}
    try:
        token = info["tokens"]["agent"]
        # What the same server does per second for a request that does (almost) nothing, and
        # for an authenticated read of one order: the scale the intake figure sits on.
        base = [
            get_load(server.port, {}, "/healthz", args.requests, max(args.clients), args.seconds),
            get_load(
                server.port,
                {"Authorization": f"Token {info['tokens']['agent']}"},
                f"/api/work-orders/{info['sample_order']}/",
                args.requests,
                max(args.clients),
                args.seconds,
            ),
        ]
        result["baselines"] = base
        for b in base:
            print(f"[{label}] baseline GET {b['path']}: {b['per_s']:.0f}/s, p99 {b['p99']:.0f} ms")
        for clients in args.clients:
            r = intake_load(server.port, token, info["payloads"], args.requests, clients, args.seconds)
            print(
                f"[{label}] intake with {clients} clients: {r['per_s']:.0f} orders/s, p99 {r['p99']:.0f} ms"
            )
            result["intake"].append(r)
        if args.drain:
            d = json.loads(django_step(env, "_drain", str(args.drain_tasks), timeout=1800).splitlines()[-1])
            d["per_s"] = d["tasks"] / d["seconds"] if d["seconds"] else float("nan")
            result["drain"] = d
            print(
                f"[{label}] worker ran {d['tasks']} queued tasks in {d['seconds']:.1f} s ({d['per_s']:.0f}/s)"
            )
        if label == "postgresql" and args.orders:
            t = time.perf_counter()
            grown = json.loads(
                django_step(env, "_grow", str(args.orders), str(args.open), timeout=1800).splitlines()[-1]
            )
            result["grow"] = grown
            print(f"[{label}] grown to {grown['orders']:,} orders in {time.perf_counter() - t:.0f} s")
        api = {"Authorization": f"Token {token}"}
        cookie = {"Cookie": "{}={}".format(*info["session"])}
        for path, headers in (
            ("/api/work-orders/", api),
            ("/api/work-orders/?status=dispatched", api),
            ("/api/work-orders/?overdue=true", api),
            ("/api/work-orders/?page=20", api),
            ("/api/work-orders/?request_type=complaint&status=in_progress", api),
            ("/work-orders/queue/", cookie),
            ("/work-orders/", cookie),
        ):
            r = list_latency(server.port, headers, path, args.list_requests, args.list_seconds)
            r["load"] = os.getloadavg()[0]
            result["lists"].append(r)
        result["orders"] = result.get("grow", {}).get("orders") or info["history"] + sum(
            r["created"] for r in result["intake"]
        )
    finally:
        server.stop()
    return result


def psql(pg: str, sql: str, check: bool = True) -> None:
    subprocess.run(["psql", pg + "postgres", "-q", "-c", sql], check=check)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=3000, help="orders to create per run")
    ap.add_argument("--clients", type=int, nargs="+", default=[8], help="concurrent clients (one run each)")
    ap.add_argument("--seconds", type=float, default=60, help="time cap per intake run")
    ap.add_argument("--orders", type=int, default=1_000_000, help="PostgreSQL: grow to this many orders")
    ap.add_argument("--open", type=int, default=100_000, help="of which open")
    ap.add_argument("--base-days", type=float, default=60, help="days of seeded history")
    ap.add_argument("--per-day", type=float, default=150)
    ap.add_argument("--list-requests", type=int, default=100)
    ap.add_argument("--list-seconds", type=float, default=60)
    ap.add_argument("--no-drain", dest="drain", action="store_false", help="skip timing the worker")
    ap.add_argument("--drain-tasks", type=int, default=1500, help="queued tasks to time (0: all)")
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/")
    args = ap.parse_args()
    # Stopped from outside (timeout, Ctrl-C): still stop the server and drop the databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    results = []
    base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_sqlite:
            env = {
                **base_env,
                "GRIDCARE_DATA_DIR": str(tmp / "sqlite"),
                "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            }
            results.append(run_db("sqlite", env, args, tmp))
        if not args.skip_postgres:
            psql(args.pg, f"DROP DATABASE IF EXISTS {PG_DB}")
            psql(args.pg, f"CREATE DATABASE {PG_DB}")
            try:
                env = {**base_env, "GRIDCARE_DATA_DIR": str(tmp / "pg"), "DATABASE_URL": args.pg + PG_DB}
                results.append(run_db("postgresql", env, args, tmp))
            finally:
                psql(args.pg, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", check=False)

    print()
    print(f"Intake: POST /api/work-orders/ (gunicorn, 2 workers; {os.cpu_count()} CPUs)")
    print(
        f"{'db':<12}{'clients':>8}{'created':>9}{'errors':>8}{'orders/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'load1':>7}"
    )
    for r in results:
        for x in r["intake"]:
            err = sum(x["errors"].values())
            print(
                f"{r['db']:<12}{x['clients']:>8}{x['created']:>9}{err:>8}{x['per_s']:>10.0f}"
                f"{x['p50']:>9.1f}{x['p99']:>9.1f}{x['load']:>7.2f}"
            )
            if err:
                print(f"{'':<12}errors by status: {x['errors']}")
    for r in results:
        best = max(x["per_s"] for x in r["intake"])
        for b in r.get("baselines", []):
            print(
                f"{r['db']:<12}baseline GET {b['path']} ({b['clients']} clients): {b['per_s']:.0f}/s, "
                f"p99 {b['p99']:.0f} ms; intake = {best / b['per_s']:.2f} × this"
            )
    for r in results:
        if "drain" in r:
            d = r["drain"]
            print(
                f"{r['db']:<12}background work after intake: {d['tasks']} tasks in {d['seconds']:.1f} s "
                f"({d['per_s']:.0f}/s, one worker process), {d['failed']} failed, {d['left']} still queued"
            )
    for r in results:
        print()
        print(f"Lists on {r['db']} at {r['orders']:,} orders (one client, sequential)")
        print(f"{'path':<58}{'count':>10}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'load1':>7}")
        for x in r["lists"]:
            count = "" if x["count"] is None else str(x["count"])
            print(f"{x['path']:<58}{count:>10}{x['n']:>5}{x['p50']:>9.1f}{x['p95']:>9.1f}{x['load']:>7.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup(float(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) > 1 and sys.argv[1] == "_drain":
        drain(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_grow":
        grow(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
