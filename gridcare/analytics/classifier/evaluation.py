"""Evaluation: per-class precision/recall/F1 and confusion matrices, as data and as text."""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import train_test_split

from ..choices import DIMENSIONS, REQUEST_TYPES
from .corpus import LabelledText
from .model import TextClassifier, TrainConfig

TARGETS = (("request_type", REQUEST_TYPES), ("dimension", DIMENSIONS))


def target_metrics(y_true: list[str], y_pred: list[str], labels: tuple[str, ...]) -> dict:
    present = [c for c in labels if c in set(y_true) | set(y_pred)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    per_class = {
        c: {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(s[i]),
        }
        for i, c in enumerate(present)
    }
    with_support = [c for c in present if per_class[c]["support"] > 0]
    macro = float(np.mean([per_class[c]["f1"] for c in with_support])) if with_support else 0.0
    accuracy = float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if y_true else 0.0
    return {
        "macro_f1": round(macro, 4),
        "accuracy": round(accuracy, 4),
        "n": len(y_true),
        "per_class": per_class,
        "labels": present,
        "confusion": confusion_matrix(y_true, y_pred, labels=present).tolist() if y_true else [],
    }


def evaluate(model: TextClassifier, rows: list[LabelledText], threshold: float = 0.5) -> dict:
    """Metrics of ``model`` on labelled rows, both targets, plus low-confidence share."""
    if not rows:
        return {}
    preds = model.predict([r.text for r in rows], threshold=threshold)
    out = {}
    for target, labels in TARGETS:
        out[target] = target_metrics(
            [getattr(r, target) for r in rows], [getattr(p, target) for p in preds], labels
        )
    flagged = np.array([p.low_confidence for p in preds])
    out["low_confidence_share"] = round(float(flagged.mean()), 4)
    for target, _labels in TARGETS:
        correct = np.array(
            [getattr(p, target) == getattr(r, target) for p, r in zip(preds, rows, strict=True)]
        )
        conf = np.array([getattr(p, f"{target}_probability") for p in preds], dtype=float)
        out[target]["ece"] = round(expected_calibration_error(conf, correct), 4)
        out[target]["accuracy_confident"] = (
            round(float(correct[~flagged].mean()), 4) if (~flagged).any() else None
        )
        out[target]["accuracy_low_confidence"] = (
            round(float(correct[flagged].mean()), 4) if flagged.any() else None
        )
    by_register: dict[str, dict] = {}
    for reg in sorted({r.register for r in rows if r.register}):
        idx = [i for i, r in enumerate(rows) if r.register == reg]
        by_register[reg] = {
            "n": len(idx),
            "request_type_accuracy": round(
                float(np.mean([preds[i].request_type == rows[i].request_type for i in idx])), 4
            ),
            "dimension_accuracy": round(
                float(np.mean([preds[i].dimension == rows[i].dimension for i in idx])), 4
            ),
        }
    if by_register:
        out["by_register"] = by_register
    return out


def contrast_metrics(model: TextClassifier, rows: list[dict]) -> dict:
    """Minimal-pair accuracy: a pair counts when both its texts are right.

    ``pairs_type``: both request types right (the point of the set: polarity,
    negation, intent, sarcasm); ``pairs_both``: both labels of both texts right;
    ``texts_type`` / ``texts_dimension``: per-text accuracy; ``by_phenomenon``:
    the pair figures per phenomenon; ``errors``: the texts whose request type is wrong.
    """
    if not rows:
        return {}
    preds = model.predict([r["text"] for r in rows])
    pairs: dict[str, list[tuple[bool, bool]]] = {}
    phenomenon: dict[str, str] = {}
    errors = []
    for r, p in zip(rows, preds, strict=True):
        ok_t, ok_d = p.request_type == r["request_type"], p.dimension == r["dimension"]
        pairs.setdefault(r["pair"], []).append((ok_t, ok_d))
        phenomenon[r["pair"]] = r.get("phenomenon", "")
        if not ok_t:
            errors.append(
                {"pair": r["pair"], "text": r["text"], "expected": r["request_type"], "got": p.request_type}
            )

    def rate(values) -> float:
        values = list(values)
        return round(float(np.mean(values)), 4) if values else 0.0

    by_phenomenon = {}
    for name in sorted(set(phenomenon.values())):
        ids = [i for i, ph in phenomenon.items() if ph == name]
        by_phenomenon[name] = {
            "pairs": len(ids),
            "pairs_type": rate(all(t for t, _ in pairs[i]) for i in ids),
            "pairs_both": rate(all(t and d for t, d in pairs[i]) for i in ids),
        }
    return {
        "pairs": len(pairs),
        "texts": len(rows),
        "pairs_type": rate(all(t for t, _ in v) for v in pairs.values()),
        "pairs_both": rate(all(t and d for t, d in v) for v in pairs.values()),
        "texts_type": rate(t for v in pairs.values() for t, _ in v),
        "texts_dimension": rate(d for v in pairs.values() for _, d in v),
        "by_phenomenon": by_phenomenon,
        "errors": errors,
    }


def format_contrast(title: str, m: dict) -> str:
    if not m:
        return f"== {title}: no data\n"
    lines = [
        f"== {title}",
        f"pairs {m['pairs']} ({m['texts']} texts): both request types right {m['pairs_type']:.3f}, "
        f"both labels of both texts right {m['pairs_both']:.3f}",
        f"per text: request type {m['texts_type']:.3f}, dimension {m['texts_dimension']:.3f}",
    ]
    for name, v in m["by_phenomenon"].items():
        lines.append(
            f"  {name:<10} pairs {v['pairs']:<4} type {v['pairs_type']:.3f}  type+dimension {v['pairs_both']:.3f}"
        )
    return "\n".join(lines) + "\n"


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by bin size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.sum() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total / max(len(confidence), 1))


def stratified_split(rows: list[LabelledText], test_size: float = 0.2, seed: int = 0):
    """Train/test split stratified on (type, dimension) pairs; rare pairs fall back to type."""
    pairs = [f"{r.request_type}|{r.dimension}" for r in rows]
    counts = Counter(pairs)
    strata = [p if counts[p] >= 2 else r.request_type for p, r in zip(pairs, rows, strict=True)]
    counts = Counter(strata)
    strata = [s if counts[s] >= 2 else "_rare" for s in strata]
    if Counter(strata).get("_rare", 2) < 2:
        strata = [s if s != "_rare" else rows[0].request_type for s in strata]
    train, test = train_test_split(rows, test_size=test_size, random_state=seed, stratify=strata)
    return train, test


def split_evaluation(
    rows: list[LabelledText],
    config: TrainConfig | None = None,
    test_size: float = 0.2,
    seed: int = 0,
    threshold: float = 0.5,
) -> dict:
    """Train on a stratified 80 % of ``rows``, evaluate on the other 20 %."""
    train, test = stratified_split(rows, test_size, seed)
    model = TextClassifier.train(
        [r.text for r in train], [r.request_type for r in train], [r.dimension for r in train], config
    )
    return evaluate(model, test, threshold)


def format_metrics(title: str, metrics: dict) -> str:
    """Human-readable report: per-class table and confusion matrix for each target."""
    if not metrics:
        return f"== {title}: no data\n"
    lines = [f"== {title}"]
    for target, _labels in TARGETS:
        m = metrics[target]
        lines.append(f"-- {target}: macro-F1 {m['macro_f1']:.3f}  accuracy {m['accuracy']:.3f}  n={m['n']}")
        if m.get("ece") is not None:
            conf, low = m.get("accuracy_confident"), m.get("accuracy_low_confidence")
            lines.append(
                f"   calibration error (ECE) {m['ece']:.3f}; accuracy when confident "
                f"{'-' if conf is None else f'{conf:.3f}'}, when flagged low-confidence "
                f"{'-' if low is None else f'{low:.3f}'}"
            )
        width = max(len(c) for c in m["labels"]) + 2
        lines.append(f"{'':{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
        for c in m["labels"]:
            pc = m["per_class"][c]
            lines.append(
                f"{c:{width}}{pc['precision']:>10.3f}{pc['recall']:>10.3f}{pc['f1']:>10.3f}{pc['support']:>10}"
            )
        lines.append("confusion (rows = true, columns = predicted):")
        abbrev = [c[:6] for c in m["labels"]]
        lines.append(f"{'':{width}}" + "".join(f"{a:>8}" for a in abbrev))
        for c, row in zip(m["labels"], m["confusion"], strict=True):
            lines.append(f"{c:{width}}" + "".join(f"{v:>8}" for v in row))
    if "low_confidence_share" in metrics:
        lines.append(f"low-confidence share: {metrics['low_confidence_share']:.3f}")
    if metrics.get("by_register"):
        lines.append("accuracy by register:")
        for reg, v in metrics["by_register"].items():
            lines.append(
                f"  {reg:<12} n={v['n']:<5} type {v['request_type_accuracy']:.3f}  dimension {v['dimension_accuracy']:.3f}"
            )
    return "\n".join(lines) + "\n"
