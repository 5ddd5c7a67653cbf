"""Periodic jobs declared in code and run by `gridcare worker`.

Each job is a plain function that must be idempotent: safe when two workers run it at
the same time and safe when it runs twice (the SLA sweep, for example, only acts on
orders whose state changes, under row locks). Apps declare jobs in ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    func: Callable[[], object]


PERIODIC: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every_seconds: int):
    def deco(fn):
        PERIODIC[name] = PeriodicJob(name, every_seconds, fn)
        return fn

    return deco
