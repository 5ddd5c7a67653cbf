"""Customer import throughput and search latency at a million customers.

    python bench/import_customers.py [--rows 1000000] [--skip-postgres] [--skip-sqlite]

For each database (a fresh SQLite file; a fresh PostgreSQL database on 127.0.0.1:5432):
migrate, seed the demo grid (no customers), write a CSV of N realistic customers, time
`import customers` (read + validate every row + write, one transaction), then time 500
customer searches by number and by phone through the same selector the UI and API use.
Prints rows/s and p50/p95 latencies. Goals (issue 2): ≥ 40,000 rows/s on PostgreSQL,
≥ 25,000 rows/s on SQLite, search p95 < 20 ms at 1M customers.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_csv(path: Path, rows: int, areas: list[str], seed: int = 7) -> None:
    rnd = random.Random(seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟强磊军勇杰涛明超芳娜敏静丽艳娟霞秀英"
    roads = ["文昌路", "汶河路", "淮海路", "国庆路", "扬子江路", "江阳路", "维扬路", "运河路"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "customer_no",
                "name",
                "phone",
                "address",
                "area_code",
                "category",
                "tariff",
                "voltage_kv",
                "capacity_kva",
                "important",
                "sensitive",
            ]
        )
        for i in range(rows):
            w.writerow(
                [
                    f"9{i:09d}",
                    rnd.choice(surnames) + rnd.choice(given) + rnd.choice(given),
                    f"1{rnd.choice('3589')}{rnd.randrange(10**9):09d}",
                    f"江苏省扬州市{rnd.choice(roads)}{rnd.randint(1, 999)}号{rnd.randint(1, 30)}幢",
                    areas[i % len(areas)],
                    "residential",
                    "居民生活用电",
                    "0.22",
                    rnd.choice(["4", "8", "10"]),
                    "0",
                    "0",
                ]
            )


def run(label: str, env: dict, rows: int, workdir: Path) -> dict:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Each database runs in its own process so Django settings are fresh.
    code = f"""
import json, random, statistics, time, sys
sys.path.insert(0, {str(ROOT)!r})
import django; django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
from gridcare.demo.seed import seed_utility
seed_utility(size="default", customers=0)
from gridcare.grid.models import TransformerArea
areas = list(TransformerArea.objects.values_list("code", flat=True))
sys.path.insert(0, {str(ROOT / "bench")!r})
from import_customers import write_csv
from pathlib import Path
path = Path({str(workdir)!r}) / "customers.csv"
write_csv(path, {rows}, areas)
from gridcare.customers.importers import import_customers
t = time.perf_counter()
report = import_customers(source=str(path), name="bench.csv")
elapsed = time.perf_counter() - t
assert report.created == {rows}, report.as_text()[:500]
if connection.vendor == "postgresql":
    with connection.cursor() as cur:
        cur.execute("ANALYZE customers_customer")
from django.contrib.auth import get_user_model
from gridcare.customers.selectors import customer_search
user = get_user_model().objects.get(username="agent")
rnd = random.Random(1)
from gridcare.customers.models import Customer
sample = list(Customer.objects.order_by("?").values_list("customer_no", "phone")[:500]) if {rows} <= 100000 else None
if sample is None:
    ids = [rnd.randrange({rows}) for _ in range(500)]
    nos = [f"9{{i:09d}}" for i in ids]
    sample = list(Customer.objects.filter(customer_no__in=nos).values_list("customer_no", "phone"))
def lat(fn):
    out = []
    for no, phone in sample:
        t0 = time.perf_counter(); fn(no, phone); out.append((time.perf_counter() - t0) * 1000)
    out.sort()
    return out[len(out)//2], out[int(len(out)*0.95)]
# what the list page and API do: the first page plus the count
by_no = lat(lambda no, ph: (list(customer_search(user, no)[:50]), customer_search(user, no).count()))
by_phone = lat(lambda no, ph: (list(customer_search(user, ph)[:50]), customer_search(user, ph).count()))
print(json.dumps({{"rows": {rows}, "seconds": elapsed, "rows_per_s": {rows} / elapsed,
                  "search_number_p50_ms": by_no[0], "search_number_p95_ms": by_no[1],
                  "search_phone_p50_ms": by_phone[0], "search_phone_p95_ms": by_phone[1]}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    if out.returncode != 0:
        print(out.stdout, out.stderr, file=sys.stderr)
        raise SystemExit(f"{label} failed")
    import json

    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["db"] = label
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        if not args.skip_sqlite:
            results.append(
                run(
                    "sqlite",
                    {
                        "GRIDCARE_DATA_DIR": str(tmpdir / "sqlite"),
                        "DATABASE_URL": f"sqlite:///{tmpdir / 'bench.sqlite3'}",
                    },
                    args.rows,
                    tmpdir,
                )
            )
        if not args.skip_postgres:
            db = "gridcare_bench"
            subprocess.run(
                ["psql", args.pg + "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {db}"], check=True
            )
            subprocess.run(["psql", args.pg + "postgres", "-q", "-c", f"CREATE DATABASE {db}"], check=True)
            try:
                results.append(
                    run(
                        "postgresql",
                        {"GRIDCARE_DATA_DIR": str(tmpdir / "pg"), "DATABASE_URL": args.pg + db},
                        args.rows,
                        tmpdir,
                    )
                )
            finally:
                subprocess.run(["psql", args.pg + "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {db}"])
    print(
        f"{'db':<12}{'rows':>10}{'seconds':>10}{'rows/s':>10}{'no p50':>9}{'no p95':>9}{'ph p50':>9}{'ph p95':>9}"
    )
    for r in results:
        print(
            f"{r['db']:<12}{r['rows']:>10}{r['seconds']:>10.1f}{r['rows_per_s']:>10.0f}"
            f"{r['search_number_p50_ms']:>9.2f}{r['search_number_p95_ms']:>9.2f}"
            f"{r['search_phone_p50_ms']:>9.2f}{r['search_phone_p95_ms']:>9.2f}"
        )
    print("(search latencies in ms: first page of results plus the total count, as the list page and API do)")


if __name__ == "__main__":
    main()
