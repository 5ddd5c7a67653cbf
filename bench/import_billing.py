"""Billing import throughput against the customer import, at a million customers.

    python bench/import_billing.py [--rows 1000000] [--skip-postgres] [--skip-sqlite]

For each database (a fresh SQLite file; a fresh PostgreSQL database on 127.0.0.1:5432):
migrate, seed the demo grid (no customers), import N customers (the baseline, as
``bench/import_customers.py`` does), then import one month's bills for every customer
(``import billing``: read + validate every row + write, one transaction, then the credit
rating of every customer computed after the commit), the same file again (nothing
changes), and the month's payments (every bill's row changed: updated in place).
Prints rows/s for each, the rating's share, and the billing/customer ratio. Goal (issue 14):
a monthly billing import of 1M customers runs at the speed of the customer import
(ratio ≥ 1 for the bills alone).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ["customer_no", "period", "kwh", "amount", "due_date", "paid_at", "paid_amount"]


def write_billing_csv(path: Path, rows: int, today: dt.date, *, paid: bool, seed: int = 11) -> None:
    """One month's bills (two months back, due on the 25th of last month) for customers
    ``9000000000``…, as ``import_customers.write_csv`` numbers them. ``paid``: 94 % paid on
    time, 5 % late, 1 % unpaid; else all still unpaid (the file as issued)."""
    rnd = random.Random(seed)
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=1)
    period = (last_month - dt.timedelta(days=1)).strftime("%Y-%m")
    due = last_month.replace(day=25)
    on_time, late = due - dt.timedelta(days=8), min(today, due + dt.timedelta(days=4))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for i in range(rows):
            kwh = rnd.uniform(80, 600)
            amount = f"{kwh * 0.5283:.2f}"
            r = rnd.random() if paid else 1.0
            if r < 0.94:
                paid_at, paid_amount = on_time.isoformat(), amount
            elif r < 0.99:
                paid_at, paid_amount = late.isoformat(), amount
            else:
                paid_at = paid_amount = ""
            w.writerow([f"9{i:09d}", period, f"{kwh:.1f}", amount, due.isoformat(), paid_at, paid_amount])


def run(label: str, env: dict, rows: int, workdir: Path) -> dict:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Each database runs in its own process so Django settings are fresh.
    code = f"""
import datetime as dt, json, sys, time
sys.path.insert(0, {str(ROOT)!r})
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from gridcare.demo.seed import seed_utility
seed_utility(size="default", customers=0)
from gridcare.grid.models import TransformerArea
areas = list(TransformerArea.objects.values_list("code", flat=True))
sys.path.insert(0, {str(ROOT / "bench")!r})
from import_customers import write_csv
from import_billing import write_billing_csv
from pathlib import Path
from django.utils import timezone
work = Path({str(workdir)!r})
today = timezone.localdate()
write_csv(work / "customers.csv", {rows}, areas)
write_billing_csv(work / "issued.csv", {rows}, today, paid=False)
write_billing_csv(work / "paid.csv", {rows}, today, paid=True)
import gridcare.care.importers as ci
from gridcare.customers.importers import import_customers
rating = [0.0]
recompute = ci.credit_ratings_recompute
def timed(**kw):
    t0 = time.perf_counter(); out = recompute(**kw); rating[0] += time.perf_counter() - t0; return out
ci.credit_ratings_recompute = timed
def clock(fn, path):
    rating[0] = 0.0
    t = time.perf_counter(); report = fn(source=str(path), name=path.name); s = time.perf_counter() - t
    return report, s, rating[0]
report, cust_s, _ = clock(import_customers, work / "customers.csv")
assert report.created == {rows}, report.as_text()[:500]
report, bill_s, bill_rating = clock(ci.import_billing, work / "issued.csv")
assert report.created == {rows}, report.as_text()[:500]
report, again_s, again_rating = clock(ci.import_billing, work / "issued.csv")
assert report.unchanged == {rows}, report.as_text()[:500]
report, paid_s, paid_rating = clock(ci.import_billing, work / "paid.csv")
assert report.updated + report.unchanged == {rows}, report.as_text()[:500]
from gridcare.care.models import CreditRating
grades = {{g: CreditRating.objects.filter(grade=g).count() for g in "ABC"}}
print(json.dumps({{"rows": {rows}, "customers_s": cust_s, "billing_s": bill_s, "billing_rating_s": bill_rating,
                  "again_s": again_s, "paid_s": paid_s, "paid_rating_s": paid_rating, "grades": grades}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    if out.returncode != 0:
        print(out.stdout, out.stderr, file=sys.stderr)
        raise SystemExit(f"{label} failed")
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
            env = {
                "GRIDCARE_DATA_DIR": str(tmpdir / "sqlite"),
                "DATABASE_URL": f"sqlite:///{tmpdir / 'b.sqlite3'}",
            }
            results.append(run("sqlite", env, args.rows, tmpdir))
        if not args.skip_postgres:
            db = "gridcare_bench_billing"
            psql = ["psql", args.pg + "postgres", "-q", "-c"]
            subprocess.run([*psql, f"DROP DATABASE IF EXISTS {db}"], check=True)
            subprocess.run([*psql, f"CREATE DATABASE {db}"], check=True)
            try:
                env = {"GRIDCARE_DATA_DIR": str(tmpdir / "pg"), "DATABASE_URL": args.pg + db}
                results.append(run("postgresql", env, args.rows, tmpdir))
            finally:
                subprocess.run([*psql, f"DROP DATABASE IF EXISTS {db}"])
    print(
        f"{'db':<12}{'rows':>10}{'customers/s':>13}{'bills/s':>10}{'(rating s)':>12}{'ratio':>7}"
        f"{'again/s':>10}{'paid/s':>10}{'(rating s)':>12}"
    )
    for r in results:
        n = r["rows"]
        bills_only = n / max(r["billing_s"] - r["billing_rating_s"], 1e-9)
        print(
            f"{r['db']:<12}{n:>10}{n / r['customers_s']:>13.0f}{n / r['billing_s']:>10.0f}"
            f"{r['billing_rating_s']:>12.1f}{bills_only / (n / r['customers_s']):>7.2f}"
            f"{n / r['again_s']:>10.0f}{n / r['paid_s']:>10.0f}{r['paid_rating_s']:>12.1f}"
        )
        print(f"{'':<12}grades after the payments: {r['grades']}")
    print(
        "(bills/s: the first import of the month, ratings included; ratio: bills alone / customers; "
        "again: the same file re-imported; paid: the month's payments, every row updated)"
    )


if __name__ == "__main__":
    main()
