"""Erlang C and Erlang A staffing arithmetic (pure Python + numpy/scipy, no Django).

Why: the 95598 contact centre must know how many agents each interval needs to answer a
target share of calls within a few seconds (service level, default 80 % within 20 s) and
to keep abandoned calls (人工呼损) under a ceiling.

Models
------
* **Erlang C** (M/M/n): Poisson arrivals, exponential handling times, infinitely patient
  callers. With offered load ``A = λ·AHT`` (Erlangs) and ``n > A`` agents

  - Erlang B by the stable recursion ``B(0)=1, B(k) = A·B(k-1) / (k + A·B(k-1))``
    (no factorials, no powers; fine far beyond 10,000 calls per interval),
  - probability of waiting ``C = n·B / (n - A·(1 - B))``,
  - service level ``SL(t) = 1 - C·exp(-(n - A)·t / AHT)``,
  - average speed of answer ``ASA = C·AHT / (n - A)``, occupancy ``A / n``.

  With ``n <= A`` the queue is unstable: SL 0, ASA infinite.

* **Erlang A** (M/M/n+M, Palm 1943; Garnett, Mandelbaum & Reiman 2002): as Erlang C, but
  each waiting caller hangs up after an exponential patience with mean ``patience``.
  The number of callers in the system is a birth–death chain; its stationary
  distribution is computed in log space (``k ≤ n``: Poisson terms; ``k > n``: products
  of ``λ / (nμ + iθ)``) and truncated where the remaining mass is below 1e-15.
  A caller who finds ``j`` others waiting has an *offered wait* ``V`` that is a sum of
  exponentials with rates ``nμ + iθ, i = 0..j``; with ``a = nμ/θ`` this is
  ``-log(X)/θ`` for ``X ~ Beta(a, j+1)``. Hence, exactly:

  - P(answered | j) = a / (a + j + 1),
  - P(answered within t | j) = a/(a+j+1) · (1 - I_{exp(-θt)}(a+1, j+1)),
  - E[wait · 1{answered} | j] = a/(a+j+1) · Σ_{i=1..j+1} 1/(a+i) / θ.

  Definitions used (they all tend to the Erlang C values as patience → ∞):

  - ``service_level`` = calls answered within ``t`` / all offered calls (abandoned
    calls count as failures — the strict definition),
  - ``abandon_rate`` = abandoned / offered (equals θ·E[queue] / λ),
  - ``asa_seconds`` = mean wait of *answered* calls (immediately answered ones count 0).

Shrinkage and occupancy
-----------------------
The queueing formulas give the agents *on the phones* (``productive_agents``).
``agents`` is what must be rostered: ``ceil(productive / (1 - shrinkage))``.
``max_occupancy`` adds the constraint ``carried load / productive_agents ≤ max_occupancy``.

Errors: ``ErlangError`` (a ``ValueError``) with a message a planner can act on, e.g. AHT 0,
negative calls, a target of 100 % (no finite agent count can guarantee that every caller
is answered within t — SL is always below 1 while calls arrive), or a target
that cannot be met within ``max_agents``. Zero calls need zero agents.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

from .i18n import gettext as _

DEFAULT_MAX_AGENTS = 100_000


class ErlangError(ValueError):
    """Bad staffing input or an unreachable target; the message says which and why."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class StaffingResult:
    """The answer for one interval: rostered agents and what they achieve."""

    agents: int  # to roster (shrinkage included)
    productive_agents: int  # on the phones
    service_level: float
    asa_seconds: float
    abandon_rate: float | None  # None for Erlang C
    occupancy: float
    traffic_erlangs: float
    wait_probability: float

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------------
# input checks


def _check_common(calls: float, interval_seconds: float, aht: float) -> None:
    if calls is None or not math.isfinite(calls):
        raise ErlangError(_("来电量必须是有限数值"), field="calls")
    if calls < 0:
        raise ErlangError(_("来电量不能为负数（现为 %(calls)s）") % {"calls": calls}, field="calls")
    if not math.isfinite(interval_seconds) or interval_seconds <= 0:
        raise ErlangError(
            _("时段长度必须大于 0 秒（现为 %(value)s）") % {"value": interval_seconds},
            field="interval_seconds",
        )
    if not math.isfinite(aht) or aht <= 0:
        raise ErlangError(
            _("平均处理时长必须大于 0 秒（现为 %(value)s）；处理时长为 0 时无法计算坐席数") % {"value": aht},
            field="aht",
        )


def _check_patience(patience: float | None) -> None:
    if patience is not None and (not math.isfinite(patience) or patience <= 0):
        raise ErlangError(
            _("平均耐心时长必须大于 0 秒（现为 %(value)s）；Erlang C（客户无限耐心）请不填")
            % {"value": patience},
            field="patience",
        )


def traffic(calls: float, interval_seconds: float, aht: float) -> float:
    """Offered load in Erlangs: arrival rate × average handling time."""
    _check_common(calls, interval_seconds, aht)
    return calls / interval_seconds * aht


# ---------------------------------------------------------------------------------------------------
# Erlang B / C


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/n/n by the stable recursion (no factorials)."""
    if agents < 0:
        raise ErlangError("agents must be ≥ 0", field="agents")
    if load < 0:
        raise ErlangError("load must be ≥ 0", field="load")
    if load == 0:
        return 0.0 if agents > 0 else 1.0
    b = 1.0
    for k in range(1, agents + 1):
        ab = load * b
        b = ab / (k + ab)
    return b


def _c_from_b(n: int, load: float, b: float) -> float:
    if n <= load:
        return 1.0
    return n * b / (n - load * (1.0 - b))


def erlang_c(agents: int, load: float) -> float:
    """Probability that a caller has to wait (M/M/n); 1.0 when ``agents <= load``."""
    if load == 0:
        return 0.0
    return _c_from_b(agents, load, erlang_b(agents, load))


def _c_metrics(n: int, load: float, aht: float, answer_within: float, pw: float) -> tuple[float, float]:
    if load == 0:
        return 1.0, 0.0
    if n <= load:
        return 0.0, math.inf
    sl = 1.0 - pw * math.exp(-(n - load) * answer_within / aht)
    asa = pw * aht / (n - load)
    return max(0.0, min(1.0, sl)), asa


def erlang_c_metrics(
    *, calls: float, interval_seconds: float, aht: float, agents: int, answer_within: float = 20.0
) -> StaffingResult:
    """Service level, ASA, occupancy of a given number of productive agents (Erlang C)."""
    load = traffic(calls, interval_seconds, aht)
    if agents < 0:
        raise ErlangError("agents must be ≥ 0", field="agents")
    pw = erlang_c(agents, load)
    sl, asa = _c_metrics(agents, load, aht, answer_within, pw)
    occ = load / agents if agents > load else (0.0 if load == 0 else 1.0)
    return StaffingResult(agents, agents, sl, asa, None, occ, load, pw)


# ---------------------------------------------------------------------------------------------------
# Erlang A


@dataclass(frozen=True)
class _AMetrics:
    service_level: float
    abandon_rate: float
    asa_answered: float
    wait_probability: float
    mean_queue: float
    occupancy: float


_TAIL_LOG = math.log(1e-17)
_MAX_STATES = 5_000_000


def _erlang_a_metrics(n: int, lam: float, mu: float, theta: float, t: float) -> _AMetrics:
    """Exact M/M/n+M metrics from the truncated stationary distribution (see module doc)."""
    if lam == 0:
        return _AMetrics(1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    load = lam / mu
    # log of unnormalised π_k for k = 0..n (Poisson(load) pmf shape)
    k = np.arange(n + 1, dtype=float)
    log_low = k * math.log(load) - special.gammaln(k + 1)
    # queue part: π_{n+j} = π_n · Π_{i=1..j} λ / (nμ + iθ)
    peak = max(0.0, (lam - n * mu) / theta)  # queue length where the ratio crosses 1
    length = int(peak + 12.0 * math.sqrt(peak + 1.0) + 64)
    while True:
        if length > _MAX_STATES:
            raise ErlangError(
                _("排队状态过多，无法计算（耐心时长相对来电量过长）；请改用 Erlang C（不填耐心时长）"),
                field="patience",
            )
        i = np.arange(1, length + 1, dtype=float)
        log_ratio = math.log(lam) - np.log(n * mu + i * theta)
        log_q = log_low[-1] + np.cumsum(log_ratio)
        if log_q[-1] < max(log_low.max(), log_q.max()) + _TAIL_LOG and log_ratio[-1] < 0:
            break
        length *= 2
    log_all_max = max(log_low.max(), log_q.max())
    p_low = np.exp(log_low - log_all_max)
    p_q = np.exp(log_q - log_all_max)
    total = p_low.sum() + p_q.sum()
    p_low /= total
    p_q /= total
    # arrivals finding k < n are answered at once; finding n + j (j = 0..) wait behind j others
    j = np.arange(0, length + 1, dtype=float)
    pj = np.concatenate(([p_low[-1]], p_q))  # π_{n+j}
    p_wait = float(pj.sum())
    p_now = float(p_low[:-1].sum())
    a = n * mu / theta
    if n == 0:
        served_j = np.zeros_like(j)
        within = np.zeros_like(j)
        wait_served = np.zeros_like(j)
    else:
        served_j = a / (a + j + 1.0)
        x0 = math.exp(-theta * t)
        within = served_j * (1.0 - special.betainc(a + 1.0, j + 1.0, x0)) if t > 0 else np.zeros_like(j)
        harmonic = np.cumsum(1.0 / (a + 1.0 + j))  # Σ_{i=1..j+1} 1/(a+i)
        wait_served = served_j * harmonic / theta
    p_served = p_now + float((pj * served_j).sum())
    abandon = max(0.0, 1.0 - p_served)
    sl = p_now + float((pj * within).sum())
    asa = float((pj * wait_served).sum()) / p_served if p_served > 0 else math.inf
    mean_queue = float((p_q * np.arange(1, length + 1)).sum())
    occ = load * p_served / n if n > 0 else 1.0
    return _AMetrics(min(1.0, sl), min(1.0, abandon), asa, p_wait, mean_queue, min(1.0, occ))


def erlang_a_metrics(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    agents: int,
    patience: float,
    answer_within: float = 20.0,
) -> StaffingResult:
    """Service level, ASA of answered calls and abandonment of given productive agents."""
    load = traffic(calls, interval_seconds, aht)
    _check_patience(patience)
    if patience is None:
        raise ErlangError("Erlang A needs a patience", field="patience")
    if agents < 0:
        raise ErlangError("agents must be ≥ 0", field="agents")
    m = _erlang_a_metrics(agents, calls / interval_seconds, 1.0 / aht, 1.0 / patience, answer_within)
    return StaffingResult(
        agents, agents, m.service_level, m.asa_answered, m.abandon_rate, m.occupancy, load, m.wait_probability
    )


# ---------------------------------------------------------------------------------------------------
# the smallest agent count meeting the targets


def required_agents(
    *,
    calls: float,
    interval_seconds: float = 1800,
    aht: float,
    target: float = 0.8,
    answer_within: float = 20.0,
    patience: float | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    max_abandon: float | None = None,
    max_agents: int = DEFAULT_MAX_AGENTS,
) -> StaffingResult:
    """The smallest number of agents meeting every target (Erlang C, or Erlang A with patience).

    Targets: service level ``target`` within ``answer_within`` seconds; occupancy at most
    ``max_occupancy``; with patience, abandonment at most ``max_abandon``. Returns the
    metrics achieved with that count; ``agents`` includes shrinkage.
    """
    _check_common(calls, interval_seconds, aht)
    _check_patience(patience)
    if not math.isfinite(target) or target < 0 or target > 1:
        raise ErlangError(
            _("服务水平目标须在 0 与 1 之间（现为 %(value)s）") % {"value": target}, field="target"
        )
    if not math.isfinite(answer_within) or answer_within < 0:
        raise ErlangError(f"answer_within must be ≥ 0 seconds (got {answer_within})", field="answer_within")
    if not (0 <= shrinkage < 1):
        raise ErlangError(
            _("缺勤率须在 [0, 1) 之间（现为 %(value)s）") % {"value": shrinkage}, field="shrinkage"
        )
    if not (0 < max_occupancy <= 1):
        raise ErlangError(f"max_occupancy must be in (0, 1] (got {max_occupancy})", field="max_occupancy")
    if max_abandon is not None:
        if patience is None:
            raise ErlangError(
                _("呼损率上限需要给出客户耐心时长（Erlang A）；Erlang C 假定没有客户挂断"),
                field="max_abandon",
            )
        if not (0 <= max_abandon <= 1):
            raise ErlangError(f"max_abandon must be within [0, 1] (got {max_abandon})", field="max_abandon")

    load = calls / interval_seconds * aht
    if calls == 0:
        return StaffingResult(0, 0, 1.0, 0.0, None if patience is None else 0.0, 0.0, 0.0, 0.0)
    if target >= 1.0:
        raise ErlangError(
            _(
                "目标不可达：只要有来电，任何有限坐席数都无法保证 100%% 的来电在 %(seconds)s 秒内接通"
                "（服务水平总小于 1）；请使用小于 1 的目标，如 0.8"
            )
            % {"seconds": f"{answer_within:g}"},
            field="target",
        )
    if max_abandon is not None and max_abandon <= 0:
        raise ErlangError(
            _("目标不可达：只要客户耐心有限，呼损率总大于 0，呼损率上限须大于 0"),
            field="max_abandon",
        )

    if patience is None:
        n, pw, sl, asa = _search_erlang_c(load, aht, target, answer_within, max_occupancy, max_agents)
        occ = load / n
        return StaffingResult(_with_shrinkage(n, shrinkage), n, sl, asa, None, occ, load, pw)

    lam, mu, theta = calls / interval_seconds, 1.0 / aht, 1.0 / patience

    def ok(m: _AMetrics) -> bool:
        return (
            m.service_level >= target
            and m.occupancy <= max_occupancy + 1e-12
            and (max_abandon is None or m.abandon_rate <= max_abandon)
        )

    cache: dict[int, _AMetrics] = {}

    def metrics(n: int) -> _AMetrics:
        if n not in cache:
            cache[n] = _erlang_a_metrics(n, lam, mu, theta, answer_within)
        return cache[n]

    # Erlang C staffing for the SL/occupancy target is a good first guess (abandonment only helps SL)
    try:
        hi = _search_erlang_c(load, aht, target, answer_within, max_occupancy, max_agents)[0]
    except ErlangError:
        hi = max(1, math.ceil(load))
    hi = max(hi, 1)
    step = max(1, hi // 20)
    while not ok(metrics(hi)):
        if hi >= max_agents:
            raise _unreachable(max_agents)
        hi = min(max_agents, hi + step)
        step *= 2
    # gallop down to an infeasible count, then bisect
    lo, step = hi, 1
    while True:
        cand = max(0, hi - step)
        if cand == 0 or not ok(metrics(cand)):
            lo = cand
            break
        hi = cand
        step *= 2
    if lo == 0 and ok(metrics(0)):
        hi = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(metrics(mid)):
            hi = mid
        else:
            lo = mid
    m = metrics(hi)
    return StaffingResult(
        _with_shrinkage(hi, shrinkage),
        hi,
        m.service_level,
        m.asa_answered,
        m.abandon_rate,
        m.occupancy,
        load,
        m.wait_probability,
    )


def _with_shrinkage(n: int, shrinkage: float) -> int:
    if shrinkage == 0 or n == 0:
        return n
    # tolerance so that e.g. 14 / 0.7 = 20.000000000000004 stays 20
    return math.ceil(n / (1.0 - shrinkage) - 1e-9)


def _unreachable(max_agents: int) -> ErlangError:
    return ErlangError(
        _("目标不可达：%(n)s 个坐席内无法满足目标") % {"n": max_agents},
        field="target",
    )


def _search_erlang_c(
    load: float, aht: float, target: float, t: float, max_occupancy: float, max_agents: int
) -> tuple[int, float, float, float]:
    """Smallest n > load with SL ≥ target and load/n ≤ max_occupancy; one O(n) recursion."""
    n_occ = math.ceil(load / max_occupancy - 1e-12)
    b = 1.0
    for n in range(1, max_agents + 1):
        ab = load * b
        b = ab / (n + ab)
        if n <= load or n < n_occ:
            continue
        pw = _c_from_b(n, load, b)
        sl, asa = _c_metrics(n, load, aht, t, pw)
        if sl >= target:
            return n, pw, sl, asa
    raise _unreachable(max_agents)


def staff_intervals(
    calls: list[float] | np.ndarray,
    *,
    interval_seconds: float,
    aht: float,
    target: float = 0.8,
    answer_within: float = 20.0,
    patience: float | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    max_abandon: float | None = None,
) -> list[StaffingResult]:
    """``required_agents`` for each interval of a forecast (fractional calls allowed)."""
    memo: dict[float, StaffingResult] = {}
    out = []
    for c in calls:
        c = float(max(0.0, c))
        key = round(c, 6)
        if key not in memo:
            memo[key] = required_agents(
                calls=c,
                interval_seconds=interval_seconds,
                aht=aht,
                target=target,
                answer_within=answer_within,
                patience=patience,
                shrinkage=shrinkage,
                max_occupancy=max_occupancy,
                max_abandon=max_abandon,
            )
        out.append(memo[key])
    return out
