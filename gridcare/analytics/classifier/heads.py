"""Linear classification heads with temperature-calibrated probabilities.

A head is a linear model (LinearSVC or multinomial logistic regression, trained with
scikit-learn) reduced to its weights: ``coef`` (float32), ``intercept``, the class
codes, and one temperature ``T`` fitted on out-of-fold decision scores so that
``softmax(scores / T)`` gives calibrated probabilities (minimum log-loss). Keeping only
arrays makes artifacts small and independent of the scikit-learn release.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.svm import LinearSVC


@dataclass
class HeadConfig:
    estimator: str = "svm"  # "svm" (LinearSVC) or "lr" (LogisticRegression, saga)
    C: float = 0.5
    class_weight: str | None = "balanced"
    calibration_folds: int = 5
    random_state: int = 0


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def _make_estimator(cfg: HeadConfig):
    if cfg.estimator == "svm":
        return LinearSVC(C=cfg.C, class_weight=cfg.class_weight, random_state=cfg.random_state)
    if cfg.estimator == "lr":
        return LogisticRegression(
            C=cfg.C,
            solver="saga",
            max_iter=3000,
            class_weight=cfg.class_weight,
            random_state=cfg.random_state,
        )
    raise ValueError(f"unknown estimator {cfg.estimator!r}")


def _scores(est, X) -> np.ndarray:
    s = est.decision_function(X)
    if s.ndim == 1:  # binary problem: make it two columns
        s = np.column_stack([-s, s])
    return s


def fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    """The temperature minimising the log-loss of ``softmax(scores / T)``."""

    def nll(log_t: float) -> float:
        p = softmax(scores.astype(np.float64), float(np.exp(log_t)))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y_idx)), y_idx], 1e-12, None))))

    res = minimize_scalar(nll, bounds=(np.log(0.01), np.log(100.0)), method="bounded")
    return float(np.exp(res.x))


@dataclass
class LinearHead:
    classes: list[str]
    coef: np.ndarray  # (n_classes, n_features) float32
    intercept: np.ndarray  # (n_classes,) float32
    temperature: float = 1.0

    def decision(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef.T) + self.intercept

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        return softmax(self.decision(X).astype(np.float64), self.temperature)

    def state(self) -> dict:
        return {
            "classes": list(self.classes),
            "coef": self.coef,
            "intercept": self.intercept,
            "temperature": self.temperature,
        }

    @classmethod
    def from_state(cls, state: dict) -> LinearHead:
        return cls(
            classes=list(state["classes"]),
            coef=np.asarray(state["coef"], dtype=np.float32),
            intercept=np.asarray(state["intercept"], dtype=np.float32),
            temperature=float(state["temperature"]),
        )


def oof_scores(
    X, y: np.ndarray, cfg: HeadConfig, groups: np.ndarray | None = None
) -> tuple[np.ndarray, list[str]]:
    """Out-of-fold decision scores (columns in sorted class order) for calibration/stacking.

    ``groups`` keeps rows of one group (a text and its augmented copies) in one fold.
    """
    classes = sorted(set(y.tolist()))
    index = {c: i for i, c in enumerate(classes)}
    scores = np.zeros((X.shape[0], len(classes)), dtype=np.float64)
    counts = np.bincount([index[c] for c in y], minlength=len(classes))
    folds = max(2, min(cfg.calibration_folds, int(counts.min())))
    if groups is None:
        splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=cfg.random_state).split(
            np.zeros(len(y)), y
        )
    else:
        splits = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=cfg.random_state).split(
            np.zeros(len(y)), y, groups
        )
    for tr, te in splits:
        est = _make_estimator(cfg).fit(X[tr], y[tr])
        s = _scores(est, X[te])
        cols = [index[c] for c in est.classes_]
        block = np.full((len(te), len(classes)), -10.0)
        block[:, cols] = s
        scores[te] = block
    return scores, classes


def train_head(
    X,
    y,
    cfg: HeadConfig,
    calibrate: bool = True,
    groups: np.ndarray | None = None,
    calibration_rows: np.ndarray | None = None,
) -> LinearHead:
    """Fit a head on all rows; the temperature comes from out-of-fold scores.

    With augmented training data, ``groups`` ties copies to their original and
    ``calibration_rows`` (a boolean mask) limits the temperature fit to original texts.
    """
    y = np.asarray(y)
    est = _make_estimator(cfg).fit(X, y)
    classes = [str(c) for c in est.classes_]
    coef = est.coef_
    intercept = est.intercept_
    if coef.shape[0] == 1:  # binary
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    temperature = 1.0
    if calibrate and len(classes) > 1:
        scores, oof_classes = oof_scores(X, y, cfg, groups)
        assert oof_classes == classes
        idx = {c: i for i, c in enumerate(classes)}
        y_idx = np.array([idx[c] for c in y])
        if calibration_rows is not None:
            scores, y_idx = scores[calibration_rows], y_idx[calibration_rows]
        temperature = fit_temperature(scores, y_idx)
    return LinearHead(
        classes=classes,
        coef=np.ascontiguousarray(coef, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32),
        temperature=temperature,
    )
