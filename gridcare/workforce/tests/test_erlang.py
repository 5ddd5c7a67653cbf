import math

import numpy as np
import pytest
from scipy.linalg import expm

from gridcare.workforce.erlang import (
    ErlangError,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    required_agents,
    staff_intervals,
)


def erlang_c_by_factorials(n: int, a: float) -> float:
    """Textbook formula, only usable for small n (independent check)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize("n,a", [(11, 10.0), (12, 10.0), (14, 10.0), (3, 2.5), (30, 25.7)])
def test_erlang_c_matches_factorial_formula(n, a):
    assert erlang_c(n, a) == pytest.approx(erlang_c_by_factorials(n, a), rel=1e-12)


def test_erlang_b_textbook_value():
    # Erlang B table: 10 Erlangs on 10 trunks blocks 21.46 %
    assert erlang_b(10, 10.0) == pytest.approx(0.21458, abs=1e-5)


def test_classic_example_100_calls_180s_80_20():
    # The classic (also pyworkforce's README): 100 calls / 30 min, AHT 180 s, 80 % in 20 s
    r = required_agents(calls=100, interval_seconds=1800, aht=180, target=0.8, answer_within=20)
    assert r.agents == 14
    assert r.service_level == pytest.approx(0.8883500191794669, rel=1e-12)
    assert r.wait_probability == pytest.approx(0.1741319335950498, rel=1e-12)
    assert r.occupancy == pytest.approx(10 / 14)
    assert r.asa_seconds == pytest.approx(0.17413193359504983 * 180 / 4)
    assert r.abandon_rate is None
    # 13 agents fall just short (79.6 %): 14 is the smallest count
    assert erlang_c_metrics(calls=100, interval_seconds=1800, aht=180, agents=13).service_level < 0.8
    # 30 % shrinkage: 14 / 0.7 = 20 rostered
    assert required_agents(calls=100, interval_seconds=1800, aht=180, shrinkage=0.3).agents == 20


def test_max_occupancy_raises_agents():
    r = required_agents(calls=100, interval_seconds=1800, aht=180, max_occupancy=0.65)
    assert r.agents == math.ceil(10 / 0.65)
    assert r.occupancy <= 0.65


def test_monotonic_in_calls_and_target():
    agents = [required_agents(calls=c, aht=240).agents for c in range(0, 2000, 50)]
    assert agents == sorted(agents)
    by_target = [required_agents(calls=500, aht=240, target=t).agents for t in (0.5, 0.7, 0.8, 0.9, 0.99)]
    assert by_target == sorted(by_target)
    sl = [
        erlang_c_metrics(calls=500, interval_seconds=1800, aht=240, agents=n).service_level
        for n in range(67, 90)
    ]
    assert all(b >= a for a, b in zip(sl, sl[1:], strict=False))


def test_stable_at_ten_thousand_calls():
    r = required_agents(calls=10_000, interval_seconds=1800, aht=240)
    load = 10_000 / 1800 * 240
    assert load < r.agents < load * 1.05
    assert 0.8 <= r.service_level < 1
    before = erlang_c_metrics(calls=10_000, interval_seconds=1800, aht=240, agents=r.agents - 1)
    assert before.service_level < 0.8
    huge = required_agents(calls=200_000, interval_seconds=1800, aht=300, patience=120, max_abandon=0.03)
    assert math.isfinite(huge.service_level) and huge.abandon_rate <= 0.03


def test_zero_calls_need_no_agents():
    r = required_agents(calls=0, aht=240)
    assert r.agents == 0 and r.service_level == 1.0
    assert required_agents(calls=0, aht=240, patience=60).abandon_rate == 0.0


@pytest.mark.parametrize(
    "kwargs,field",
    [
        (dict(calls=100, aht=0), "aht"),
        (dict(calls=-1, aht=240), "calls"),
        (dict(calls=100, aht=240, interval_seconds=0), "interval_seconds"),
        (dict(calls=100, aht=240, target=1.0), "target"),
        (dict(calls=100, aht=240, target=1.0, answer_within=0), "target"),
        (dict(calls=100, aht=240, shrinkage=1.0), "shrinkage"),
        (dict(calls=100, aht=240, patience=0), "patience"),
        (dict(calls=100, aht=240, max_abandon=0.05), "max_abandon"),
        (dict(calls=100, aht=240, patience=60, max_abandon=0), "max_abandon"),
        (dict(calls=1e6, aht=240, max_agents=10), "target"),
    ],
)
def test_bad_input_is_explained(kwargs, field):
    with pytest.raises(ErlangError) as exc:
        required_agents(**kwargs)
    assert exc.value.field == field
    assert exc.value.message


def test_unreachable_target_message_explains_why():
    with pytest.raises(ErlangError, match="任何有限坐席数都无法保证"):
        required_agents(calls=10, aht=240, target=1.0, answer_within=0)


# ---- Erlang A -------------------------------------------------------------------------------------


def erlang_a_by_ctmc(n, lam, mu, theta, t, states=400):
    """Independent check: stationary distribution by linear algebra, SL by matrix exponential."""
    k = np.arange(states)
    birth = np.full(states, lam)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0) * theta
    q = np.diag(birth[:-1], 1) + np.diag(death[1:], -1)
    q -= np.diag(q.sum(1))
    a = np.vstack([q.T, np.ones(states)])
    pi = np.linalg.lstsq(a, np.r_[np.zeros(states), 1.0], rcond=None)[0]
    mean_queue = (np.maximum(k - n, 0) * pi).sum()
    abandon = theta * mean_queue / lam
    # tagged caller with j ahead: levels j..0, then served (index J) or abandoned (J+1)
    big = states - n
    g = np.zeros((big + 2, big + 2))
    for i in range(big):
        if i > 0:
            g[i, i - 1] = n * mu + i * theta
        else:
            g[0, big] = n * mu
        g[i, big + 1] = theta
        g[i, i] = -g[i].sum()
    p = expm(g * t)
    sl = pi[:n].sum() + sum(pi[n + j] * p[j, big] for j in range(big))
    return sl, abandon


@pytest.mark.parametrize("n,patience", [(9, 60.0), (11, 180.0), (13, 600.0), (8, 30.0)])
def test_erlang_a_matches_ctmc(n, patience):
    r = erlang_a_metrics(
        calls=100, interval_seconds=1800, aht=180, agents=n, patience=patience, answer_within=20
    )
    sl, ab = erlang_a_by_ctmc(n, 100 / 1800, 1 / 180, 1 / patience, 20.0)
    assert r.service_level == pytest.approx(sl, abs=1e-8)
    assert r.abandon_rate == pytest.approx(ab, abs=1e-8)


def test_erlang_a_tends_to_erlang_c():
    c = required_agents(calls=300, aht=240)
    a = required_agents(calls=300, aht=240, patience=1e9)
    assert a.agents == c.agents
    assert a.service_level == pytest.approx(c.service_level, abs=1e-6)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-5)
    assert a.abandon_rate < 1e-6


def test_erlang_a_abandonment_sane():
    rates = [
        erlang_a_metrics(calls=300, interval_seconds=1800, aht=240, agents=n, patience=120).abandon_rate
        for n in range(30, 60)
    ]
    assert all(0 <= r <= 1 for r in rates)
    assert all(b < a for a, b in zip(rates, rates[1:], strict=False))
    # impatient callers abandon more
    short = erlang_a_metrics(calls=300, interval_seconds=1800, aht=240, agents=40, patience=30).abandon_rate
    long = erlang_a_metrics(calls=300, interval_seconds=1800, aht=240, agents=40, patience=600).abandon_rate
    assert short > long
    # abandonment lowers the agents needed for the same SL, never raises them
    assert (
        required_agents(calls=300, aht=240, patience=60).agents <= required_agents(calls=300, aht=240).agents
    )


def test_max_abandon_target_is_smallest():
    r = required_agents(calls=500, aht=240, patience=90, target=0.0, max_abandon=0.02)
    assert r.abandon_rate <= 0.02
    worse = erlang_a_metrics(calls=500, interval_seconds=1800, aht=240, agents=r.agents - 1, patience=90)
    assert worse.abandon_rate > 0.02


def test_staff_intervals():
    out = staff_intervals([0, 100, 100, 2.5], interval_seconds=1800, aht=180)
    assert [r.agents for r in out[:3]] == [0, 14, 14]
    assert out[3].agents >= 1
