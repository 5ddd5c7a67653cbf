"""Hotspot statistics bench: ``score_assets`` and the q-values on simulated populations.

    .venv/bin/python bench/hotspots.py [--assets 3000] [--dimensions 8] [--repeat 3]

Simulates one level of a company the size of the demo utility (``--assets`` transformer
areas in three peer groups, four earlier windows, 30 planted hotspots per dimension) and
times what ``compute_hotspots`` spends outside the database: ``score_assets`` once per
dimension, then one Benjamini–Hochberg pass over every test of the run. Also times the
q-values alone on 10⁶ p-values. Prints the best of ``--repeat`` runs; no database is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
import numpy as np  # noqa: E402

django.setup()

from gridcare.analytics.hotspots import bh_qvalues, score_assets  # noqa: E402


def simulate(rng: np.random.Generator, size: int, windows: int = 4, planted: int = 30):
    n = rng.integers(30, 600, size).astype(float)
    groups = rng.choice(["urban", "rural", "remote"], size, p=[0.5, 0.35, 0.15])
    base = np.select([groups == "urban", groups == "rural"], [0.025, 0.04], 0.06)
    theta = rng.gamma(8.0, 1 / 8.0, size)
    history = np.array([rng.poisson(n * base * theta) for _ in range(windows)])
    mult = np.ones(size)
    mult[rng.choice(size, min(planted, size), replace=False)] = rng.uniform(3, 5, min(planted, size))
    y = rng.poisson(n * base * theta * mult)
    return y, n, history, groups


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=3000)
    parser.add_argument("--dimensions", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    data = [simulate(rng, args.assets) for _ in range(args.dimensions)]

    def run():
        p = [score_assets(*d).p_value for d in data]
        return bh_qvalues(np.concatenate(p))

    q = run()
    t_run = best_of(args.repeat, run)
    p_big = rng.uniform(size=1_000_000)
    t_bh = best_of(args.repeat, lambda: bh_qvalues(p_big))
    print(
        f"score_assets: {args.assets} assets × {args.dimensions} dimensions in {t_run * 1000:.0f} ms "
        f"({t_run / args.dimensions * 1000:.1f} ms a dimension), {int((q <= 0.05).sum())} discoveries"
    )
    print(f"bh_qvalues: 1,000,000 p-values in {t_bh * 1000:.1f} ms")


if __name__ == "__main__":
    main()
