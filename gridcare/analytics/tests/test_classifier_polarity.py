"""Polarity, negation, intent and sarcasm (issue 19, item 3): the lexicon features, the
minimal-pair set, and the shipped model on the issue's examples and a fixed sample of pairs."""

import json

import numpy as np
import pytest

from gridcare.analytics.choices import DIMENSIONS, REQUEST_TYPES
from gridcare.analytics.classifier import (
    SHIPPED_VERSION,
    TextClassifier,
    TrainConfig,
    seed_corpus,
    shipped_model,
)
from gridcare.analytics.classifier.corpus import (
    CONTRAST_FILE,
    PREVIOUS_SHIPPED_MODEL,
    SEED_FILES,
    contrast_pairs,
    heldout_corpus,
)
from gridcare.analytics.classifier.evaluation import contrast_metrics, format_contrast
from gridcare.analytics.classifier.features import FeatureConfig, TextFeaturizer
from gridcare.analytics.classifier.polarity import LEXICON_FINGERPRINT, mark_negation, polarity_tokens
from gridcare.analytics.textnorm import normalize


def tokens(text: str) -> list[str]:
    return polarity_tokens(normalize(text))


def tags(text: str) -> list[str]:
    """The summary tokens only (no per-word ones)."""
    return [t for t in tokens(text) if ":" not in t or t.startswith("NI:")]


# -- the lexicon and the negation scope ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("营业厅工作人员态度很差", ["N"]),
        ("客服态度很好", ["P"]),
        ("通知一点也不及时", ["NP"]),  # negated positive
        ("我对这次抢修没有不满意", ["NN"]),  # "不满意" is one negative word, negated by "没有"
        ("师傅来得不慢", ["NN"]),
        ("不错", ["P"]),  # a positive word of its own, not "不" + "错"
        ("服务不到位", ["N"]),
    ],
)
def test_polarity_and_negation_tags(text, expected):
    assert tags(text) == expected


def test_negated_intent_is_marked_and_plain_intent_left_to_ngrams():
    assert tags("我不是投诉，就想问一下电费怎么算") == ["NI:complaint"]
    assert tags("我没有投诉的意思") == ["NI:complaint"]
    assert tags("我要投诉你们") == []


def test_negation_scope_ends_at_clause_and_after_a_few_characters():
    assert tags("不是我说，态度很好") == ["P"]  # the comma closes the negator's clause
    assert tags("没遇到过这么负责的客服") == ["P"]  # "负责" is beyond the negator's reach
    assert tags("不是不满意") == ["NN"]  # "不满意" is one word, negated
    assert tags("不是不好") == ["P"]  # two negators in a row cancel


def test_words_that_only_look_evaluative_are_ignored():
    for text in ("你好，快来修一下", "不好意思，请问峰谷电怎么办", "我出差了", "特别想问一下"):
        assert tags(text) == [], text
    assert tags("营业厅柜员对老人特别热情") == ["P"]  # "特别" is not "别" (a negator)


def test_scare_quotes_irony_and_bad_events():
    t = tags("真是太“好”了，停了三天电")
    assert {"Q+", "IRONY", "E"} <= set(t)
    assert "IRONY" not in tags("客服态度真好，谢谢")
    assert tags("这么多年都没停过电") == ["NE"]  # a negated bad event is good news
    assert "IRONY" in tags("谢谢你们让我们全楼摸黑，又停电了")


def test_mark_negation_replaces_only_negated_evaluative_words():
    assert mark_negation(normalize("客服并没有敷衍我")) == "客服并没有⊕我"
    assert mark_negation(normalize("停电通知一点也不及时")) == "停电通知一点也不⊖"
    plain = normalize("客服态度很差，我要投诉")
    assert mark_negation(plain) == plain


# -- the featuriser's polarity block and old artifacts ---------------------------------


def test_polarity_block_separates_texts_that_ngrams_find_alike():
    texts = ["态度很好", "态度很差", "没有不满意", "很不满意", "态度很好，谢谢", "态度很差，投诉"]
    f = TextFeaturizer(FeatureConfig(min_df=1)).fit(texts)
    assert {"P", "N", "NN"} <= set(f.polarity_vocab)
    X = f.transform(["态度很好", "态度很差"]).toarray()
    block = slice(f.n_features - len(f.polarity_vocab), f.n_features)
    assert X[0, block][f.polarity_vocab["P"]] > 0 and X[0, block][f.polarity_vocab["N"]] == 0
    assert X[1, block][f.polarity_vocab["N"]] > 0 and X[1, block][f.polarity_vocab["P"]] == 0
    # state round trip keeps the block
    g = TextFeaturizer.from_state(f.state())
    assert np.allclose(g.transform(texts).toarray(), f.transform(texts).toarray())


def test_old_artifact_without_polarity_block_still_loads_and_agrees():
    old = TextClassifier.load(PREVIOUS_SHIPPED_MODEL)
    assert old.featurizer.polarity_vocab is None
    assert not old.featurizer.config.use_polarity and not old.featurizer.config.mark_negation
    assert old.self_check()  # reproduces the probabilities recorded when it was built
    assert old.predict(["家里停电了，快派人来修"])[0].request_type == "fault_repair"


# -- the minimal-pair set --------------------------------------------------------------


def test_contrast_set_is_well_formed_and_apart_from_training():
    rows = contrast_pairs()
    pairs: dict[str, list[dict]] = {}
    for r in rows:
        assert r["request_type"] in REQUEST_TYPES and r["dimension"] in DIMENSIONS, r
        assert r["phenomenon"] in {"polarity", "negation", "intent", "sarcasm"}
        pairs.setdefault(r["pair"], []).append(r)
    assert len(pairs) >= 150 and len(rows) >= 300
    assert all(len(v) == 2 for v in pairs.values())
    # a minimal pair differs in its label, not only in wording
    assert all(
        (a["request_type"], a["dimension"]) != (b["request_type"], b["dimension"]) for a, b in pairs.values()
    )
    assert "contrast_pairs.jsonl" not in SEED_FILES
    texts = {r["text"] for r in rows}
    assert not texts & {r.text for r in seed_corpus()}
    assert not texts & {r.text for r in heldout_corpus()}
    assert CONTRAST_FILE.exists()


def test_contrast_metrics_counts_a_pair_only_when_both_texts_are_right():
    class Fixed:
        def __init__(self, answers):
            self.answers = answers

        def predict(self, texts):
            from types import SimpleNamespace

            return [
                SimpleNamespace(request_type=self.answers[t][0], dimension=self.answers[t][1]) for t in texts
            ]

    rows = [
        {
            "pair": "p1",
            "phenomenon": "polarity",
            "text": "a",
            "request_type": "praise",
            "dimension": "service_attitude",
        },
        {
            "pair": "p1",
            "phenomenon": "polarity",
            "text": "b",
            "request_type": "complaint",
            "dimension": "service_attitude",
        },
        {
            "pair": "p2",
            "phenomenon": "negation",
            "text": "c",
            "request_type": "praise",
            "dimension": "service_attitude",
        },
        {
            "pair": "p2",
            "phenomenon": "negation",
            "text": "d",
            "request_type": "complaint",
            "dimension": "supply_reliability",
        },
    ]
    model = Fixed(
        {
            "a": ("praise", "service_attitude"),
            "b": ("complaint", "billing_payment"),  # type right, dimension wrong
            "c": ("praise", "service_attitude"),
            "d": ("praise", "supply_reliability"),  # type wrong
        }
    )
    m = contrast_metrics(model, rows)
    assert m["pairs"] == 2 and m["texts"] == 4
    assert m["pairs_type"] == 0.5 and m["pairs_both"] == 0.0
    assert m["texts_type"] == 0.75 and m["texts_dimension"] == 0.75
    assert m["by_phenomenon"]["negation"]["pairs_type"] == 0.0
    assert [e["text"] for e in m["errors"]] == ["d"]
    assert "pairs 2" in format_contrast("t", m)


# -- the shipped model -----------------------------------------------------------------

ISSUE_EXAMPLES = ["营业厅工作人员态度很差", "抄表员态度很差，说话很冲"]


def test_issue_examples_are_complaints():
    for p in shipped_model().predict(ISSUE_EXAMPLES):
        assert (p.request_type, p.dimension) == ("complaint", "service_attitude")


def test_shipped_model_is_the_polarity_aware_version():
    model = shipped_model()
    assert model.version == SHIPPED_VERSION == "seed-2"
    assert model.featurizer.polarity_vocab and model.featurizer.config.mark_negation
    # fitted with this code's lexicon (rebuild with `gridcare classifier build-seed` after editing it)
    assert model.featurizer.polarity_lexicon == LEXICON_FINGERPRINT
    # the recorded minimal-pair figures (bench/classify_contrast.py prints them)
    assert model.metadata["contrast"]["pairs_type"] >= 0.85


# A fixed sample of pairs across the four phenomena; both texts must get their type.
SAMPLE_PAIRS = [
    "pol-004", "pol-005", "pol-010", "pol-021", "pol-026", "pol-044",
    "neg-004", "neg-007", "neg-014", "neg-025", "neg-034", "neg-036",
    "int-003", "int-005", "int-006", "int-027", "int-028",
    "sar-003", "sar-009", "sar-020",
]  # fmt: skip


def test_sample_of_minimal_pairs_both_right():
    rows = [r for r in contrast_pairs() if r["pair"] in SAMPLE_PAIRS]
    assert len(rows) == 2 * len(SAMPLE_PAIRS)
    preds = shipped_model().predict([r["text"] for r in rows])
    wrong = [
        (r["pair"], r["text"], r["request_type"], p.request_type)
        for r, p in zip(rows, preds, strict=True)
        if p.request_type != r["request_type"]
    ]
    assert not wrong


def test_whole_contrast_set_and_heldout_floors():
    model = shipped_model()
    c = contrast_metrics(model, contrast_pairs())
    assert c["pairs_type"] >= 0.85 and c["texts_type"] >= 0.93
    from gridcare.analytics.classifier.evaluation import evaluate

    h = evaluate(model, heldout_corpus())
    # the first round's figures were 0.946 / 0.947; allow 0.01
    assert h["request_type"]["macro_f1"] >= 0.936 and h["dimension"]["macro_f1"] >= 0.937


def test_training_with_the_polarity_block_learns_polarity_from_few_texts():
    # A small model on a tiny corpus: the polarity block carries the sign across topics.
    texts, types = [], []
    for who in ("客服", "电工", "柜员", "抄表员", "经理"):
        for good in ("态度很好", "很有耐心", "服务周到"):
            texts.append(who + good)
            types.append("praise")
        for bad in ("态度很差", "一点也不耐心", "服务敷衍"):
            texts.append(who + bad)
            types.append("complaint")
    dims = ["service_channel" if t.startswith("客服") else "service_attitude" for t in texts]
    model = TextClassifier.train(
        texts, types, dims, TrainConfig(augment_copies=0, strategy="independent"), calibrate=False
    )
    # "热情" is in no training text: only the negation-marked polarity cue decides the third.
    preds = model.predict(["保安态度很差", "保安服务周到", "保安很不热情"])
    assert [p.request_type for p in preds] == ["complaint", "praise", "complaint"]


def test_contrast_file_lines_are_json_objects():
    with open(CONTRAST_FILE, encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            assert set(obj) == {"pair", "side", "phenomenon", "text", "request_type", "dimension"}
