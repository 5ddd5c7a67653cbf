"""Where training text comes from: the shipped seed corpus plus registered sources.

Other apps (work orders: confirmed labels at intake) supply labelled text by
registering a provider::

    from gridcare.analytics.classifier import register_training_source

    @register_training_source
    def confirmed_work_orders():
        for order in WorkOrder.objects.filter(label_confirmed=True).iterator():
            yield order.text, order.request_type, order.dimension

A provider returns an iterable of ``(text, request_type, dimension)`` triples; rows
with unknown codes or empty text are skipped (and counted).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..choices import DIMENSIONS, REQUEST_TYPES

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# seed_corpus_polarity.jsonl (from seed-2): polarity, negation, intent and sarcasm —
# "态度很差" vs "态度很好", "没有不满意", "不是投诉，想问…", scare quotes (issue 19).
SEED_FILES = ("seed_corpus_agent.jsonl", "seed_corpus_customer.jsonl", "seed_corpus_polarity.jsonl")
HELDOUT_FILE = DATA_DIR / "heldout_eval.jsonl"
# Minimal pairs (polarity, negation, intent, sarcasm), written apart from the training
# data; never trained on. Each line: pair, side, phenomenon, text, request_type, dimension.
CONTRAST_FILE = DATA_DIR / "contrast_pairs.jsonl"
SHIPPED_VERSION = "seed-2"
SHIPPED_MODEL = DATA_DIR / "model" / f"{SHIPPED_VERSION}.joblib"
# The first round's artifact (no polarity block), kept for before/after comparisons;
# TextClassifier.load still reads it.
PREVIOUS_SHIPPED_MODEL = DATA_DIR / "model" / "seed-1.joblib"

TrainingSource = Callable[[], Iterable[tuple[str, str, str]]]
training_sources: list[TrainingSource] = []


def register_training_source(func: TrainingSource) -> TrainingSource:
    """Add a provider of confirmed labels; usable as a decorator. Idempotent."""
    if func not in training_sources:
        training_sources.append(func)
    return func


@dataclass
class LabelledText:
    text: str
    request_type: str
    dimension: str
    source: str = "seed"
    register: str = ""


def read_jsonl(path: Path, source: str) -> list[LabelledText]:
    rows = []
    if not path.exists():
        return rows
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            row = _valid(obj.get("text"), obj.get("request_type"), obj.get("dimension"), source)
            if row is not None:
                row.register = str(obj.get("register") or "")
                rows.append(row)
    return rows


def _valid(text, request_type, dimension, source) -> LabelledText | None:
    if not isinstance(text, str) or not text.strip():
        return None
    if request_type not in REQUEST_TYPES or dimension not in DIMENSIONS:
        return None
    return LabelledText(text.strip(), request_type, dimension, source)


def seed_corpus() -> list[LabelledText]:
    rows: list[LabelledText] = []
    for name in SEED_FILES:
        rows.extend(read_jsonl(DATA_DIR / name, "seed"))
    return rows


def heldout_corpus() -> list[LabelledText]:
    return read_jsonl(HELDOUT_FILE, "heldout")


def contrast_pairs() -> list[dict]:
    """The minimal-pair set: dicts with pair, side, phenomenon, text, request_type, dimension."""
    rows = []
    if not CONTRAST_FILE.exists():
        return rows
    with open(CONTRAST_FILE, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def collect_training_data(include_sources: bool = True) -> tuple[list[LabelledText], dict]:
    """Seed corpus plus every registered source, de-duplicated by text (later wins)."""
    by_text: dict[str, LabelledText] = {}
    counts = {"seed": 0, "sources": {}, "skipped": 0}
    for row in seed_corpus():
        by_text[row.text] = row
        counts["seed"] += 1
    if include_sources:
        for func in training_sources:
            name = getattr(func, "__qualname__", repr(func))
            n = 0
            for text, rt, dim in func():
                row = _valid(text, rt, dim, name)
                if row is None:
                    counts["skipped"] += 1
                    continue
                by_text[row.text] = row
                n += 1
            counts["sources"][name] = n
    rows = list(by_text.values())
    counts["total"] = len(rows)
    return rows, counts
