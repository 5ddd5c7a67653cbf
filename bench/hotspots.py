"""Hotspot detection bench: recall against an oracle on planted data, and the time it takes.

    .venv/bin/python bench/hotspots.py [--seeds 5] [--fdr 0.05] [--timing]

A simulated company (counties → supply stations → feeders → transformer areas, the size
of a county or two of the demo utility) with a realistic background:

* base rates per dimension and area class; a persistent station effect; customers'
  category mix (areas with more non-residential customers have more billing and business
  requests); persistent between-area heterogeneity (Gamma); seasons per class and
  dimension (summer storms in the countryside); month-to-month noise (Gamma);
* fifteen months of counts per area and dimension; the last three are "now" (the 90-day
  window), the twelve before them the history;
* **planted hotspots**: transformer areas with one dimension at 5–7× its normal rate for
  the last 90 days; feeders and supply stations with one dimension at 2.5–4× on all their
  areas (aggregate problems: each area alone is often not significant);
* **decoys**: huge areas (10–20× the customers) with normal rates; bursts that ended
  (one dimension at 5–7× for one or two months that ended 4–9 months ago), on areas
  and on whole feeders; a seasonal peak now that lifts everyone.

Truth per level: an asset-dimension is *hot* when its true mean now is ≥ 1.5× its normal
mean (planted on it, or on an asset above or below it), *null* when it is exactly normal;
the few in between (an area's plant diluted in a large feeder) count neither way.

The **oracle** knows every true normal mean and the noise law: its p-value is the exact
tail of the month-noise negative binomial at the true mean; Benjamini–Hochberg over the
same tests at the same FDR. GridCare (``score_assets``) sees only counts, customers,
class, the level above, the mix and the history. Printed per level and seed: planted hot,
oracle recall, GridCare recall, the ratio, GridCare's false-discovery proportion; then
pooled. The goal (issue 19): ratio ≥ 0.9 with FDP ≤ 10 %. With ``--timing`` also the time
``score_assets`` takes on a demo-utility-sized level (3,000 areas × 7 dimensions).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
import numpy as np  # noqa: E402

django.setup()

from gridcare.analytics.hotspots import bh_qvalues, nb_sf, score_assets  # noqa: E402

DIMS = 7
# Incidents per 1,000 customers per month, urban, residential, by dimension.
BASE = np.array([14.0, 7.0, 3.5, 1.5, 1.2, 0.7, 0.6])
CLASS_FACTOR = {"urban": 1.0, "rural": 1.5, "remote": 2.2}
# Effect of an all-non-residential customer mix, by dimension (billing, business up).
MIX_EFFECT = np.array([0.3, 0.2, 2.0, 0.5, 2.5, 0.5, 0.3])
MONTHS, NOW = 15, 3
MONTH_NOISE = 40.0  # Gamma shape of the month-to-month noise (sd ≈ 16 %)


@dataclass
class World:
    station_of_feeder: np.ndarray
    feeder_of_area: np.ndarray
    county_of_station: np.ndarray
    area_class: np.ndarray  # per area
    n: np.ndarray  # customers per area
    mix: np.ndarray  # non-residential share per area
    normal: np.ndarray  # (months, areas, dims) normal means (noise-free)
    noise: np.ndarray  # (months, areas, dims) month noise multipliers
    mult: np.ndarray  # (months, areas, dims) planted and decoy multipliers
    counts: np.ndarray  # (months, areas, dims)
    planted: dict  # level -> (assets, dims) bool: planted on that asset itself


def simulate(seed: int, *, stations: int = 24, planted_areas: int = 40, planted_feeders: int = 6,
             planted_stations: int = 3) -> World:  # fmt: skip
    rng = np.random.default_rng(seed)
    county_of_station = np.arange(stations) // 4
    station_class = rng.choice(["urban", "rural", "remote"], stations, p=[0.4, 0.45, 0.15])
    feeders_per = rng.integers(4, 9, stations)
    station_of_feeder = np.repeat(np.arange(stations), feeders_per)
    areas_per = rng.integers(5, 13, len(station_of_feeder))
    feeder_of_area = np.repeat(np.arange(len(station_of_feeder)), areas_per)
    a = len(feeder_of_area)
    station_of_area = station_of_feeder[feeder_of_area]
    area_class = station_class[station_of_area].copy()
    flip = rng.random(a) < 0.15
    area_class[flip] = rng.choice(["urban", "rural", "remote"], int(flip.sum()))
    n = np.maximum(8, rng.lognormal(np.log(70), 0.7, a)).round()
    huge = rng.choice(a, 25, replace=False)
    n[huge] *= rng.uniform(10, 20, 25)
    mix = rng.beta(1.2, 7.0, a)
    station_eff = rng.gamma(8.0, 1 / 8.0, (stations, DIMS))
    theta = rng.gamma(15.0, 1 / 15.0, (a, DIMS))  # persistent area heterogeneity, unexplained
    # Seasons: a month-of-year swing per class and dimension; the window "now" is summer.
    phase = rng.uniform(0, 2 * np.pi, DIMS)
    amp = np.array([0.35, 0.25, 0.1, 0.1, 0.1, 0.05, 0.05])
    cls = {"urban": 0.8, "rural": 1.2, "remote": 1.4}
    month = np.arange(MONTHS)
    season = np.array(
        [
            [1 + amp * cls[c] * np.sin(2 * np.pi * m / 12 + phase) for c in ("urban", "rural", "remote")]
            for m in month
        ]
    )  # (months, 3, dims)
    cidx = np.select([area_class == "urban", area_class == "rural"], [0, 1], 2)
    rate = BASE[None, :] * np.array([CLASS_FACTOR[c] for c in area_class])[:, None]
    rate = rate * (1 + MIX_EFFECT[None, :] * mix[:, None]) * station_eff[station_of_area] * theta
    normal = (n[:, None] * rate / 1000.0)[None, :, :] * season[:, cidx, :]  # (months, a, dims)
    noise = rng.gamma(MONTH_NOISE, 1 / MONTH_NOISE, normal.shape)
    mult = np.ones_like(normal)
    now = slice(MONTHS - NOW, MONTHS)
    # Dimension of a plant: in proportion to its share of incidents.
    pdim = BASE / BASE.sum()
    planted = {
        "area": np.zeros((a, DIMS), dtype=bool),
        "feeder": np.zeros((len(station_of_feeder), DIMS), dtype=bool),
        "station": np.zeros((stations, DIMS), dtype=bool),
    }
    # Planted areas: not the huge ones, and big enough in the dimension for a 5–7× rise to
    # be told from chance at all (at least two incidents expected in the window).
    window_mean = normal[now].sum(axis=0)
    for _ in range(planted_areas):
        d = rng.choice(DIMS, p=pdim)
        free = (window_mean[:, d] >= 2) & ~planted["area"].any(axis=1)
        free[huge] = False
        if not free.any():
            continue
        i = rng.choice(np.flatnonzero(free))
        mult[now, i, d] *= rng.uniform(5, 7)
        planted["area"][i, d] = True
    for f in rng.choice(len(station_of_feeder), planted_feeders, replace=False):
        d = rng.choice(DIMS, p=pdim)
        mult[now, feeder_of_area == f, d] *= rng.uniform(2.5, 4)
        planted["feeder"][f, d] = True
    for s in rng.choice(stations, planted_stations, replace=False):
        d = rng.choice(DIMS, p=pdim)
        mult[now, station_of_area == s, d] *= rng.uniform(2.5, 4)
        planted["station"][s, d] = True
    # Decoys: bursts that ended 4–9 months ago, on areas and whole feeders.
    for i in rng.choice(a, 40, replace=False):
        end = MONTHS - NOW - rng.integers(1, 7)
        mult[end - rng.integers(1, 3) : end, i, rng.choice(DIMS, p=pdim)] *= rng.uniform(5, 7)
    for f in rng.choice(len(station_of_feeder), 4, replace=False):
        end = MONTHS - NOW - rng.integers(1, 7)
        mult[end - 1 : end, feeder_of_area == f, rng.choice(DIMS, p=pdim)] *= rng.uniform(3, 5)
    counts = rng.poisson(normal * noise * mult)
    return World(station_of_feeder, feeder_of_area, county_of_station, area_class, n, mix, normal, noise,
                 mult, counts, planted)  # fmt: skip


def level_view(w: World, level: str):
    """Counts and covariates of one level: (membership matrix, groups, parents, n, mix)."""
    a = len(w.feeder_of_area)
    if level == "area":
        member = np.arange(a)
        parent = w.station_of_feeder[w.feeder_of_area]
        k = a
    elif level == "feeder":
        member = w.feeder_of_area
        parent = w.station_of_feeder
        k = len(w.station_of_feeder)
    else:
        member = w.station_of_feeder[w.feeder_of_area]
        parent = w.county_of_station
        k = len(w.county_of_station)
    agg = np.zeros((k, a))
    agg[member, np.arange(a)] = 1.0
    n = agg @ w.n
    mix = (agg @ (w.n * w.mix)) / n
    groups = np.empty(k, dtype=object)
    for j in range(k):
        classes, sizes = np.unique(w.area_class[agg[j] > 0], return_counts=True)
        groups[j] = classes[np.argmax(sizes)]
    return agg, groups, parent, n, mix


def windows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(now, history windows of 3 months, oldest first) from a (months, ...) array."""
    now = x[MONTHS - NOW :].sum(axis=0)
    hist = np.array([x[s : s + 3].sum(axis=0) for s in range(0, MONTHS - NOW, 3)])
    return now, hist


def evaluate(w: World, level: str, fdr: float):
    agg, groups, parents, n, mix = level_view(w, level)
    # (months, assets, dims)
    counts = np.einsum("ka,mad->mkd", agg, w.counts)
    normal = np.einsum("ka,mad->mkd", agg, w.normal)
    true_now = np.einsum("ka,mad->mkd", agg, w.normal * w.mult)[MONTHS - NOW :].sum(axis=0)
    y, hist = windows(counts)
    normal_now = normal[MONTHS - NOW :].sum(axis=0)
    ratio = true_now / normal_now
    hot = ratio >= 1.5
    null = np.isclose(ratio, 1.0)
    # The oracle: Poisson counts on means with month noise, moment-matched to a negative
    # binomial (the noise of every area and month is independent: shape = mean² / Σ mean²/k).
    spread = np.einsum("ka,mad->kd", agg, (w.normal[MONTHS - NOW :]) ** 2) / MONTH_NOISE
    shape = normal_now**2 / np.maximum(spread, 1e-12)
    oracle_p = np.column_stack([nb_sf(y[:, d], shape[:, d], normal_now[:, d]) for d in range(DIMS)])
    ours_p = np.column_stack(
        [
            score_assets(y[:, d], n, hist[:, :, d], groups, parents=parents, mix=mix).p_value
            for d in range(DIMS)
        ]
    )
    res = {}
    planted = w.planted[level]
    for name, p in (("oracle", oracle_p), ("ours", ours_p)):
        found = (bh_qvalues(p.ravel()).reshape(p.shape) <= fdr) & (y >= 3)
        res[name] = (
            int((found & hot).sum()),
            int(found.sum()),
            int((found & null).sum()),
            int((found & planted).sum()),
        )
    return int(hot.sum()), int(planted.sum()), res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--fdr", type=float, default=0.05)
    parser.add_argument("--timing", action="store_true")
    args = parser.parse_args()
    pooled = {lv: np.zeros(9) for lv in ("area", "feeder", "station")}
    head = ["level", "seed", "hot", "oracle", "ours", "ratio", "FDP", "planted", "oracle", "ours", "ratio"]
    print(("{:8}" + "{:>8}" * 10).format(*head))

    def line(level, seed, row):
        hot, o_tp, tp, found, false, planted, o_pl, pl, o_found = row
        return (f"{level:8}{seed:>8}{hot:>8.0f}{o_tp / max(hot, 1):>8.2f}{tp / max(hot, 1):>8.2f}{tp / max(o_tp, 1):>8.2f}{false / max(found, 1):>8.1%}{planted:>8.0f}{o_pl / max(planted, 1):>8.2f}{pl / max(planted, 1):>8.2f}{pl / max(o_pl, 1):>8.2f}")  # fmt: skip

    for seed in range(args.first_seed, args.first_seed + args.seeds):
        w = simulate(seed)
        for level in pooled:
            hot, planted, res = evaluate(w, level, args.fdr)
            o_tp, o_found, _o_false, o_pl = res["oracle"]
            tp, found, false, pl = res["ours"]
            row = np.array([hot, o_tp, tp, found, false, planted, o_pl, pl, o_found], dtype=float)
            pooled[level] += row
            print(line(level, seed, row))
    print("pooled over seeds")
    for level, row in pooled.items():
        print(line(level, "all", row))
    if args.timing:
        rng = np.random.default_rng(0)
        size = 3000
        n = rng.integers(30, 600, size).astype(float)
        groups = rng.choice(["urban", "rural", "remote"], size)
        parents = rng.integers(0, 46, size)
        mix = rng.beta(1.2, 7, size)
        hist = rng.poisson(n * 0.03, (4, size))
        y = rng.poisson(n * 0.03)
        t0 = time.perf_counter()
        for _ in range(DIMS):
            score_assets(y, n, hist, groups, parents=parents, mix=mix)
        print(
            f"score_assets: {size} assets × {DIMS} dimensions in {(time.perf_counter() - t0) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
