"""Building the artifact shipped in the package (``seed-2``) — a maintainer's step.

``gridcare classifier build-seed`` retrains from the seed corpus only, records the
stratified-split, held-out and minimal-pair figures in the artifact's metadata, and
writes ``gridcare/analytics/data/model/seed-2.joblib``. (``seed-1``, the first round's
artifact without the polarity block, stays beside it for comparisons.)
"""

from __future__ import annotations

from pathlib import Path

from .corpus import SHIPPED_MODEL, SHIPPED_VERSION, contrast_pairs, heldout_corpus, seed_corpus
from .evaluation import contrast_metrics, evaluate, split_evaluation
from .model import TextClassifier, TrainConfig


def build_shipped_model(
    path: Path = SHIPPED_MODEL, config: TrainConfig | None = None, run_evaluation: bool = True
) -> TextClassifier:
    rows = seed_corpus()
    config = config or TrainConfig()
    metrics = {}
    if run_evaluation:
        metrics["split"] = split_evaluation(rows, config)
    model = TextClassifier.train(
        [r.text for r in rows],
        [r.request_type for r in rows],
        [r.dimension for r in rows],
        config,
        version=SHIPPED_VERSION,
    )
    if run_evaluation:
        metrics["heldout"] = evaluate(model, heldout_corpus())
        contrast = contrast_metrics(model, contrast_pairs())
        contrast.pop("errors", None)
        model.metadata["contrast"] = contrast
    model.metadata["trained_on"] = {"total": len(rows), "seed": len(rows), "sources": {}}
    model.metadata["metrics"] = metrics
    model.save(path)
    return model
