"""Request classification: request type and analysis dimension from free text.

Public surface (the rest of GridCare imports only these):

- ``classify_texts(texts) -> list[Prediction]`` — suggestions with calibrated
  probabilities, a low-confidence flag and the model version that produced them;
- ``register_training_source(func)`` / ``training_sources`` — providers of confirmed
  ``(text, request_type, dimension)`` triples used by ``gridcare classifier train``;
- ``active_model()``, ``reset_cache()``.
"""

from .corpus import (
    SHIPPED_VERSION,
    LabelledText,
    heldout_corpus,
    register_training_source,
    seed_corpus,
    training_sources,
)
from .model import DEFAULT_THRESHOLD, TextClassifier, TrainConfig
from .registry import Prediction, active_model, classify_texts, invalidate_active, reset_cache, shipped_model

__all__ = [
    "DEFAULT_THRESHOLD",
    "SHIPPED_VERSION",
    "LabelledText",
    "Prediction",
    "TextClassifier",
    "TrainConfig",
    "active_model",
    "classify_texts",
    "heldout_corpus",
    "invalidate_active",
    "register_training_source",
    "reset_cache",
    "seed_corpus",
    "shipped_model",
    "training_sources",
]
