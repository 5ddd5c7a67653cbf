"""Complaint and fault hotspots per grid asset (transformer area, feeder, supply station).

What is counted: complaint and fault-repair *incidents* (merged child reports of one fault
count once, through their master) per asset and analysis dimension over a rolling window,
with the asset's customers as exposure (rates per 1,000 customers).

A hotspot: an asset whose count of one dimension in the window is higher than what
explains rates would have it — significantly, with the false discovery rate controlled.
The model, per level and dimension (``score_assets``):

* Peers (``fit_means``). A log-linear Poisson mean ``n·exp(season[window, class] +
  parent + β·mix)``: the rate of each window (season, trend) per area class, a persistent
  effect of the asset one level up (station for areas and feeders, county for stations;
  shrunk by a Gamma prior, leave-one-out so an asset is compared with its siblings) and the
  customers' category mix (share of non-residential customers). Fitted on the current and
  the earlier windows together; assets that are discoveries under the current fit are left
  out and the fit repeated, so hotspots do not hide themselves by inflating their own
  baseline. What is left between assets is a Gamma heterogeneity ``θ`` (negative binomial,
  shape by maximum likelihood) — narrow, because the known differences are modelled.
* Own history. ``θ`` has that Gamma prior; the previous windows (up to two years, as far
  as there is data: counts ``Y_h`` against the peer-expected ``E_h``) update it, with the
  window-to-window noise estimated from the history, so the expected count now is
  ``E·(α+Y_h)/(α+E_h)`` (empirical Bayes: a short or quiet history shrinks to the peers, a
  long one speaks for itself) and the predictive distribution is again negative binomial.
* Two one-sided p-values per asset and dimension — against the history-adjusted
  expectation (``p_history``: an emerging hotspot) and against the peers (``p_peer``: a
  structural one, high whatever its history) — combined by weighted Bonferroni
  (``HISTORY_WEIGHT`` to the history), then Benjamini–Hochberg q-values over every test of
  the run (one window per run: no window shopping). A hotspot has ``q ≤ fdr`` and at least
  ``min_count`` incidents. ``bench/hotspots.py`` measures recall against an oracle that
  knows the true rates, per level.

Statistics run over every asset of the company (peers need the whole picture); what a user
sees is then cut to the assets of their units.

Each hotspot also carries the outage evidence of its asset (``outage_evidence``: frequent-outage
customers, interruptions and customer minutes of the window), and the run keeps that evidence
for every asset the user may see (the planning feed lists assets with frequent-outage
customers even when they are no complaint hotspot).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from scipy.stats import false_discovery_control, nbinom

from gridcare.core.calendar import local_tz
from gridcare.core.scoping import scope_path as user_scope_path
from gridcare.customers.choices import CustomerCategory
from gridcare.customers.models import Customer
from gridcare.grid.models import Feeder, TransformerArea
from gridcare.org.models import OrgUnit
from gridcare.workorders.choices import Dimension, RequestType
from gridcare.workorders.models import WorkOrder

from .outage_evidence import OutageWindow, empty_evidence, outage_evidence

LEVELS = ("area", "feeder", "station")
LEVEL_LABELS = {"area": "台区", "feeder": "馈线", "station": "供电所"}
# The WorkOrder field that ties an order to an asset of each level.
ORDER_KEY = {"area": "area_id", "feeder": "feeder_id", "station": "area__station_id"}
COUNTED_TYPES = (RequestType.COMPLAINT, RequestType.FAULT_REPAIR)
EXTREME_P = 1e-6  # left out of the peer fit, as are the peers' own discoveries:
EXTREME_Q = 0.01
MIN_GROUP = 8  # smaller peer groups fall back to the whole level
MAX_ALPHA = 1e8  # "no heterogeneity": the negative binomial is then a Poisson
NON_RESIDENTIAL = ~Q(category=CustomerCategory.RESIDENTIAL)


def high_load_ratio() -> float:
    """Contracted capacity / transformer capacity above which an asset counts as heavily loaded."""
    return float(getattr(settings, "GRIDCARE_HOTSPOT_HIGH_LOAD_RATIO", 1.5))


# ----------------------------------------------------------------------------- statistics


def nb_sf(y: np.ndarray, shape: np.ndarray | float, mean: np.ndarray) -> np.ndarray:
    """P(Y ≥ y) for a negative binomial with ``shape`` and ``mean`` (one-sided p-value)."""
    y = np.asarray(y, dtype=float)
    mean = np.asarray(mean, dtype=float)
    shape = np.broadcast_to(np.asarray(shape, dtype=float), y.shape)
    out = np.ones_like(y)
    pos = y > 0
    zero_mean = pos & (mean <= 0)
    out[zero_mean] = 0.0
    ok = pos & (mean > 0)
    out[ok] = nbinom.sf(y[ok] - 1, shape[ok], shape[ok] / (shape[ok] + mean[ok]))
    return np.clip(out, 0.0, 1.0)


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values) of ``p`` (SciPy's implementation)."""
    p = np.asarray(p, dtype=float)
    if p.size == 0:
        return p
    return false_discovery_control(p, method="bh")


@dataclass
class Scores:
    expected_peer: np.ndarray
    expected: np.ndarray
    p_peer: np.ndarray
    p_history: np.ndarray
    p_value: np.ndarray
    alpha: np.ndarray


ALPHA_GRID = np.exp(np.linspace(np.log(0.05), np.log(1e4), 90))
# Weighted Bonferroni over the two questions of an asset (its own history, its peers):
# the history test is the sharper one wherever there is history, so it gets most of the
# level. Any weights summing to one keep the combined p-value valid.
HISTORY_WEIGHT = 0.7
PARENT_PRIOR = 20.0  # pseudo-incidents shrinking a parent's effect towards its class
MEAN_ITERATIONS = 12


def nb_shape_ml(y: np.ndarray, mean: np.ndarray) -> float:
    """Maximum-likelihood shape α of a negative binomial with known means (grid search).

    Preferred to moments because a few remaining outliers pull it far less. Returns
    ``MAX_ALPHA`` (Poisson) when the largest shape on the grid fits best.
    """
    ok = mean > 0
    y, mean = y[ok], mean[ok]
    if len(y) < 3:
        return MAX_ALPHA
    a = ALPHA_GRID[:, None]
    ll = nbinom.logpmf(y[None, :], a, a / (a + mean[None, :])).sum(axis=1)
    best = int(np.argmax(ll))
    return MAX_ALPHA if best == len(ALPHA_GRID) - 1 else float(ALPHA_GRID[best])


def _codes(labels) -> np.ndarray:
    return np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)[1].ravel()


def fit_means(
    counts: np.ndarray,
    n: np.ndarray,
    group: np.ndarray,
    parent: np.ndarray,
    mix: np.ndarray,
    keep: np.ndarray,
) -> np.ndarray:
    """Peer-expected counts (windows × assets) of a log-linear Poisson model fitted on ``keep``:

    ``log μ[w, i] = log n_i + season[w, class_i] + parent_i + β·mix_i``

    — a rate per window (season, trend) and area class, a persistent effect of the asset
    one level up (shrunk towards its class by a Gamma(``PARENT_PRIOR``) prior) and the
    customers' category mix. Fitted by alternating closed-form updates (multiplicative
    margins and a Newton step for β). The parent's effect an asset gets is its siblings'
    (leave-one-out), so a hotspot does not explain itself away through its parent.
    """
    windows, size = counts.shape
    groups, parents = int(group.max()) + 1, int(parent.max()) + 1
    w_keep = keep.astype(float)
    season = np.ones((windows, groups))
    par = np.ones(parents)
    beta = 0.0
    mix_c = mix - (mix[keep].mean() if keep.any() else 0.0)
    for _ in range(MEAN_ITERATIONS):
        base = n * par[parent] * np.exp(beta * mix_c)  # per asset, without the season
        for w in range(windows):
            obs = np.bincount(group, counts[w] * w_keep, groups)
            exp_ = np.bincount(group, base * w_keep, groups)
            season[w] = np.where(exp_ > 0, (obs + 0.5) / np.maximum(exp_, 1e-12), 1.0)
        mu_no_par = season[:, group] * (n * np.exp(beta * mix_c))[None, :]
        obs_p = np.bincount(parent, counts.sum(axis=0) * w_keep, parents)
        exp_p = np.bincount(parent, mu_no_par.sum(axis=0) * w_keep, parents)
        par = (obs_p + PARENT_PRIOR) / (exp_p + PARENT_PRIOR)
        mu = mu_no_par * par[parent][None, :]
        resid = ((counts - mu) * w_keep).sum(axis=0)
        info = (mu * w_keep).sum(axis=0)
        grad, hess = float((mix_c * resid).sum()), float((mix_c**2 * info).sum())
        if hess > 0:
            beta = float(np.clip(beta + grad / hess, -5.0, 5.0))
    # Each asset is compared with its siblings: its own counts leave its parent's effect.
    mu_no_par = season[:, group] * (n * np.exp(beta * mix_c))[None, :]
    own_obs = counts.sum(axis=0) * w_keep
    own_exp = mu_no_par.sum(axis=0) * w_keep
    par_loo = (obs_p[parent] - own_obs + PARENT_PRIOR) / (exp_p[parent] - own_exp + PARENT_PRIOR)
    return mu_no_par * par_loo[None, :]


def _fit(y, n, hist, group, parent, mix, keep):
    """One fit on the ``keep`` assets, scored for all of them."""
    windows = hist.shape[0]
    means = fit_means(np.vstack([hist, y[None, :]]), n, group, parent, mix, keep)
    e_hist, mug = means[:windows], means[windows]
    alpha = nb_shape_ml(y[keep], mug[keep])
    pp = nb_sf(y, alpha, mug)
    if windows == 0:
        return mug, mug, pp, np.ones_like(pp), alpha
    # Own history: the asset's multiplier θ (its persistent level against its peers) has
    # the peers' Gamma prior; its earlier windows update it.
    y_hist, e_tot = hist.sum(axis=0), e_hist.sum(axis=0)
    # Window-to-window noise around the asset's own level (weather, chance clusters),
    # estimated from the history by moments.
    phi_w = 0.0
    own = np.divide(y_hist, e_tot, out=np.zeros_like(y_hist), where=e_tot > 0)
    m = e_hist * own[None, :]
    if windows >= 2:
        denom = float((m[:, keep] ** 2).sum())
        if denom > 0:
            spread = windows / (windows - 1) * float(((hist[:, keep] - m[:, keep]) ** 2).sum())
            phi_w = max((spread - float(m[:, keep].sum())) / denom, 0.0)
    # Between-asset spread of θ over the whole history (less the window noise): the prior.
    alpha_all = nb_shape_ml(y_hist[keep], e_tot[keep])
    phi_total = 1.0 / alpha_all if alpha_all < MAX_ALPHA else 0.0
    alpha_theta = 1.0 / max((phi_total - phi_w / windows) / (1.0 + phi_w / windows), 1e-3)
    theta0 = (alpha_theta + y_hist) / (alpha_theta + e_tot)
    disp = 1.0 + phi_w * theta0 * e_tot / windows
    a = alpha_theta + y_hist / disp
    b = alpha_theta + e_tot / disp
    exp_g = mug * a / b
    # Predictive: Poisson × posterior Gamma(a, b) × window noise, moment-matched to an NB.
    shape = 1.0 / (1.0 / a + phi_w + phi_w / a)
    ph = nb_sf(y, shape, exp_g)
    return mug, exp_g, pp, ph, alpha


def combine(p_peer: np.ndarray, p_history: np.ndarray, weight: float = HISTORY_WEIGHT) -> np.ndarray:
    """Weighted Bonferroni over the two questions (own history, peers): one p-value per asset."""
    if weight <= 0:
        return np.asarray(p_peer, dtype=float)
    return np.minimum(1.0, np.minimum(p_history / weight, p_peer / (1.0 - weight)))


def score_assets(
    y: np.ndarray,
    n: np.ndarray,
    history: np.ndarray,
    groups: np.ndarray,
    *,
    parents: np.ndarray | None = None,
    mix: np.ndarray | None = None,
) -> Scores:
    """Score one dimension: ``y`` current counts, ``n`` exposures, ``history`` (windows × assets).

    ``groups`` holds each asset's peer group (area class), ``parents`` the asset one level
    up, ``mix`` the share of non-residential customers. The mean model (``fit_means``) is
    fitted, the assets that are discoveries under it (q ≤ 1 %, or p < 10⁻⁶) are left out
    and the fit repeated until stable, so hotspots do not hide themselves by inflating
    their own baseline. Pure numpy, so the statistical tests can exercise it on large
    simulated populations.
    """
    y = np.asarray(y, dtype=float)
    n = np.asarray(n, dtype=float)
    size = len(y)
    history = np.asarray(history, dtype=float).reshape(-1, size)
    group = _codes(groups)
    parent = _codes(parents) if parents is not None else np.zeros(size, dtype=int)
    mix_v = np.zeros(size) if mix is None else np.nan_to_num(np.asarray(mix, dtype=float))
    weight = HISTORY_WEIGHT if history.shape[0] else 0.0
    keep = np.ones(size, dtype=bool)
    for _ in range(10):
        mug, exp_g, pp, ph, alpha = _fit(y, n, history, group, parent, mix_v, keep)
        pc = combine(pp, ph, weight)
        new_keep = (pc >= EXTREME_P) & (bh_qvalues(pc) > EXTREME_Q)
        if not new_keep.any() or (new_keep == keep).all():
            break
        keep = new_keep
    return Scores(mug, exp_g, pp, ph, combine(pp, ph, weight), np.full(size, alpha))


# ----------------------------------------------------------------------------- assets


@dataclass
class Asset:
    level: str
    pk: int
    code: str
    name: str
    area_class: str
    customers: int = 0
    contracted_kva: float = 0.0
    transformer_kva: float = 0.0
    paths: set[str] = field(default_factory=set)
    latitude: float | None = None
    longitude: float | None = None
    station_name: str = ""
    parent: int | None = None  # the asset one level up (station; county for a station)
    non_residential: int = 0  # customers other than residential (the category mix)

    @property
    def load_ratio(self) -> float | None:
        if not self.transformer_kva:
            return None
        return round(self.contracted_kva / self.transformer_kva, 2)


def _majority(pairs) -> dict[int, str]:
    best: dict[int, tuple[int, str]] = {}
    for key, value, n in pairs:
        if key is not None and (key not in best or n > best[key][0]):
            best[key] = (n, value)
    return {k: v for k, (_, v) in best.items()}


def load_assets(level: str) -> dict[int, Asset]:
    """Every asset of ``level`` with its customers, capacities, area class and unit paths."""
    units = {
        pk: (path, name, code, ac)
        for pk, path, name, code, ac in OrgUnit.objects.values_list(
            "pk", "path", "name", "code", "area_class"
        )
    }
    unit_parent = {}  # filled for stations only (their county is their parent)
    if level == "station":
        unit_parent = dict(OrgUnit.objects.values_list("pk", "parent_id"))
    areas = list(
        TransformerArea.objects.values_list(
            "pk",
            "code",
            "name",
            "feeder_id",
            "station_id",
            "capacity_kva",
            "area_class",
            "latitude",
            "longitude",
        )
    )
    assets: dict[int, Asset] = {}
    if level == "area":
        for pk, code, name, _f, st, cap, ac, lat, lon in areas:
            assets[pk] = Asset(
                level,
                pk,
                code,
                name,
                ac,
                transformer_kva=float(cap),
                paths={units[st][0]},
                latitude=float(lat) if lat is not None else None,
                longitude=float(lon) if lon is not None else None,
                station_name=units[st][1],
                parent=st,
            )
        cust = Customer.objects.values_list("area_id").annotate(
            n=Count("id"), cap=Sum("capacity_kva"), nonres=Count("id", filter=NON_RESIDENTIAL)
        )
    elif level == "feeder":
        classes = _majority(
            TransformerArea.objects.values_list("feeder_id", "area_class").annotate(n=Count("id"))
        )
        for pk, code, name in Feeder.objects.values_list("pk", "code", "name"):
            assets[pk] = Asset(level, pk, code, name, classes.get(pk, ""))
        for _pk, _c, _n, f, st, cap, _ac, _lat, _lon in areas:
            if f in assets:
                assets[f].transformer_kva += float(cap)
                assets[f].paths.add(units[st][0])
                assets[f].parent = assets[f].parent or st
        cust = Customer.objects.values_list("area__feeder_id").annotate(
            n=Count("id"), cap=Sum("capacity_kva"), nonres=Count("id", filter=NON_RESIDENTIAL)
        )
    else:
        classes = _majority(
            TransformerArea.objects.values_list("station_id", "area_class").annotate(n=Count("id"))
        )
        for _pk, _c, _n, _f, st, cap, _ac, _lat, _lon in areas:
            if st not in assets:
                path, name, code, ac = units[st]
                assets[st] = Asset(
                    level, st, code, name, ac or classes.get(st, ""), paths={path}, parent=unit_parent.get(st)
                )
            assets[st].transformer_kva += float(cap)
        cust = Customer.objects.values_list("station_id").annotate(
            n=Count("id"), cap=Sum("capacity_kva"), nonres=Count("id", filter=NON_RESIDENTIAL)
        )
    for key, count, cap, nonres in cust:
        if key in assets:
            assets[key].customers = count
            assets[key].contracted_kva = float(cap or 0)
            assets[key].non_residential = nonres
    return assets


# ----------------------------------------------------------------------------- counting


def _orders(level: str, since: dt.datetime, until: dt.datetime, dimension: str | None):
    key = ORDER_KEY[level]
    qs = WorkOrder.objects.filter(
        created_at__gte=since,
        created_at__lt=until,
        request_type__in=COUNTED_TYPES,
        **{f"{key}__isnull": False},
    )
    if dimension:
        qs = qs.filter(dimension=dimension)
    return qs


def _counts(level: str, since, until, dimension) -> dict[tuple[int, str], int]:
    key = ORDER_KEY[level]
    rows = (
        _orders(level, since, until, dimension)
        .filter(master__isnull=True)
        .values_list(key, "dimension")
        .annotate(n=Count("id"))
    )
    return {(k, d): n for k, d, n in rows}


def _evidence_counts(level: str, since, until, dimension) -> dict[tuple[int, str], dict]:
    """Per asset and dimension: complaints, faults, all reports (children included)."""
    key = ORDER_KEY[level]
    rows = (
        _orders(level, since, until, dimension)
        .values_list(key, "dimension")
        .annotate(
            reports=Count("id"),
            complaints=Count("id", filter=Q(request_type=RequestType.COMPLAINT, master__isnull=True)),
            faults=Count("id", filter=Q(request_type=RequestType.FAULT_REPAIR, master__isnull=True)),
        )
    )
    return {(k, d): {"reports": r, "complaints": c, "faults": f} for k, d, r, c, f in rows}


def _outages(level: str, since, until) -> dict[int, tuple[int, int]]:
    """Per asset: distinct fault reports (masters and unmerged) and the reports merged into them."""
    key = ORDER_KEY[level]
    rows = (
        WorkOrder.objects.filter(
            created_at__gte=since,
            created_at__lt=until,
            request_type=RequestType.FAULT_REPAIR,
            master__isnull=True,
            **{f"{key}__isnull": False},
        )
        .values_list(key)
        .annotate(n=Count("id"), merged=Sum("children_count"))
    )
    return {k: (n, merged or 0) for k, n, merged in rows}


def _repeats(level: str, since, until, dimension) -> dict[tuple[int, str], int]:
    """Customers with two or more requests of one dimension on the asset in the window."""
    key = ORDER_KEY[level]
    qs = WorkOrder.objects.filter(
        created_at__gte=since, created_at__lt=until, customer__isnull=False, **{f"{key}__isnull": False}
    )
    if dimension:
        qs = qs.filter(dimension=dimension)
    rows = qs.values_list(key, "dimension", "customer_id").annotate(n=Count("id")).filter(n__gte=2)
    out: dict[tuple[int, str], int] = {}
    for k, d, _c, _n in rows:
        out[(k, d)] = out.get((k, d), 0) + 1
    return out


def _samples(
    level: str, since, until, keys: list[tuple[int, str]], per: int = 3
) -> dict[tuple[int, str], list]:
    if not keys:
        return {}
    key = ORDER_KEY[level]
    asset_ids = sorted({k for k, _ in keys})
    dims = sorted({d for _, d in keys})
    wanted = set(keys)
    qs = (
        WorkOrder.objects.filter(
            created_at__gte=since,
            created_at__lt=until,
            request_type__in=COUNTED_TYPES,
            master__isnull=True,
            dimension__in=dims,
            **{f"{key}__in": asset_ids},
        )
        .annotate(
            rn=Window(RowNumber(), partition_by=[F(key), F("dimension")], order_by=F("created_at").desc())
        )
        .filter(rn__lte=per)
        .values_list(key, "dimension", "order_no", "created_at", "description")
    )
    out: dict[tuple[int, str], list] = {}
    for k, d, no, at, text in qs:
        if (k, d) in wanted:
            out.setdefault((k, d), []).append(
                {"order_no": no, "created_at": timezone.localtime(at).isoformat(), "text": text[:200]}
            )
    return out


def monthly_history(level: str, pks: list[int], *, months: int = 12, until: dt.datetime | None = None):
    """{(asset, dimension): {"YYYY-MM": incidents}} for the ``months`` calendar months up to ``until``."""
    until = until or timezone.now()
    start_local = timezone.localtime(until).date().replace(day=1)
    for _ in range(months - 1):
        start_local = (start_local - dt.timedelta(days=1)).replace(day=1)
    since = dt.datetime.combine(start_local, dt.time(), tzinfo=local_tz())
    key = ORDER_KEY[level]
    rows = (
        _orders(level, since, until, None)
        .filter(master__isnull=True, **{f"{key}__in": pks})
        .annotate(month=TruncMonth("created_at", tzinfo=local_tz()))
        .values_list(key, "dimension", "month")
        .annotate(n=Count("id"))
    )
    out: dict[tuple[int, str], dict[str, int]] = {}
    for k, d, month, n in rows:
        label = (month.date() if isinstance(month, dt.datetime) else month).strftime("%Y-%m")
        out.setdefault((k, d), {})[label] = n
    labels, cur = [], start_local
    for _ in range(months):
        labels.append(cur.strftime("%Y-%m"))
        cur = (cur + dt.timedelta(days=32)).replace(day=1)
    return labels, out


# ----------------------------------------------------------------------------- the run


@dataclass
class HotspotRun:
    level: str
    days: int
    as_of: dt.datetime
    since: dt.datetime
    dimension: str | None
    fdr: float
    tested: int
    hotspots: list[dict]
    assets: dict[int, Asset]
    scores: list[dict] = field(default_factory=list)  # every test, when asked for
    # The outage evidence of every asset in ``assets`` (``outage_evidence.OUTAGE_FIELDS``).
    outage_evidence: dict[int, dict] = field(default_factory=dict)
    outage_window: OutageWindow | None = None

    def as_dict(self) -> dict:
        window = self.outage_window
        return {
            "level": self.level,
            "days": self.days,
            "as_of": timezone.localtime(self.as_of).isoformat(),
            "since": timezone.localtime(self.since).isoformat(),
            "dimension": self.dimension,
            "fdr": self.fdr,
            "tested": self.tested,
            "hotspots": self.hotspots,
            "frequent_min_count": window.min_count if window else None,
            "frequent_months": window.months if window else None,
        }


HISTORY_DAYS = 730  # the asset's own history reaches back this far, where there is data


def history_windows_for(days: int) -> int:
    """How many earlier windows of ``days`` to learn from: up to ``HISTORY_DAYS`` back, at
    most twelve (``score_rows`` drops the oldest ones that hold no data at all)."""
    return max(1, min(12, HISTORY_DAYS // days))


def _window_counts(level: str, as_of: dt.datetime, days: int, windows: int, dimension: str | None):
    """Counts per (asset, dimension) of the current window and ``windows`` earlier ones, in
    one query (window 0 is the current one)."""
    key = ORDER_KEY[level]
    edges = [as_of - dt.timedelta(days=days * k) for k in range(windows + 2)]
    bucket = Case(
        *[When(created_at__gte=edges[k + 1], then=Value(k)) for k in range(windows + 1)],
        output_field=IntegerField(),
    )
    rows = (
        _orders(level, edges[-1], as_of, dimension)
        .filter(master__isnull=True)
        .annotate(window=bucket)
        .values_list(key, "dimension", "window")
        .annotate(n=Count("id"))
    )
    out: list[dict[tuple[int, str], int]] = [{} for _ in range(windows + 1)]
    for k, d, w, n in rows:
        out[w][(k, d)] = n
    return out


def _visible(asset: Asset, path: str | None) -> bool:
    if path is None:
        return False
    return path == "" or any(p.startswith(path) for p in asset.paths)


def score_rows(
    level: str,
    assets: dict[int, Asset],
    *,
    since: dt.datetime,
    as_of: dt.datetime,
    dimension: str | None,
    windows: int,
) -> list[dict]:
    """One row per asset and dimension tested over [``since``, ``as_of``): counts, the
    peer-expected and history-adjusted expectations and the p-values (no q-values yet)."""
    days = max(1, round((as_of - since).total_seconds() / 86400))
    pks = sorted(assets)
    pos = {pk: i for i, pk in enumerate(pks)}
    current, *history = _window_counts(level, as_of, days, windows, dimension)
    while len(history) > 1 and not history[-1]:  # before the data begins: nothing to learn
        history.pop()
    n = np.array([assets[pk].customers for pk in pks], dtype=float)
    parents = np.array([assets[pk].parent or 0 for pk in pks])
    mix = np.array([assets[pk].non_residential / assets[pk].customers for pk in pks])
    group_of = np.array([assets[pk].area_class or "-" for pk in pks], dtype=object)
    for g in set(group_of):
        if (group_of == g).sum() < MIN_GROUP:
            group_of[group_of == g] = "*"
    small = group_of == "*"
    if 0 < small.sum() < MIN_GROUP:
        labels, sizes = np.unique(group_of[~small], return_counts=True)
        group_of[small] = labels[np.argmax(sizes)] if len(labels) else "*"
    dims = [dimension] if dimension else list(Dimension.values)
    rows: list[dict] = []
    for d in dims:
        y = np.zeros(len(pks))
        h = np.zeros((len(history), len(pks)))
        for (k, dd), c in current.items():
            if dd == d and k in pos:
                y[pos[k]] = c
        for w, counts in enumerate(history):
            for (k, dd), c in counts.items():
                if dd == d and k in pos:
                    h[w, pos[k]] = c
        if not y.any() and not h.any():
            continue
        s = score_assets(y, n, h, group_of, parents=parents, mix=mix)
        for i, pk in enumerate(pks):
            if s.expected_peer[i] <= 0 and y[i] == 0:
                continue
            rows.append(
                {
                    "pk": pk,
                    "dimension": d,
                    "count": int(y[i]),
                    "expected": float(s.expected[i]),
                    "expected_peer": float(s.expected_peer[i]),
                    "p_peer": float(s.p_peer[i]),
                    "p_history": float(s.p_history[i]),
                    "p_value": float(s.p_value[i]),
                }
            )
    return rows


def compute_hotspots(
    *,
    level: str = "area",
    days: int = 90,
    dimension: str | None = None,
    as_of: dt.datetime | None = None,
    fdr: float = 0.05,
    min_count: int = 3,
    history_windows: int | None = None,
    user=None,
    scope_path: str | None = "",
    samples: int = 3,
    sample_limit: int = 100,
    include_all: bool = False,
    frequent_min_count: int | None = None,
    frequent_months: int | None = None,
) -> HotspotRun:
    """Find the significant hotspots of ``level`` over the ``days`` before ``as_of``.

    Returns every hotspot (q ≤ ``fdr``, count ≥ ``min_count``) the user — or
    ``scope_path`` ("" is everything) — may see, ranked by q-value then excess count,
    each with its evidence; sample texts for the first ``sample_limit``. With
    ``include_all`` every tested asset and dimension is returned, hotspot or not.
    ``frequent_min_count``/``frequent_months``: the frequent-outage rule of the outage
    evidence (None: the settings in force).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    if dimension and dimension not in Dimension.values:
        raise ValueError(f"unknown dimension {dimension!r}")
    if days < 1:
        raise ValueError("days must be positive")
    as_of = as_of or timezone.now()
    since = as_of - dt.timedelta(days=days)
    if history_windows is None:
        history_windows = history_windows_for(days)
    if user is not None:
        scope_path = user_scope_path(user)

    assets = {pk: a for pk, a in load_assets(level).items() if a.customers > 0}
    rows = score_rows(level, assets, since=since, as_of=as_of, dimension=dimension, windows=history_windows)
    q = bh_qvalues(np.array([r["p_value"] for r in rows]))
    for r, qv in zip(rows, q, strict=True):
        r["q_value"] = float(qv)
    tested = len(rows)
    hot = [r for r in rows if r["q_value"] <= fdr and r["count"] >= min_count]
    chosen = rows if include_all else hot
    chosen = [r for r in chosen if _visible(assets[r["pk"]], scope_path)]
    chosen.sort(key=lambda r: (r["q_value"], -(r["count"] - r["expected"]), r["pk"]))
    hot_keys = {(r["pk"], r["dimension"]) for r in hot}

    evidence = _evidence_counts(level, since, as_of, dimension)
    outages = _outages(level, since, as_of)
    repeats = _repeats(level, since, as_of, dimension)
    texts = _samples(level, since, as_of, [(r["pk"], r["dimension"]) for r in chosen[:sample_limit]], samples)
    visible = {pk: a for pk, a in assets.items() if _visible(a, scope_path)}
    outage_ev, outage_window = outage_evidence(
        level,
        {pk: a.code for pk, a in visible.items()},
        since=since,
        as_of=as_of,
        min_count=frequent_min_count,
        months=frequent_months,
    )
    limit = high_load_ratio()
    out: list[dict] = []
    for rank, r in enumerate(chosen, start=1):
        a = assets[r["pk"]]
        key = (r["pk"], r["dimension"])
        ev = evidence.get(key, {"reports": 0, "complaints": 0, "faults": 0})
        out_n, merged = outages.get(r["pk"], (0, 0))
        kind = "structural" if r["p_peer"] <= r["p_history"] else "emerging"
        item = {
            "rank": rank,
            "level": level,
            "asset_id": a.pk,
            "code": a.code,
            "name": a.name,
            "station": a.station_name if level == "area" else "",
            "area_class": a.area_class,
            "dimension": r["dimension"],
            "dimension_label": str(Dimension(r["dimension"]).label),
            "count": r["count"],
            "expected": round(r["expected"], 2),
            "expected_peer": round(r["expected_peer"], 2),
            "rate_per_1000": round(r["count"] * 1000.0 / a.customers, 2),
            "peer_rate_per_1000": round(r["expected_peer"] * 1000.0 / a.customers, 2),
            "ratio": round(r["count"] / r["expected"], 2) if r["expected"] > 0 else None,
            "p_value": r["p_value"],
            "p_peer": r["p_peer"],
            "p_history": r["p_history"],
            "q_value": r["q_value"],
            "significant": key in hot_keys,
            "kind": kind,
            "customers": a.customers,
            "complaints": ev["complaints"],
            "faults": ev["faults"],
            "reports": ev["reports"],
            "outages": out_n,
            "merged_reports": merged,
            "contracted_kva": round(a.contracted_kva, 1),
            "transformer_kva": round(a.transformer_kva, 1),
            "load_ratio": a.load_ratio,
            "high_load": a.load_ratio is not None and a.load_ratio >= limit,
            "repeat_customers": repeats.get(key, 0),
            "samples": texts.get(key, []),
            "latitude": a.latitude,
            "longitude": a.longitude,
            **outage_ev.get(a.pk, empty_evidence()),
        }
        out.append(item)
    return HotspotRun(
        level=level,
        days=days,
        as_of=as_of,
        since=since,
        dimension=dimension,
        fdr=fdr,
        tested=tested,
        hotspots=out,
        assets=visible,
        outage_evidence=outage_ev,
        outage_window=outage_window,
    )


JSON_FIELDS = [
    "rank",
    "level",
    "code",
    "name",
    "dimension",
    "count",
    "expected",
    "rate_per_1000",
    "peer_rate_per_1000",
    "p_value",
    "q_value",
    "kind",
    "customers",
    "complaints",
    "faults",
    "outages",
    "merged_reports",
    "load_ratio",
    "repeat_customers",
]
