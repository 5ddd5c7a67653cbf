"""Fixtures of the analytics tests: a small classifier trained once per session."""

import random

import pytest

from gridcare.analytics.classifier import TextClassifier, TrainConfig, registry, seed_corpus

# Tests train without augmentation: a quarter of the time, same code paths otherwise.
FAST = TrainConfig(augment_copies=0)


def small_rows(n: int = 500):
    rows = seed_corpus()
    return random.Random(1).sample(rows, min(n, len(rows)))


@pytest.fixture(scope="session")
def small_model():
    rows = small_rows()
    return TextClassifier.train(
        [r.text for r in rows],
        [r.request_type for r in rows],
        [r.dimension for r in rows],
        FAST,
        version="test-small",
    )


@pytest.fixture(autouse=True)
def _fresh_registry():
    registry.invalidate_active()
    yield
    registry.invalidate_active()


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _isolated_training_sources():
    """Tests register their own label sources; the app's own (confirmed work-order labels) stays out."""
    from gridcare.analytics.classifier import training_sources

    saved = list(training_sources)
    training_sources.clear()
    yield
    training_sources[:] = saved
