import numpy as np
import pytest

from gridcare.analytics.choices import DIMENSIONS, REQUEST_TYPES
from gridcare.analytics.classifier import (
    SHIPPED_VERSION,
    TextClassifier,
    active_model,
    classify_texts,
    register_training_source,
    registry,
    shipped_model,
    training_sources,
)
from gridcare.analytics.classifier.corpus import SHIPPED_MODEL
from gridcare.analytics.models import ClassifierModel
from gridcare.analytics.services import classifier_activate, classifier_train
from gridcare.core.errors import ApplicationError

from .conftest import FAST, small_rows

CLEAR = [
    ("家里停电了，整栋楼都没电，请尽快派人来抢修", "fault_repair", "supply_reliability"),
    ("门口电线掉在地上还冒火花，太危险了，快来处理", "fault_repair", "supply_safety"),
    ("请问办理峰谷电需要带什么材料", "consultation", "business_handling"),
    ("感谢抢修师傅半夜冒雨把电修好了", "praise", "supply_reliability"),
    ("举报隔壁饭店私接电线偷电", "report", "billing_payment"),
]


def test_shipped_model_classifies_clear_texts():
    preds = classify_texts([t for t, _, _ in CLEAR], model=shipped_model())
    for (text, rt, dim), p in zip(CLEAR, preds, strict=True):
        assert (p.request_type, p.dimension) == (rt, dim), text
        assert p.model_version == SHIPPED_VERSION


def test_probabilities_are_distributions(small_model):
    p = classify_texts(["电费怎么这么高，我要投诉，退钱"], model=small_model)[0]
    assert set(p.probabilities["request_type"]) <= set(REQUEST_TYPES)
    assert set(p.probabilities["dimension"]) <= set(DIMENSIONS)
    assert sum(p.probabilities["request_type"].values()) == pytest.approx(1, abs=1e-3)
    assert sum(p.probabilities["dimension"].values()) == pytest.approx(1, abs=1e-3)
    assert p.request_type_probability == max(p.probabilities["request_type"].values())
    assert p.request_type == max(p.probabilities["request_type"], key=p.probabilities["request_type"].get)


def test_low_confidence_flag_follows_threshold(small_model):
    texts = ["电费太贵了", "停电了快来修"]
    assert all(p.low_confidence for p in classify_texts(texts, model=small_model, threshold=0.999))
    assert not any(p.low_confidence for p in classify_texts(texts, model=small_model, threshold=0.0))


def test_vague_texts_are_flagged_low_confidence():
    for p in classify_texts(["？？？", "12345678", "asdfgh", "喂？"], model=shipped_model()):
        assert p.low_confidence, p


def test_empty_text_gives_no_labels(small_model):
    p = classify_texts(["  ", "停电了"], model=small_model)
    assert p[0].request_type is None and p[0].dimension is None and p[0].low_confidence
    assert p[1].request_type is not None


def test_save_load_round_trip(small_model, tmp_path):
    path = small_model.save(tmp_path / "m.joblib")
    loaded = TextClassifier.load(path)
    texts = ["电表黑屏了但是有电", "网上国网登录不上"]
    a, b = small_model.predict_proba_arrays(texts), loaded.predict_proba_arrays(texts)
    assert np.allclose(a[0], b[0]) and np.allclose(a[1], b[1])
    assert loaded.self_check()
    assert loaded.metadata["sklearn_version"]


def test_shipped_artifact_is_small_and_versioned():
    assert SHIPPED_MODEL.stat().st_size < 15 * 1024 * 1024
    meta = shipped_model().metadata
    assert meta["version"] == SHIPPED_VERSION and meta["sklearn_version"]
    assert shipped_model().self_check()


def test_no_database_falls_back_to_shipped_model():
    # No `db` fixture: any query raises, and the registry must not.
    assert active_model().version == SHIPPED_VERSION


def test_missing_shipped_artifact_is_retrained_and_cached(monkeypatch, data_dir):
    monkeypatch.setattr(registry, "SHIPPED_MODEL", data_dir / "absent.joblib")
    monkeypatch.setattr(registry, "seed_corpus", lambda: small_rows(150))
    saved = registry._models.pop(SHIPPED_VERSION, None)
    try:
        model = registry.shipped_model()
        assert model.version == SHIPPED_VERSION
        assert list((data_dir / "models").glob(f"{SHIPPED_VERSION}-sklearn*.joblib"))
    finally:
        registry._models.pop(SHIPPED_VERSION, None)
        if saved is not None:
            registry._models[SHIPPED_VERSION] = saved


@pytest.fixture
def extra_source():
    def confirmed():
        yield "客户确认：台区低电压，空调带不动", "fault_repair", "supply_reliability"
        yield "", "fault_repair", "supply_reliability"  # skipped: empty
        yield "未知代码", "nonsense", "supply_reliability"  # skipped: unknown code

    register_training_source(confirmed)
    yield confirmed
    training_sources.remove(confirmed)


def test_train_activate_rollback(db, data_dir, extra_source):
    first = classifier_train(limit=200, run_evaluation=False, config=FAST)
    assert first.is_active and (data_dir / first.artifact).exists()
    assert first.trained_on["skipped"] == 2
    assert list(first.trained_on["sources"].values()) == [1]
    assert active_model().version == first.version
    assert classify_texts(["停电了"])[0].model_version == first.version

    second = classifier_train(limit=150, run_evaluation=False, config=FAST)
    first.refresh_from_db()
    assert second.is_active and not first.is_active
    assert active_model().version == second.version

    classifier_activate(version=first.version)
    assert list(ClassifierModel.objects.filter(is_active=True).values_list("version", flat=True)) == [
        first.version
    ]
    assert active_model().version == first.version

    classifier_activate(version=SHIPPED_VERSION)
    assert not ClassifierModel.objects.filter(is_active=True).exists()
    assert active_model().version == SHIPPED_VERSION

    with pytest.raises(ApplicationError):
        classifier_activate(version="v-does-not-exist")


def test_missing_artifact_of_active_row_falls_back(db, data_dir):
    ClassifierModel.objects.create(version="vgone", artifact="models/gone.joblib", is_active=True)
    assert active_model().version == SHIPPED_VERSION


def test_confirmed_labels_override_the_seed_corpus():
    from gridcare.analytics.classifier.corpus import collect_training_data, seed_corpus

    seed = seed_corpus()[0]
    other_type = "praise" if seed.request_type != "praise" else "complaint"

    def confirmed():
        return [
            (seed.text, other_type, seed.dimension),
            ("新的确认文本：电表箱门坏了", "fault_repair", "supply_safety"),
        ]

    register_training_source(confirmed)
    register_training_source(confirmed)  # idempotent
    try:
        rows, counts = collect_training_data()
    finally:
        training_sources.remove(confirmed)
    by_text = {r.text: r for r in rows}
    assert by_text[seed.text].request_type == other_type
    assert "新的确认文本：电表箱门坏了" in by_text
    assert counts["total"] == len(rows) == len({r.text for r in seed_corpus()}) + 1
