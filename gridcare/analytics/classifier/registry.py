"""Which model classifies: the active database version, else the shipped ``seed-2``.

Resolution never fails because of the database: when the query errors (no database,
tables not migrated yet) or the active row's file is missing, the shipped artifact is
used. The shipped artifact is checked against this runtime (probe texts recorded at
training); if it is missing, unreadable or disagrees, it is retrained once from the seed
corpus and cached under ``DATA_DIR/models``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sklearn

from .corpus import SHIPPED_MODEL, SHIPPED_VERSION, seed_corpus
from .model import DEFAULT_THRESHOLD, TextClassifier

log = logging.getLogger(__name__)

# How long a resolved active model is trusted before the database is asked again.
RECHECK_SECONDS = 30.0

_lock = threading.RLock()
_models: dict[str, TextClassifier] = {}
_resolved: tuple[float, str] | None = None  # (monotonic time, version)


def data_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR)


def models_dir() -> Path:
    return data_dir() / "models"


def reset_cache() -> None:
    """Forget loaded models and the resolved version (tests; after activation)."""
    global _resolved
    with _lock:
        _models.clear()
        _resolved = None


def invalidate_active() -> None:
    """Ask the database again on the next call (called after train/activate)."""
    global _resolved
    with _lock:
        _resolved = None


def shipped_model() -> TextClassifier:
    """The artifact that ships with the package, usable with any database state."""
    with _lock:
        model = _models.get(SHIPPED_VERSION)
        if model is not None:
            return model
        model = _load_shipped()
        _models[SHIPPED_VERSION] = model
        return model


def _load_shipped() -> TextClassifier:
    try:
        model = TextClassifier.load(SHIPPED_MODEL)
        if model.metadata.get("sklearn_version") == sklearn.__version__ or model.self_check():
            return model
        log.warning("shipped classifier disagrees with this runtime; retraining from the seed corpus")
    except Exception as exc:  # missing or unreadable artifact
        log.warning("shipped classifier unavailable (%s); retraining from the seed corpus", exc)
    cache = models_dir() / f"{SHIPPED_VERSION}-sklearn{sklearn.__version__}.joblib"
    if cache.exists():
        try:
            model = TextClassifier.load(cache)
            if model.self_check():
                return model
        except Exception:
            log.warning("cached retrained classifier unreadable; retraining")
    rows = seed_corpus()
    model = TextClassifier.train(
        [r.text for r in rows],
        [r.request_type for r in rows],
        [r.dimension for r in rows],
        version=SHIPPED_VERSION,
    )
    model.metadata["trained_on"] = {"total": len(rows), "seed": len(rows)}
    try:
        model.save(cache)
    except OSError as exc:
        log.warning("could not cache the retrained classifier: %s", exc)
    return model


def _active_row():
    """(version, artifact path) of the active database row, or None; never raises."""
    try:
        from django.db import connection

        from ..models import ClassifierModel

        name = connection.settings_dict.get("NAME")
        if (
            connection.vendor == "sqlite"
            and name
            and str(name) != ":memory:"
            and "mode=memory" not in str(name)
        ):
            if not Path(name).exists():  # no database yet: do not create an empty file
                return None
        row = ClassifierModel.objects.filter(is_active=True).values_list("version", "artifact").first()
    except Exception as exc:  # no database, not migrated, connection refused …
        log.debug("classifier registry: database unavailable (%s)", exc)
        return None
    return row


def load_version(version: str, artifact: str) -> TextClassifier:
    path = Path(artifact)
    if not path.is_absolute():
        path = data_dir() / path
    with _lock:
        model = _models.get(version)
        if model is None or model.metadata.get("_path") != str(path):
            model = TextClassifier.load(path)
            model.metadata["version"] = version
            model.metadata["_path"] = str(path)
            _models[version] = model
        return model


def active_model() -> TextClassifier:
    """The model to classify with now (see module docstring)."""
    global _resolved
    with _lock:
        now = time.monotonic()
        if _resolved is not None and now - _resolved[0] < RECHECK_SECONDS and _resolved[1] in _models:
            return _models[_resolved[1]]
        row = _active_row()
        model = None
        if row is not None:
            try:
                model = load_version(*row)
            except Exception as exc:
                log.warning("active classifier %s unavailable (%s); using %s", row[0], exc, SHIPPED_VERSION)
        if model is None:
            model = shipped_model()
        _resolved = (now, model.version or SHIPPED_VERSION)
        _models.setdefault(_resolved[1], model)
        return model


@dataclass(frozen=True)
class Prediction:
    """A suggested label pair for one text. ``request_type`` is None for empty text."""

    request_type: str | None
    dimension: str | None
    request_type_probability: float | None
    dimension_probability: float | None
    probabilities: dict
    low_confidence: bool
    model_version: str

    def as_dict(self) -> dict:
        """JSON-ready form (API responses, bulk output)."""
        return {
            "request_type": self.request_type,
            "dimension": self.dimension,
            "request_type_probability": self.request_type_probability,
            "dimension_probability": self.dimension_probability,
            "probabilities": self.probabilities,
            "low_confidence": self.low_confidence,
            "model_version": self.model_version,
        }


def default_threshold() -> float:
    try:
        from django.conf import settings

        return float(getattr(settings, "GRIDCARE_CLASSIFIER_THRESHOLD", DEFAULT_THRESHOLD))
    except Exception:
        return DEFAULT_THRESHOLD


def classify_texts(
    texts: list[str], *, threshold: float | None = None, model: TextClassifier | None = None
) -> list[Prediction]:
    """Suggest request type and dimension for each text (intake suggestions, bulk runs).

    Empty or whitespace-only texts get a Prediction with ``None`` labels and
    ``low_confidence`` True; everything else is classified (very long text is cut
    internally). ``low_confidence`` is set when either top probability is below
    ``threshold`` (default ``settings.GRIDCARE_CLASSIFIER_THRESHOLD`` or 0.5).
    """
    model = model or active_model()
    threshold = default_threshold() if threshold is None else threshold
    version = model.version or SHIPPED_VERSION
    texts = [t if isinstance(t, str) else "" for t in texts]
    keep = [i for i, t in enumerate(texts) if t.strip()]
    raw = model.predict([texts[i] for i in keep], threshold=threshold)
    out: list[Prediction] = [Prediction(None, None, None, None, {}, True, version) for _ in texts]
    for i, p in zip(keep, raw, strict=True):
        out[i] = Prediction(
            request_type=p.request_type,
            dimension=p.dimension,
            request_type_probability=p.request_type_probability,
            dimension_probability=p.dimension_probability,
            probabilities=p.probabilities,
            low_confidence=p.low_confidence,
            model_version=version,
        )
    return out
