"""Twelve months of realistic work-order history for the demo utility.

``seed_work_orders`` builds orders, their clocks and timelines with the work order's own
pure rules — the commitment catalog resolved by ``workorders.rules.winning_rules``,
deadlines by ``clock_due`` on the working-day calendar, the transition table for the order
of events, master/child merging for the storm bursts — and hands them to the work-order
app's bulk history writer (``workorders.history``): no per-order service calls, so 50,000+
orders take seconds. Deterministic from ``seed`` (and ``now``).

Shape: a daily rhythm (morning and evening peaks), a weekly one (quieter weekends), a
summer peak in July–August, storm days that bring bursts of fault reports on a few
feeders (merged into masters with children), a few weak transformer areas that report
far more than their share, and realistic outcomes — most orders archived after a
callback (satisfied mostly, some basically satisfied or unreachable, a few unsatisfied
and reopened), some returned or cancelled. Only recent orders are still open: a few of
the last weeks' are forgotten past their deadline (the overdue tail); nothing older is.
Texts come from the labelled corpus in ``gridcare/analytics/data`` when present (never
the held-out evaluation file), else from built-in phrasings.

The package: ``texts`` (mixes and phrasings), ``rows``, ``lifecycle`` (one order's life),
``seed`` (``seed_work_orders``); every name is importable from here.
"""

from .lifecycle import (  # noqa: F401
    _base,
    _close,
    _follow,
    _meet,
    _simulate,
)
from .rows import (  # noqa: F401
    _ORDER_DEFAULTS,
    _Clock,
    _Ev,
    _order_row,
    _Rules,
    _subtype_for,
)
from .seed import (  # noqa: F401
    seed_work_orders,
)
from .texts import (  # noqa: F401
    CALLBACK_WORDS,
    CHANNEL_MIX,
    CORPUS_FILES,
    FALLBACK_TEXTS,
    HOURLY,
    REPLIES,
    STUCK_WITHIN,
    SUBTYPE_KEYWORDS,
    TYPE_MIX,
    WEEKDAY,
    _callback_outcome,
    _load_corpus,
)
