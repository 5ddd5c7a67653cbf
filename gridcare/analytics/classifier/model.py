"""The two-target text classifier (request type + dimension) and its artifact format."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn

from ..choices import DIMENSIONS, REQUEST_TYPES
from ..textnorm import PLACEHOLDERS, normalize
from .features import FeatureConfig, TextFeaturizer
from .heads import HeadConfig, LinearHead, oof_scores, softmax, train_head

ARTIFACT_FORMAT = 1
DEFAULT_THRESHOLD = 0.5
# Longer texts are cut before featurising: a complaint letter states its point early,
# and bounded length keeps throughput predictable.
MAX_CHARS = 1500
PROBE_TEXTS = [
    "家里停电了，快派人来修",
    "电费怎么这么高，要求退钱，投诉",
    "楼下电线杆倾斜，电线冒火花",
    "想问一下峰谷电怎么办理",
    "感谢抢修师傅半夜来修好",
]


@dataclass
class TrainConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    type_head: HeadConfig = field(default_factory=HeadConfig)
    dim_head: HeadConfig = field(default_factory=HeadConfig)
    # "independent": two separate heads; "stacked": the dimension head also sees the
    # (out-of-fold during training) request-type probabilities — a small but consistent
    # gain for the dimension in 5-fold and cross-register validation.
    strategy: str = "stacked"
    stack_weight: float = 0.5
    # Robustness to clipped, misspelt and dialect text: each training text also appears
    # ``augment_copies`` times with each Chinese character dropped with probability
    # ``augment_dropout`` (chosen by cross-register validation on the training corpus).
    augment_copies: int = 2
    augment_dropout: float = 0.15

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """Inverse of ``as_dict``; missing keys take the defaults (the polarity flags: off)."""
        default = cls()
        return cls(
            # A config stored before the polarity block existed describes a model without it.
            features=FeatureConfig(
                **{"use_polarity": False, "mark_negation": False, **d.get("features", {})}
            ),
            type_head=HeadConfig(**d.get("type_head", {})),
            dim_head=HeadConfig(**d.get("dim_head", {})),
            strategy=d.get("strategy", default.strategy),
            stack_weight=d.get("stack_weight", default.stack_weight),
            augment_copies=d.get("augment_copies", default.augment_copies),
            augment_dropout=d.get("augment_dropout", default.augment_dropout),
        )


@dataclass
class RawPrediction:
    request_type: str
    dimension: str
    request_type_probability: float
    dimension_probability: float
    probabilities: dict
    low_confidence: bool


class TextClassifier:
    """Featuriser + request-type head + dimension head, plus metadata."""

    def __init__(
        self,
        featurizer: TextFeaturizer,
        type_head: LinearHead,
        dim_head: LinearHead,
        config: TrainConfig,
        metadata: dict | None = None,
    ):
        self.featurizer = featurizer
        self.type_head = type_head
        self.dim_head = dim_head
        self.config = config
        self.metadata = metadata or {}

    # -- training ------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        texts: list[str],
        types: list[str],
        dims: list[str],
        config: TrainConfig | None = None,
        *,
        calibrate: bool = True,
        version: str = "",
    ) -> TextClassifier:
        config = config or TrainConfig()
        check_labels(list(types), list(dims))
        norm = [normalize(t, MAX_CHARS) for t in texts]
        featurizer = TextFeaturizer(config.features)
        n = len(norm)
        groups = np.arange(n)
        if config.augment_copies > 0:
            rng = random.Random(0)
            extra = [
                augment(t, rng, config.augment_dropout) for _ in range(config.augment_copies) for t in norm
            ]
            norm = norm + extra
            types = list(types) * (config.augment_copies + 1)
            dims = list(dims) * (config.augment_copies + 1)
            groups = np.tile(groups, config.augment_copies + 1)
        originals = np.arange(len(norm)) < n
        # The vocabulary includes n-grams of the noisy copies: they act as skip-grams
        # (characters that were one apart), which is what makes the copies useful.
        X = featurizer.fit_transform(norm)
        y_type, y_dim = np.asarray(types), np.asarray(dims)
        kw = {
            "calibrate": calibrate,
            "groups": groups if config.augment_copies else None,
            "calibration_rows": originals,
        }
        type_head = train_head(X, y_type, config.type_head, **kw)
        if config.strategy == "stacked":
            scores, classes = oof_scores(X, y_type, config.type_head, kw["groups"])
            p_type = softmax(scores, type_head.temperature)
            Xd = cls._stack(X, p_type, config.stack_weight)
        else:
            Xd = X
        dim_head = train_head(Xd, y_dim, config.dim_head, **kw)
        metadata = {
            "format": ARTIFACT_FORMAT,
            "version": version,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "sklearn_version": sklearn.__version__,
            "numpy_version": np.__version__,
            "n_features": featurizer.n_features,
            "trained_on": {"total": len(texts)},
        }
        model = cls(featurizer, type_head, dim_head, config, metadata)
        model.metadata["probes"] = model.predict_proba_arrays(PROBE_TEXTS)[0].round(6).tolist()
        return model

    @staticmethod
    def _stack(X: sp.csr_matrix, p_type: np.ndarray, weight: float) -> sp.csr_matrix:
        return sp.hstack([X, sp.csr_matrix(p_type.astype(np.float32) * weight)], format="csr")

    # -- prediction ----------------------------------------------------------------------
    @property
    def version(self) -> str:
        return self.metadata.get("version", "")

    def predict_proba_arrays(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return self._predict_normalized([normalize(t, MAX_CHARS) for t in texts])

    def _predict_normalized(self, norm: list[str]) -> tuple[np.ndarray, np.ndarray]:
        X = self.featurizer.transform(norm)
        p_type = self.type_head.predict_proba(X)
        Xd = self._stack(X, p_type, self.config.stack_weight) if self.config.strategy == "stacked" else X
        p_dim = self.dim_head.predict_proba(Xd)
        return p_type, p_dim

    def predict(self, texts: list[str], threshold: float = DEFAULT_THRESHOLD) -> list[RawPrediction]:
        if not texts:
            return []
        norm = [normalize(t, MAX_CHARS) for t in texts]
        p_type, p_dim = self._predict_normalized(norm)
        tc, dc = self.type_head.classes, self.dim_head.classes
        ti, di = p_type.argmax(axis=1), p_dim.argmax(axis=1)
        out = []
        for r in range(len(texts)):
            tp, dp = float(p_type[r, ti[r]]), float(p_dim[r, di[r]])
            out.append(
                RawPrediction(
                    request_type=tc[ti[r]],
                    dimension=dc[di[r]],
                    request_type_probability=round(tp, 4),
                    dimension_probability=round(dp, 4),
                    probabilities={
                        "request_type": {c: round(float(p), 4) for c, p in zip(tc, p_type[r], strict=True)},
                        "dimension": {c: round(float(p), 4) for c, p in zip(dc, p_dim[r], strict=True)},
                    },
                    low_confidence=bool(tp < threshold or dp < threshold or too_little_text(norm[r])),
                )
            )
        return out

    def self_check(self) -> bool:
        """True when this runtime reproduces the probabilities recorded at training time."""
        probes = self.metadata.get("probes")
        if not probes:
            return True
        got = self.predict_proba_arrays(PROBE_TEXTS)[0]
        return bool(np.allclose(got, np.asarray(probes), atol=1e-3))

    # -- storage -------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "metadata": self.metadata,
            "config": self.config.as_dict(),
            "featurizer": self.featurizer.state(),
            "type_head": self.type_head.state(),
            "dim_head": self.dim_head.state(),
        }
        # Write then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        try:
            joblib.dump(state, tmp, compress=("xz", 3))
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> TextClassifier:
        state = joblib.load(path)
        if state.get("metadata", {}).get("format") != ARTIFACT_FORMAT:
            raise ValueError(f"unsupported classifier artifact format in {path}")
        return cls(
            featurizer=TextFeaturizer.from_state(state["featurizer"]),
            type_head=LinearHead.from_state(state["type_head"]),
            dim_head=LinearHead.from_state(state["dim_head"]),
            config=TrainConfig.from_dict(state["config"]),
            metadata=state["metadata"],
        )


def augment(norm: str, rng: random.Random, dropout: float) -> str:
    """A noisy copy of a normalised text: Chinese characters dropped at random."""
    return "".join(ch for ch in norm if not ("\u4e00" <= ch <= "\u9fff" and rng.random() < dropout))


_PLACEHOLDER_RE = re.compile("|".join(PLACEHOLDERS))
_CONTENT_RE = re.compile(r"[\u4e00-\u9fff]|[a-z]{2,}")


def too_little_text(norm: str) -> bool:
    """Fewer than two Chinese characters or Latin words once numbers are masked out:
    whatever the probabilities say, there is nothing to base a label on."""
    return len(_CONTENT_RE.findall(_PLACEHOLDER_RE.sub(" ", norm))) < 2


def check_labels(types: list[str], dims: list[str]) -> None:
    bad_t = sorted(set(types) - set(REQUEST_TYPES))
    bad_d = sorted(set(dims) - set(DIMENSIONS))
    if bad_t or bad_d:
        raise ValueError(f"unknown label codes: request_type {bad_t}, dimension {bad_d}")
