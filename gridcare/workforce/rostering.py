"""Shift planning: cover the per-interval agent requirement with the fewest paid hours.

Why: the Erlang requirement says how many agents each interval needs; people work whole
shifts with breaks. An integer programme (solved with HiGHS) chooses how many agents
start each shift variant:

    minimise   Σ_j paid_hours_j · x_j
    subject to Σ_j cover[t, j] · x_j ≥ required[t]   for every interval t
               x_j ∈ {0, 1, 2, …}

A *shift variant* j is a template (length, allowed start times) at one start time with
its break placed at one allowed offset; ``cover[t, j]`` is 1 when the variant is on duty
(not on break) during interval t. Breaks are paid (part of the shift length), so the
cost of a variant is its length. Shifts must fit inside the planning day.

The plan reports coverage, under/over-staffing per interval, peak reinforcement
suggestions (where one more agent cuts expected abandoned calls most, and intervals
running with no slack) and, with calls and patience, the expected abandoned calls
(Erlang A on the agents on the phones after shrinkage).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .erlang import _erlang_a_metrics
from .i18n import gettext as _


class RosterError(ValueError):
    """A roster that cannot be built from these inputs; the message says why."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift pattern: length, allowed start times and an optional break rule.

    ``starts`` are minutes after the start of the planning day (``None``: every interval
    where the shift fits). The break lasts ``break_minutes`` and starts between
    ``break_earliest`` and ``break_latest`` minutes after the shift start.
    """

    name: str
    length_minutes: int
    starts: tuple[int, ...] | None = None
    break_minutes: int = 0
    break_earliest: int = 0
    break_latest: int = 0


@dataclass(frozen=True)
class ShiftAssignment:
    template: str
    start_minute: int
    break_start_minute: int | None
    agents: int
    length_minutes: int


@dataclass
class RosterPlan:
    interval_minutes: int
    required: np.ndarray
    coverage: np.ndarray
    shifts: list[ShiftAssignment]
    agent_hours: float
    status: str
    expected_abandoned: float | None = None
    abandoned_per_interval: np.ndarray | None = None
    suggestions: list[dict] = field(default_factory=list)

    @property
    def gap(self) -> np.ndarray:
        """coverage − required per interval: negative = under-staffed, positive = over."""
        return self.coverage - self.required

    def as_dict(self) -> dict:
        return {
            "interval_minutes": self.interval_minutes,
            "status": self.status,
            "agent_hours": self.agent_hours,
            "required": self.required.tolist(),
            "coverage": self.coverage.tolist(),
            "gap": self.gap.tolist(),
            "shifts": [s.__dict__ for s in self.shifts],
            "expected_abandoned": self.expected_abandoned,
            "suggestions": self.suggestions,
        }


def _variants(
    templates: list[ShiftTemplate], n: int, step: int
) -> list[tuple[ShiftTemplate, int, int | None]]:
    out = []
    for tpl in templates:
        if tpl.length_minutes <= 0 or tpl.length_minutes % step:
            raise RosterError(
                _("班次 %(shift)s 时长须为 %(step)s 分钟时段长度的正整数倍")
                % {"shift": tpl.name, "step": step},
                field="templates",
            )
        if tpl.break_minutes % step or tpl.break_earliest % step or tpl.break_latest % step:
            raise RosterError(
                f"shift {tpl.name}: break times must be multiples of {step} min", field="templates"
            )
        length = tpl.length_minutes // step
        starts = tpl.starts if tpl.starts is not None else range(0, n * step, step)
        for s in starts:
            if s % step:
                raise RosterError(
                    f"shift {tpl.name}: start {s} is not on the {step}-min grid", field="templates"
                )
            if s < 0 or s // step + length > n:
                continue
            if tpl.break_minutes:
                for b in range(tpl.break_earliest, tpl.break_latest + 1, step):
                    if b + tpl.break_minutes <= tpl.length_minutes:
                        out.append((tpl, s, s + b))
            else:
                out.append((tpl, s, None))
    return out


def plan_shifts(
    required: list[int] | np.ndarray,
    templates: list[ShiftTemplate],
    *,
    interval_minutes: int = 30,
    time_limit: float = 30.0,
    mip_gap: float = 0.0,
) -> RosterPlan:
    """Optimal (within ``mip_gap``) shift plan covering ``required`` agents per interval."""
    import highspy

    req = np.asarray(required, dtype=float)
    if req.ndim != 1 or len(req) == 0:
        raise RosterError("required must be a non-empty list of agent counts", field="required")
    if (req < 0).any() or not np.isfinite(req).all():
        raise RosterError(_("需求坐席数不能为负"), field="required")
    req = np.ceil(req - 1e-9)
    n = len(req)
    variants = _variants(templates, n, interval_minutes)
    if not variants:
        raise RosterError(_("没有可用的班次"), field="templates")
    cover = np.zeros((n, len(variants)))
    for j, (tpl, s, b) in enumerate(variants):
        a = s // interval_minutes
        cover[a : a + tpl.length_minutes // interval_minutes, j] = 1
        if b is not None:
            bb = b // interval_minutes
            cover[bb : bb + tpl.break_minutes // interval_minutes, j] = 0
    uncoverable = (req > 0) & (cover.sum(1) == 0)
    if uncoverable.any():
        t = int(np.flatnonzero(uncoverable)[0])
        raise RosterError(
            _("第 %(n)s 个时段（第 %(minute)s 分钟）需要坐席，但没有班次可覆盖")
            % {"n": t + 1, "minute": t * interval_minutes},
            field="templates",
        )
    costs = np.array([tpl.length_minutes / 60 for tpl, _, _ in variants])
    rows = np.flatnonzero(req > 0)

    lp = highspy.HighsLp()
    lp.num_col_ = len(variants)
    lp.num_row_ = len(rows)
    lp.col_cost_ = costs
    lp.col_lower_ = np.zeros(len(variants))
    lp.col_upper_ = np.full(len(variants), highspy.kHighsInf)
    lp.row_lower_ = req[rows]
    lp.row_upper_ = np.full(len(rows), highspy.kHighsInf)
    sub = cover[rows]
    starts, index, values = [0], [], []
    for j in range(len(variants)):
        nz = np.flatnonzero(sub[:, j])
        index.extend(nz.tolist())
        values.extend([1.0] * len(nz))
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(values, dtype=float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(variants)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    x = np.round(np.asarray(h.getSolution().col_value, dtype=float)) if len(rows) else np.zeros(len(variants))
    if len(x) != len(variants) or (len(rows) and (cover @ x < req - 1e-6).any()):
        raise RosterError(
            _("求解失败：找不到覆盖需求的排班（%(status)s）") % {"status": status}, field="required"
        )
    shifts = [
        ShiftAssignment(tpl.name, s, b, int(x[j]), tpl.length_minutes)
        for j, (tpl, s, b) in enumerate(variants)
        if x[j] > 0
    ]
    coverage = cover @ x
    hours = float(costs @ x)
    return RosterPlan(interval_minutes, req, coverage, shifts, hours, status if len(rows) else "Optimal")


def abandoned_calls(
    calls: np.ndarray, agents: np.ndarray, *, interval_seconds: float, aht: float, patience: float
) -> np.ndarray:
    """Expected abandoned calls per interval (Erlang A) with these agents on the phones."""
    out = np.zeros(len(calls))
    for i, (c, n) in enumerate(zip(calls, agents, strict=True)):
        if c <= 0:
            continue
        m = _erlang_a_metrics(int(n), c / interval_seconds, 1.0 / aht, 1.0 / patience, 0.0)
        out[i] = c * m.abandon_rate
    return out


def evaluate_plan(
    plan: RosterPlan,
    calls: list[float] | np.ndarray,
    *,
    aht: float,
    patience: float,
    shrinkage: float = 0.0,
    extra: int = 1,
    top: int = 5,
) -> RosterPlan:
    """Add expected abandoned calls and peak reinforcement suggestions to ``plan``.

    Agents on the phones = floor(coverage × (1 − shrinkage)). A suggestion adds ``extra``
    agents to one interval; the ``top`` intervals where that saves the most abandoned
    calls are listed, then intervals that run with no slack at their requirement.
    """
    calls = np.asarray(calls, dtype=float)
    if len(calls) != len(plan.coverage):
        raise RosterError("calls and plan must have the same number of intervals", field="calls")
    secs = plan.interval_minutes * 60
    on_phone = np.floor(plan.coverage * (1 - shrinkage) + 1e-9)
    ab = abandoned_calls(calls, on_phone, interval_seconds=secs, aht=aht, patience=patience)
    ab_more = abandoned_calls(calls, on_phone + extra, interval_seconds=secs, aht=aht, patience=patience)
    saved = ab - ab_more
    plan.abandoned_per_interval = ab
    plan.expected_abandoned = float(ab.sum())
    order = [int(i) for i in np.argsort(-saved) if saved[i] > 0.05][:top]
    plan.suggestions = [
        {
            "interval": i,
            "minute": i * plan.interval_minutes,
            "reason": "most abandoned calls saved",
            "agents": int(plan.coverage[i]),
            "add": extra,
            "abandoned_before": float(ab[i]),
            "abandoned_after": float(ab_more[i]),
        }
        for i in order
    ]
    peak = float(plan.required.max()) if len(plan.required) else 0.0
    tight = [
        int(i)
        for i in np.flatnonzero(
            (plan.coverage - plan.required <= 0) & (plan.required >= 0.8 * peak) & (plan.required > 0)
        )
        if int(i) not in order
    ]
    plan.suggestions += [
        {
            "interval": i,
            "minute": i * plan.interval_minutes,
            "reason": "peak interval with no slack",
            "agents": int(plan.coverage[i]),
            "add": extra,
            "abandoned_before": float(ab[i]),
            "abandoned_after": float(ab_more[i]),
        }
        for i in tight[:top]
    ]
    return plan


def default_templates(open_minutes: int, interval_minutes: int = 30) -> list[ShiftTemplate]:
    """8-hour shifts with a 30-min break 3–5 h in, and 4-hour part-time shifts, any start."""
    brk = max(interval_minutes, 30)
    brk = math.ceil(brk / interval_minutes) * interval_minutes
    return [
        ShiftTemplate("full-8h", 8 * 60, None, brk, 3 * 60, 5 * 60),
        ShiftTemplate("part-4h", 4 * 60, None),
    ]
