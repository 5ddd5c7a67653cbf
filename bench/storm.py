"""Storm day: fault calls pour in while outages are confirmed, notices go out and agents
keep looking callers up (issue 13).

    python bench/storm.py [--minutes 60] [--speed 1] [--calls 20000] [--feeders 40]
                          [--clients 24] [--agents 4] [--base-days 30] [--keep]

On a fresh PostgreSQL database ``gridcare_bench_storm`` (127.0.0.1:5432, dropped at the end
unless ``--keep``):

1. migrate, seed the demo utility (default size: ~300 feeders, 100,000 customers) and
   ``--base-days`` of ordinary order history;
2. plan the storm (deterministic, seed 13): ``--feeders`` feeders of the demo dispatcher's
   county trip within the hour — first a substation event that takes out enough feeders at
   once for ≥ 10,000 customers (one outage), then the rest one by one, most of them early;
   each outage is confirmed by the dispatcher (``POST /api/outages/`` with the trip time,
   which freezes the customers and queues their notices in the same request) 60–120 s after
   its trip, and single-feeder outages are restored 40 minutes after their trip (restoration
   notices). ``--calls`` fault calls arrive after the trips (delay ~ exponential, mean 6
   min; customers of the tripped feeders, repeat callers included) plus 8 % ordinary calls
   from elsewhere: a surge in the first 15 minutes with a peak well above 30 calls/s;
3. start ``gridcare serve --workers 2 --no-worker`` and one ``gridcare worker``, and replay
   the plan against the clock (``--speed`` compresses time; ``--minutes`` replays the first
   minutes of the hour only). Each call is what the IVR does: ``GET /api/outages/lookup/
   ?phone=…``, then ``POST /api/work-orders/`` — with ``notice_ref`` when the lookup named an
   outage in progress (the report joins the outage's master order), without it otherwise.
   Meanwhile ``--agents`` hotline agents use the intake page's caller lookup
   (``/work-orders/intake/lookup/?q=<phone>``), one lookup every 2 s each;
4. stop the server, let the worker finish, and read the figures from the database.

Printed (goals from the issue):
- calls recognised as inside a known outage — a call *is* inside one when its customer's
  feeder was out in an outage the dispatcher had confirmed before the call was looked up
  and not yet restored (goal ≥ 95 %);
- orders created vs merged (children of an outage's master, or of another open fault order);
- time from an outage's confirmation to its last notice queued: the confirmation request's
  duration (the notices are queued in it), per outage, with the 10,000-customer one
  (goal < 60 s);
- worker lag behind intake: the wait of each queued task (``started_at - enqueued_at``),
  the worst per minute, at peak and when it is back under 5 s (goal: never > 30 s);
- intake-lookup p95 during the storm (goal < 300 ms), and the IVR lookup's p95 during the
  storm and alone afterwards (``--quiet-lookups`` sequential lookups; goal < 50 ms p95 at
  1M customers, so run it with ``--size large`` for that figure).
The load average is printed with the figures: on a 2-core machine the database, the server,
the worker and this client share the cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from intake import GRIDCARE, ROOT, Client, Server, django_step, pct  # noqa: E402

PG_DB = "gridcare_bench_storm"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


# ---------------------------------------------------------------- inside the Django process


def setup(args_json: str, out: str) -> None:
    """Fresh schema, demo utility, some history; the storm plan, tokens and a session."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from gridcare.core.calendar import calendar_seed_from_package
    from gridcare.core.maintenance import refresh_statistics
    from gridcare.customers.models import Customer
    from gridcare.demo.seed import seed_utility
    from gridcare.demo.workorders import seed_work_orders
    from gridcare.grid.models import Feeder

    args = json.loads(args_json)
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    calendar_seed_from_package()
    seed_utility(size=args["size"])
    if args["base_days"]:
        seed_work_orders(seed=7, days=int(args["base_days"]), orders_per_day=150.0)
    refresh_statistics()
    users = get_user_model().objects
    tokens = {
        u: Token.objects.get_or_create(user=users.get(username=u))[0].key for u in ("agent", "dispatcher")
    }
    agent = users.get(username="agent")
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[
        -1
    ]  # the model backend (axes only guards)
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()

    # The storm hits the dispatcher's county: its feeders by substation.
    county = users.get(username="dispatcher").staff.unit.path
    sizes = dict(
        Customer.objects.filter(area__station__path__startswith=county)
        .values_list("area__feeder_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    feeders = list(Feeder.objects.filter(pk__in=sizes).order_by("substation_id", "code").values("pk", "code"))
    rnd = random.Random(13)
    if len(feeders) < args["feeders"]:
        raise SystemExit(f"the county has {len(feeders)} feeders, fewer than --feeders")
    # The substation event: feeders in substation order until >= 10,000 customers (or 3/4 of the
    # storm's feeders), one outage; the rest trip one by one.
    big, total = [], 0
    for f in feeders:
        if total >= 10_000 or len(big) >= args["feeders"] * 3 // 4:
            break
        big.append(f)
        total += sizes[f["pk"]]
    rest_pool = [f for f in feeders if f not in big]
    rest = rnd.sample(rest_pool, args["feeders"] - len(big))
    outages = [
        {
            "id": 0,
            "feeders": [f["code"] for f in big],
            "feeder_ids": [f["pk"] for f in big],
            "trip": 30.0,
            "confirm": 30.0 + 90.0,
            "restore": None,
            "customers": total,
        }
    ]
    for i, f in enumerate(rest, start=1):
        trip = min(3300.0, 60.0 + rnd.expovariate(1 / 600))  # most of them early in the hour
        outages.append(
            {
                "id": i,
                "feeders": [f["code"]],
                "feeder_ids": [f["pk"]],
                "trip": trip,
                "confirm": trip + rnd.uniform(60, 120),
                "restore": trip + 2400.0,
                "customers": sizes[f["pk"]],
            }
        )
    # Calls: per outage in proportion to its customers, after its trip.
    storm_calls = int(args["calls"] * 0.92)
    weights = [o["customers"] for o in outages]
    people: dict[int, list] = {}
    for o in outages:
        people[o["id"]] = list(
            Customer.objects.filter(area__feeder_id__in=o["feeder_ids"])
            .exclude(phone="")
            .values_list("customer_no", "phone")
        )
    calls = []
    for _ in range(storm_calls):
        o = rnd.choices(outages, weights=weights)[0]
        at = o["trip"] + rnd.expovariate(1 / 360)
        if at >= 3600:
            continue
        no, phone = rnd.choice(people[o["id"]])
        calls.append({"t": at, "customer": no, "phone": phone, "outage": o["id"]})
    storm_ids = {pk for o in outages for pk in o["feeder_ids"]}
    others = list(
        Customer.objects.exclude(area__feeder_id__in=storm_ids)
        .exclude(phone="")
        .order_by("?")
        .values_list("customer_no", "phone")[:5000]
    )
    for _ in range(args["calls"] - len(calls)):
        no, phone = rnd.choice(others)
        calls.append({"t": rnd.uniform(0, 3600), "customer": no, "phone": phone, "outage": None})
    calls.sort(key=lambda c: c["t"])
    Path(out).write_text(
        json.dumps(
            {
                "tokens": tokens,
                "session": [settings.SESSION_COOKIE_NAME, session.session_key],
                "outages": outages,
                "calls": calls,
                "setup_s": time.perf_counter() - t,
            },
            ensure_ascii=False,
        )
    )


def report(since_iso: str) -> None:
    """Figures the database holds after the storm: orders, merges, notices, worker lag."""
    import django

    django.setup()
    from django.db.models import F
    from django_tasks_db.models import DBTaskResult

    from gridcare.escalation.models import OutboundMessage
    from gridcare.outages.models import Outage
    from gridcare.workorders.models import WorkOrder

    since = dt.datetime.fromisoformat(since_iso)
    orders = WorkOrder.objects.filter(created_at__gte=since)
    masters = set(Outage.objects.exclude(master_order=None).values_list("master_order_id", flat=True))
    tasks = list(
        DBTaskResult.objects.filter(enqueued_at__gte=since)
        .exclude(started_at=None)
        .annotate(wait=F("started_at") - F("enqueued_at"))
        .values_list("enqueued_at", "wait")
    )
    left = DBTaskResult.objects.filter(enqueued_at__gte=since, started_at=None).count()
    failed = DBTaskResult.objects.filter(enqueued_at__gte=since, status="FAILED").count()
    per_minute: dict[int, float] = {}
    for enq, wait in tasks:
        m = int((enq - since).total_seconds() // 60)
        per_minute[m] = max(per_minute.get(m, 0.0), wait.total_seconds())
    print(
        json.dumps(
            {
                "orders": orders.count(),
                "merged": orders.exclude(master=None).count(),
                "merged_into_outage_master": orders.filter(master_id__in=masters).count(),
                "outage_masters": len(masters),
                "notices": OutboundMessage.objects.filter(key__startswith="outage:").count(),
                "tasks": len(tasks),
                "tasks_left": left,
                "tasks_failed": failed,
                "lag_per_minute": per_minute,
            }
        )
    )


# ---------------------------------------------------------------- the client side


class Storm:
    """Replays the plan against the clock, from several threads."""

    def __init__(
        self, port: int, info: dict, speed: float, horizon: float, clients: int, agents: int, abandon_s: float
    ):
        self.port, self.info, self.speed, self.horizon = port, info, speed, horizon
        self.abandon_s, self.abandoned = abandon_s, 0
        self.clients, self.agents = clients, agents
        self.lock = threading.Lock()
        self.confirmed: dict[int, tuple[float, str]] = {}  # outage id -> (storm time, outage_no)
        self.restored: dict[int, float] = {}
        self.confirm_s: list[dict] = []
        self.calls: list[dict] = []
        self.agent_lat: list[tuple[float, float]] = []
        self.errors: dict[str, int] = {}
        self.stop = threading.Event()

    def at(self) -> float:
        """Storm time (seconds into the hour)."""
        return (time.monotonic() - self.t0) * self.speed

    def wait_until(self, t: float) -> None:
        delay = (t - self.at()) / self.speed
        if delay > 0:
            time.sleep(delay)

    def error(self, what: str, status) -> None:
        with self.lock:
            key = f"{what} {status}"
            self.errors[key] = self.errors.get(key, 0) + 1

    def dispatcher(self) -> None:
        token = self.info["tokens"]["dispatcher"]
        client = Client(self.port, {"Authorization": f"Token {token}", "Content-Type": "application/json"})
        events = []
        for o in self.info["outages"]:
            if o["confirm"] < self.horizon:
                events.append((o["confirm"], "confirm", o))
            if o["restore"] is not None and o["restore"] < self.horizon:
                events.append((o["restore"], "restore", o))
        for t, what, o in sorted(events, key=lambda e: e[0]):
            self.wait_until(t)
            if what == "confirm":
                trip = self.wall0 + dt.timedelta(seconds=o["trip"] / self.speed)
                body = {
                    "kind": "fault",
                    "feeders": o["feeders"],
                    "cause": "雷雨大风，线路跳闸",
                    "started_at": trip.isoformat(),
                    "estimated_restoration": (trip + dt.timedelta(hours=3)).isoformat(),
                }
                t1 = time.perf_counter()
                status, data = client.request("POST", "/api/outages/", json.dumps(body).encode())
                seconds = time.perf_counter() - t1
                if status != 201:
                    self.error("confirm", status)
                    print(f"confirm {o['id']}: {status} {data[:300]!r}", file=sys.stderr)
                    continue
                outage_no = json.loads(data)["outage_no"]
                with self.lock:
                    self.confirmed[o["id"]] = (self.at(), outage_no)
                self.confirm_s.append(
                    {
                        "outage": outage_no,
                        "customers": o["customers"],
                        "feeders": len(o["feeders"]),
                        "s": seconds,
                    }
                )
            else:
                no = self.confirmed.get(o["id"], (0, None))[1]
                if no is None:
                    continue
                t1 = time.perf_counter()
                status, data = client.request("POST", f"/api/outages/{no}/restore/", b"{}")
                if status != 200:
                    self.error("restore", status)
                    print(f"restore {no}: {status} {data[:300]!r}", file=sys.stderr)
                    continue
                with self.lock:
                    self.restored[o["id"]] = self.at()
                self.confirm_s.append(
                    {
                        "outage": no,
                        "customers": o["customers"],
                        "feeders": len(o["feeders"]),
                        "s": time.perf_counter() - t1,
                        "restore": True,
                    }
                )

    def caller(self, queue: list, index: list) -> None:
        token = self.info["tokens"]["agent"]
        client = Client(self.port, {"Authorization": f"Token {token}", "Content-Type": "application/json"})
        while not self.stop.is_set():
            with self.lock:
                if index[0] >= len(queue):
                    return
                call = queue[index[0]]
                index[0] += 1
            self.wait_until(call["t"])
            started = self.at()
            if (started - call["t"]) / self.speed > self.abandon_s:
                # Nobody answered for that long: the caller hung up (the system is saturated).
                with self.lock:
                    self.abandoned += 1
                continue
            with self.lock:  # the truth: was its outage known (confirmed, not restored) now?
                oid = call["outage"]
                known = (
                    oid is not None
                    and oid in self.confirmed
                    and self.confirmed[oid][0] <= started
                    and not (oid in self.restored and self.restored[oid] <= started)
                )
                expected = self.confirmed[oid][1] if known else None
            t1 = time.perf_counter()
            status, data = client.request("GET", f"/api/outages/lookup/?phone={call['phone']}")
            lookup_ms = (time.perf_counter() - t1) * 1000
            if status != 200:
                self.error("lookup", status)
                continue
            found = json.loads(data)
            named = (found.get("outage") or {}).get("outage_no") if found.get("in_outage") else None
            in_progress = named and (found["outage"].get("status") == "in_progress")
            body = {
                "channel": "hotline",
                "request_type": "fault_repair",
                "dimension": "supply_reliability",
                "description": "家里突然停电了，邻居家也没电"
                if oid is not None
                else "家里没电了，请派人来看看",
                "customer": call["customer"],
            }
            if in_progress:
                body["notice_ref"] = named
            t1 = time.perf_counter()
            status, data = client.request(
                "POST", "/api/work-orders/", json.dumps(body).encode(), {"Idempotency-Key": uuid.uuid4().hex}
            )
            post_ms = (time.perf_counter() - t1) * 1000
            if status != 201:
                self.error("order", status)
                if status >= 500:
                    print(f"order: {status} {data[:300]!r}", file=sys.stderr)
            with self.lock:
                self.calls.append(
                    {
                        "t": call["t"],
                        "late_s": (started - call["t"]) / self.speed,
                        "known": known,
                        "recognised": known and named == expected,
                        "lookup_ms": lookup_ms,
                        "post_ms": post_ms,
                    }
                )

    def agent(self, seed: int) -> None:
        rnd = random.Random(seed)
        cookie = {"Cookie": "{}={}".format(*self.info["session"])}
        client = Client(self.port, cookie)
        phones = [c["phone"] for c in self.info["calls"] if c["outage"] is not None][:5000] or ["13800000000"]
        while not self.stop.is_set():
            phone = rnd.choice(phones)
            t1 = time.perf_counter()
            status, _ = client.request("GET", f"/work-orders/intake/lookup/?q={phone}")
            ms = (time.perf_counter() - t1) * 1000
            if status != 200:
                self.error("intake-lookup", status)
            else:
                with self.lock:
                    self.agent_lat.append((self.at(), ms))
            self.stop.wait(2.0)

    def run(self) -> None:
        queue = [c for c in self.info["calls"] if c["t"] < self.horizon]
        index = [0]
        self.t0 = time.monotonic()
        self.wall0 = dt.datetime.now(dt.UTC)
        threads = [threading.Thread(target=self.dispatcher)]
        threads += [threading.Thread(target=self.caller, args=(queue, index)) for _ in range(self.clients)]
        agents = [threading.Thread(target=self.agent, args=(i,), daemon=True) for i in range(self.agents)]
        for th in threads + agents:
            th.start()
        for th in threads:
            th.join()
        self.stop.set()
        for th in agents:
            th.join(5)
        self.elapsed = time.monotonic() - self.t0


def peak_rate(times: list[float], window: float = 10.0) -> float:
    """Most calls in any ``window`` seconds (sliding over call times), per second."""
    best, j = 0, 0
    for i in range(len(times)):
        while times[i] - times[j] > window:
            j += 1
        best = max(best, i - j + 1)
    return best / window


def pg(sql: str) -> None:
    subprocess.run(
        ["psql", PG_URL.rsplit("/", 1)[0] + "/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60, help="replay the first MINUTES of the hour")
    ap.add_argument("--speed", type=float, default=1.0, help="time compression (2 = twice as fast)")
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--feeders", type=int, default=40)
    ap.add_argument("--clients", type=int, default=24, help="concurrent IVR lines")
    ap.add_argument("--agents", type=int, default=4)
    ap.add_argument(
        "--abandon",
        type=float,
        default=60,
        help="a call not started this many seconds after it came hangs up",
    )
    ap.add_argument("--base-days", type=float, default=30)
    ap.add_argument(
        "--size", default="default", choices=["default", "large"], help="demo size (large: ~1M customers)"
    )
    ap.add_argument("--quiet-lookups", type=int, default=2000, help="IVR lookups timed after the storm")
    ap.add_argument("--keep", action="store_true", help="keep the database")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="gridcare-storm-"))
    env = {
        **os.environ,
        "DATABASE_URL": PG_URL,
        "GRIDCARE_DATA_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    pg(f"CREATE DATABASE {PG_DB}")
    worker = None
    server = None
    try:
        t = time.perf_counter()
        plan = tmp / "plan.json"
        django_step(
            env,
            "_setup",
            json.dumps(
                {"calls": args.calls, "feeders": args.feeders, "base_days": args.base_days, "size": args.size}
            ),
            str(plan),
            timeout=1800,
            script=__file__,
        )
        info = json.loads(plan.read_text())
        print(f"seeded and planned in {time.perf_counter() - t:.0f} s")
        big = info["outages"][0]
        times = [c["t"] for c in info["calls"]]
        print(
            f"plan: {len(info['outages'])} outages over {args.feeders} feeders "
            f"(substation event: {len(big['feeders'])} feeders, {big['customers']:,} customers), "
            f"{len(info['calls']):,} calls in the hour, {sum(1 for x in times if x < 900):,} in the first "
            f"15 min, peak {peak_rate(times):.0f} calls/s (10-s window)"
        )
        server = Server(env, tmp / "server.log")
        wlog = (tmp / "worker.log").open("w")
        worker = subprocess.Popen(
            [GRIDCARE, "worker", "--interval", "1"],
            env=env,
            cwd=ROOT,
            stdout=wlog,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        since = dt.datetime.now(dt.UTC)
        storm = Storm(
            server.port, info, args.speed, args.minutes * 60, args.clients, args.agents, args.abandon
        )
        storm.run()
        load = os.getloadavg()
        # The IVR lookup on its own, after the storm (outages still in progress): one line,
        # sequential, callers inside and outside the outages.
        quiet = []
        rnd = random.Random(5)
        ivr = Client(server.port, {"Authorization": f"Token {info['tokens']['agent']}"})
        for _ in range(args.quiet_lookups):
            phone = rnd.choice(info["calls"])["phone"]
            t1 = time.perf_counter()
            status, _data = ivr.request("GET", f"/api/outages/lookup/?phone={phone}")
            quiet.append((time.perf_counter() - t1) * 1000)
            if status != 200:
                storm.error("quiet-lookup", status)
        server.stop()
        server = None
        print(
            f"storm replayed in {storm.elapsed:.0f} s: {len(storm.calls):,} calls, {storm.abandoned:,} abandoned, "
            f"errors {storm.errors or 'none'}; draining the worker",
            flush=True,
        )
        # Let the worker finish what the storm queued (it keeps its own pace), then stop it.
        drained_at = None
        t_end = time.monotonic()
        while time.monotonic() - t_end < 900:
            out = django_step(env, "_left", since.isoformat(), timeout=120, script=__file__)
            if int(out.strip().splitlines()[-1]) == 0:
                drained_at = time.monotonic() - t_end
                break
            time.sleep(5)
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:  # in the middle of a long batch: figures first
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        worker = None
        figures = json.loads(
            django_step(env, "_report", since.isoformat(), timeout=600, script=__file__).splitlines()[-1]
        )
    finally:
        if server is not None:
            server.stop()
        if worker is not None:
            os.killpg(worker.pid, 9)
        if not args.keep:
            try:
                pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            except subprocess.CalledProcessError:
                print(f"could not drop {PG_DB}", file=sys.stderr)

    calls = storm.calls
    known = [c for c in calls if c["known"]]
    recognised = sum(1 for c in known if c["recognised"])
    during = [ms for at, ms in storm.agent_lat]
    print()
    print(f"replayed {args.minutes:g} min of the storm hour at speed {args.speed:g} in {storm.elapsed:.0f} s")
    print(f"load average at the end: {load[0]:.1f} / {load[1]:.1f} (1 / 5 min), {os.cpu_count()} cores")
    print(
        f"calls made: {len(calls):,}; abandoned (not started within {args.abandon:g} s): {storm.abandoned:,}; "
        f"errors: {storm.errors or 'none'}"
    )
    if calls:
        late = sorted(c["late_s"] for c in calls)
        print(f"calls started behind schedule: p50 {pct(late, 0.5):.1f} s, max {late[-1]:.1f} s")
    if known:
        print(
            f"recognised inside a known outage: {recognised:,} of {len(known):,} "
            f"({100 * recognised / len(known):.1f} %; goal >= 95 %)"
        )
    print(
        f"orders created: {figures['orders']:,}; merged: {figures['merged']:,} "
        f"({figures['merged_into_outage_master']:,} into {figures['outage_masters']} outage master orders); "
        f"standing alone: {figures['orders'] - figures['merged']:,}"
    )
    for row in storm.confirm_s:
        what = "restoration" if row.get("restore") else "confirmation"
        print(
            f"  {what} of {row['outage']} ({row['feeders']} feeders, {row['customers']:,} customers): "
            f"notices queued in {row['s']:.2f} s"
        )
    print(f"outage notices queued in all: {figures['notices']:,} (goal: < 60 s for 10,000 customers)")
    lag = {int(k): v for k, v in figures["lag_per_minute"].items()}
    if lag:
        worst_minute = max(lag, key=lag.get)
        back = next((m for m in sorted(lag) if m > worst_minute and lag[m] < 5), None)
        print(
            f"worker: {figures['tasks']:,} tasks, {figures['tasks_failed']} failed, {figures['tasks_left']} left; "
            f"worst wait {lag[worst_minute]:.1f} s in minute {worst_minute}"
            + (f", back under 5 s from minute {back}" if back is not None else "")
            + " (goal: never > 30 s)"
        )
        print("  worst wait per minute: " + ", ".join(f"{m}:{lag[m]:.0f}s" for m in sorted(lag)))
    if drained_at is not None:
        print(f"worker queue empty {drained_at:.0f} s after the last call")
    if during:
        print(
            f"intake-lookup (agents' page): n={len(during)}, p50 {pct(during, 0.5):.0f} ms, p95 {pct(during, 0.95):.0f} ms (goal < 300 ms)"
        )
    ivr = [c["lookup_ms"] for c in calls]
    post = [c["post_ms"] for c in calls]
    if ivr:
        print(
            f"IVR lookup API: p50 {pct(ivr, 0.5):.0f} ms, p95 {pct(ivr, 0.95):.0f} ms; order POST: p50 {pct(post, 0.5):.0f} ms, p95 {pct(post, 0.95):.0f} ms"
        )
    if quiet:
        print(
            f"IVR lookup API after the storm, one line: p50 {pct(quiet, 0.5):.1f} ms, p95 {pct(quiet, 0.95):.1f} ms (goal < 50 ms at 1M customers)"
        )
    if calls:
        made = sorted(c["t"] for c in calls)
        print(f"peak call rate replayed: {peak_rate(made) * args.speed:.0f} calls/s of storm time")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        setup(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "_report":
        report(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "_left":
        import django

        django.setup()
        from django_tasks_db.models import DBTaskResult

        print(DBTaskResult.objects.ready().count())
    else:
        main()
